"""DAG integrity: every DAG imports, has no cycles, and every task has an owner and retries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dagbag():
    # Cosmos caches the rendered dbt graph in Airflow Variables, so parsing the DAG needs a
    # migrated metadata database, as it does in a real deployment. conftest.py has pointed
    # AIRFLOW_HOME at a temporary folder (SQLite there) before airflow was imported.
    airflow = Path(sys.executable).with_name("airflow")
    migrated = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, check=False)
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]
    from airflow.dag_processing.dagbag import DagBag

    # Airflow 3.3: examples are governed by AIRFLOW__CORE__LOAD_EXAMPLES, not a DagBag argument.
    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}, "\n".join(f"{k}: {v}" for k, v in dagbag.import_errors.items())


def test_nightly_dag_shape(dagbag) -> None:
    dag = dagbag.get_dag("commissions_nightly")
    assert dag is not None
    assert dag.catchup is False
    ids = set(dag.task_ids)
    assert {
        "start_run",
        "extract_crm",
        "extract_billing",
        "extract_hr",
        "quality_gate",
        "publish_plans",
        "export_payroll",
    } <= ids
    # dbt models are rendered as tasks by Cosmos, each followed by its tests.
    dbt_tasks = {t for t in ids if t.startswith("dbt.")}
    assert any(t.endswith(".run") for t in dbt_tasks), sorted(dbt_tasks)
    assert any("fct_payouts" in t for t in dbt_tasks)
    # Extracts run in parallel, all feed the gate, and the gate comes before any dbt task.
    for system in ("crm", "billing", "hr"):
        assert dag.get_task(f"extract_{system}").downstream_task_ids == {"quality_gate"}
    gate_descendants = {t.task_id for t in dag.get_task("quality_gate").get_flat_relatives(upstream=False)}
    assert dbt_tasks <= gate_descendants
    # dbt reads the plans the run published: no dbt task before the publication.
    plan_descendants = {t.task_id for t in dag.get_task("publish_plans").get_flat_relatives(upstream=False)}
    assert dbt_tasks <= plan_descendants
    export_ancestors = {t.task_id for t in dag.get_task("export_payroll").get_flat_relatives(upstream=True)}
    assert any("fct_payouts" in t for t in export_ancestors)


def test_every_task_has_owner_and_retries_setting(dagbag) -> None:
    for dag in dagbag.dags.values():
        assert dag.tags, f"{dag.dag_id} has no tags"
        for t in dag.tasks:
            assert t.owner and t.owner != "airflow", f"{dag.dag_id}.{t.task_id} has no owner"
            assert t.retries is not None, f"{dag.dag_id}.{t.task_id} has no retries setting"
    nightly = dagbag.get_dag("commissions_nightly")
    # Loads and the gate fail fast (a bad file does not fix itself); the rest retries.
    assert nightly.get_task("extract_crm").retries == 0
    assert nightly.get_task("quality_gate").retries == 0
    assert nightly.get_task("publish_plans").retries == 0
    assert nightly.get_task("export_payroll").retries >= 1
    # A scheduler waits five minutes between tries (COMMISSIONS_RETRY_DELAY_SECONDS unset here).
    assert nightly.get_task("export_payroll").retry_delay.total_seconds() == 300


def test_no_cycles(dagbag) -> None:
    from airflow.utils.dag_cycle_tester import check_cycle

    for dag in dagbag.dags.values():
        check_cycle(dag)
