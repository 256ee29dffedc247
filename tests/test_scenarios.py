"""The hand-written scenarios of tests/scenarios.py through the real pipeline.

All scenarios are written into one landing folder and one plan folder (the shipped
plans/ plus the scenarios' own plan files), then loaded with COPY, validated by the
Great Expectations gate, published and built with dbt, once. Each scenario then checks
the payouts of its own people against the amounts worked out by hand.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from commissions import load, warehouse
from commissions.config import paths
from commissions.dbt_runner import run_dbt
from commissions.plans.tables import publish_folder
from commissions.quality.gate import run_gate

from conftest import fresh_database
from landing_files import write_landing
from scenarios import SCENARIOS, Scenario


def _all(attribute: str) -> list:
    return [item for scenario in SCENARIOS for item in getattr(scenario, attribute)]


@pytest.fixture(scope="module")
def pipeline(embedded_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[warehouse.Warehouse]:
    root = tmp_path_factory.mktemp("scenarios")
    landing = root / "landing"
    write_landing(
        landing,
        _all("people"),
        _all("deals"),
        splits=_all("splits"),
        quotas=_all("quotas"),
        rates=_all("rates"),
    )
    plans = root / "plans"
    shutil.copytree(paths().repo_root / "plans", plans)
    for scenario in SCENARIOS:
        for name, text in scenario.plans.items():
            (plans / name).write_text(text, encoding="utf-8")

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMMISSIONS_HOME", str(root / "var"))
        wh = fresh_database(embedded_server, "t_scenarios")
        for system in ("crm", "hr"):
            load.load_system(system, "scenarios", landing=landing, archive=False, wh=wh)
        gate = run_gate(wh, run_label="scenarios")
        # Hand-written data is clean: nothing may be held back, or a scenario would
        # pass or fail for a reason it does not state.
        assert gate.quarantined_rows == 0, gate.summary()
        publish_folder(plans, wh)
        run_dbt(["build"], wh=wh)
        yield wh


def _payouts(wh: warehouse.Warehouse, prefix: str) -> dict[tuple[str, str], tuple[Decimal, str]]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(
            "select employee_id, pay_period, payout_amount, currency from finance.fct_payouts "
            "where employee_id like %s",
            (f"{prefix}-%",),
        )
        return {(e, p): (amount, currency) for e, p, amount, currency in cur.fetchall()}


def test_there_are_a_dozen_scenarios_with_distinct_people() -> None:
    assert len(SCENARIOS) >= 12
    ids = [p.employee_id for p in _all("people")]
    assert len(ids) == len(set(ids))
    assert all(p.employee_id.startswith(f"{s.id}-") for s in SCENARIOS for p in s.people)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{s.id}: {s.title}" for s in SCENARIOS])
def test_scenario_pays_what_was_worked_out_by_hand(pipeline: warehouse.Warehouse, scenario: Scenario) -> None:
    assert _payouts(pipeline, scenario.id) == scenario.expected_payouts()


def test_credits_no_version_covers_are_listed_with_the_reason(pipeline: warehouse.Warehouse) -> None:
    with warehouse.connect(pipeline) as conn, conn.cursor() as cur:
        cur.execute(
            "select opportunity_id, reason from ops.ops_non_commissionable_credits "
            "where employee_id like 'S%%' order by opportunity_id"
        )
        not_paid = cur.fetchall()
    assert not_paid == [
        ("S09-O0", "no_plan_version"),
        ("S10-O2", "not_employed"),
        ("S12-O1", "not_employed"),
    ]


def test_scenario_plans_were_published_from_their_files(pipeline: warehouse.Warehouse) -> None:
    with warehouse.connect(pipeline) as conn, conn.cursor() as cur:
        cur.execute("select plan_id, source_file from plans.plans order by plan_id")
        published = dict(cur.fetchall())
    for scenario in SCENARIOS:
        for name in scenario.plans:
            assert Path(published[Path(name).stem]).name == name
