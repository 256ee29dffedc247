"""Airflow and Cosmos settings for the DAGs, set once here so DAG files stay declarative."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

from commissions.config import RETRY_DELAY_ENV, paths

DEFAULT_ARGS = {
    "owner": "data-team",
    "retries": 2,
    "retry_delay": timedelta(seconds=int(os.environ.get(RETRY_DELAY_ENV, "300"))),
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


def dbt_project_config() -> ProjectConfig:
    return ProjectConfig(dbt_project_path=paths().dbt_project, partial_parse=True)


def dbt_profile_config() -> ProfileConfig:
    return ProfileConfig(
        profile_name="commissions",
        target_name="default",
        profiles_yml_filepath=paths().dbt_project / "profiles.yml",
    )


#: The dbt installed beside this Python. Cosmos also looks for `dbt` on PATH when it runs
#: dbt in-process, so whatever starts Airflow puts this folder on PATH (local_airflow does).
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def dbt_execution_config() -> ExecutionConfig:
    # In-process dbt: no subprocess start-up per model.
    return ExecutionConfig(
        execution_mode=ExecutionMode.LOCAL,
        invocation_mode=InvocationMode.DBT_RUNNER,
        dbt_executable_path=DBT_EXECUTABLE,
    )


def dbt_render_config() -> RenderConfig:
    # dbt ls renders the graph (cached by Cosmos between parses); each model's data and
    # unit tests run right after it, so a failing test stops everything downstream.
    return RenderConfig(
        load_method=LoadMode.DBT_LS,
        test_behavior=TestBehavior.AFTER_EACH,
        invocation_mode=InvocationMode.DBT_RUNNER,
    )


def dbt_operator_args() -> dict:
    return {"env": DBT_ENV_FROM_WAREHOUSE_CONNECTION, "install_deps": False}
