"""Run the DAG through a real Airflow on this machine, in one process (`airflow dags test`).

While it runs, the task-instance states in Airflow's metadata database are polled and
each task is reported as it finishes; a failure is explained from those states, the
failing task's own exception (recorded by `orchestration.record_task_failure`) and
dbt's run_results.json, not from the log. Each run writes its own log file.

Airflow's home and metadata live under var/airflow (SQLite by default, or a database
`airflow` on the warehouse server with COMMISSIONS_AIRFLOW_METADATA=warehouse). The
`warehouse` connection is passed as AIRFLOW_CONN_WAREHOUSE so the DAG's Python tasks
and dbt both use the warehouse this CLI resolved.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from commissions import dbt_manifest, warehouse
from commissions.config import RETRY_DELAY_ENV, TASK_FAILURES_ENV, paths
from commissions.dbt_runner import NodeFailure, airflow_run_results_path, read_failures

DAG_ID = "commissions_nightly"
#: Seconds after which `commissions run` stops a DAG run that has not finished (default an hour).
RUN_TIMEOUT_ENV = "COMMISSIONS_RUN_TIMEOUT_SECONDS"


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
            TASK_FAILURES_ENV: str(task_failures_path()),
            # Load Airflow's plugins once when the process starts, as a scheduler does,
            # rather than in the middle of parsing the DAG.
            "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": "False",
            **wh.dbt_env(),
        }
    )
    return env


FINISHED_STATES = frozenset({"success", "failed", "upstream_failed", "skipped", "removed"})


@dataclass(frozen=True)
class TaskOutcome:
    task_id: str
    state: str
    seconds: float | None
    try_number: int

    @property
    def is_dbt(self) -> bool:
        return self.task_id.startswith("dbt.")


@dataclass(frozen=True)
class TaskFailure:
    task_id: str
    message: str


@dataclass
class DagRunOutcome:
    log_path: Path
    returncode: int
    tasks: list[TaskOutcome] = field(default_factory=list)
    task_failures: list[TaskFailure] = field(default_factory=list)
    dbt_failures: list[NodeFailure] = field(default_factory=list)
    #: Airflow's id of the DAG run (None if it never started).
    run_id: str | None = None

    @property
    def batch_id(self) -> str | None:
        """The run's batch id, as its tasks record it (raw rows, the period close)."""
        from commissions.tasks import batch_id_for

        return batch_id_for(self.run_id) if self.run_id else None

    @property
    def failed_tasks(self) -> list[TaskOutcome]:
        return [t for t in self.tasks if t.state == "failed"]

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0 and not self.failed_tasks


def task_failures_path() -> Path:
    """Where the DAG's tasks record why they failed (read back by `commissions run`)."""
    return paths().home / "logs" / "task_failures.jsonl"


def new_log_path(logical_date: str, now: datetime | None = None) -> Path:
    """`var/logs/commissions_nightly_<date>_<HHMMSS>.log`: every run keeps its own log."""
    logs = paths().home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = f"{(now or datetime.now()):%H%M%S}"
    path = logs / f"{DAG_ID}_{logical_date}_{stamp}.log"
    n = 2
    while path.exists():
        path = logs / f"{DAG_ID}_{logical_date}_{stamp}_{n}.log"
        n += 1
    return path


def _as_utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class TaskStatePoller:
    """Reads the task instances of the DAG's latest run from Airflow's metadata database."""

    def __init__(self, metadata_url: str, since: datetime) -> None:
        self.engine = sa.create_engine(metadata_url, connect_args=_connect_args(metadata_url))
        self.since = since
        self.reported: dict[str, TaskOutcome] = {}
        #: Tasks of the run not finished at the last successful poll.
        self.unfinished: set[str] = set()

    def finished(self) -> list[TaskOutcome]:
        """Tasks of this run that finished since the last call (none if the database is busy)."""
        query = sa.text(
            "select ti.task_id, ti.state, ti.start_date, ti.end_date, ti.try_number from task_instance ti "
            "where ti.dag_id = :dag_id and ti.run_id = "
            "(select run_id from dag_run where dag_id = :dag_id order by id desc limit 1)"
        )
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query, {"dag_id": DAG_ID}).all()
        except sa.exc.OperationalError:  # SQLite locked by the writer, or tables not yet migrated
            return []
        new = []
        self.unfinished = set()
        for row in rows:
            task_id, state, start, end, try_number = str(row[0]), str(row[1]), row[2], row[3], row[4]
            started, ended = _as_utc(start), _as_utc(end)
            if state not in FINISHED_STATES or (ended is not None and ended < self.since):
                self.unfinished.add(task_id)
                continue
            if state != "upstream_failed" and ended is None:
                continue
            seconds = (ended - started).total_seconds() if started and ended else None
            outcome = TaskOutcome(task_id, state, seconds, int(try_number or 0))
            if self.reported.get(task_id) != outcome:
                self.reported[task_id] = outcome
                new.append(outcome)
        return sorted(new, key=lambda t: (t.seconds is None, t.task_id))

    def run_id(self) -> str | None:
        """Airflow's id of the DAG's latest run (the one `dags test` started)."""
        query = sa.text("select run_id, run_after from dag_run where dag_id = :dag_id order by id desc limit 1")
        try:
            with self.engine.connect() as conn:
                row = conn.execute(query, {"dag_id": DAG_ID}).first()
        except sa.exc.OperationalError:
            return None
        started = _as_utc(row[1]) if row else None
        return str(row[0]) if row and started and started >= self.since else None

    def close(self) -> None:
        self.engine.dispose()


def _connect_args(url: str) -> dict[str, Any]:
    return {"timeout": 1} if url.startswith("sqlite") else {"connect_timeout": 5}


def read_task_failures(since: datetime) -> list[TaskFailure]:
    path = task_failures_path()
    if not path.exists():
        return []
    failures = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        when = _as_utc(record.get("at"))
        if when is not None and when >= since and record.get("dag_id") == DAG_ID:
            failures.append(TaskFailure(record["task_id"], record.get("message", "")))
    return failures


def run_dag(
    wh: warehouse.Warehouse,
    logical_date: str,
    period: str | None,
    on_progress: Callable[[list[TaskOutcome], set[str]], None] | None = None,
    poll_seconds: float = 1.0,
    *,
    approved_by: str | None = None,
    ask_finance: bool = False,
) -> DagRunOutcome:
    """Bring Airflow's metadata database to its schema, then run the DAG once, reporting tasks as they finish.

    `approved_by` is the DAG's parameter of the same name: the period is approved unattended.
    `ask_finance` (the DAG's parameter, false here by default: nobody answers a laptop's run) makes
    `approve_period` wait for an answer through the HITL API of an api-server on the same metadata
    database; `airflow dags test` keeps the run alive while a task is `awaiting_input`.
    Output of Airflow goes to a log file of its own per run.
    """
    dbt_manifest.ensure()  # the DAG is rendered from it: rebuild it if dbt_project/ changed
    env = airflow_env(wh)
    log_path = new_log_path(logical_date)
    airflow_run_results_path().unlink(missing_ok=True)
    since = datetime.now(UTC)
    with log_path.open("w", encoding="utf-8") as log_file:
        prepare_metadata(env, log_file)
        _use_write_ahead_log(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        given = {key: value for key, value in (("period", period), ("approved_by", approved_by)) if value}
        conf = json.dumps({**given, "ask_finance": ask_finance})
        proc = _start_airflow(["dags", "test", DAG_ID, logical_date, "-c", conf], env, log_file)
        poller = TaskStatePoller(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], since)
        try:
            timeout = float(os.environ.get(RUN_TIMEOUT_ENV, "3600"))
            deadline = time.monotonic() + timeout
            while proc.poll() is None:
                _report(poller, on_progress)
                if time.monotonic() > deadline:
                    proc.kill()
                    log_file.write(f"\ncommissions run: stopped after {timeout:.0f} s ({RUN_TIMEOUT_ENV})\n")
                time.sleep(poll_seconds)
            code = proc.wait()
            _report(poller, on_progress)
            tasks = list(poller.reported.values())
            run_id = poller.run_id()
        finally:
            poller.close()
    return DagRunOutcome(
        log_path=log_path,
        returncode=code,
        tasks=tasks,
        task_failures=read_task_failures(since),
        dbt_failures=read_failures(airflow_run_results_path()),
        run_id=run_id,
    )


#: Where the migrated, empty SQLite metadata database of this Airflow version is kept
#: (default: beside the virtual environment, `<venv>/share/commissions/`).
METADATA_TEMPLATE_ENV = "COMMISSIONS_AIRFLOW_METADATA_TEMPLATE"


def metadata_template_path() -> Path:
    configured = os.environ.get(METADATA_TEMPLATE_ENV)
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "commissions" / f"airflow-{version('apache-airflow')}-metadata.db"


def metadata_template(log_file: IO[str] | None = None) -> Path:
    """The migrated, empty SQLite metadata database of the installed Airflow, made once.

    `airflow db migrate` costs about 10 s of CPU even on a database already at its head
    revision, and every fresh Airflow home (a first `make run`, each test run) would pay
    it. The template holds nothing of a home (no DAG, no run, no connection): a home
    starts as a copy of it, and a database is migrated only when its revision differs.
    `make install` builds it (`python -m commissions.local_airflow`); a lock keeps
    concurrent runs from migrating it twice.
    """
    template = metadata_template_path()
    if _alembic_revision(f"sqlite:///{template}") is not None:
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    with _locked(template.with_name(template.name + ".lock")):
        if _alembic_revision(f"sqlite:///{template}") is not None:
            return template
        with tempfile.TemporaryDirectory(prefix="airflow-template-", dir=template.parent) as home:
            db = Path(home) / "airflow.db"
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
            env |= {
                "AIRFLOW_HOME": home,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{db}",
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            }
            with (Path(home) / "migrate.log").open("w+", encoding="utf-8") as output:
                if _airflow(["db", "migrate"], env, output) != 0:
                    output.seek(0)
                    tail = output.read()[-3000:]
                    raise AirflowRunError(f"airflow db migrate failed while building {template}:\n{tail}")
            if log_file is not None:
                log_file.write(f"Airflow metadata: migrated template built at {template}\n")
            os.replace(db, template)
    return template


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alembic_revision(metadata_url: str) -> str | None:
    """The schema revision Airflow's migrations left in a metadata database (None: none or unreadable)."""
    if metadata_url.startswith("sqlite:///"):
        path = Path(metadata_url.removeprefix("sqlite:///"))
        if not path.exists():
            return None
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
                row = conn.execute("select version_num from alembic_version").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None
    engine = sa.create_engine(metadata_url, connect_args=_connect_args(metadata_url))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("select version_num from alembic_version")).scalar_one_or_none()
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def prepare_metadata(env: dict[str, str], log_file: IO[str]) -> None:
    """Airflow's metadata database at the installed Airflow's schema, migrating only when needed.

    A new SQLite database starts as a copy of the migrated template; any database whose
    revision is not the template's (older Airflow, or never migrated) gets `airflow db migrate`.
    """
    url = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    template = metadata_template(log_file)
    sqlite_db = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if sqlite_db is not None and not sqlite_db.exists():
        sqlite_db.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, sqlite_db)
        log_file.write(f"Airflow metadata: {sqlite_db} copied from the migrated template {template}\n")
        return
    if _alembic_revision(url) == _alembic_revision(f"sqlite:///{template}"):
        log_file.write("Airflow metadata: at the installed Airflow's schema, no migration needed\n")
        return
    if _airflow(["db", "migrate"], env, log_file) != 0:
        raise AirflowRunError(f"airflow db migrate failed; see {log_file.name}")


def _use_write_ahead_log(metadata_url: str) -> None:
    """SQLite metadata: write-ahead log, so this process reads task states while Airflow writes,
    and each of the many small commits of a run (every dbt node's state) costs half as much."""
    if metadata_url.startswith("sqlite:///"):
        with sqlite3.connect(metadata_url.removeprefix("sqlite:///")) as conn:
            conn.execute("pragma journal_mode=wal")


def _report(poller: TaskStatePoller, on_progress: Callable[[list[TaskOutcome], set[str]], None] | None) -> None:
    finished = poller.finished()
    if finished and on_progress is not None:
        on_progress(finished, poller.unfinished)


def _start_airflow(args: list[str], env: dict[str, str], log_file: IO[str]) -> subprocess.Popen:
    airflow_bin = Path(sys.executable).with_name("airflow")
    command = [str(airflow_bin), *args]
    log_file.write(f"$ {' '.join(command)}\n")
    log_file.flush()
    return subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)


def _airflow(args: list[str], env: dict[str, str], log_file: IO[str]) -> int:
    return _start_airflow(args, env, log_file).wait()


if __name__ == "__main__":
    # `make install`: build the migrated metadata template once, so no run pays the migration.
    print(f"Airflow metadata template: {metadata_template()}")
