""" "Your own PostgreSQL": with COMMISSIONS_WAREHOUSE_URL set, the whole nightly run
(Airflow, loader, gate, dbt, export) happens on that server and not on the embedded one.

Uses COMMISSIONS_TEST_EXTERNAL_URL, default postgresql://postgres@127.0.0.1:5432/test
(the PostgreSQL 15 on our machines and CI's), in a database of its own (named with the
session's process id) that it creates and drops. Skipped, with the reason, when no such server answers.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from commissions import warehouse
from commissions_tools.demo.generate import generate

from conftest import fresh_database
from independent_payouts import compute_payouts, payroll_lines

pytestmark = [pytest.mark.external_pg, pytest.mark.e2e]

SERVER_URL = os.environ.get("COMMISSIONS_TEST_EXTERNAL_URL", "postgresql://postgres@127.0.0.1:5432/test")
PERIOD = "2026-09"
CLI = str(Path(sys.executable).with_name("commissions"))


@pytest.fixture(scope="module")
def external_db() -> Iterator[warehouse.Warehouse]:
    server = warehouse.parse_url(SERVER_URL)
    try:
        psycopg2.connect(server.libpq_dsn, connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {server.describe()}: {exc}".strip())
    # A name of this session's own: suites run at the same time on one server (other checkouts,
    # CI jobs) would otherwise drop each other's database in the middle of a run.
    db = fresh_database(server, f"commissions_external_test_{os.getpid()}")
    yield db
    conn = psycopg2.connect(server.libpq_dsn)
    try:
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(db.dbname)))
    finally:
        conn.close()


def test_nightly_run_on_your_own_postgresql(external_db: warehouse.Warehouse, tmp_path: Path) -> None:
    home = tmp_path / "var"
    landing = home / "landing"
    summary = generate(landing, reps=8, months=2, seed=5, end_month=PERIOD, dirty_share=0.02)
    dirty_opportunities = {d["key"] for d in summary.dirty_records if d["table"] == "crm.opportunities"}
    assert dirty_opportunities, "the scenario needs some bad records"
    expected = compute_payouts(landing, exclude_opportunities=dirty_opportunities)
    expected_payroll = payroll_lines(landing, PERIOD, dirty_opportunities)  # before the run archives the files

    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMISSIONS_", "AIRFLOW_", "AIRFLOW__"))}
    env |= {"COMMISSIONS_HOME": str(home), "COMMISSIONS_WAREHOUSE_URL": external_db.sqlalchemy_url}
    proc = subprocess.run(
        [CLI, "run", "--period", PERIOD, "--approve-by", "external test (unattended)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"warehouse: PostgreSQL {external_db.user}@{external_db.host}:{external_db.port}/" in proc.stdout

    # The embedded server was never started.
    assert not (home / "pgdata").exists()

    with warehouse.connect(external_db) as conn, conn.cursor() as cur:
        cur.execute("select employee_id, pay_period, currency, payout_amount from finance.fct_payouts")
        in_marts = {(e, p): (c, a) for e, p, c, a in cur.fetchall() if a != 0}
        cur.execute("select count(*) from dq.quarantine_current")
        (quarantined,) = cur.fetchone()
    assert in_marts == {k: (p.currency, p.amount) for k, p in expected.items() if p.amount != 0}
    assert quarantined >= len(dirty_opportunities)

    folder = home / "exports" / "payroll" / PERIOD
    manifest = json.loads((folder / f"payroll_{PERIOD}.manifest.json").read_text())
    with (folder / manifest["file"]).open(encoding="utf-8", newline="") as fh:
        paid = {
            (r["employee_id"], r["earnings_code"]): (Decimal(r["amount"]), r["currency"]) for r in csv.DictReader(fh)
        }
    assert paid == expected_payroll
    with warehouse.connect(external_db) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from close.payout_ledger where pay_period = %s", (PERIOD,))
        assert cur.fetchone() == (len(paid),), "the ledger holds the file's lines, on your own PostgreSQL too"
