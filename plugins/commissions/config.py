"""Where things live. Every path can be moved with an environment variable.

Defaults keep all local state under `var/` in the repository (git-ignored), so a
fresh clone runs with no set-up and `rm -rf var` starts over.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Seconds between retries of an Airflow task (default 300). Five minutes lets a scheduler
#: ride out a database restart; `commissions run` (one process, `airflow dags test`) sets a
#: few seconds so a failing task fails the local run promptly instead of seeming to hang.
RETRY_DELAY_ENV = "COMMISSIONS_RETRY_DELAY_SECONDS"

#: File the DAG's tasks append a line to when they fail (task id and exception), so
#: `commissions run` can say why without reading the log; unset in a deployment.
TASK_FAILURES_ENV = "COMMISSIONS_TASK_FAILURES_FILE"

# plugins/commissions/config.py -> repository root
_REPO_ROOT = Path(__file__).resolve().parents[2]


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Paths:
    repo_root: Path
    home: Path
    landing: Path
    archive: Path
    exports: Path
    data_docs: Path
    gx_context: Path
    pgdata: Path
    airflow_home: Path
    dbt_project: Path
    expectations: Path

    @property
    def dbt_profiles_dir(self) -> Path:
        return self.dbt_project

    @property
    def payroll_exports(self) -> Path:
        """Payroll files, one folder per pay period."""
        return self.exports / "payroll"


def paths() -> Paths:
    repo = _path("COMMISSIONS_REPO_ROOT", _REPO_ROOT)
    home = _path("COMMISSIONS_HOME", repo / "var")
    return Paths(
        repo_root=repo,
        home=home,
        landing=_path("COMMISSIONS_LANDING_DIR", home / "landing"),
        archive=_path("COMMISSIONS_ARCHIVE_DIR", home / "archive"),
        exports=_path("COMMISSIONS_EXPORT_DIR", home / "exports"),
        data_docs=_path("COMMISSIONS_DATA_DOCS_DIR", home / "data_docs"),
        gx_context=_path("COMMISSIONS_GX_DIR", home / "gx"),
        pgdata=_path("COMMISSIONS_PGDATA", home / "pgdata"),
        airflow_home=_path("AIRFLOW_HOME", home / "airflow"),
        dbt_project=_path("COMMISSIONS_DBT_PROJECT_DIR", repo / "dbt_project"),
        expectations=_path("COMMISSIONS_EXPECTATIONS_DIR", repo / "expectations"),
    )
