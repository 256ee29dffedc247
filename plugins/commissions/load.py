"""Load landing files into raw tables with PostgreSQL COPY.

One file is one transaction: its rows are COPYed into a typed temporary table
(PostgreSQL checks every value against the contract's types and names the line and
column of the first bad one), then the versions not already in the raw table are
appended with their batch, file, line and a hash of the record. A malformed file
loads nothing and fails with file, line and column; the files of the same system
that were fine still load, and the error lists every bad file.

Idempotency: a file whose sha256 is in the ledger is skipped; a record whose hash is
already in the raw table is not appended again, so re-exporting unchanged records
changes nothing and a changed record arrives as a new version. Processed files are
moved to the archive (never deleted), under the batch that read them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2
import psycopg2.extensions

from commissions import warehouse
from commissions.config import paths
from commissions.contracts import SourceTable, tables_of
from commissions.raw_schema import ensure_warehouse_objects

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

log = logging.getLogger(__name__)


class LoadError(RuntimeError):
    """A landing file does not match its contract. Nothing of that file was loaded."""


@dataclass(frozen=True)
class FileLoad:
    table: str
    file_name: str
    status: str  # loaded | skipped_duplicate_file | missing
    rows_in_file: int = 0
    rows_inserted: int = 0
    archived_to: str | None = None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_columns(table: SourceTable, found: list[str], where: str) -> None:
    expected = table.column_names
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    duplicated = sorted({c for c in found if found.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected column(s) {', '.join(unexpected)}")
    if duplicated:
        problems.append(f"duplicated column(s) {', '.join(duplicated)}")
    if problems:
        raise LoadError(f"{where}: {'; '.join(problems)}; expected columns: {', '.join(expected)}")


def _csv_header(path: Path, table: SourceTable) -> list[str]:
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: line 1 (header): not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise LoadError(f"{path}: line 1: empty file, expected a header row")
    header = next(csv.reader([text]))
    header = [h.strip() for h in header]
    _check_columns(table, header, f"{path}: line 1 (header)")
    return header


class _Stream(io.RawIOBase):
    """A readable file object over an iterator of bytes, for COPY FROM STDIN."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""
        #: A contract error raised while producing the data; psycopg2 would otherwise
        #: wrap it in a generic "COPY from stdin failed" message.
        self.error: LoadError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, target: WriteableBuffer) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
            except LoadError as exc:
                self.error = exc
                raise
        view = memoryview(target).cast("B")
        n = min(len(view), len(self._buffer))
        view[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _jsonl_as_csv(path: Path, table: SourceTable) -> Iterator[bytes]:
    """Check each JSON line against the contract and re-emit it as a CSV record.

    Line N of the file becomes record N of the COPY, so PostgreSQL's line numbers in
    type errors are the file's line numbers.
    """
    expected = table.column_names
    expected_set = set(expected)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LoadError(f"{path}: line {line_no}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
            if not text.strip():
                raise LoadError(f"{path}: line {line_no}: empty line, expected a JSON object")
            try:
                # parse_float=Decimal: 0.1 stays 0.1; money never passes through a float.
                record = json.loads(text, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise LoadError(f"{path}: line {line_no}, column {exc.colno}: invalid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise LoadError(f"{path}: line {line_no}: expected a JSON object, got {type(record).__name__}")
            if record.keys() != expected_set:
                _check_columns(table, list(record.keys()), f"{path}: line {line_no}")
            row: list[str | None] = []
            for name in expected:
                value = record[name]
                if value is None:
                    row.append(None)
                elif isinstance(value, dict | list):
                    raise LoadError(
                        f"{path}: line {line_no}, field {name}: expected a scalar "
                        f"({table.column(name).pg_type}), got {type(value).__name__}"
                    )
                elif isinstance(value, bool):
                    row.append("true" if value else "false")
                else:
                    row.append(str(value))
            # csv writes None and "" alike as an empty unquoted field, which COPY reads as NULL.
            writer.writerow(row)
            if out.tell() > 1 << 16:
                yield out.getvalue().encode("utf-8")
                out.seek(0)
                out.truncate()
    yield out.getvalue().encode("utf-8")


_COPY_CONTEXT = re.compile(r"COPY \w+, line (?P<line>\d+)(?:, column (?P<column>\w+))?(?:: (?P<value>.*))?")


def _copy_error(path: Path, exc: psycopg2.Error) -> LoadError:
    """Turn PostgreSQL's COPY error into one naming file, line and column."""
    diag = exc.diag
    message = (diag.message_primary or str(exc)).strip()
    context = diag.context or ""
    match = _COPY_CONTEXT.search(context)
    if not match:
        return LoadError(f"{path}: {message}")
    where = f"{path}: line {match['line']}"
    if match["column"]:
        where += f", column {match['column']}"
    return LoadError(f"{where}: {message}")


def _copy_into_temp(cur: psycopg2.extensions.cursor, path: Path, table: SourceTable) -> int:
    columns = ", ".join(f"{c.name} {c.pg_type}" for c in table.columns)
    cur.execute(
        f"create temp table _incoming ({columns}, _source_line integer generated always as identity) on commit drop"
    )
    try:
        if table.file_format == "csv":
            header = _csv_header(path, table)
            # Header is line 1, so the first record is line 2.
            cur.execute("alter table _incoming alter column _source_line restart with 2")
            with path.open("rb") as fh:
                cur.copy_expert(
                    f"copy _incoming ({', '.join(header)}) from stdin with (format csv, header true, encoding 'UTF8')",
                    fh,
                )
        else:
            stream = _Stream(_jsonl_as_csv(path, table))
            try:
                cur.copy_expert(
                    f"copy _incoming ({', '.join(table.column_names)}) from stdin with (format csv, encoding 'UTF8')",
                    stream,
                )
            except psycopg2.Error:
                if stream.error is not None:
                    raise stream.error from None
                raise
    except psycopg2.DataError as exc:
        raise _copy_error(path, exc) from exc
    cur.execute("select count(*) from _incoming")
    return int(warehouse.one_row(cur)[0])


def _append_new_versions(cur: psycopg2.extensions.cursor, table: SourceTable, batch_id: str, source_file: str) -> int:
    cols = ", ".join(table.column_names)
    cur.execute(
        f"""
        insert into {table.qualified_name}
            ({cols}, _batch_id, _source_file, _source_line, _record_hash, _loaded_at)
        select {cols}, %(batch_id)s, %(source_file)s, _source_line, _record_hash, now()
        from (
            select i.*, md5(row({", ".join("i." + c for c in table.column_names)})::text) as _record_hash
            from _incoming i
        ) incoming
        where not exists (
            select 1 from {table.qualified_name} r where r._record_hash = incoming._record_hash
        )
        """,
        {"batch_id": batch_id, "source_file": source_file},
    )
    return cur.rowcount


def _archive(path: Path, system: str, batch_id: str) -> Path:
    target_dir = paths().archive / system / batch_id
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    shutil.move(str(path), target)
    return target


def load_file(
    conn: psycopg2.extensions.connection,
    table: SourceTable,
    path: Path,
    batch_id: str,
    *,
    archive: bool = True,
) -> FileLoad:
    """Load one landing file in one transaction; archive it once committed."""
    sha = file_sha256(path)
    source_file = f"{table.system}/{path.name}"
    with conn.cursor() as cur:
        cur.execute(
            "select batch_id from raw_meta.loaded_files where table_name = %s and file_sha256 = %s "
            "and status = 'loaded' limit 1",
            (table.qualified_name, sha),
        )
        already = cur.fetchone()
    if already:
        archived = _archive(path, table.system, batch_id) if archive else None
        with conn, conn.cursor() as cur:
            cur.execute(
                "insert into raw_meta.loaded_files (batch_id, system, table_name, file_name, file_sha256, "
                "rows_in_file, rows_inserted, status, archived_to) values (%s,%s,%s,%s,%s,0,0,%s,%s) "
                "on conflict do nothing",
                (
                    batch_id,
                    table.system,
                    table.qualified_name,
                    path.name,
                    sha,
                    "skipped_duplicate_file",
                    str(archived) if archived else None,
                ),
            )
        log.info("%s: identical to the file loaded in batch %s; skipped", source_file, already[0])
        return FileLoad(
            table.qualified_name,
            path.name,
            "skipped_duplicate_file",
            archived_to=str(archived) if archived else None,
        )

    try:
        with conn, conn.cursor() as cur:
            rows_in_file = _copy_into_temp(cur, path, table)
            inserted = _append_new_versions(cur, table, batch_id, source_file)
            cur.execute(
                "insert into raw_meta.loaded_files (batch_id, system, table_name, file_name, file_sha256, "
                "rows_in_file, rows_inserted, status) values (%s,%s,%s,%s,%s,%s,%s,'loaded')",
                (batch_id, table.system, table.qualified_name, path.name, sha, rows_in_file, inserted),
            )
    except LoadError:
        raise
    except psycopg2.Error as exc:
        raise LoadError(f"{path}: {exc.diag.message_primary or exc}") from exc

    with conn, conn.cursor() as cur:
        # The staging views are planned from these statistics: a table just filled by COPY
        # has none, and the planner then guesses one row and nests loops over thousands.
        cur.execute(f"analyze {table.qualified_name}")

    archived = None
    if archive:
        archived = _archive(path, table.system, batch_id)
        with conn, conn.cursor() as cur:
            cur.execute(
                "update raw_meta.loaded_files set archived_to = %s "
                "where batch_id = %s and table_name = %s and file_sha256 = %s",
                (str(archived), batch_id, table.qualified_name, sha),
            )
    log.info("%s: %s rows read, %s new versions appended", source_file, rows_in_file, inserted)
    return FileLoad(
        table.qualified_name, path.name, "loaded", rows_in_file, inserted, str(archived) if archived else None
    )


def load_system(
    system: str,
    batch_id: str,
    *,
    landing: Path | None = None,
    archive: bool = True,
    wh: warehouse.Warehouse | None = None,
) -> list[FileLoad]:
    """Load every landing file of one source system. Raises LoadError naming each bad file."""
    landing_dir = (landing or paths().landing) / system
    results: list[FileLoad] = []
    errors: list[str] = []
    conn = psycopg2.connect((wh or warehouse.resolve()).libpq_dsn)
    try:
        with conn:
            ensure_warehouse_objects(conn)
        for table in tables_of(system):
            path = landing_dir / table.file_name
            if not path.exists():
                log.info("%s: no new export in %s", table.qualified_name, landing_dir)
                results.append(FileLoad(table.qualified_name, table.file_name, "missing"))
                continue
            try:
                results.append(load_file(conn, table, path, batch_id, archive=archive))
            except LoadError as exc:
                log.error("%s", exc)
                errors.append(str(exc))
    finally:
        conn.close()
    if errors:
        raise LoadError(
            f"{len(errors)} {system} file(s) rejected; nothing of them was loaded and they stay in "
            f"{landing_dir}:\n" + "\n".join(f"  - {e}" for e in errors)
        )
    return results
