"""The nightly DAG's task bodies: each resolves the warehouse and folders, runs its stage of
`commissions.pipeline` and returns what Airflow passes on (XCom-safe dicts). The DAG file only
wires these together.

Each function is idempotent for its batch/period so any task can be cleared and
re-run. Problems that a retry cannot fix (a malformed file, a blocking data-quality
failure, an invalid plan, no payroll mart) fail the task without retries, with the
message ops needs; anything else (a database gone) raises as it is and Airflow retries.
A period not approved is not a failure: its export is skipped, saying what finance does next.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from commissions import load, pipeline, warehouse
from commissions.config import paths
from commissions.periods import latest_closed_month, parse_period

log = logging.getLogger(__name__)


def _fail_without_retry(message: str) -> Exception:
    from airflow.sdk.exceptions import AirflowFailException

    return AirflowFailException(message)


def _skip(message: str) -> Exception:
    from airflow.sdk.exceptions import AirflowSkipException

    return AirflowSkipException(message)


def batch_id_for(run_id: str) -> str:
    """A file-system and SQL friendly batch id derived from the Airflow run id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")[:120]


def resolve_period(requested: str | None, as_of: date | datetime | None) -> str:
    """The period asked for in the run's params, else the latest closed month."""
    if requested:
        return f"{parse_period(requested):%Y-%m}"
    day = as_of.date() if isinstance(as_of, datetime) else (as_of or date.today())
    return latest_closed_month(day)


def start_run(run_id: str, requested_period: str | None, as_of: date | datetime | None) -> dict[str, str]:
    pipeline.prepare_warehouse(warehouse.resolve())
    run = {"batch_id": batch_id_for(run_id), "period": resolve_period(requested_period, as_of)}
    log.info("batch %s, pay period %s", run["batch_id"], run["period"])
    return run


def extract(system: str, batch_id: str) -> list[dict[str, Any]]:
    try:
        loaded = pipeline.load_system(warehouse.resolve(), system, batch_id, landing=paths().landing)
    except load.LoadError as exc:
        raise _fail_without_retry(str(exc)) from exc
    return [asdict(f) for f in loaded.files]


def quality_gate(batch_id: str) -> dict[str, Any]:
    from commissions.quality.gate import QualityGateBlocked

    try:
        result = pipeline.run_gate(warehouse.resolve(), batch_id)
    except QualityGateBlocked as exc:
        raise _fail_without_retry(str(exc)) from exc
    log.info("%s", result.summary())
    return {
        "gate_run_id": result.gate_run_id,
        "status": result.status,
        "blocking_failures": result.blocking_failures,
        "warnings": result.warnings,
        "quarantined_rows": result.quarantined_rows,
        "report_path": str(result.report_path),
    }


def publish_plans() -> dict[str, Any]:
    """Validate the plan files and publish them for dbt; an invalid plan stops the run."""
    from commissions.plans import plans_dir
    from commissions.plans.loader import PlanError

    try:
        publication = pipeline.publish_plans(warehouse.resolve(), plans_dir())
    except PlanError as exc:
        raise _fail_without_retry(f"invalid plan files, nothing computed:\n{exc}") from exc
    log.info("%s", publication.summary())
    return {
        "publication_id": publication.publication_id,
        "plan_ids": list(publication.plan_ids),
        "files": list(publication.files),
        "sha256s": list(publication.sha256s),
    }


def record_calculation(period: str, batch_id: str) -> dict[str, Any]:
    """After the dbt build: the run's period is calculated; changed periods lose their approval."""
    calculation = pipeline.record_calculation(warehouse.resolve(), period, run_id=batch_id)
    for transition in calculation.transitions:
        log.log(
            logging.WARNING if transition.voids_approval else logging.INFO,
            "pay period %s: %s -> %s, %s%s",
            transition.period,
            transition.from_state,
            transition.to_state,
            transition.figures.describe(),
            f" ({transition.note})" if transition.note else "",
        )
    return {
        "period": calculation.period,
        "state": calculation.state,
        "approvals_voided": [t.period for t in calculation.voided],
    }


def approve_period(period: str, approved_by: str | None, batch_id: str) -> dict[str, Any]:
    """The DAG's approval step. With `approved_by` (the run's parameter, e.g. `make run`'s demo) a
    calculated period is approved unattended; without it the period waits for finance
    (`commissions period approve`), and the export after this step is skipped."""
    from commissions.close.lifecycle import PeriodStateError, next_step, period_state, state_of

    wh = warehouse.resolve()
    state = state_of(period_state(wh, period))
    if approved_by and state == "calculated":
        try:
            approval = pipeline.approve_period(wh, period, approved_by, run_id=batch_id)
        except PeriodStateError as exc:
            raise _fail_without_retry(str(exc)) from exc
        log.info("pay period %s approved by %s: %s", period, approved_by, approval.figures.describe())
        state = approval.to_state
    else:
        log.info("pay period %s is %s; next: %s", period, state, next_step(period, state))
    return {"period": period, "state": state}


def approval_request(period: str) -> tuple[str, str] | None:
    """The subject and Markdown body finance sees in the Airflow UI for a calculated period: totals
    and payees per currency, payees in all, the change against the previous approved period.
    None when the period is not calculated (nothing to ask)."""
    from commissions.close.lifecycle import approval_request as request_for

    request = request_for(warehouse.resolve(), period)
    if request is None:
        return None
    figures = request.figures
    rows = [
        f"| {t.currency} | {t.amount:,} | {t.payees} | "
        f"{'' if t.change_vs_previous is None else f'{t.change_vs_previous:+,}'} |"
        for t in figures.totals
    ]
    calculated = request.calculated
    body = "\n".join(
        [
            f"Pay period **{period}** is calculated ({calculated.at:%Y-%m-%d %H:%M %Z}, run {calculated.run_id}).",
            "",
            "| currency | total | payees | change |",
            "|---|---:|---:|---:|",
            *(rows or ["| | nothing to pay | 0 | |"]),
            "",
            f"**{figures.payees} payees** in all. Change: {request.compared_with}.",
            "",
            "Approve to record your approval of exactly these figures and export the payroll file; "
            "Reject (give a reason) to leave the period calculated and write no file.",
        ]
    )
    return f"Approve pay period {period}: {calculated.figures.describe()}", body


def record_finance_answer(period: str, batch_id: str, *, approved: bool, by: str, reason: str) -> dict[str, Any]:
    """Finance's answer in the Airflow UI, recorded through the lifecycle as the CLI records it."""
    from commissions.close.lifecycle import PeriodStateError, reject

    wh = warehouse.resolve()
    try:
        if approved:
            approval = pipeline.approve_period(wh, period, by, run_id=batch_id)
            log.info("pay period %s approved by %s: %s", period, by, approval.figures.describe())
            return {"period": period, "state": approval.to_state, "approved_by": by}
        rejection = reject(wh, period, by, reason, run_id=batch_id)
    except PeriodStateError as exc:
        raise _fail_without_retry(str(exc)) from exc
    log.info("pay period %s %s; it stays calculated, nothing exported", period, rejection.note)
    return {"period": period, "state": rejection.to_state, "rejected_by": by, "reason": rejection.note}


def export_payroll(period: str, batch_id: str) -> dict[str, Any]:
    from commissions.close.ledger import PeriodNotApproved
    from commissions.close.lifecycle import PIPELINE
    from commissions.export.payroll import ExportError

    try:
        exported = pipeline.export_payroll(
            warehouse.resolve(), period, payroll_dir=paths().payroll_exports, by=PIPELINE, run_id=batch_id
        )
    except PeriodNotApproved as exc:
        raise _skip(str(exc)) from exc
    except ExportError as exc:
        raise _fail_without_retry(str(exc)) from exc
    log.info("%s", exported.summary())
    return {
        "period": exported.period,
        "csv_path": str(exported.csv_path),
        "manifest_path": str(exported.manifest_path),
        "row_count": exported.row_count,
        "control_totals": exported.control_totals,
        "sha256": exported.sha256,
        "approved_by": exported.approved_by,
        "reproduced": exported.reproduced,
        "superseded": str(exported.superseded) if exported.superseded else None,
    }
