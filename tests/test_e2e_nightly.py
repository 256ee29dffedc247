"""End to end: `commissions run` drives the real DAG through Airflow on the embedded
PostgreSQL, and the payroll file matches an independent calculation to the cent.

The run approves its period unattended (`--approve-by`, as `make run` does), so the DAG
calculates, approves and exports it. The module's last test corrects a deal of that closed
period and runs the period again: its file is not rewritten and nothing is paid twice.

The landing data is generated clean, then two bad opportunities are appended to the
CRM export: a second copy of a real closed-won deal with another amount (duplicated
id) and a deal owned by a CRM user that does not exist. Both must be reported and
held in quarantine, and every other rep must still be paid exactly.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from commissions import warehouse
from commissions_tools.demo.generate import generate

from independent_payouts import compute_payouts, payroll_lines

pytestmark = pytest.mark.e2e

CLI = str(Path(sys.executable).with_name("commissions"))
REPO = Path(__file__).resolve().parents[1]
PERIOD = "2026-10"
APPROVER = "e2e test (unattended)"


def _run_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMISSIONS_", "AIRFLOW_", "AIRFLOW__"))}
    env["COMMISSIONS_HOME"] = str(home)
    env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
    return env


def _approved_run(home: Path) -> subprocess.CompletedProcess[str]:
    """`commissions run` for PERIOD, approving it unattended as `make run` does."""
    return subprocess.run(
        [CLI, "run", "--period", PERIOD, "--approve-by", APPROVER],
        env=_run_env(home),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def _append_rows(path: Path, rows: list[dict[str, str]]) -> list[int]:
    """Append CSV rows; return the file line number of each."""
    with path.open(encoding="utf-8") as fh:
        existing_lines = sum(1 for _ in fh)
    with path.open("a", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(path.open(encoding="utf-8")))
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)
    return [existing_lines + i + 1 for i in range(len(rows))]


def _query(wh: warehouse.Warehouse, sql: str, params: tuple = ()) -> list[tuple]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("e2e") / "var"
    landing = home / "landing"
    generate(landing, reps=12, months=3, seed=11, end_month=PERIOD, dirty_share=0)

    opportunities = landing / "crm" / "opportunities.csv"
    with opportunities.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    victim = next(r for r in rows if r["stage"] == "Closed Won" and r["close_date"].startswith(PERIOD))
    duplicate = dict(victim, amount=str(Decimal(victim["amount"]) + Decimal("1000.00")))
    ghost = dict(victim, opportunity_id="OPP-GHOST-0001", owner_user_id="U999999")
    victim_line = rows.index(victim) + 2  # header is line 1
    ids = [r["opportunity_id"] for r in rows]
    corrected = next(
        r
        for r in rows
        if r["stage"] == "Closed Won"
        and r["close_date"].startswith(PERIOD)
        and r is not victim
        and ids.count(r["opportunity_id"]) == 1
    )
    duplicate_line, ghost_line = _append_rows(opportunities, [duplicate, ghost])

    # Independent expectation: the duplicated deal pays nobody (we cannot know which
    # copy is right), the ghost deal has no owner to pay.
    left_out = {victim["opportunity_id"], ghost["opportunity_id"]}
    expected = compute_payouts(landing, exclude_opportunities=left_out)
    expected_payroll = payroll_lines(landing, PERIOD, left_out)

    proc = _approved_run(home)
    return {
        "home": home,
        "proc": proc,
        "header": list(rows[0]),
        "corrected": corrected,
        "expected": expected,
        "expected_payroll": expected_payroll,
        "victim": victim["opportunity_id"],
        "ghost": ghost["opportunity_id"],
        "lines": {victim_line, duplicate_line, ghost_line},
        "wh": warehouse.embedded(home / "pgdata"),
    }


def test_run_succeeds_and_says_where_outputs_are(nightly: dict) -> None:
    proc = nightly["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert f"payroll_{PERIOD}.csv" in out
    assert "data quality:" in out and "warned" in out
    assert "finance.fct_payouts" in out
    assert f"commission payouts {PERIOD} (COMM):" in out
    assert f"manual adjustments {PERIOD} (ADJ, finance.fct_adjustments):" in out
    assert f"pay period:     {PERIOD} is exported" in out
    assert f"approved by {APPROVER}, exported " in out
    assert "finance next:   load its payroll file into payroll" in out
    assert "approval void" not in out


def test_the_run_walked_its_period_through_the_close(nightly: dict) -> None:
    history = _query(
        nightly["wh"],
        "select from_state, to_state, transitioned_by from close.period_transitions where pay_period = %s "
        "order by transition_id",
        (PERIOD,),
    )
    assert history == [
        ("open", "calculated", "pipeline"),
        ("calculated", "approved", APPROVER),
        ("approved", "exported", "pipeline"),
    ]
    runs = _query(nightly["wh"], "select distinct run_id from close.period_transitions")
    assert len(runs) == 1 and runs[0][0].startswith("manual__"), runs
    # The other periods the marts pay were computed, not calculated for payment: still open.
    assert _query(nightly["wh"], "select distinct pay_period from close.period_transitions") == [(PERIOD,)]
    # The ledger holds exactly the file's lines.
    csv_path = nightly["home"] / "exports" / "payroll" / PERIOD / f"payroll_{PERIOD}.csv"
    with csv_path.open(encoding="utf-8", newline="") as fh:
        in_file = [
            (r["employee_id"], r["earnings_code"], Decimal(r["amount"]), r["currency"]) for r in csv.DictReader(fh)
        ]
    ledger = _query(
        nightly["wh"],
        "select employee_id, earnings_code, amount, currency from close.payout_ledger where pay_period = %s "
        "order by line_number",
        (PERIOD,),
    )
    assert ledger == in_file


def test_payroll_file_matches_independent_calculation_to_the_cent(nightly: dict) -> None:
    csv_path = nightly["home"] / "exports" / "payroll" / PERIOD / f"payroll_{PERIOD}.csv"
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["pay_period"] for r in rows} == {PERIOD}
    paid = {(r["employee_id"], r["earnings_code"]): (Decimal(r["amount"]), r["currency"]) for r in rows}
    assert len(paid) == len(rows), "one line per employee and earnings code"
    expected = nightly["expected_payroll"]
    assert sum(code == "COMM" for _, code in expected) >= 5, "the scenario should pay several reps"
    assert any(code == "ADJ" for _, code in expected), "the demo has manual adjustments this month"
    assert paid == expected


def test_the_dags_dbt_build_runs_every_data_test_and_no_unit_test(nightly: dict) -> None:
    """The Cosmos build runs dbt's default selector (dbt_project/selectors.yml), as the pipeline
    does: every model and data test of the manifest the DAG is drawn from, no unit test."""
    results = json.loads((nightly["home"] / "dbt" / "airflow" / "run_results.json").read_text())["results"]
    ran = {r["unique_id"] for r in results}
    manifest = json.loads((REPO / "dbt_project" / "target" / "manifest.json").read_text())
    data_tests = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    models = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    assert manifest["unit_tests"], "the project has unit tests; make test runs them (test_dbt_models.py)"
    assert data_tests | models <= ran
    assert not {uid for uid in ran if uid.startswith("unit_test.")}


def test_every_period_in_the_marts_matches_independent_calculation(nightly: dict) -> None:
    rows = _query(nightly["wh"], "select employee_id, pay_period, currency, payout_amount from finance.fct_payouts")
    in_marts = {(e, p): (c, a) for e, p, c, a in rows if a != 0}
    expected = {k: (p.currency, p.amount) for k, p in nightly["expected"].items() if p.amount != 0}
    assert {k[1] for k in expected} == {"2026-08", "2026-09", "2026-10"}
    assert in_marts == expected


def test_every_payout_of_every_kind_of_line_is_explained(nightly: dict) -> None:
    """`commissions explain` prints each payout with the marts' amount, whatever its lines are."""
    from commissions.explain import explain_payout

    kinds = dict(_query(nightly["wh"], "select line_type, count(*) from finance.fct_commission_lines group by 1"))
    assert "commission" in kinds and len(kinds) > 1, kinds
    payouts = _query(
        nightly["wh"],
        "select distinct p.employee_id, p.pay_period, p.plan_id, p.payout_amount, p.currency "
        "from finance.fct_payouts p join finance.fct_commission_lines l using (employee_id, plan_id, pay_period) "
        "where l.line_type <> 'commission'",
    )
    assert payouts
    for employee_id, period, plan_id, amount, currency in payouts:
        text = explain_payout(employee_id, period, nightly["wh"])
        assert f"plan {plan_id}: {amount:,} {currency}" in text, text


def test_manifest_control_totals_equal_the_file(nightly: dict) -> None:
    folder = nightly["home"] / "exports" / "payroll" / PERIOD
    manifest = json.loads((folder / f"payroll_{PERIOD}.manifest.json").read_text())
    content = (folder / manifest["file"]).read_bytes()
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()
    totals: dict[str, Decimal] = {}
    rows = list(csv.DictReader(content.decode().splitlines()))
    for row in rows:
        totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + Decimal(row["amount"])
    assert manifest["row_count"] == len(rows)
    assert {c: Decimal(v) for c, v in manifest["control_totals"].items()} == totals


def test_duplicate_and_unknown_owner_are_held_in_quarantine(nightly: dict) -> None:
    held = _query(
        nightly["wh"],
        "select o.opportunity_id, o._source_line, q.rule_name from dq.quarantine_current q "
        "join raw_crm.opportunities o on o._row_id = q.row_id where q.table_name = 'crm.opportunities'",
    )
    held_ids = {opp for opp, _, _ in held}
    assert held_ids == {nightly["victim"], nightly["ghost"]}
    assert {line for _, line, _ in held} == nightly["lines"]
    status = _query(nightly["wh"], "select status from dq.gate_runs order by started_at desc limit 1")
    assert status == [("warned",)]
    # Nothing of either deal reached a commission line.
    credited = _query(
        nightly["wh"],
        "select count(*) from pay_lines.int_commission_lines where opportunity_id in (%s, %s)",
        (nightly["victim"], nightly["ghost"]),
    )
    assert credited == [(0,)]


def test_landing_files_are_archived_not_deleted(nightly: dict) -> None:
    home = nightly["home"]
    assert not any((home / "landing").glob("*/*.csv"))
    archived = {p.name for p in (home / "archive").glob("*/*/*")}
    assert {"opportunities.csv", "invoices.jsonl", "employees.jsonl", "fx_rates.csv"} <= archived


def _ledger_lines(wh: warehouse.Warehouse) -> int:
    return int(_query(wh, "select count(*) from close.payout_ledger")[0][0])


def test_exporting_again_reproduces_the_file_from_the_ledger(nightly: dict) -> None:
    folder = nightly["home"] / "exports" / "payroll" / PERIOD
    before = (folder / f"payroll_{PERIOD}.csv").read_bytes()
    lines = _ledger_lines(nightly["wh"])
    proc = subprocess.run(
        [CLI, "export", "--period", PERIOD],
        env=_run_env(nightly["home"]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "reproduced from the ledger" in proc.stdout
    assert (folder / f"payroll_{PERIOD}.csv").read_bytes() == before
    assert _ledger_lines(nightly["wh"]) == lines
    assert not list(folder.glob("*superseded*"))


def test_a_correction_after_close_leaves_the_paid_file_as_it_is(nightly: dict) -> None:
    """Issue 12's first probe: a corrected opportunity amount in a paid month, then the month run
    again. The file is not rewritten, nothing is booked twice, and the run says why (this module's
    last test: it changes the warehouse the tests above read)."""
    home, wh = nightly["home"], nightly["wh"]
    csv_path = home / "exports" / "payroll" / PERIOD / f"payroll_{PERIOD}.csv"
    before, written_at = csv_path.read_bytes(), csv_path.stat().st_mtime_ns
    lines = _ledger_lines(wh)
    deal = nightly["corrected"]
    correction = dict(
        deal,
        amount=str((Decimal(deal["amount"]) / 2).quantize(Decimal("0.01"))),
        last_modified_at="2026-11-05T09:00:00+00:00",
    )
    landing = home / "landing" / "crm" / "opportunities.csv"
    landing.parent.mkdir(parents=True, exist_ok=True)
    with landing.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=nightly["header"], lineterminator="\n")
        writer.writeheader()
        writer.writerow(correction)

    proc = _approved_run(home)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert f"pay period {PERIOD} is closed (exported): its file is not rewritten" in out
    assert "booked as adjustments in the next open period; that booking is not built yet" in out
    assert "its lines have changed since it was exported: exported " in out
    assert csv_path.read_bytes() == before and csv_path.stat().st_mtime_ns == written_at
    assert not list(csv_path.parent.glob("*superseded*"))
    assert _ledger_lines(wh) == lines
    assert _query(wh, "select count(*) from close.period_transitions where pay_period = %s", (PERIOD,)) == [(3,)]


def test_malformed_file_stops_the_run_before_payouts(tmp_path: Path) -> None:
    home = tmp_path / "var"
    landing = home / "landing"
    generate(landing, reps=4, months=1, seed=3, end_month=PERIOD, dirty_share=0)
    invoices = landing / "billing" / "invoices.jsonl"
    lines = invoices.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["total_amount"] = "12,50"  # a decimal comma: not a number
    lines[1] = json.dumps(bad)
    invoices.write_text("\n".join(lines) + "\n", encoding="utf-8")

    proc = subprocess.run(
        [CLI, "run", "--period", PERIOD],
        env=_run_env(home),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 1
    assert "invoices.jsonl: line 2, column total_amount" in proc.stderr
    assert invoices.exists(), "a rejected file stays in landing"
    assert not (home / "exports" / "payroll").exists()


def test_failing_dbt_test_is_named_and_not_retried(tmp_path: Path) -> None:
    """A dbt data test that fails stops the run before the payroll file, once: `commissions
    run` names the task, the test and dbt's message, and no dbt task was tried twice.

    The project is a copy of dbt_project/ with one extra singular test on the staged
    opportunities that always finds a row (the models themselves are untouched); almost
    everything is downstream of it, so dbt and Airflow skip the rest and the run is short."""
    project = tmp_path / "dbt_project"
    # With its target/ (the manifest and dbt's partial-parse state): the run's `dbt parse` of the
    # copy then parses only the added test, not the whole project again.
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("logs"))
    (project / "tests" / "assert_no_opportunities_at_all.sql").write_text(
        "-- fails whenever there is an opportunity\nselect opportunity_id from {{ ref('stg_crm__opportunities') }}\n",
        encoding="utf-8",
    )
    home = tmp_path / "var"
    generate(home / "landing", reps=4, months=1, seed=3, end_month=PERIOD, dirty_share=0)
    env = _run_env(home)
    env["COMMISSIONS_DBT_PROJECT_DIR"] = str(project)

    proc = subprocess.run(
        [CLI, "run", "--period", PERIOD], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    err = proc.stderr
    assert "dbt.stg_crm__opportunities.test (try 1)" in err, err
    assert "test.commissions.assert_no_opportunities_at_all [fail]" in err, err
    assert "configured to fail if != 0" in err, err
    assert "export_payroll" in err.split("not run because of it:")[-1]
    assert not (home / "exports" / "payroll").exists()

    metadata = sqlite3.connect(home / "airflow" / "airflow.db")
    tries = dict(
        metadata.execute("select task_id, try_number from task_instance where task_id like 'dbt.%'").fetchall()
    )
    metadata.close()
    assert tries["dbt.stg_crm__opportunities.test"] == 1
    assert tries["dbt.dbt_producer_watcher"] == 1
    assert max(tries.values()) == 1, "no dbt task is retried"
