"""The recipe's contract with its callers, without a database: run_all's arguments, and the DAG
layer (tasks.py) turning the errors a retry cannot fix into Airflow failures without retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from commissions import load, pipeline, tasks, warehouse

NOWHERE = warehouse.Warehouse(host="nowhere.invalid", port=5432, user="u", password="", dbname="d", embedded=False)


def test_run_all_exports_only_with_both_a_period_and_a_payroll_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both a period and a payroll folder"):
        pipeline.run_all(NOWHERE, batch_id="b", landing=tmp_path, plans_dir=tmp_path, period="2026-10")
    with pytest.raises(ValueError, match="both a period and a payroll folder"):
        pipeline.run_all(NOWHERE, batch_id="b", landing=tmp_path, plans_dir=tmp_path, payroll_dir=tmp_path)


def test_a_rejected_file_fails_the_extract_task_without_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    def rejected(*args: object, **kwargs: object) -> pipeline.SystemLoad:
        raise load.LoadError("crm/opportunities.csv: line 3, column amount: expected numeric")

    monkeypatch.setattr(warehouse, "resolve", lambda: NOWHERE)
    monkeypatch.setattr(pipeline, "load_system", rejected)
    with pytest.raises(AirflowFailException, match="line 3, column amount"):
        tasks.extract("crm", "b1")


def test_an_invalid_plan_fails_the_publish_task_without_retry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    (tmp_path / "broken.yaml").write_text("plan_id: [not, an, id]\n", encoding="utf-8")
    monkeypatch.setenv("COMMISSIONS_PLANS_DIR", str(tmp_path))
    monkeypatch.setattr(warehouse, "resolve", lambda: NOWHERE)
    with pytest.raises(AirflowFailException, match="invalid plan files, nothing computed"):
        tasks.publish_plans()
