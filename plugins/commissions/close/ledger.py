"""The payout ledger: every line of every exported payroll file, append-only (`close.payout_ledger`).

`export_period` is the one way a payroll file is written. It exports only an approved period
whose lines are still the approved ones: in one transaction it records the file
(`close.payroll_files`, one per period), its lines in the ledger, and the period's move to
exported; then it writes the file from the ledger's lines. Exporting an exported period
writes nothing to the ledger and reproduces the file from the ledger, byte for byte, whatever
the marts say now: nothing is paid twice, and a paid month never changes under finance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg2.extras import execute_values

from commissions import warehouse
from commissions.close.lifecycle import (
    PeriodStateError,
    Transition,
    current_figures,
    figures_of,
    latest_transition,
    lock_period,
    next_step,
    recalculate,
    record_transition,
    state_of,
)
from commissions.export.payroll import (
    ExportError,
    PayrollExport,
    PayrollRow,
    file_name,
    read_rows,
    render_csv,
    sha256_of,
    write_payroll_file,
)
from commissions.periods import parse_period

if TYPE_CHECKING:
    import psycopg2.extensions

LEDGER = "close.payout_ledger"


class PeriodNotApproved(PeriodStateError, ExportError):
    """An export of a period that is not approved (or whose approval the changed lines voided)."""


def closed_note(period: str) -> str:
    """What a run or an export says about a period already exported (honest about what is not built)."""
    return (
        f"pay period {period} is closed (exported): its file is not rewritten. Later changes to its data are "
        "to be booked as adjustments in the next open period; that booking is not built yet (a later slice "
        "of issue 12), so for now such a change is only reported here and nothing is booked"
    )


@dataclass(frozen=True)
class ExportedFile:
    """A period's exported file as `close.payroll_files` records it."""

    period: str
    file_name: str
    sha256: str
    row_count: int
    run_id: str | None
    approved_by: str
    exported_at: datetime

    def manifest_fields(self) -> dict[str, str | None]:
        # UTC, whatever the session's time zone: the manifest is reproduced byte for byte.
        return {
            "approved_by": self.approved_by,
            "exported_at": self.exported_at.astimezone(UTC).isoformat(),
            "run_id": self.run_id,
        }


def exported_file(cur: psycopg2.extensions.cursor, period: str) -> ExportedFile | None:
    cur.execute(
        "select pay_period, file_name, file_sha256, row_count, run_id, approved_by, exported_at "
        "from close.payroll_files where pay_period = %s",
        (period,),
    )
    row = cur.fetchone()
    return ExportedFile(*row) if row else None


def ledger_rows(cur: psycopg2.extensions.cursor, period: str) -> list[PayrollRow]:
    """The period's exported lines, in the order of its file."""
    cur.execute(
        f"select employee_id, pay_period, earnings_code, amount, currency, minor_units from {LEDGER} "
        "where pay_period = %s order by line_number",
        (period,),
    )
    return [PayrollRow(*row) for row in cur.fetchall()]


def drift_note(cur: psycopg2.extensions.cursor, period: str, record: ExportedFile) -> str | None:
    """For an exported period: how its lines in the marts now differ from what was exported, if they do."""
    cur.execute("select to_regclass('finance.payroll_export') is not null")
    if not warehouse.one_row(cur)[0]:
        return None
    now = current_figures(cur, period)
    if now.lines_sha256 == record.sha256:
        return None
    paid = figures_of(period, ledger_rows(cur, period))
    return f"its lines have changed since it was exported: exported {paid.describe()}; now {now.describe()}"


def _book(cur: psycopg2.extensions.cursor, approval: Transition, *, by: str, run_id: str | None) -> Transition | None:
    """Record the file, its lines and the move to exported, in the caller's transaction; or, when the
    lines are no longer those approved, record the period calculated again: that transition is returned."""
    period = approval.period
    rows = read_rows(cur, period)
    now = figures_of(period, rows)
    if now.lines_sha256 != approval.figures.lines_sha256:
        return recalculate(cur, approval, now, by=by, run_id=run_id)
    # The run whose calculation was approved: the run that produced these lines.
    cur.execute(
        "select run_id from close.period_transitions where pay_period = %s and to_state = 'calculated' "
        "and transition_id < %s order by transition_id desc limit 1",
        (period, approval.transition_id),
    )
    found = cur.fetchone()
    calculated_by_run = found[0] if found else None
    cur.execute(
        "insert into close.payroll_files "
        "(pay_period, file_name, file_sha256, row_count, run_id, approved_by, approval_transition_id, exported_at) "
        "values (%s, %s, %s, %s, %s, %s, %s, clock_timestamp()) returning exported_at",
        (
            period,
            file_name(period),
            now.lines_sha256,
            len(rows),
            calculated_by_run,
            approval.by,
            approval.transition_id,
        ),
    )
    (exported_at,) = warehouse.one_row(cur)
    execute_values(
        cur,
        f"insert into {LEDGER} (pay_period, line_number, employee_id, earnings_code, amount, currency, "
        "minor_units, run_id, approved_by, exported_at, file_sha256) values %s",
        [
            (period, number, *_line(r), calculated_by_run, approval.by, exported_at, now.lines_sha256)
            for number, r in enumerate(rows, start=1)
        ],
    )
    note = f"{file_name(period)} sha256 {now.lines_sha256}"
    record_transition(cur, now, "approved", "exported", by=by, run_id=run_id, note=note)
    return None


def _line(row: PayrollRow) -> tuple[str, str, object, str, int]:
    return (row.employee_id, row.earnings_code, row.amount, row.currency, row.minor_units)


def _from_ledger(cur: psycopg2.extensions.cursor, period: str) -> tuple[ExportedFile, list[PayrollRow]]:
    """The exported file's record and its lines, checked against each other."""
    record = exported_file(cur, period)
    rows = ledger_rows(cur, period)
    if record is None or sha256_of(render_csv(rows)) != record.sha256:
        raise ExportError(
            f"{LEDGER}: the lines of pay period {period} do not make the file recorded in close.payroll_files "
            "(its sha256 differs): nothing written; the ledger needs investigating"
        )
    return record, rows


def export_period(
    wh: warehouse.Warehouse, period: str, *, out_dir: Path, by: str, run_id: str | None = None
) -> PayrollExport:
    """Export an approved period (ledger, then file), or reproduce an exported one from the ledger.

    Raises PeriodNotApproved for any other state, and when the period's lines changed since
    they were approved (the approval is then recorded as void, and the period is calculated).
    """
    parse_period(period)
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        lock_period(cur, period)
        last = latest_transition(cur, period)
        state = state_of(last)
        voided = None
        if last is not None and state == "approved":
            voided = _book(cur, last, by=by, run_id=run_id)
        elif state != "exported":
            raise PeriodNotApproved(
                f"pay period {period} is {state}, not approved: nothing exported, no file written. "
                f"Next: {next_step(period, state)}",
                period=period,
                state=state,
            )
        if voided is None:
            record, rows = _from_ledger(cur, period)
            notes = [closed_note(period), drift_note(cur, period, record)] if state == "exported" else []
    # Out of the transaction: the void is recorded even though the export is refused.
    if voided is not None:
        raise PeriodNotApproved(
            f"pay period {period}: {voided.note}. Nothing exported, no file written; the period is calculated "
            f"again. Next: {next_step(period, 'calculated')}",
            period=period,
            state="calculated",
        )
    written = write_payroll_file(period, rows, out_dir, about=record.manifest_fields(), source=LEDGER)
    return replace(
        written,
        approved_by=record.approved_by,
        reproduced=state == "exported",
        notes=[note for note in notes if note],
    )
