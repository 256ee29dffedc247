"""commissions_nightly: source exports to a calculated pay period, and its payroll file once approved.

extract (CRM, billing, HR in parallel) -> quality gate -> dbt (one `dbt build`, then a
task per model and per model's tests reporting its result) -> record_calculation (the
period is calculated, with its totals) -> approve_period (finance answers Approve or Reject
under "Required actions", seeing the totals) -> export_payroll (the ledger, then the file;
skipped while the period is not approved). The plan files (plans/*.yaml)
are validated and published beside the extracts, and an invalid plan stops the run before
dbt. Trigger with {"period": "YYYY-MM"} to re-run a past pay period; by default the run
pays the latest closed month. The dbt models compute every period; the period picks which
one is calculated and exported. {"approved_by": "NAME"} approves it unattended, nobody is
asked; {"ask_finance": false} asks nobody and leaves it calculated, for
`commissions period approve --period P --by NAME`.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task
from cosmos import DbtTaskGroup

from commissions import orchestration, tasks
from commissions.approval import PeriodApprovalOperator
from commissions.periods import PERIOD_PATTERN


@dag(
    dag_id="commissions_nightly",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=orchestration.DEFAULT_ARGS,
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=PERIOD_PATTERN,
            description="Pay period YYYY-MM to export; empty = latest closed month.",
        ),
        "approved_by": Param(
            None,
            type=["null", "string"],
            description=(
                "Unattended approval: who approves the period's calculated figures in this run. "
                "Empty = finance approves it at approve_period (Required actions)."
            ),
        ),
        "ask_finance": Param(
            True,
            type="boolean",
            description=(
                "Without approved_by: wait at approve_period for finance's answer in the UI. False = ask "
                "nobody; the period stays calculated (commissions period approve) and is not exported."
            ),
        ),
    },
    tags=["commissions", "payroll"],
    doc_md=__doc__,
)
def commissions_nightly() -> None:
    @task
    def start_run() -> dict[str, str]:
        context = get_current_context()
        dag_run = context["dag_run"]
        as_of = context.get("logical_date") or dag_run.run_after
        return tasks.start_run(dag_run.run_id, context["params"].get("period"), as_of)

    @task(retries=0)
    def extract(system: str, run: dict[str, str]) -> list[dict]:
        return tasks.extract(system, run["batch_id"])

    @task(retries=0)
    def quality_gate(run: dict[str, str]) -> dict:
        return tasks.quality_gate(run["batch_id"])

    @task(retries=0)
    def publish_plans() -> dict:
        return tasks.publish_plans()

    @task
    def record_calculation(run: dict[str, str]) -> dict:
        return tasks.record_calculation(run["period"], run["batch_id"])

    @task
    def export_payroll(run: dict[str, str]) -> dict:
        return tasks.export_payroll(run["period"], run["batch_id"])

    run = start_run()
    loads = [extract.override(task_id=f"extract_{system}")(system, run) for system in ("crm", "billing", "hr")]
    gate = quality_gate(run)

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=orchestration.dbt_project_config(),
        profile_config=orchestration.dbt_profile_config(),
        execution_config=orchestration.dbt_execution_config(),
        render_config=orchestration.dbt_render_config(),
        operator_args=orchestration.dbt_operator_args(),
        default_args=orchestration.DBT_DEFAULT_ARGS,
    )
    orchestration.report_after_build(dbt)

    plans = publish_plans()
    run >> plans
    approve_period = PeriodApprovalOperator(task_id="approve_period", retries=0)
    loads >> gate >> dbt >> record_calculation(run) >> approve_period >> export_payroll(run)
    plans >> dbt


commissions_nightly()
