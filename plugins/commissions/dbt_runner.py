"""Run dbt against the resolved warehouse, outside Airflow (`commissions dbt build`, the benchmark).

dbt runs as a subprocess of the `dbt` executable installed beside this Python rather
than in-process through `dbtRunner`: dbt keeps global state (flags, adapter registry,
logging) for the life of the process and reads its connection from environment
variables (dbt_project/profiles.yml), so running it in-process would mean rewriting
this process's environment and leaking state between runs, which tests and Airflow
workers running several databases at once cannot afford. A subprocess gets exactly
the environment of the warehouse it is given, and costs about a second to start.

Target and log folders go under the commissions home (`var/dbt/`), not the
repository's `dbt_project/target`, so a test, the benchmark and a local run on
different homes do not overwrite each other's run results. Failures are read back
from `run_results.json` and raised as `DbtError` naming each failing node.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from commissions import warehouse
from commissions.config import paths

log = logging.getLogger(__name__)

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
#: Statuses in run_results.json that mean the node failed (warnings do not).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})


class DbtError(RuntimeError):
    """dbt exited with an error; the message lists the failing nodes and why."""


@dataclass(frozen=True)
class NodeFailure:
    unique_id: str
    status: str
    message: str
    failures: int | None = None

    def describe(self) -> str:
        text = f"{self.unique_id} [{self.status}]"
        if self.failures:
            text += f" ({self.failures} failing rows)"
        if self.message:
            text += f": {self.message.strip()}"
        return text


@dataclass(frozen=True)
class DbtRun:
    """A dbt invocation that succeeded: its arguments and how many nodes ended in each status."""

    args: tuple[str, ...]
    run_results: Path
    statuses: dict[str, int]

    @property
    def nodes(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return f"dbt {' '.join(self.args)}: {self.nodes} nodes ({counts or 'none'})"


def dbt_work_dir() -> Path:
    """Folder holding dbt's target/ and logs/ for this commissions home."""
    return paths().home / "dbt"


def airflow_run_results_path() -> Path:
    """Where the dbt build run inside Airflow leaves a copy of its run_results.json."""
    return dbt_work_dir() / "airflow" / "run_results.json"


def dbt_env(wh: warehouse.Warehouse) -> dict[str, str]:
    env = dict(os.environ)
    env.update(wh.dbt_env())
    work = dbt_work_dir()
    env.update(
        {
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_USE_COLORS": "False",
            "DO_NOT_TRACK": "1",
        }
    )
    return env


def read_statuses(run_results: Path) -> dict[str, int]:
    """How many nodes of a run_results.json ended in each status (empty if the file is missing)."""
    if not run_results.exists():
        return {}
    data = json.loads(run_results.read_text(encoding="utf-8"))
    return dict(Counter(str(result.get("status")) for result in data.get("results", [])))


def read_failures(run_results: Path) -> list[NodeFailure]:
    """Failing nodes recorded in a run_results.json (empty if the file is missing)."""
    if not run_results.exists():
        return []
    data = json.loads(run_results.read_text(encoding="utf-8"))
    failures = []
    for result in data.get("results", []):
        if result.get("status") not in FAILED_STATUSES:
            continue
        failures.append(
            NodeFailure(
                unique_id=result.get("unique_id", "?"),
                status=result["status"],
                message=result.get("message") or "",
                failures=result.get("failures"),
            )
        )
    return failures


def run_dbt(args: Sequence[str], wh: warehouse.Warehouse | None = None) -> DbtRun:
    """Run `dbt <args>` against `wh` (default: the resolved warehouse); raise DbtError on failure.

    Output is streamed line by line to this module's logger. `build` with no selection
    runs dbt's default selector (dbt_project/selectors.yml): seeds, models and data tests
    in graph order, not the unit tests (`test --select test_type:unit` runs those).
    """
    target = wh or warehouse.resolve()
    project = paths().dbt_project
    args = list(args) or ["build"]
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(paths().dbt_profiles_dir),
    ]
    env = dbt_env(target)
    run_results = Path(env["DBT_TARGET_PATH"]) / "run_results.json"
    run_results.unlink(missing_ok=True)
    log.info("dbt %s on %s", " ".join(args), target.describe())

    tail: deque[str] = deque(maxlen=40)
    try:
        proc = subprocess.Popen(
            command,
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
    except FileNotFoundError as exc:
        raise DbtError(f"dbt executable not found at {DBT_EXECUTABLE}; install dbt-postgres in this venv") from exc
    assert proc.stdout is not None
    with proc.stdout:
        for raw_line in proc.stdout:
            line = raw_line.rstrip()
            tail.append(line)
            log.info("dbt | %s", line)
    returncode = proc.wait()
    if returncode == 0:
        return DbtRun(tuple(args), run_results, read_statuses(run_results))

    failures = read_failures(run_results)
    if failures:
        listed = "\n".join(f"  - {f.describe()}" for f in failures)
        raise DbtError(
            f"dbt {' '.join(args)} failed on {target.describe()}: {len(failures)} node(s) failed:\n{listed}\n"
            f"logs: {Path(env['DBT_LOG_PATH']) / 'dbt.log'}"
        )
    # No node failed: dbt stopped before running anything (parse, profile, connection).
    output = "\n".join(tail)
    raise DbtError(
        f"dbt {' '.join(args)} failed on {target.describe()} (exit code {returncode}) before running any node:\n"
        f"{output}"
    )
