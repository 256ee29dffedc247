"""Finance answers the pay period's approval in Airflow: a real run of the DAG waits at
`approve_period` (the standard provider's human-in-the-loop ApprovalOperator) and the test
answers it through Airflow's own REST API as a named Airflow user. Rejected, the period stays
calculated with the reason and no file; approved, the run goes on to export it.

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


def _awaiting(metadata: Path) -> str | None:
    """The run id of the DAG run whose approve_period awaits input, once there is one."""
    if not metadata.exists():
        return None
    try:
        with sqlite3.connect(f"file:{metadata}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute(
                "select run_id from task_instance where dag_id = 'commissions_nightly' "
                "and task_id = 'approve_period' and state = 'awaiting_input'"
            ).fetchone()
    except sqlite3.OperationalError:  # locked by the run, or not migrated yet
        return None
    return str(row[0]) if row else None


def _run_and_answer(home: Path, period: str, *answer: str) -> tuple[str, str]:
    """`commissions run --period P --ask-finance`; once approve_period waits, check that the run
    waits and nothing is approved, answer through Airflow's API, and let the run finish.
    Returns the run's output and the run's batch id."""
    env = _env(home)
    proc = subprocess.Popen(
        [CLI, "run", "--period", period, "--ask-finance"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 1500
        while (run_id := _awaiting(home / "airflow" / "airflow.db")) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the run never asked finance:\n{proc.stdout.read() if proc.stdout else ''}")
            time.sleep(2)
        waiting = lifecycle.period_state(warehouse.embedded(home / "pgdata"), period)
        assert waiting is not None and waiting.to_state == "calculated", "nothing approved while it waits"
        time.sleep(3)
        assert proc.poll() is None, "the run waits for the answer"

        answered = subprocess.run(
            [sys.executable, RESPOND, run_id, "approve_period", *answer],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert answered.returncode == 0, answered.stdout + answered.stderr
        response = json.loads(answered.stdout.strip().splitlines()[-1])["body"]
        assert response["chosen_options"] == [answer[0]] and response["responded_by"]["name"] == FINANCE

        output, _ = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert waiting.run_id
    return output, waiting.run_id


def test_finance_rejects_then_approves_in_airflow_and_only_the_approved_period_is_exported(tmp_path: Path) -> None:
    home = tmp_path / "var"
    generate(home / "landing", reps=4, months=2, seed=5, end_month=PERIOD, dirty_share=0)
    wh = warehouse.embedded(home / "pgdata")

    # September: finance rejects, with a reason. It stays calculated; no file.
    output, _ = _run_and_answer(home, "2026-09", "Reject", FINANCE, "E2's split looks wrong")
    rejected = lifecycle.period_state(wh, "2026-09")
    assert rejected is not None and (rejected.from_state, rejected.to_state, rejected.by) == (
        "calculated",
        "calculated",
        FINANCE,
    )
    assert rejected.note == f"rejected by {FINANCE}: E2's split looks wrong"
    assert not (home / "exports" / "payroll" / "2026-09").exists(), output
    assert "not approved: no payroll file written" in output

    # October: finance approves; the same run exports it, approved by who answered.
    output, run_id = _run_and_answer(home, PERIOD, "Approve", FINANCE)
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        calculated, approved, *rest = lifecycle.transitions_of_run(cur, run_id)
    assert (calculated.period, calculated.from_state, calculated.to_state) == (PERIOD, "open", "calculated")
    assert (approved.period, approved.to_state, approved.by) == (PERIOD, "approved", FINANCE)
    assert [(t.period, t.to_state) for t in rest] == [(PERIOD, "exported")]
    # Finance approved exactly the figures the run calculated.
    assert approved.figures.lines_sha256 == calculated.figures.lines_sha256
    assert [(t.currency, t.amount, t.payees) for t in approved.figures.totals] == [
        (t.currency, t.amount, t.payees) for t in calculated.figures.totals
    ]
    (manifest,) = (home / "exports" / "payroll" / PERIOD).glob("*.json")
    assert json.loads(manifest.read_text(encoding="utf-8"))["approved_by"] == FINANCE, output
