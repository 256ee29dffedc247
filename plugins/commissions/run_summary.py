"""What `commissions run` prints at the end: the period's state and what finance does next,
where the outputs are and what was paid."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from commissions import warehouse
from commissions.close.ledger import closed_note, drift_note, exported_file
from commissions.close.lifecycle import latest_transition, next_step, state_of, transitions_of_run
from commissions.config import paths
from commissions.export.payroll import file_paths

MARTS = (
    ("finance.fct_payouts", "payout per rep and pay period"),
    ("finance.fct_commission_lines", "every pay line of every kind, with its evidence (kinds: schema pay_lines)"),
    ("finance.fct_adjustments", "manual adjustments paid, with who, why and approver"),
    ("finance.payroll_export", "what the payroll file is written from"),
    ("bi.fct_attainment", "attainment of each component window by rep and month (what rates applied on)"),
    ("bi.rpt_team_attainment", "component-window attainment by team, month and measure"),
    ("bi.fct_monthly_bookings", "bookings against the monthly quota by rep and month (not attainment)"),
    ("ops.ops_quarantine_summary", "rows held back by the quality gate, by rule"),
    ("ops.ops_held_contests", "contests paying no prize: a deal that cannot be measured, and why"),
)


def _query(wh: warehouse.Warehouse, sql: str, params: tuple = ()) -> list[tuple]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def period_close_lines(wh: warehouse.Warehouse, period: str, run_id: str | None) -> list[str]:
    """The period's state after the run, its payroll file if exported, and what finance does next;
    then every approval this run made void."""
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        last = latest_transition(cur, period)
        state = state_of(last)
        record = exported_file(cur, period) if state == "exported" else None
        drift = drift_note(cur, period, record) if record else None
        voided = [t for t in transitions_of_run(cur, run_id) if t.voids_approval] if run_id else []
    lines = [f"pay period:     {period} is {state}" + (f" (since {_when(last.at)}, {last.by})" if last else "")]
    if last is not None and state == "calculated":
        lines.append(f"  calculated:   {last.figures.describe()}; {last.figures.payees} payees")
        lines.append("  not approved: no payroll file written")
    if last is not None and state == "approved":
        lines.append(f"  approved:     {last.figures.describe()}; not exported yet")
    if record is not None:
        csv_path, manifest_path = file_paths(period, paths().payroll_exports)
        lines.append(f"  approved by {record.approved_by}, exported {_when(record.exported_at)}")
        lines.append(f"payroll file:   {csv_path}")
        if manifest_path.exists():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            lines.append(
                f"manifest:       {manifest_path}  ({manifest['row_count']} rows, sha256 {manifest['sha256'][:12]}...)"
            )
            totals = ", ".join(f"{c} {a}" for c, a in manifest["control_totals"].items()) or "nothing to pay"
            lines.append(f"control totals: {totals}")
    exported_now = last is not None and state == "exported" and run_id is not None and last.run_id == run_id
    if state == "exported" and not exported_now:
        lines.append(f"  {closed_note(period)}")
        if drift:
            lines.append(f"  {drift}")
    else:
        lines.append(f"finance next:   {next_step(period, state)}")
    lines += [f"approval void:  pay period {t.period}: {t.note}" for t in voided]
    return lines


def render_run_summary(wh: warehouse.Warehouse, period: str, log_path: Path, *, run_id: str | None = None) -> str:
    p = paths()
    lines = ["", f"== commissions_nightly succeeded for pay period {period} =="]
    lines += period_close_lines(wh, period, run_id)

    gate = _query(
        wh,
        "select gate_run_id, status, blocking_failures, warnings, quarantined_rows, data_docs_path "
        "from dq.gate_runs where finished_at is not null order by finished_at desc limit 1",
    )
    if gate:
        run_id, status, blocking, warnings, quarantined, docs = gate[0]
        reports = sorted(p.data_docs.parent.glob(f"**/dq_report_{run_id}*"))
        lines.append(
            f"data quality:   {status}: {blocking} blocking, {warnings} warnings, {quarantined} rows held in quarantine"
        )
        if reports:
            lines.append(f"dq report:      {reports[0]}")
        if docs:
            lines.append(f"data docs:      {docs}")

    lines.append(f"marts:          in {wh.describe()}")
    for relation, what in MARTS:
        lines.append(f"  {relation:30} {what}")

    # attainment is each component window's (bi.fct_attainment), the one the lines were rated on
    payouts = _query(
        wh,
        "select payouts.currency, count(*), sum(payouts.payout_amount), min(attainment.low), max(attainment.high) "
        "from finance.fct_payouts as payouts left join ("
        "  select payout_currency, min(attainment) as low, max(attainment) as high from bi.fct_attainment "
        "  where pay_period = %s group by payout_currency"
        ") as attainment on attainment.payout_currency = payouts.currency "
        "where payouts.pay_period = %s group by payouts.currency order by payouts.currency",
        (period, period),
    )
    if payouts:
        lines.append(f"commission payouts {period} (COMM):")
        for currency, reps, total, low, high in payouts:
            lines.append(
                f"  {currency}: {reps} reps, total {total}, component attainment {low:.0%} to {high:.0%}"
                if low is not None
                else f"  {currency}: {reps} reps, total {total}"
            )
    adjustments = _query(
        wh,
        "select currency, count(*), sum(amount) from finance.fct_adjustments where pay_period = %s "
        "group by currency order by currency",
        (period,),
    )
    if adjustments:
        lines.append(f"manual adjustments {period} (ADJ, finance.fct_adjustments):")
        lines += [f"  {currency}: {count} adjustments, total {total}" for currency, count, total in adjustments]
    # a held contest pays no prize and the run goes on: say so, ops.ops_held_contests says why
    held = _query(
        wh,
        "select count(distinct plan_id || '|' || plan_version_number || '|' || contest_id), "
        "count(distinct opportunity_id) from ops.ops_held_contests where is_due",
    )
    if held and held[0][0]:
        contests, deals = held[0]
        lines.append(
            f"contests held:  {contests}, no prize paid; deals that cannot be measured: {deals} (ops.ops_held_contests)"
        )
    lines.append(f"airflow log:    {log_path}")
    return "\n".join(lines)
