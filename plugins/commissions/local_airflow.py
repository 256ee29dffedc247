"""Run the DAG through a real Airflow on this machine, in one process (`airflow dags test`).

Airflow's home and metadata live under var/airflow (SQLite by default, or a database
`airflow` on the warehouse server with COMMISSIONS_AIRFLOW_METADATA=warehouse). The
`warehouse` connection is passed as AIRFLOW_CONN_WAREHOUSE so the DAG's Python tasks
and dbt both use the warehouse this CLI resolved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from commissions import warehouse
from commissions.config import RETRY_DELAY_ENV, paths

DAG_ID = "commissions_nightly"


class AirflowRunError(RuntimeError):
    """The DAG run did not succeed."""


def airflow_connection_json(wh: warehouse.Warehouse) -> str:
    # JSON rather than a URI: the embedded server's host is a socket directory, which a
    # URI would have to carry percent-encoded; JSON keeps it readable in logs and env dumps.
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": wh.host,
            "port": wh.port,
            "login": wh.user,
            "password": wh.password,
            "schema": wh.dbname,
        }
    )


def airflow_env(wh: warehouse.Warehouse) -> dict[str, str]:
    p = paths()
    p.airflow_home.mkdir(parents=True, exist_ok=True)
    if os.environ.get("COMMISSIONS_AIRFLOW_METADATA", "sqlite") == "warehouse":
        metadata_url = warehouse.ensure_database(wh, "airflow").sqlalchemy_url
    else:
        metadata_url = f"sqlite:///{p.airflow_home / 'airflow.db'}"
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(p.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(p.repo_root / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(p.repo_root / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
            "DO_NOT_TRACK": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "SCARF_ANALYTICS": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "AIRFLOW_CONN_WAREHOUSE": airflow_connection_json(wh),
            # One process runs the whole DAG: retry after seconds, not the scheduler's minutes.
            RETRY_DELAY_ENV: env.get(RETRY_DELAY_ENV, "5"),
            "COMMISSIONS_WAREHOUSE_URL": wh.sqlalchemy_url,
            # Same state folders for the tasks as for this CLI.
            "COMMISSIONS_HOME": str(p.home),
            "COMMISSIONS_LANDING_DIR": str(p.landing),
            "COMMISSIONS_ARCHIVE_DIR": str(p.archive),
            "COMMISSIONS_EXPORT_DIR": str(p.exports),
            "COMMISSIONS_DATA_DOCS_DIR": str(p.data_docs),
            "COMMISSIONS_GX_DIR": str(p.gx_context),
            **wh.dbt_env(),
        }
    )
    return env


@dataclass(frozen=True)
class DagRunOutcome:
    log_path: Path
    returncode: int


def _airflow(args: list[str], env: dict[str, str], log_file: TextIO) -> int:
    airflow_bin = Path(sys.executable).with_name("airflow")
    command = [str(airflow_bin), *args]
    log_file.write(f"$ {' '.join(command)}\n")
    log_file.flush()
    return subprocess.run(command, env=env, stdout=log_file, stderr=subprocess.STDOUT, check=False).returncode


def run_dag(wh: warehouse.Warehouse, logical_date: str, period: str | None) -> DagRunOutcome:
    """Migrate Airflow's metadata database, then run the DAG once. Output goes to a log file."""
    env = airflow_env(wh)
    logs = paths().home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{DAG_ID}_{logical_date}.log"
    with log_path.open("w", encoding="utf-8") as log_file:
        if _airflow(["db", "migrate"], env, log_file) != 0:
            raise AirflowRunError(f"airflow db migrate failed; see {log_path}")
        conf = json.dumps({"period": period}) if period else "{}"
        code = _airflow(["dags", "test", DAG_ID, logical_date, "-c", conf], env, log_file)
    return DagRunOutcome(log_path, code)


def failed_tasks(log_path: Path) -> list[str]:
    """Lines of the run log that say which task failed and why, for the terminal."""
    keep = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if any(
            marker in line
            for marker in (
                "LoadError",
                "QualityGateBlocked",
                "AirflowFailException",
                "DbtError",
                "Task failed",
                "ERROR",
                "[error",
                "rejected",
                "blocking",
            )
        ):
            keep.append(line.strip())
    return keep[-40:]
