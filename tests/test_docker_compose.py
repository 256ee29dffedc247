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
    # Everything a task reads: the code, the dbt project (and its manifest), the GX suites, the plans.
    assert {"./dags", "./plugins", "./dbt_project", "./expectations", "./plans"} <= set(host_paths)
    for host in host_paths:
        if host == "./var":
            continue  # local state, created on first run
        assert (REPO / host).exists(), f"{service} mounts {host}, which is not in the repository"


def test_postgres_init_script_exists_and_creates_both_databases() -> None:
    mounts = SERVICES["postgres"]["volumes"]
    init = [m.split(":") for m in mounts if m.startswith("./")]
    assert any(container.startswith("/docker-entrypoint-initdb.d/") for _, container, *_ in init)
    for host, *_ in init:
        assert (REPO / host).exists(), f"postgres mounts {host}, which is not in the repository"
    sql = "\n".join((REPO / host).read_text() for host, *_ in init)
    assert re.search(r"create database airflow", sql)
    assert re.search(r"create database commissions", sql)


def test_init_script_passwords_come_from_the_services_variables() -> None:
    """The users the init script creates get the passwords the Airflow services log in with."""
    postgres_env = SERVICES["postgres"]["environment"]
    airflow_env = SERVICES["airflow-scheduler"]["environment"]
    metadata_password = re.search(r"airflow:(\$\{[^}]+\})@", airflow_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    warehouse_password = re.search(r"commissions:(\$\{[^}]+\})@", airflow_env["AIRFLOW_CONN_WAREHOUSE"])
    assert metadata_password and warehouse_password, "the services' passwords should be variables"
    assert postgres_env["AIRFLOW_DB_PASSWORD"] == metadata_password.group(1)
    assert postgres_env["WAREHOUSE_PASSWORD"] == warehouse_password.group(1)
    assert airflow_env["COMMISSIONS_PGPASSWORD"] == warehouse_password.group(1)

    init = {m.split(":")[1]: REPO / m.split(":")[0] for m in SERVICES["postgres"]["volumes"] if m.startswith("./")}
    script = next(path for container, path in init.items() if container.endswith(".sh")).read_text()
    assert 'airflow_password="${AIRFLOW_DB_PASSWORD' in script
    assert 'warehouse_password="${WAREHOUSE_PASSWORD' in script
    sql_container = next(container for container in init if container.endswith(".sql"))
    assert not sql_container.startswith("/docker-entrypoint-initdb.d/"), "psql -v runs it, not the entrypoint"
    assert sql_container in script
    sql = init[sql_container].read_text()
    assert re.search(r"create user airflow with password :'airflow_password';", sql)
    assert re.search(r"create user commissions with password :'warehouse_password';", sql)
    assert not re.search(r"password '", sql), "no literal password in the init SQL"


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
