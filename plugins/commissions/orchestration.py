"""Airflow and Cosmos settings for the DAGs, set once here so DAG files stay declarative."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import TriggerRule
from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import PRODUCER_WATCHER_TASK_ID, ExecutionMode, InvocationMode, LoadMode, TestBehavior

from commissions import dbt_manifest
from commissions.config import RETRY_DELAY_ENV, TASK_FAILURES_ENV, paths
from commissions.dbt_runner import airflow_run_results_path


def record_task_failure(context: Any) -> None:
    """on_failure_callback: append the failed task and its exception to COMMISSIONS_TASK_FAILURES_FILE.

    `commissions run` sets the variable and reads the file back to say why a task failed;
    in a deployment it is unset and Airflow's own task log is the record.
    """
    target = os.environ.get(TASK_FAILURES_ENV)
    if not target:
        return
    ti = context.get("ti") or context.get("task_instance")
    record = {
        "at": datetime.now(UTC).isoformat(),
        "dag_id": getattr(ti, "dag_id", None),
        "run_id": context.get("run_id"),
        "task_id": getattr(ti, "task_id", None),
        "message": str(context.get("exception") or ""),
    }
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


DEFAULT_ARGS = {
    "owner": "data-team",
    "retries": 2,
    "retry_delay": timedelta(seconds=int(os.environ.get(RETRY_DELAY_ENV, "300"))),
    "on_failure_callback": record_task_failure,
}

#: dbt reads its connection from these variables (dbt_project/profiles.yml). Inside
#: Airflow they are filled at run time from the `warehouse` connection, the single
#: source of truth for where the warehouse is.
DBT_ENV_FROM_WAREHOUSE_CONNECTION = {
    "COMMISSIONS_PGHOST": "{{ conn.warehouse.host }}",
    "COMMISSIONS_PGPORT": "{{ conn.warehouse.port or 5432 }}",
    "COMMISSIONS_PGUSER": "{{ conn.warehouse.login }}",
    "COMMISSIONS_PGPASSWORD": "{{ conn.warehouse.password or '' }}",
    "COMMISSIONS_PGDATABASE": "{{ conn.warehouse.schema }}",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
}

#: For every dbt task: a failing model or test is a fact about the data (or the SQL), and a
#: retry cannot fix it; the watcher's dbt build cannot be retried anyway (Cosmos skips it).
DBT_DEFAULT_ARGS = {**DEFAULT_ARGS, "retries": 0}


def dbt_project_config() -> ProjectConfig:
    # The graph comes from the manifest `dbt parse` built at install time: parsing the DAG
    # reads a JSON file and never starts dbt. A missing or stale manifest stops the import
    # with the command that rebuilds it (dbt_manifest.check).
    return ProjectConfig(
        manifest_path=dbt_manifest.check(),
        project_name="commissions",
        partial_parse=True,
    )


def dbt_profile_config() -> ProfileConfig:
    return ProfileConfig(
        profile_name="commissions",
        target_name="default",
        profiles_yml_filepath=paths().dbt_project / "profiles.yml",
    )


#: The dbt installed beside this Python, which the watcher's dbt build runs as a subprocess;
#: whatever starts Airflow also puts this folder on PATH (local_airflow does).
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def dbt_execution_config() -> ExecutionConfig:
    # One `dbt build` runs every model and its tests in graph order; each model's task and
    # its tests' task report that node's result. dbt runs as a subprocess: the watcher
    # records every node event in XCom, and in-process those writes would hold up dbt's
    # threads (measured: 136 s against 53 s for the same build; docs/architecture.md).
    return ExecutionConfig(
        execution_mode=ExecutionMode.WATCHER,
        invocation_mode=InvocationMode.SUBPROCESS,
        dbt_executable_path=DBT_EXECUTABLE,
        dbt_project_path=paths().dbt_project,
    )


def dbt_render_config() -> RenderConfig:
    # Each model's data tests are reported after it (AFTER_EACH); dbt build runs them right
    # after the model, so a failing test stops everything downstream of it.
    return RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.AFTER_EACH,
    )


def report_after_build(group: Any) -> None:
    """Make the dbt build run before the model and test tasks that report on it.

    In `ExecutionMode.WATCHER` Cosmos leaves the per-model tasks of a `DbtTaskGroup`
    beside the producer (the one `dbt build`), to sense its results while it runs. A
    single-process run (`airflow dags test`, which `commissions run` uses) runs one task
    at a time in no set order: a model task picked before the build would wait for it
    forever. Put the build upstream of the first model tasks instead; each model and
    test task then reads its node's result from the build and finishes at once.

    They run when the build succeeded or failed (`one_done`), so the failing model or test
    is the task that fails and everything downstream of it is `upstream_failed`; when the
    build did not run at all (an extract failed) they are skipped. A node the failed build
    left without a result fails its task: Cosmos would otherwise run that model again on
    its own (`poke_retry_number` > 0 turns that fallback off).
    """
    producer = group.children[f"{group.group_id}.{PRODUCER_WATCHER_TASK_ID}"]
    inside = set(_all_task_ids(group))
    for task_id in inside:
        task = group.dag.get_task(task_id)
        if task is producer or task_id.endswith(f"{PRODUCER_WATCHER_TASK_ID}_done"):
            continue
        task.poke_retry_number = 1
        if not task.upstream_task_ids & inside:
            producer >> task
            task.trigger_rule = TriggerRule.ONE_DONE


def _all_task_ids(group: Any) -> list[str]:
    ids = []
    for child in group.children.values():
        ids.extend(_all_task_ids(child) if hasattr(child, "children") else [child.task_id])
    return ids


def keep_run_results(project_dir: str, **_: Any) -> None:
    """Cosmos callback, after every dbt command and before its failure is raised: keep run_results.json.

    Cosmos runs dbt in a temporary copy of the project; `commissions run` reads the
    failing models and tests, with dbt's messages, from the copy kept here.
    """
    source = Path(project_dir) / "target" / "run_results.json"
    if source.exists():
        kept = airflow_run_results_path()
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, kept)


def dbt_operator_args() -> dict:
    return {
        "env": DBT_ENV_FROM_WAREHOUSE_CONNECTION,
        "install_deps": False,
        "callback": keep_run_results,
    }
