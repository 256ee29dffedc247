"""Finance approves a pay period in Airflow: a real run of the DAG waits at `approve_period`
(the standard provider's human-in-the-loop ApprovalOperator), the test answers it through
Airflow's own REST API as a named Airflow user, and the run goes on to export.

`commissions run --ask-finance` runs the DAG through `airflow dags test`, which on Airflow 3.3
keeps the run alive while a task is `awaiting_input` and resumes it once a response is
recorded in the metadata database (tests/hitl_respond.py serves Airflow's API app on it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commissions import warehouse
from commissions.close import lifecycle
from commissions_tools.demo.generate import generate

pytestmark = pytest.mark.e2e

CLI = str(Path(sys.executable).with_name("commissions"))
RESPOND = str(Path(__file__).with_name("hitl_respond.py"))
PERIOD = "2026-10"
FINANCE = "grace"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMISSIONS_", "AIRFLOW_", "AIRFLOW__"))}
    return env | {"COMMISSIONS_HOME": str(home), "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False"}


def _awaiting(metadata: Path) -> tuple[str, str] | None:
    """(run id, state) of approve_period in the latest run, once Airflow has it."""
    if not metadata.exists():
        return None
    try:
        with sqlite3.connect(f"file:{metadata}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute(
                "select run_id, state from task_instance where dag_id = 'commissions_nightly' "
                "and task_id = 'approve_period' order by start_date desc limit 1"
            ).fetchone()
    except sqlite3.OperationalError:  # locked by the run, or not migrated yet
        return None
    return (str(row[0]), str(row[1])) if row else None


def _wait_for_approval_request(proc: subprocess.Popen, metadata: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _awaiting(metadata)
        if found and found[1] == "awaiting_input":
            return found[0]
        if proc.poll() is not None:
            pytest.fail(f"the run ended before asking finance:\n{proc.stdout.read() if proc.stdout else ''}")
        time.sleep(2)
    proc.kill()
    pytest.fail("approve_period never waited for input")


def test_a_run_waits_for_finance_in_airflow_and_exports_once_approved(tmp_path: Path) -> None:
    home = tmp_path / "var"
    generate(home / "landing", reps=4, months=2, seed=5, end_month=PERIOD, dirty_share=0)
    env = _env(home)
    proc = subprocess.Popen(
        [CLI, "run", "--period", PERIOD, "--ask-finance"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        run_id = _wait_for_approval_request(proc, home / "airflow" / "airflow.db", timeout=1500)
        wh = warehouse.embedded(home / "pgdata")
        waiting = lifecycle.period_state(wh, PERIOD)
        assert waiting is not None and waiting.to_state == "calculated", "nothing approved while it waits"
        time.sleep(3)
        assert proc.poll() is None, "the run waits for the answer"
        assert not (home / "exports" / "payroll" / PERIOD).exists()

        answered = subprocess.run(
            [sys.executable, RESPOND, run_id, "approve_period", "Approve", FINANCE],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert answered.returncode == 0, answered.stdout + answered.stderr
        response = json.loads(answered.stdout.strip().splitlines()[-1])["body"]
        assert response["chosen_options"] == ["Approve"] and response["responded_by"]["name"] == FINANCE

        output, _ = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output

    approved = lifecycle.period_state(wh, PERIOD)
    assert approved is not None and approved.to_state == "exported"
    (approval,) = [p.approval for p in lifecycle.status(wh) if p.period == PERIOD]
    assert approval is not None and approval.by == FINANCE and approval.run_id == waiting.run_id
    # Finance approved exactly the figures the run calculated.
    assert approval.figures.lines_sha256 == waiting.figures.lines_sha256
    assert [(t.currency, t.amount, t.payees) for t in approval.figures.totals] == [
        (t.currency, t.amount, t.payees) for t in waiting.figures.totals
    ]
    manifest_paths = list((home / "exports" / "payroll" / PERIOD).glob("*.json"))
    assert manifest_paths, output
    assert json.loads(manifest_paths[0].read_text(encoding="utf-8"))["approved_by"] == FINANCE
