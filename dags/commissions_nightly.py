"""commissions_nightly: source exports to an approved-ready payroll file.

extract (CRM, billing, HR in parallel) -> quality gate -> dbt (one `dbt build`, then a
task per model and per model's tests reporting its result) -> payroll export; the plan
files (plans/*.yaml) are validated and published beside the extracts, and an invalid
plan stops the run before dbt. Trigger with {"period": "YYYY-MM"} to re-run a past pay
period; by default the run pays the latest closed month. The dbt models compute every period; the period picks which
payroll file is written.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task
from cosmos import DbtTaskGroup

from commissions import orchestration, tasks


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
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            description="Pay period YYYY-MM to export; empty = latest closed month.",
        )
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
    def export_payroll(run: dict[str, str]) -> dict:
        return tasks.export_payroll(run["period"])

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
    loads >> gate >> dbt >> export_payroll(run)
    plans >> dbt


commissions_nightly()
