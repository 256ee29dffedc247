"""The payroll file finance loads into payroll, one per pay period, with its manifest.

This module is the file's format and how it reaches the disk; which lines go into it, and
when, is the period close's (`commissions.close.ledger`): only an approved period is
exported, its lines are written to the append-only ledger first, and an exported period's
file is reproduced from the ledger, byte for byte.

Lines are sorted in byte order and amounts printed to exactly the currency's minor units,
so the same lines always make the same bytes. The manifest carries the row count, a control
total per currency, the file's sha256, who approved it and when it was exported.

Both files are written atomically (a temporary name in the same folder, fsync, rename), the
manifest last: a reader, or a run killed half-way, never sees a CSV and a manifest that
disagree. A file that would replace different content is kept beside it as
`...superseded-<sha8>.csv` and reported, never overwritten silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg2

from commissions import warehouse
from commissions.periods import parse_period

if TYPE_CHECKING:
    import psycopg2.extensions

log = logging.getLogger(__name__)

COLUMNS = ("employee_id", "pay_period", "earnings_code", "amount", "currency")
PAYROLL_RELATION = "finance.payroll_export"


class ExportError(RuntimeError):
    """The payroll file cannot be produced."""


@dataclass(frozen=True)
class PayrollRow:
    employee_id: str
    pay_period: str
    earnings_code: str
    amount: Decimal
    currency: str
    minor_units: int

    def formatted_amount(self) -> str:
        quantum = Decimal(1).scaleb(-self.minor_units)
        if self.amount != self.amount.quantize(quantum):
            raise ExportError(
                f"{PAYROLL_RELATION}: amount {self.amount} for employee {self.employee_id} "
                f"has more decimals than {self.currency} allows ({self.minor_units}); payouts must be "
                "rounded in the model, not in the file"
            )
        return f"{self.amount.quantize(quantum):f}"


@dataclass(frozen=True)
class PayrollExport:
    period: str
    csv_path: Path
    manifest_path: Path
    row_count: int
    control_totals: dict[str, str]
    sha256: str
    approved_by: str = ""
    #: The period was already exported: the file was reproduced from the ledger, nothing new paid.
    reproduced: bool = False
    superseded: Path | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        totals = ", ".join(f"{ccy} {amount}" for ccy, amount in self.control_totals.items()) or "nothing to pay"
        how = "reproduced from the ledger" if self.reproduced else f"approved by {self.approved_by}"
        text = f"payroll {self.period}: {self.row_count} lines ({totals}), {how} -> {self.csv_path}"
        if self.superseded:
            text += f"\n  a different file was there; it is kept as {self.superseded}"
        return "\n".join([text, *self.notes])


def read_rows(cur: psycopg2.extensions.cursor, period: str) -> list[PayrollRow]:
    """The period's lines in `finance.payroll_export`, in file order."""
    parse_period(period)
    try:
        cur.execute(
            f"select employee_id, pay_period, earnings_code, amount, currency, minor_units "
            f"from {PAYROLL_RELATION} where pay_period = %s "
            # Byte order, not the server's collation: the same file on any PostgreSQL.
            'order by employee_id collate "C", earnings_code collate "C", currency collate "C"',
            (period,),
        )
    except psycopg2.errors.UndefinedTable as exc:
        where = f"database {cur.connection.info.dbname} on {cur.connection.info.host}"
        raise ExportError(
            f"{PAYROLL_RELATION} does not exist in {where}: run the dbt models first (the nightly DAG does)"
        ) from exc
    return [PayrollRow(*row) for row in cur.fetchall()]


def fetch_rows(period: str, wh: warehouse.Warehouse | None = None) -> list[PayrollRow]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        return read_rows(cur, period)


def render_csv(rows: list[PayrollRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow((row.employee_id, row.pay_period, row.earnings_code, row.formatted_amount(), row.currency))
    return buffer.getvalue().encode("utf-8")


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def control_totals(rows: list[PayrollRow]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    units: dict[str, int] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
        units[row.currency] = row.minor_units
    return {ccy: f"{totals[ccy].quantize(Decimal(1).scaleb(-units[ccy])):f}" for ccy in sorted(totals)}


def file_name(period: str) -> str:
    return f"payroll_{period}.csv"


def file_paths(period: str, out_dir: Path) -> tuple[Path, Path]:
    """`<out_dir>/<period>/payroll_<period>.csv` and its `.manifest.json`."""
    folder = out_dir / period
    return folder / file_name(period), folder / f"payroll_{period}.manifest.json"


def write_payroll_file(
    period: str, rows: list[PayrollRow], out_dir: Path, *, about: dict[str, Any], source: str
) -> PayrollExport:
    """Write the period's file and manifest from `rows` (atomically, the manifest last).

    `about` goes into the manifest (who approved, when exported): values fixed at export, so
    writing the same period again makes the same bytes. Files already holding exactly these
    bytes are left untouched.
    """
    content = render_csv(rows)
    sha = sha256_of(content)
    csv_path, manifest_path = file_paths(period, out_dir)
    totals = control_totals(rows)
    manifest = {
        "file": csv_path.name,
        "pay_period": period,
        "columns": list(COLUMNS),
        "row_count": len(rows),
        "control_totals": totals,
        "sha256": sha,
        **about,
        "source": source,
    }
    manifest_bytes = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    csv_path.parent.mkdir(parents=True, exist_ok=True)

    superseded = None
    if csv_path.exists() and (previous := csv_path.read_bytes()) != content:
        previous_sha = sha256_of(previous)
        superseded = csv_path.with_name(f"payroll_{period}.superseded-{previous_sha[:8]}.csv")
        csv_path.replace(superseded)
        log.warning("payroll %s: a different file was there (sha256 %s); kept as %s", period, previous_sha, superseded)
    _write_atomically(csv_path, content)
    _write_atomically(manifest_path, manifest_bytes)
    return PayrollExport(
        period,
        csv_path,
        manifest_path,
        len(rows),
        totals,
        sha,
        approved_by=str(about.get("approved_by", "")),
        superseded=superseded,
    )


def _write_atomically(path: Path, content: bytes) -> None:
    """Replace `path` with `content` in one rename, unless it already holds exactly that."""
    if path.exists() and path.read_bytes() == content:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)
