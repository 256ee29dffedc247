"""Load landing files into raw tables with PostgreSQL COPY.

One file is one transaction: its rows are COPYed into a typed temporary table
(PostgreSQL checks every value against the contract's types and names the line and
column of the first bad one), then the versions not already in the raw table are
appended with their batch, file, line and a hash of the record. A malformed file
loads nothing and fails with file, line and column; the files of the same system
that were fine still load, and the error lists every bad file.

Idempotency: a file whose sha256 is that of the table's last loaded file is skipped; a
record whose hash is that of its key's latest loaded version is not appended again, so
re-exporting unchanged records changes nothing, a changed record arrives as a new
version, and a record that returns to an earlier value (a rate sent as 1.10, 1.20, then
1.10 again) arrives as a new version too.

Strict contracts at the door: every value is COPYed as text and checked against the
written form of its contract type (contracts.VALUE_FORMS: ISO 8601 dates and timestamps
with an offset, plain decimals within bounds, true/false) before it is cast, so what a
file means never depends on the server's DateStyle, TimeZone or locale. JSON lines take
finite decimal numbers and each key once. A file of a system's landing folder that no
contract reads, a link, a folder, or a batch id that is not a plain name is refused. A
control file beside an export (`<file>.control.json`: rows, sha256) is checked, so a file
cut at a row boundary is caught. Processed files are
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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg2
import psycopg2.extensions

from commissions import warehouse
from commissions.config import paths
from commissions.contracts import TEXT_MAX_LENGTH, VALUE_FORMS, Column, SourceTable, tables_of
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


def _json_record(path: Path, line_no: int, raw: bytes, table: SourceTable) -> dict[str, Any]:
    """One line of a JSON-lines file as the contract's record, or a LoadError naming why not."""
    try:
        # a byte order mark may open the file, as in a CSV
        text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: line {line_no}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise LoadError(f"{path}: line {line_no}: empty line, expected a JSON object")
    try:
        # parse_float=Decimal: 0.1 stays 0.1; money never passes through a float.
        record = json.loads(
            text, parse_float=Decimal, parse_constant=_not_a_number, object_pairs_hook=_without_repeated_keys
        )
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path}: line {line_no}, column {exc.colno}: invalid JSON ({exc.msg})") from exc
    except _StrictJsonError as exc:
        raise LoadError(f"{path}: line {line_no}: {exc}") from exc
    if not isinstance(record, dict):
        raise LoadError(f"{path}: line {line_no}: expected a JSON object, got {type(record).__name__}")
    if record.keys() != set(table.column_names):
        _check_columns(table, list(record.keys()), f"{path}: line {line_no}")
    return record


def _jsonl_as_csv(path: Path, table: SourceTable) -> Iterator[bytes]:
    """Check each JSON line against the contract and re-emit it as a CSV record.

    Line N of the file becomes record N of the COPY, so PostgreSQL's line numbers in
    type errors are the file's line numbers.
    """
    expected = table.column_names
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            record = _json_record(path, line_no, raw, table)
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


class _StrictJsonError(ValueError):
    """JSON that Python reads but the contract does not take."""


def _not_a_number(token: str) -> Any:
    raise _StrictJsonError(f"{token} is not a finite number; the contract takes decimal numbers only")


def _without_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise _StrictJsonError(f"key {key!r} appears twice in one object; which value is meant is unknown")
        record[key] = value
    return record


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
    """COPY the file into a temporary table of text columns, then check every value's
    written form (contracts.VALUE_FORMS) and bounds before anything is cast: the types
    are the contract's, not what the server's DateStyle or locale would make of them."""
    columns = ", ".join(f"{c.name} text" for c in table.columns)
    cur.execute(
        f"create temp table _incoming ({columns}, _source_line integer generated always as identity) on commit drop"
    )
    try:
        if path.stat().st_size == 0:
            pass  # no records, as its control file says (load_file refuses it otherwise)
        elif table.file_format == "csv":
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
    _check_values(cur, path, table)
    cur.execute("select count(*) from _incoming")
    return int(warehouse.one_row(cur)[0])


def _value_problem(column: Column) -> str:
    """SQL naming what is wrong with `column`'s text in _incoming (null when nothing is)."""
    form = VALUE_FORMS.get(column.pg_type)
    if form is None:
        return f"case when length({column.name}) > {TEXT_MAX_LENGTH} then 'length' end"
    checks = [f"when {column.name} !~ '{form.pattern}' then 'form'"]
    bounds = column.value_bounds
    if bounds is not None:
        checks.append(f"when {column.name}::numeric not between {bounds[0]} and {bounds[1]} then 'bounds'")
    return f"case {' '.join(checks)} end"


def _check_values(cur: psycopg2.extensions.cursor, path: Path, table: SourceTable) -> None:
    """Refuse the file at its first value not written as its contract type says."""
    checked = [(c, _value_problem(c)) for c in table.columns]
    problems = ", ".join(sql for _, sql in checked)
    cur.execute(
        f"""
        select _source_line, problems
        from (select _source_line, array[{problems}] as problems from _incoming) as checked
        where cardinality(array_remove(problems, null)) > 0
        order by _source_line
        limit 1
        """
    )
    bad = cur.fetchone()
    if bad is None:
        return
    line, problems_found = bad
    index, problem = next((i, p) for i, p in enumerate(problems_found) if p is not None)
    column = checked[index][0]
    cur.execute(f"select {column.name} from _incoming where _source_line = %s", (line,))
    (value,) = warehouse.one_row(cur)
    if problem == "length":
        expected = f"a text of at most {TEXT_MAX_LENGTH:,} characters (it has {len(value):,})"
    elif problem == "bounds" and (bounds := column.value_bounds) is not None:
        low, high = bounds
        expected = f"a number from {low:,f} to {high:,f}"
    else:
        expected = VALUE_FORMS[column.pg_type].expected
    shown = value if len(value) <= 80 else f"{value[:77]}..."
    raise LoadError(f"{path}: line {line}, column {column.name}: {shown!r} is not {expected}")


def _append_new_versions(cur: psycopg2.extensions.cursor, table: SourceTable, batch_id: str, source_file: str) -> int:
    """Append each record that differs from the latest loaded version of its key. A record
    that returns to an earlier version (a rate sent as 1.10, then 1.20, then 1.10 again) is
    a new version, so the latest load says 1.10; an unchanged re-export adds nothing."""
    cols = ", ".join(table.column_names)
    typed = ", ".join(f"{c.name}::{c.pg_type} as {c.name}" for c in table.columns)
    key = ", ".join(table.primary_key)
    incoming_key = ", ".join(f"incoming.{k}" for k in table.primary_key)
    cur.execute("savepoint before_cast")
    try:
        cur.execute(
            f"""
            insert into {table.qualified_name}
                ({cols}, _batch_id, _source_file, _source_line, _record_hash, _loaded_at)
            select {cols}, %(batch_id)s, %(source_file)s, _source_line, _record_hash, now()
            from (
                select typed.*, md5(row({", ".join("typed." + c for c in table.column_names)})::text) as _record_hash
                from (select {typed}, _source_line from _incoming) as typed
            ) as incoming
            where incoming._record_hash is distinct from (
                select loaded._record_hash
                from {table.qualified_name} as loaded
                where ({key}) = ({incoming_key})
                order by loaded._row_id desc
                limit 1
            )
            """,
            {"batch_id": batch_id, "source_file": source_file},
        )
    except psycopg2.DataError as exc:
        # written right but no such day (2026-02-30): the cast names no line, so find it
        cur.execute("rollback to savepoint before_cast")
        raise _no_such_value(cur, table, source_file) or LoadError(
            f"{source_file}: {exc.diag.message_primary or exc}"
        ) from exc
    return cur.rowcount


def _no_such_value(cur: psycopg2.extensions.cursor, table: SourceTable, source_file: str) -> LoadError | None:
    """The first date or timestamp in _incoming that is well written but names no real day."""
    parsers = {"date": date.fromisoformat, "timestamptz": datetime.fromisoformat}
    dated = [c for c in table.columns if c.pg_type in parsers]
    if not dated:
        return None
    cur.execute(f"select _source_line, {', '.join(c.name for c in dated)} from _incoming order by _source_line")
    for line, *values in cur:
        for column, value in zip(dated, values, strict=True):
            try:
                if value is not None:
                    parsers[column.pg_type](value)
            except ValueError as exc:
                return LoadError(
                    f"{source_file}: line {line}, column {column.name}: {value!r} is not "
                    f"{VALUE_FORMS[column.pg_type].expected}: {exc}"
                )
    return None


def _archive(path: Path, system: str, batch_id: str) -> Path:
    """Move a loaded file (and its control file) under the archive's batch folder."""
    target_dir = paths().archive / system / batch_id
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    shutil.move(str(path), target)
    control = control_file(path)
    if control.exists():
        shutil.move(str(control), target_dir / control.name)
    return target


#: A source may send beside an export `<file>.control.json`: {"rows": N, "sha256": "..."}.
CONTROL_SUFFIX = ".control.json"


def control_file(path: Path) -> Path:
    return path.with_name(path.name + CONTROL_SUFFIX)


@dataclass(frozen=True)
class _Control:
    path: Path
    rows: int | None


def _read_control(path: Path, sha: str) -> _Control | None:
    """The export's control file, checked against the file's sha256; None when there is none."""
    control = control_file(path)
    if not control.exists():
        return None
    try:
        declared = json.loads(control.read_text(encoding="utf-8"), object_pairs_hook=_without_repeated_keys)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LoadError(f"{control}: not a JSON object with rows and sha256 ({exc})") from exc
    if not isinstance(declared, dict) or not declared.keys() <= {"rows", "sha256"} or not declared:
        raise LoadError(f"{control}: expected a JSON object with rows (a count) and/or sha256 (hex), got {declared!r}")
    rows = declared.get("rows")
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
        raise LoadError(f"{control}: rows must be a whole number of records, got {rows!r}")
    expected_sha = declared.get("sha256")
    if expected_sha is not None and str(expected_sha).lower() != sha:
        raise LoadError(
            f"{path}: sha256 {sha} differs from {expected_sha} in {control.name}: the file is not the one "
            "the source sent (cut, padded or changed); nothing of it was loaded"
        )
    return _Control(control, rows)


def load_file(
    conn: psycopg2.extensions.connection,
    table: SourceTable,
    path: Path,
    batch_id: str,
    *,
    archive: bool = True,
) -> FileLoad:
    """Load one landing file in one transaction; archive it once committed. Two loads of the
    same table at once (two runs, a retry beside a stuck task) take turns: the second finds
    the file loaded and archived by the first, and loads nothing twice."""
    check_batch_id(batch_id)  # it names the archive folder: refused before anything is committed
    with _table_lock(conn, table):
        if not path.exists():
            log.info("%s: loaded and archived by a concurrent load meanwhile", path)
            return FileLoad(table.qualified_name, path.name, "missing")
        return _load_file(conn, table, path, batch_id, archive=archive)


@contextmanager
def _table_lock(conn: psycopg2.extensions.connection, table: SourceTable) -> Iterator[None]:
    """A session advisory lock per raw table, held from the file's check to its archiving."""
    key = f"commissions.load:{table.qualified_name}"
    with conn, conn.cursor() as cur:
        cur.execute("select pg_advisory_lock(hashtext(%s))", (key,))
    try:
        yield
    finally:
        conn.rollback()  # a failed load leaves its transaction aborted; the unlock needs a live one
        with conn, conn.cursor() as cur:
            cur.execute("select pg_advisory_unlock(hashtext(%s))", (key,))


def _load_file(
    conn: psycopg2.extensions.connection,
    table: SourceTable,
    path: Path,
    batch_id: str,
    *,
    archive: bool,
) -> FileLoad:
    sha = file_sha256(path)
    source_file = f"{table.system}/{path.name}"
    control = _read_control(path, sha)
    if path.stat().st_size == 0 and (control is None or control.rows != 0):
        # alike in every format: nothing says whether the export failed or had no records
        raise LoadError(
            f"{path}: empty file (0 bytes): a failed or cut export? A source with no records sends a "
            f"CSV header alone, or the empty file with a control file {control_file(path).name} "
            'saying {"rows": 0}'
        )
    with conn, conn.cursor() as cur:
        cur.execute(
            # the table's last loaded file: an older file sent again is loaded again, since
            # its records may return to what they were (1.10, 1.20, then 1.10 again)
            "select batch_id, file_sha256 from raw_meta.loaded_files where table_name = %s "
            "and status = 'loaded' order by loaded_at desc limit 1",
            (table.qualified_name,),
        )
        last = cur.fetchone()
    already = last if last is not None and last[1] == sha else None
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
            if control is not None and control.rows != rows_in_file:
                raise LoadError(
                    f"{path}: {rows_in_file} record(s) read, but its control file {control.path.name} says "
                    f"{control.rows}: the export is cut short or padded; nothing of it was loaded"
                )
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
    check_batch_id(batch_id)
    landing_dir = (landing or paths().landing) / system
    results: list[FileLoad] = []
    errors = _unexpected_files(system, landing_dir)
    conn = psycopg2.connect((wh or warehouse.resolve()).libpq_dsn)
    try:
        with conn:
            ensure_warehouse_objects(conn)
        for table in tables_of(system):
            path = landing_dir / table.file_name
            if path.is_symlink() or (path.exists() and not path.is_file()):
                errors.append(f"{path}: not a regular file (a link or a folder); landing takes files only")
                continue
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


_BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,119}$")


def check_batch_id(batch_id: str) -> None:
    """A batch id names an archive folder: letters, digits, '_', '.', '-', never a path."""
    if not _BATCH_ID.fullmatch(batch_id) or ".." in batch_id:
        raise LoadError(
            f"batch id {batch_id!r} is not a batch id: up to 120 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit, without '..' (it names a folder under the archive)"
        )


def _unexpected_files(system: str, landing_dir: Path) -> list[str]:
    """Files in the system's landing folder that no contract reads: reported, never ignored.
    A hidden file (an upload in progress, say) is only logged."""
    files = sorted(t.file_name for t in tables_of(system))
    expected = set(files) | {name + CONTROL_SUFFIX for name in files}
    found = []
    for entry in sorted(landing_dir.iterdir()) if landing_dir.is_dir() else []:
        if entry.name in expected:
            continue
        if entry.name.startswith("."):
            log.warning("%s: hidden, not read (an upload in progress?)", entry)
            continue
        found.append(
            f"{entry}: matches no {system} contract (expected {', '.join(files)}, each optionally with "
            f"its {CONTROL_SUFFIX}); left in landing"
        )
    return found
