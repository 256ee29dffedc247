"""The period close on the real embedded PostgreSQL: a pay period's life from open to exported,
the refusals on the way, and the append-only payout ledger.

`finance.payroll_export` is the only thing the close reads of the marts. Here it is a plain
table built from the mart's enforced dbt contract (its yml's columns and types) and filled
with hand-written lines, so every total below is worked out by hand; the nightly end-to-end
test (test_e2e_nightly.py) runs the close on the mart dbt builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
import yaml

from commissions import pipeline, tasks, warehouse
from commissions.close import lifecycle
from commissions.close.ledger import PeriodNotApproved
from commissions.close.lifecycle import CurrencyTotal, PeriodStateError
from commissions.close.schema import ensure_close_objects

REPO = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("commissions"))
CONTRACT = REPO / "dbt_project" / "models" / "marts" / "finance" / "payroll_export.yml"

SEPTEMBER = [
    ("E001", "2026-09", "COMM", "1200.50", "USD", 2),
    ("E001", "2026-09", "ADJ", "-100.00", "USD", 2),
    ("E002", "2026-09", "COMM", "800.25", "USD", 2),
    ("E003", "2026-09", "COMM", "950.00", "EUR", 2),
    ("E004", "2026-09", "COMM", "120000", "JPY", 0),
]
OCTOBER = [
    ("E001", "2026-10", "COMM", "1500.00", "USD", 2),
    ("E003", "2026-10", "COMM", "700.40", "EUR", 2),
    ("E005", "2026-10", "COMM", "300.10", "EUR", 2),
]
# The file September's lines make, written out by hand (byte order of employee, code, currency).
SEPTEMBER_FILE = (
    b"employee_id,pay_period,earnings_code,amount,currency\n"
    b"E001,2026-09,ADJ,-100.00,USD\n"
    b"E001,2026-09,COMM,1200.50,USD\n"
    b"E002,2026-09,COMM,800.25,USD\n"
    b"E003,2026-09,COMM,950.00,EUR\n"
    b"E004,2026-09,COMM,120000,JPY\n"
)


def _contract_columns() -> list[tuple[str, str]]:
    (model,) = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["models"]
    return [(column["name"], column["data_type"]) for column in model["columns"]]


def _execute(wh: warehouse.Warehouse, sql: str, params: tuple = ()) -> list[tuple]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall() if cur.description else []


@pytest.fixture
def closing(db: warehouse.Warehouse, isolated_home: Path) -> warehouse.Warehouse:
    """A warehouse prepared by the pipeline, with September's and October's payroll lines."""
    pipeline.prepare_warehouse(db)
    columns = ", ".join(f"{name} {data_type}" for name, data_type in _contract_columns())
    _execute(db, f"create schema finance; create table finance.payroll_export ({columns})")
    for row in SEPTEMBER + OCTOBER:
        _execute(db, "insert into finance.payroll_export values (%s, %s, %s, %s, %s, %s)", row)
    return db


def _export(wh: warehouse.Warehouse, period: str, home: Path):
    return pipeline.export_payroll(wh, period, payroll_dir=home / "exports" / "payroll", by="test")


def _state(wh: warehouse.Warehouse, period: str) -> str:
    return lifecycle.state_of(lifecycle.period_state(wh, period))


def _ledger_count(wh: warehouse.Warehouse) -> int:
    return int(_execute(wh, "select count(*) from close.payout_ledger")[0][0])


def test_a_period_walks_from_open_to_calculated_approved_and_exported(
    closing: warehouse.Warehouse, isolated_home: Path
) -> None:
    assert [(p.period, p.state) for p in lifecycle.status(closing)] == [("2026-09", "open"), ("2026-10", "open")]

    calculation = pipeline.record_calculation(closing, "2026-09", run_id="run-1")
    assert calculation.state == "calculated" and not calculation.voided
    (calculated,) = calculation.transitions
    # EUR 950.00 (E003); JPY 120000 (E004); USD 1200.50 - 100.00 + 800.25 = 1900.75 (E001, E002)
    assert calculated.figures.totals == (
        CurrencyTotal("EUR", Decimal("950.00"), 1),
        CurrencyTotal("JPY", Decimal("120000"), 1),
        CurrencyTotal("USD", Decimal("1900.75"), 2),
    )
    assert calculated.figures.payees == 4
    assert calculated.figures.lines_sha256 == hashlib.sha256(SEPTEMBER_FILE).hexdigest()
    assert _state(closing, "2026-10") == "open", "only the run's period is calculated"

    approval = pipeline.approve_period(closing, "2026-09", "Ada Lovelace (finance)")
    assert approval.to_state == "approved" and approval.note == "no earlier approved period to compare with"

    folder = isolated_home / "exports" / "payroll" / "2026-09"
    exported = _export(closing, "2026-09", isolated_home)
    assert exported.csv_path == folder / "payroll_2026-09.csv"
    assert exported.csv_path.read_bytes() == SEPTEMBER_FILE
    manifest = json.loads(exported.manifest_path.read_text())
    assert manifest["sha256"] == hashlib.sha256(SEPTEMBER_FILE).hexdigest()
    assert manifest["control_totals"] == {"EUR": "950.00", "JPY": "120000", "USD": "1900.75"}
    assert (manifest["row_count"], manifest["approved_by"], manifest["run_id"]) == (
        5,
        "Ada Lovelace (finance)",
        "run-1",
    )
    assert sorted(p.name for p in folder.iterdir()) == ["payroll_2026-09.csv", "payroll_2026-09.manifest.json"]
    assert _state(closing, "2026-09") == "exported"

    ledger = _execute(
        closing,
        "select line_number, employee_id, earnings_code, amount, currency, run_id, approved_by, file_sha256 "
        "from close.payout_ledger where pay_period = '2026-09' order by line_number",
    )
    sha = hashlib.sha256(SEPTEMBER_FILE).hexdigest()
    assert ledger == [
        (1, "E001", "ADJ", Decimal("-100.00"), "USD", "run-1", "Ada Lovelace (finance)", sha),
        (2, "E001", "COMM", Decimal("1200.50"), "USD", "run-1", "Ada Lovelace (finance)", sha),
        (3, "E002", "COMM", Decimal("800.25"), "USD", "run-1", "Ada Lovelace (finance)", sha),
        (4, "E003", "COMM", Decimal("950.00"), "EUR", "run-1", "Ada Lovelace (finance)", sha),
        (5, "E004", "COMM", Decimal("120000"), "JPY", "run-1", "Ada Lovelace (finance)", sha),
    ]

    # October against September's approved totals: EUR 700.40 + 300.10 = 1000.50, +50.50;
    # JPY none now, -120000; USD 1500.00, -400.75.
    pipeline.record_calculation(closing, "2026-10", run_id="run-2")
    october = pipeline.approve_period(closing, "2026-10", "Grace Hopper (finance)")
    assert october.note == "change against 2026-09's approved totals"
    assert october.figures.totals == (
        CurrencyTotal("EUR", Decimal("1000.50"), 2, Decimal("50.50")),
        CurrencyTotal("JPY", Decimal("0"), 0, Decimal("-120000")),
        CurrencyTotal("USD", Decimal("1500.00"), 1, Decimal("-400.75")),
    )

    history = _execute(
        closing,
        "select pay_period, from_state, to_state, transitioned_by, run_id from close.period_transitions "
        "order by transition_id",
    )
    assert history == [
        ("2026-09", "open", "calculated", "pipeline", "run-1"),
        ("2026-09", "calculated", "approved", "Ada Lovelace (finance)", None),
        ("2026-09", "approved", "exported", "test", None),
        ("2026-10", "open", "calculated", "pipeline", "run-2"),
        ("2026-10", "calculated", "approved", "Grace Hopper (finance)", None),
    ]
    assert [(p.period, p.state) for p in lifecycle.status(closing)] == [
        ("2026-09", "exported"),
        ("2026-10", "approved"),
    ]


@pytest.mark.parametrize("before", ["open", "calculated"])
def test_export_refuses_a_period_not_approved_and_writes_nothing(
    closing: warehouse.Warehouse, isolated_home: Path, before: str
) -> None:
    if before == "calculated":
        pipeline.record_calculation(closing, "2026-09", run_id="run-1")
    with pytest.raises(PeriodNotApproved, match=f"pay period 2026-09 is {before}, not approved: nothing exported"):
        _export(closing, "2026-09", isolated_home)
    assert not (isolated_home / "exports").exists()
    assert _ledger_count(closing) == 0
    assert _state(closing, "2026-09") == before


def test_approve_refuses_a_period_that_is_not_calculated(closing: warehouse.Warehouse, isolated_home: Path) -> None:
    with pytest.raises(PeriodStateError, match=r"pay period 2026-09 is open, not calculated.*commissions run"):
        pipeline.approve_period(closing, "2026-09", "Ada")
    pipeline.record_calculation(closing, "2026-09", run_id="run-1")
    pipeline.approve_period(closing, "2026-09", "Ada")
    with pytest.raises(PeriodStateError, match=r"2026-09 is approved since .* \(Ada\), not calculated.*export"):
        pipeline.approve_period(closing, "2026-09", "Bob")
    _export(closing, "2026-09", isolated_home)
    with pytest.raises(PeriodStateError, match=r"2026-09 is exported since .*, not calculated"):
        pipeline.approve_period(closing, "2026-09", "Bob")
    approvals = _execute(closing, "select transitioned_by from close.period_transitions where to_state = 'approved'")
    assert approvals == [("Ada",)]


def test_exporting_twice_pays_once_and_reproduces_the_file_from_the_ledger(
    closing: warehouse.Warehouse, isolated_home: Path
) -> None:
    pipeline.record_calculation(closing, "2026-09", run_id="run-1")
    pipeline.approve_period(closing, "2026-09", "Ada")
    first = _export(closing, "2026-09", isolated_home)
    manifest_before = first.manifest_path.read_bytes()
    written_at = first.csv_path.stat().st_mtime_ns

    again = _export(closing, "2026-09", isolated_home)
    assert again.reproduced and again.sha256 == first.sha256
    assert again.csv_path.stat().st_mtime_ns == written_at, "an identical file is not rewritten"
    assert _ledger_count(closing) == 5

    # The marts move on under the closed period (a corrected deal): the file stays as paid.
    _execute(closing, "update finance.payroll_export set amount = 999.99 where employee_id = 'E002'")
    first.csv_path.unlink()
    third = _export(closing, "2026-09", isolated_home)
    assert third.csv_path.read_bytes() == SEPTEMBER_FILE
    assert third.manifest_path.read_bytes() == manifest_before
    assert _ledger_count(closing) == 5
    notes = "\n".join(third.notes)
    assert "pay period 2026-09 is closed (exported): its file is not rewritten" in notes
    assert "not built yet" in notes
    # USD: 1200.50 - 100.00 + 999.99 = 2100.49 now, against 1900.75 exported
    assert "exported EUR 950.00 (1 payees), JPY 120,000 (1 payees), USD 1,900.75 (2 payees)" in notes
    assert "now EUR 950.00 (1 payees), JPY 120,000 (1 payees), USD 2,100.49 (2 payees)" in notes
    assert not list(third.csv_path.parent.glob(".*tmp")), "no temporary file left behind"
    # ...and the next run leaves the exported period as it is.
    assert pipeline.record_calculation(closing, "2026-10", run_id="run-2").transitions[0].period == "2026-10"
    assert _state(closing, "2026-09") == "exported"


def test_a_data_change_under_an_approved_period_voids_its_approval(
    closing: warehouse.Warehouse, isolated_home: Path
) -> None:
    pipeline.record_calculation(closing, "2026-09", run_id="run-1")
    pipeline.approve_period(closing, "2026-09", "Ada")
    _execute(closing, "update finance.payroll_export set amount = 1000.00 where employee_id = 'E003'")

    # The next night is for October, and finds September's lines changed.
    calculation = pipeline.record_calculation(closing, "2026-10", run_id="run-2")
    (voided,) = calculation.voided
    assert (voided.period, voided.from_state, voided.to_state, voided.run_id) == (
        "2026-09",
        "approved",
        "calculated",
        "run-2",
    )
    assert voided.note is not None and voided.note.startswith("approval by Ada at ")
    assert "is void: the period's lines changed (approved EUR 950.00 (1 payees)" in voided.note
    assert "now EUR 1,000.00 (1 payees)" in voided.note
    assert _state(closing, "2026-09") == "calculated"
    with pytest.raises(PeriodNotApproved, match="2026-09 is calculated, not approved"):
        _export(closing, "2026-09", isolated_home)

    # Approved again on the new figures; then a change found at export voids it too.
    pipeline.approve_period(closing, "2026-09", "Ada")
    _execute(closing, "update finance.payroll_export set amount = 1100.00 where employee_id = 'E003'")
    with pytest.raises(PeriodNotApproved, match=r"approval by Ada .* is void.*Nothing exported, no file written"):
        _export(closing, "2026-09", isolated_home)
    assert _state(closing, "2026-09") == "calculated"
    assert not (isolated_home / "exports").exists()
    assert _ledger_count(closing) == 0


def _exported_september(wh: warehouse.Warehouse, home: Path) -> None:
    pipeline.record_calculation(wh, "2026-09", run_id="run-1")
    pipeline.approve_period(wh, "2026-09", "Ada")
    _export(wh, "2026-09", home)


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        ("update close.payout_ledger set amount = amount * 2", "UPDATE"),
        ("update close.payout_ledger set amount = 0 where employee_id = 'nobody'", "UPDATE"),
        ("delete from close.payout_ledger where employee_id = 'E001'", "DELETE"),
        ("truncate close.payout_ledger", "TRUNCATE"),
    ],
)
def test_the_ledger_refuses_update_delete_and_truncate(
    closing: warehouse.Warehouse, isolated_home: Path, statement: str, operation: str
) -> None:
    _exported_september(closing, isolated_home)
    with pytest.raises(psycopg2.errors.RaiseException) as refused:
        _execute(closing, statement)
    assert str(refused.value).splitlines()[0] == f"close.payout_ledger is append-only: {operation} refused"
    assert _ledger_count(closing) == 5
    assert _execute(closing, "select sum(amount) from close.payout_ledger where currency = 'USD'") == [
        (Decimal("1900.75"),)
    ]


@pytest.mark.parametrize("table", ["close.payroll_files", "close.period_transitions", "close.transition_totals"])
def test_the_close_history_is_append_only_too(closing: warehouse.Warehouse, isolated_home: Path, table: str) -> None:
    _exported_september(closing, isolated_home)
    for statement, operation in ((f"delete from {table}", "DELETE"), (f"truncate {table} cascade", "TRUNCATE")):
        with pytest.raises(psycopg2.errors.RaiseException, match=f"{table} is append-only: {operation} refused"):
            _execute(closing, statement)


def test_public_has_no_privilege_and_the_pipeline_role_only_reads_and_appends(
    closing: warehouse.Warehouse, isolated_home: Path
) -> None:
    """The grants docs/operations.md gives a production pipeline role, on a role of this test's own."""
    _exported_september(closing, isolated_home)
    role = f"close_test_pipeline_{os.getpid()}"
    # PUBLIC is grantee 0 in an ACL: nothing on the schema, its tables or its view.
    granted_to_public = _execute(
        closing,
        "select n.nspname from pg_namespace n where n.nspname = 'close' "
        "and exists (select 1 from aclexplode(n.nspacl) a where a.grantee = 0) "
        "union all select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'close' and exists (select 1 from aclexplode(c.relacl) a where a.grantee = 0)",
    )
    assert granted_to_public == []
    _execute(
        closing,
        f"drop role if exists {role}; create role {role}; "
        f"grant usage on schema close to {role}; "
        f"grant select, insert on close.period_transitions, close.transition_totals, close.payroll_files, "
        f"close.payout_ledger to {role}; grant select on close.period_states to {role}; "
        f"grant select on finance.payroll_export to {role}",
    )
    try:
        with warehouse.connect(closing) as conn, conn.cursor() as cur:
            cur.execute(f"set role {role}")
            cur.execute("select count(*) from close.payout_ledger")
            assert cur.fetchone() == (5,)
            ensure_close_objects(cur)  # nothing missing: no DDL, no error
            cur.execute(
                "insert into close.period_transitions (pay_period, from_state, to_state, transitioned_by, payees, "
                "lines_sha256) values ('2026-11', 'open', 'calculated', 'pipeline', 0, 'x') returning transition_id"
            )  # appending needs no privilege on the identity's sequence
            cur.execute("savepoint s")
            with pytest.raises(
                psycopg2.errors.InsufficientPrivilege, match="permission denied for table payout_ledger"
            ):
                cur.execute("update close.payout_ledger set amount = 0")
            cur.execute("rollback to savepoint s")
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("alter table close.payout_ledger disable trigger payout_ledger_is_append_only")
            conn.rollback()
    finally:
        _execute(closing, f"drop owned by {role}; drop role {role}")


def test_the_dags_export_task_skips_a_period_not_approved(
    closing: warehouse.Warehouse, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk.exceptions import AirflowSkipException

    monkeypatch.setenv("COMMISSIONS_WAREHOUSE_URL", closing.sqlalchemy_url)
    assert tasks.record_calculation("2026-09", "run-1") == {
        "period": "2026-09",
        "state": "calculated",
        "approvals_voided": [],
    }
    assert tasks.approve_period("2026-09", None, "run-1") == {"period": "2026-09", "state": "calculated"}
    with pytest.raises(AirflowSkipException, match=r"2026-09 is calculated, not approved.*commissions period approve"):
        tasks.export_payroll("2026-09", "run-1")
    assert not (isolated_home / "exports").exists()

    # Unattended (make run's demo): the DAG's approved_by parameter approves, and the export runs.
    assert tasks.approve_period("2026-09", "make run (demo)", "run-1") == {"period": "2026-09", "state": "approved"}
    exported = tasks.export_payroll("2026-09", "run-1")
    assert exported["approved_by"] == "make run (demo)" and not exported["reproduced"]
    assert Path(exported["csv_path"]).read_bytes() == SEPTEMBER_FILE
    assert tasks.export_payroll("2026-09", "run-2")["reproduced"]


def _cli(wh: warehouse.Warehouse, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMISSIONS_", "AIRFLOW_CONN"))}
    env |= {"COMMISSIONS_WAREHOUSE_URL": wh.sqlalchemy_url, "COMMISSIONS_HOME": str(home)}
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_period_commands(closing: warehouse.Warehouse, isolated_home: Path) -> None:
    refused = _cli(closing, isolated_home, "export", "--period", "2026-09")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "error: pay period 2026-09 is open, not approved: nothing exported, no file written" in refused.stderr
    assert not (isolated_home / "exports").exists()

    refused = _cli(closing, isolated_home, "period", "approve", "--period", "2026-09", "--by", "Ada")
    assert refused.returncode == 1
    assert "error: pay period 2026-09 is open, not calculated" in refused.stderr

    pipeline.record_calculation(closing, "2026-09", run_id="run-1")
    approved = _cli(closing, isolated_home, "period", "approve", "--period", "2026-09", "--by", "Ada")
    assert approved.returncode == 0, approved.stderr
    assert "pay period 2026-09 approved by Ada at " in approved.stdout
    assert "next: export it: commissions export --period 2026-09" in approved.stdout

    shown = _cli(closing, isolated_home, "period", "status")
    assert shown.returncode == 0, shown.stderr
    rows = [line for line in shown.stdout.splitlines() if line.startswith("│ 2026-")]
    assert [row.split("│")[1:3] for row in rows] == [[" 2026-09 ", " approved "], [" 2026-10 ", " open     "]]
    assert "USD 1,900.75 (2)" in shown.stdout
    assert shown.stdout.splitlines()[0].strip() == "pay periods", "nothing but the table on stdout"

    exported = _cli(closing, isolated_home, "export", "--period", "2026-09")
    assert exported.returncode == 0, exported.stderr
    assert (isolated_home / "exports" / "payroll" / "2026-09" / "payroll_2026-09.csv").read_bytes() == SEPTEMBER_FILE


def test_the_ui_approval_shows_the_periods_figures_and_records_the_answer(
    closing: warehouse.Warehouse, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `approve_period` (the human-in-the-loop ApprovalOperator) shows finance, and what an
    answer records: the same lifecycle as `commissions period approve`."""
    monkeypatch.setenv("COMMISSIONS_WAREHOUSE_URL", closing.sqlalchemy_url)
    assert tasks.approval_request("2026-09") is None, "an open period: nothing to ask"
    tasks.record_calculation("2026-09", "run-1")
    pipeline.approve_period(closing, "2026-09", "Ada")
    assert tasks.approval_request("2026-09") is None, "an approved period: nothing to ask"
    tasks.export_payroll("2026-09", "run-1")
    tasks.record_calculation("2026-10", "run-2")

    subject, body = tasks.approval_request("2026-10")
    # October: USD 1500.00 (E001); EUR 700.40 + 300.10 = 1000.50 (E003, E005); no JPY.
    # Against September's approval: USD 1500.00 - 1900.75 = -400.75; EUR 1000.50 - 950.00 = +50.50;
    # JPY 0 - 120000 = -120000.
    assert subject == "Approve pay period 2026-10: EUR 1,000.50 (2 payees), USD 1,500.00 (1 payees)"
    assert "| EUR | 1,000.50 | 2 | +50.50 |" in body
    assert "| JPY | 0 | 0 | -120,000 |" in body
    assert "| USD | 1,500.00 | 1 | -400.75 |" in body
    assert "**3 payees** in all. Change: change against 2026-09's approved totals." in body

    rejected = tasks.record_finance_answer("2026-10", "run-2", approved=False, by="Grace", reason="E005 left in Sept")
    assert rejected == {
        "period": "2026-10",
        "state": "calculated",
        "rejected_by": "Grace",
        "reason": "rejected by Grace: E005 left in Sept",
    }
    last = lifecycle.period_state(closing, "2026-10")
    assert (last.from_state, last.to_state, last.by, last.run_id) == ("calculated", "calculated", "Grace", "run-2")
    with pytest.raises(PeriodNotApproved):
        _export(closing, "2026-10", isolated_home)
    assert tasks.approval_request("2026-10") is not None, "still calculated: finance can be asked again"

    approved = tasks.record_finance_answer("2026-10", "run-3", approved=True, by="Grace", reason="")
    assert approved == {"period": "2026-10", "state": "approved", "approved_by": "Grace"}
    approval = lifecycle.period_state(closing, "2026-10")
    assert [(t.currency, t.change_vs_previous) for t in approval.figures.totals] == [
        ("EUR", Decimal("50.50")),
        ("JPY", Decimal("-120000")),
        ("USD", Decimal("-400.75")),
    ]
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="2026-10 is approved"):
        tasks.record_finance_answer("2026-10", "run-3", approved=False, by="Bob", reason="late")
