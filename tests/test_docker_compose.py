"""docker-compose.yml cannot be started here (no Docker engine), so check that it is
consistent with the repository: it parses, every mounted path exists, images are
pinned to the versions the project is tested with, and every service is health-checked."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"]


def _pinned(package: str) -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        name, _, version = dep.partition("==")
        if name == package:
            return version
    raise AssertionError(f"{package} is not pinned in pyproject.toml")


def test_airflow_3_services_all_present() -> None:
    commands = {name: SERVICES[name]["command"] for name in AIRFLOW_SERVICES}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
    }


@pytest.mark.parametrize("service", ["postgres", *AIRFLOW_SERVICES])
def test_long_running_services_have_health_checks(service: str) -> None:
    assert SERVICES[service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", [*AIRFLOW_SERVICES, "airflow-init"])
def test_mounted_paths_exist_in_the_repository(service: str) -> None:
    mounts = SERVICES[service]["volumes"]
    host_paths = [m.split(":")[0] for m in mounts]
    assert {"./dags", "./plugins", "./dbt_project", "./expectations"} <= set(host_paths)
    for host in host_paths:
        if host == "./var":
            continue  # local state, created on first run
        assert (REPO / host).exists(), f"{service} mounts {host}, which is not in the repository"


def test_postgres_init_script_exists_and_creates_both_databases() -> None:
    mounts = SERVICES["postgres"]["volumes"]
    init = [m.split(":")[0] for m in mounts if m.startswith("./")]
    assert init, "postgres mounts no init script"
    sql = (REPO / init[0]).read_text()
    assert re.search(r"create database airflow", sql)
    assert re.search(r"create database commissions", sql)


def test_images_match_the_pinned_versions() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    base = re.search(r"^FROM apache/airflow:(\S+)", dockerfile, re.M)
    assert base, "Dockerfile does not start from the Airflow image"
    assert base.group(1) == f"{_pinned('apache-airflow')}-python3.11"
    assert "requirements.lock" in dockerfile and (REPO / "requirements.lock").exists()
    assert SERVICES["airflow-scheduler"]["image"].endswith(_pinned("apache-airflow"))
    postgres_image = SERVICES["postgres"]["image"]
    assert re.fullmatch(r"postgres:16\.\d+", postgres_image), "pin the warehouse's PostgreSQL major.minor"


def test_airflow_services_share_the_warehouse_connection_and_metadata_db() -> None:
    for service in AIRFLOW_SERVICES:
        env = SERVICES[service]["environment"]
        assert env["AIRFLOW_CONN_WAREHOUSE"].startswith("postgresql://")
        assert "@postgres:5432/commissions" in env["AIRFLOW_CONN_WAREHOUSE"]
        assert "@postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
        assert env["COMMISSIONS_PGDATABASE"] == "commissions"
