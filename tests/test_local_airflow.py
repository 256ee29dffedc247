"""What `commissions run` hands the Airflow process it starts (no Airflow is run here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commissions import warehouse
from commissions.config import RETRY_DELAY_ENV
from commissions.local_airflow import airflow_env

WH = warehouse.parse_url("postgresql://etl:secret@db.internal:6543/comp")


def test_local_runs_retry_after_seconds_not_minutes(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RETRY_DELAY_ENV, raising=False)
    assert airflow_env(WH)[RETRY_DELAY_ENV] == "5"
    monkeypatch.setenv(RETRY_DELAY_ENV, "60")
    assert airflow_env(WH)[RETRY_DELAY_ENV] == "60", "an explicit setting wins"


def test_tasks_and_dbt_get_the_warehouse_the_cli_resolved(isolated_home: Path) -> None:
    env = airflow_env(WH)
    conn = json.loads(env["AIRFLOW_CONN_WAREHOUSE"])
    assert (conn["host"], conn["port"], conn["login"], conn["schema"]) == ("db.internal", 6543, "etl", "comp")
    assert env["COMMISSIONS_WAREHOUSE_URL"] == WH.sqlalchemy_url
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    # Airflow's own metadata defaults to SQLite in Airflow's home, not the warehouse.
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{Path(env['AIRFLOW_HOME']) / 'airflow.db'}"


def test_every_run_keeps_its_own_log(isolated_home: Path) -> None:
    from datetime import datetime

    from commissions.local_airflow import new_log_path

    first = new_log_path("2026-12-07", datetime(2026, 12, 7, 9, 30, 5))
    assert first.name == "commissions_nightly_2026-12-07_093005.log"
    first.write_text("first run")
    # A second run in the same second gets a name of its own; a later one its own time.
    second = new_log_path("2026-12-07", datetime(2026, 12, 7, 9, 30, 5))
    assert second != first and second.name == "commissions_nightly_2026-12-07_093005_2.log"
    assert new_log_path("2026-12-07", datetime(2026, 12, 7, 14, 0, 0)).name.endswith("_140000.log")
    assert first.read_text() == "first run"


def test_tasks_record_their_failures_for_the_cli(isolated_home: Path) -> None:
    from commissions.config import TASK_FAILURES_ENV
    from commissions.local_airflow import task_failures_path

    env = airflow_env(WH)
    assert env[TASK_FAILURES_ENV] == str(task_failures_path())
    assert task_failures_path().is_relative_to(isolated_home)


def test_a_new_airflow_home_starts_from_the_migrated_template_and_is_not_migrated_again(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from commissions.local_airflow import metadata_template, prepare_metadata

    # A home of its own: the session's AIRFLOW_HOME (conftest.py) may already hold a database.
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    env = airflow_env(WH)
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    db = Path(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///"))
    template = metadata_template()

    def revision(path: Path) -> str:
        with sqlite3.connect(path) as conn:
            return conn.execute("select version_num from alembic_version").fetchone()[0]

    def slot_pools(path: Path) -> list[str]:
        with sqlite3.connect(path) as conn:
            return [name for (name,) in conn.execute("select pool from slot_pool")]

    # The template is what `airflow db migrate` leaves: Airflow's schema and its default pool.
    assert revision(template) and slot_pools(template) == ["default_pool"]
    with (tmp_path / "first.log").open("w+") as log:
        prepare_metadata(env, log)
        log.seek(0)
        assert "copied from the migrated template" in log.read()
    assert revision(db) == revision(template)
    # A home already at the installed Airflow's schema starts no `airflow db migrate`.
    with (tmp_path / "second.log").open("w+") as log:
        prepare_metadata(env, log)
        log.seek(0)
        said = log.read()
    assert "no migration needed" in said and "db migrate" not in said
