"""Shared test set-up. Nothing here may reach the internet."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")
# `python -m pytest` from the venv does not put the venv's bin on PATH; Cosmos needs `dbt` there.
os.environ["PATH"] = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Airflow reads its home when first imported: give the whole session a throw-away one,
# before any test imports airflow, so no test touches ~/airflow or var/airflow.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="commissions-test-airflow-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)

import logging

import pytest

# pgserver logs at INFO from its atexit hook, after pytest has closed the captured
# streams ("--- Logging error ---" noise at the end of every run).
logging.getLogger("pgserver").setLevel(logging.WARNING)


@pytest.fixture(scope="session", autouse=True)
def stop_embedded_servers_at_exit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Embedded servers outlive the process that starts them (warehouse.embedded keeps them
    for the CLI and Airflow tasks); stop every one the session started, so runs do not pile up."""
    yield
    from commissions import warehouse

    for pid_file in tmp_path_factory.getbasetemp().rglob("postmaster.pid"):
        warehouse.stop_embedded(pid_file.parent)


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory):
    """One embedded PostgreSQL 16 for the session; tests get their own database on it."""
    from commissions import warehouse

    return warehouse.embedded(tmp_path_factory.mktemp("pg") / "pgdata")


def fresh_database(server, name: str):
    """Drop and create `name` on `server`; return a Warehouse pointing at it."""
    from commissions import warehouse

    return warehouse.recreate_database(server, name)


@pytest.fixture
def db(embedded_server, request: pytest.FixtureRequest):
    """A fresh database for this test on the session's embedded server."""
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return fresh_database(embedded_server, name)


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """COMMISSIONS_HOME in a temporary folder, so archives and exports stay in the test."""
    home = tmp_path / "var"
    monkeypatch.setenv("COMMISSIONS_HOME", str(home))
    for var in ("COMMISSIONS_LANDING_DIR", "COMMISSIONS_ARCHIVE_DIR", "COMMISSIONS_EXPORT_DIR"):
        monkeypatch.delenv(var, raising=False)
    return home
