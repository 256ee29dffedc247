"""The payroll file finance loads into payroll, one per pay period, with its manifest.

The file is written from the `finance.payroll_export` mart, sorted, with amounts
printed to exactly the currency's minor units, so re-running a period over the same
data rewrites a byte-identical file. The manifest carries the row count, a control
total per currency and the file's sha256, and nothing time-dependent.

A period's file is never replaced silently: when a re-run produces different content,
the previous file is kept beside it as `...superseded-<sha8>.csv` and the change is
reported (restatement of a paid period is a finance decision, not a side effect).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg2

from commissions import warehouse
from commissions.config import paths
from commissions.periods import parse_period

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
    superseded: Path | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        totals = ", ".join(f"{ccy} {amount}" for ccy, amount in self.control_totals.items()) or "nothing to pay"
        text = f"payroll {self.period}: {self.row_count} lines ({totals}) -> {self.csv_path}"
        if self.superseded:
            text += f"\n  CHANGED since the last export; previous file kept as {self.superseded}"
        return text


def fetch_rows(period: str, wh: warehouse.Warehouse | None = None) -> list[PayrollRow]:
    parse_period(period)
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        try:
            cur.execute(
                f"select employee_id, pay_period, earnings_code, amount, currency, minor_units "
                f"from {PAYROLL_RELATION} where pay_period = %s "
                # Byte order, not the server's collation: the same file on any PostgreSQL.
                'order by employee_id collate "C", earnings_code collate "C", currency collate "C"',
                (period,),
            )
        except psycopg2.errors.UndefinedTable as exc:
            raise ExportError(
                f"{PAYROLL_RELATION} does not exist in {(wh or warehouse.resolve()).describe()}: "
                "run the dbt models first (the nightly DAG does)"
            ) from exc
        return [PayrollRow(*row) for row in cur.fetchall()]


def render_csv(rows: list[PayrollRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow((row.employee_id, row.pay_period, row.earnings_code, row.formatted_amount(), row.currency))
    return buffer.getvalue().encode("utf-8")


def control_totals(rows: list[PayrollRow]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    units: dict[str, int] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
        units[row.currency] = row.minor_units
    return {ccy: f"{totals[ccy].quantize(Decimal(1).scaleb(-units[ccy])):f}" for ccy in sorted(totals)}


def export_period(
    period: str,
    wh: warehouse.Warehouse | None = None,
    out_dir: Path | None = None,
) -> PayrollExport:
    """Write payroll_<period>.csv and its manifest under exports/payroll/<period>/."""
    rows = fetch_rows(period, wh)
    content = render_csv(rows)
    sha = hashlib.sha256(content).hexdigest()
    target_dir = (out_dir or paths().payroll_exports) / period
    target_dir.mkdir(parents=True, exist_ok=True)
    csv_path = target_dir / f"payroll_{period}.csv"
    manifest_path = target_dir / f"payroll_{period}.manifest.json"

    superseded = None
    if csv_path.exists():
        previous = csv_path.read_bytes()
        if previous != content:
            previous_sha = hashlib.sha256(previous).hexdigest()
            superseded = target_dir / f"payroll_{period}.superseded-{previous_sha[:8]}.csv"
            csv_path.replace(superseded)
            log.warning(
                "payroll %s changed since the last export (sha256 %s -> %s); previous file kept as %s",
                period,
                previous_sha,
                sha,
                superseded,
            )

    totals = control_totals(rows)
    manifest = {
        "file": csv_path.name,
        "pay_period": period,
        "columns": list(COLUMNS),
        "row_count": len(rows),
        "control_totals": totals,
        "sha256": sha,
        "source": PAYROLL_RELATION,
    }
    # Write to a temporary name first so a reader never sees half a file.
    tmp = csv_path.with_suffix(".csv.tmp")
    tmp.write_bytes(content)
    tmp.replace(csv_path)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return PayrollExport(period, csv_path, manifest_path, len(rows), totals, sha, superseded)
