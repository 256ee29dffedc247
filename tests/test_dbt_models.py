"""The dbt project on a small hand-made dataset: payouts checked against numbers worked
out by hand below (and against tests/independent_payouts.py), plus dbt's own data and
unit tests, and a check that a broken expectation really fails.

The month is October 2026. Rates on the close dates: 1 EUR = 1.08 USD, 1 GBP = 1.27 USD.

E1  AE, USD, quota 100,000   O1 60,000 USD (10-05), O2 70,000 USD (10-12), 33.33% of O5
    -> bookings 60,000 + 70,000 + 9,999 = 139,999
    -> 100,000 x 10% + 39,999 x 15% = 10,000 + 5,999.85 = 15,999.85 USD
    O7 (50,000 USD) is held in quarantine by the quality gate: left out.
E2  AE, JPY, quota 10,000,000 JPY   O3 1,234,575 JPY -> 10% = 123,457.5 -> 123,458 JPY (half away from zero)
E3  AE, GBP, quota 50,000 GBP   O4 20,000.00 EUR on 10-07: fx round(1.08 / 1.27, 10) = 0.8503937008
    -> 17,007.874016 GBP; 33.33% of O5 = 9,999.00 USD on 10-15: fx round(1 / 1.27, 10) = 0.7874015748
    -> 7,873.2283464252 GBP; total 24,881.1023624252 x 10% = 2,488.11023624252 -> 2,488.11 GBP
E4  AE, USD, quota 100,000   33.34% of O5 = 10,002.00 -> 1,000.20 USD
E5  AE, USD, terminated 2026-09-30   O6 5,000 USD on 10-03 -> not paid, reason not_employed
E6  MANAGER (no plan)   O8 1,000 USD -> not paid, reason no_plan
O5  30,000.00 USD on 10-15 split 33.33 (E1) / 33.33 (E3) / 33.34 (E4); an Overlay split to E2 moves nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from commissions import pipeline, warehouse
from commissions.dbt_runner import DbtError, run_dbt
from commissions.plans import plans_dir

from conftest import fresh_database
from independent_payouts import compute_payouts
from landing_files import Deal, Person, Quota, Rate, Split, write_landing

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2026-10"
STAMP = "2026-10-31T12:00:00+00:00"

MANAGER = "E6"
PEOPLE = [
    Person("E1", "USD", "AE_2026", manager_employee_id=MANAGER),
    Person("E2", "JPY", "AE_2026", hire_date="2021-03-01", manager_employee_id=MANAGER),
    Person("E3", "GBP", "AE_2026", hire_date="2022-05-02", manager_employee_id=MANAGER),
    Person("E4", "USD", "AE_2026", hire_date="2023-01-09", manager_employee_id=MANAGER),
    Person("E5", "USD", "AE_2026", hire_date="2021-07-01", termination_date="2026-09-30", manager_employee_id=MANAGER),
    Person(MANAGER, "USD", None, hire_date="2019-02-01", role="MANAGER"),
]
QUOTAS = [
    Quota("E1", "2026-10-01", "100000.00", "USD"),
    Quota("E2", "2026-10-01", "10000000", "JPY"),
    Quota("E3", "2026-10-01", "50000.00", "GBP"),
    Quota("E4", "2026-10-01", "100000.00", "USD"),
    Quota("E5", "2026-10-01", "100000.00", "USD"),
]
DEALS = [
    Deal("O1", "E1", "60000.00", "USD", "2026-10-05"),
    Deal("O2", "E1", "70000.00", "USD", "2026-10-12"),
    Deal("O3", "E2", "1234575", "JPY", "2026-10-09"),
    Deal("O4", "E3", "20000.00", "EUR", "2026-10-07"),
    Deal("O5", MANAGER, "30000.00", "USD", "2026-10-15"),
    Deal("O6", "E5", "5000.00", "USD", "2026-10-03"),
    Deal("O7", "E1", "50000.00", "USD", "2026-10-20"),
    Deal("O8", MANAGER, "1000.00", "USD", "2026-10-21"),
    Deal("O9", "E1", "99999.00", "USD", "2026-10-02", stage="Closed Lost"),
]
SPLITS = [
    Split("S1", "O5", "E1", "33.33"),
    Split("S2", "O5", "E3", "33.33"),
    Split("S3", "O5", "E4", "33.34"),
    Split("S4", "O5", "E2", "50.00", "Overlay"),
]
RATES = [
    Rate("2026-10-07", "EUR", "1.08"),
    Rate("2026-10-07", "GBP", "1.27"),
    Rate("2026-10-07", "JPY", "0.0067"),  # the year's first rate day: AE_2026's yearly cap converts at it
    Rate("2026-10-15", "GBP", "1.27"),
    Rate("2026-10-09", "EUR", "1.08"),
]

EXPECTED_PAYROLL = {
    ("E1", "USD"): Decimal("15999.85"),
    ("E2", "JPY"): Decimal("123458"),
    ("E3", "GBP"): Decimal("2488.11"),
    ("E4", "USD"): Decimal("1000.20"),
}


def write_dataset(landing: Path) -> None:
    """The dataset above as landing files in the shape of commissions.contracts."""
    write_landing(landing, PEOPLE, DEALS, splits=SPLITS, quotas=QUOTAS, rates=RATES)


def query(wh: warehouse.Warehouse, sql: str, params: tuple = ()) -> list[tuple]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture(scope="module")
def built(embedded_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Load the dataset, quarantine O7 as the gate would, and run `dbt build` once."""
    root = tmp_path_factory.mktemp("dbt_models")
    landing = root / "landing"
    write_dataset(landing)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMMISSIONS_HOME", str(root / "var"))
        wh = fresh_database(embedded_server, "t_dbt_models")
        for system in ("crm", "hr"):
            pipeline.load_system(wh, system, "b1", landing=landing, archive=False)
        with warehouse.connect(wh) as conn, conn.cursor() as cur:
            cur.execute(
                "insert into dq.gate_runs (gate_run_id, run_label, started_at, finished_at, status) "
                "values ('g1', 'test', now(), now(), 'warned')"
            )
            cur.execute(
                "insert into dq.quarantine (gate_run_id, table_name, row_id, rule_name, severity, column_name) "
                "select 'g1', 'crm.opportunities', _row_id, 'amount_suspicious', 'warning', 'amount' "
                "from raw_crm.opportunities where opportunity_id = 'O7'"
            )
        pipeline.publish_plans(wh, plans_dir())  # the plan files in plans/, as the DAG's publish_plans task does
        build = pipeline.run_models(wh)
        yield {"wh": wh, "landing": landing, "built_nodes": node_ids_by_type(build.run_results)}


def test_payroll_export_pays_the_hand_computed_amounts(built: dict) -> None:
    rows = query(
        built["wh"],
        "select employee_id, currency, amount, earnings_code, minor_units from finance.payroll_export "
        "where pay_period = %s",
        (PERIOD,),
    )
    assert {(e, c): a for e, c, a, _, _ in rows} == EXPECTED_PAYROLL
    assert {code for *_, code, _ in rows} == {"COMM"}
    assert {(c, units) for _, c, _, _, units in rows} == {("USD", 2), ("JPY", 0), ("GBP", 2)}


def test_payouts_agree_with_the_independent_calculation(built: dict) -> None:
    expected = compute_payouts(built["landing"], exclude_opportunities={"O7"})
    rows = query(built["wh"], "select employee_id, pay_period, currency, payout_amount from finance.fct_payouts")
    assert {(e, p): (c, a) for e, p, c, a in rows} == {
        k: (p.currency, p.amount) for k, p in expected.items() if p.amount != 0
    }


def test_payout_columns_for_the_ae_crossing_into_tier_two(built: dict) -> None:
    [row] = query(
        built["wh"],
        "select plan_id, period_start::text, credited_bookings, quota, bookings_to_monthly_quota, "
        "commission_unrounded, payout_amount, commission_line_count from finance.fct_payouts where employee_id = 'E1'",
    )
    assert row == (
        "AE_2026",
        "2026-10-01",
        Decimal("139999"),
        Decimal("100000.00"),
        Decimal("1.39999"),
        Decimal("15999.85"),
        Decimal("15999.85"),
        4,
    )


def test_commission_lines_explain_the_deal_that_crosses_a_tier(built: dict) -> None:
    lines = query(
        built["wh"],
        "select opportunity_id, tier_label, rate, tier_base_amount, commission_amount, "
        "attainment_before, attainment_after from pay_lines.int_commission_lines "
        "where employee_id = 'E1' order by credit_date, tier_number",
    )
    assert lines == [
        ("O1", "tier_1", Decimal("0.1"), Decimal("60000"), Decimal("6000"), Decimal("0"), Decimal("0.6")),
        ("O2", "tier_1", Decimal("0.1"), Decimal("40000"), Decimal("4000"), Decimal("0.6"), Decimal("1.3")),
        ("O2", "tier_2", Decimal("0.15"), Decimal("30000"), Decimal("4500"), Decimal("0.6"), Decimal("1.3")),
        ("O5", "tier_2", Decimal("0.15"), Decimal("9999"), Decimal("1499.85"), Decimal("1.3"), Decimal("1.39999")),
    ]
    # Each line names the plan rule that paid it, as written in plans/AE_2026.yaml.
    rules = query(
        built["wh"],
        "select distinct plan_version, component_id, rate_table_type, quota_amount, threshold_met "
        "from pay_lines.int_commission_lines where employee_id = 'E1'",
    )
    assert rules == [("AE_2026 v1", "bookings", "graduated", Decimal("100000.00"), True)]
    # Each line can be traced to the raw row and file it came from.
    lineage = query(
        built["wh"],
        "select l.source_file, l.source_batch_id, o._source_line, s.split_id "
        "from pay_lines.int_commission_lines l "
        "join raw_crm.opportunities o on o._row_id = l.opportunity_row_id "
        "left join raw_crm.opportunity_splits s on s._row_id = l.split_row_id "
        "where l.employee_id = 'E1' and l.opportunity_id = 'O5'",
    )
    assert lineage == [("crm/opportunities.csv", "b1", 6, "S1")]


def test_pay_lines_are_the_contract_and_the_kind_model_keeps_the_evidence(built: dict) -> None:
    """fct_commission_lines is the contract's columns and the name of each line's kind model;
    the line's row there (same commission_line_id) is its evidence, typed as the model keeps it."""
    columns = query(
        built["wh"],
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_schema = 'finance' and table_name = 'fct_commission_lines' order by ordinal_position",
    )
    # every column but component_id is required (null on the kinds that pay no component)
    assert columns == [
        ("commission_line_id", "text", "NO"),
        ("line_type", "text", "NO"),
        ("employee_id", "text", "NO"),
        ("plan_id", "text", "NO"),
        ("plan_version_number", "integer", "NO"),
        ("component_id", "text", "YES"),
        ("pay_period", "text", "NO"),
        ("period_start", "date", "NO"),
        ("commission_amount", "numeric", "NO"),
        ("pay_currency", "text", "NO"),
        ("evidence_key", "text", "NO"),
        ("evidence_model", "text", "NO"),
    ]
    models = dict(query(built["wh"], "select distinct line_type, evidence_model from finance.fct_commission_lines"))
    assert models["commission"] == "pay_lines.int_commission_lines"
    for line_type, model in models.items():
        # every line's row is in the model it names, under its id
        missing = query(
            built["wh"],
            f"select count(*) from finance.fct_commission_lines as lines where line_type = '{line_type}' "
            f"and not exists (select from {model} as kind_row "
            "where kind_row.commission_line_id = lines.commission_line_id)",
        )
        assert (line_type, missing) == (line_type, [(0,)])
    o5 = query(
        built["wh"],
        "select lines.evidence_key, kind_row.credit_id, kind_row.tier_base_amount, kind_row.fx_rate "
        "from finance.fct_commission_lines as lines "
        "inner join pay_lines.int_commission_lines as kind_row using (commission_line_id) "
        "where lines.employee_id = 'E3' and kind_row.opportunity_id = 'O5'",
    )
    # E3's third of O5 (GBP pay, USD deal): 9,999 x 0.7874015748, as in the split test below
    assert len(o5) == 1
    assert o5[0][0] == o5[0][1]
    assert (str(o5[0][2]), str(o5[0][3])) == ("7873.2283464252", "0.7874015748")


def test_three_way_split_and_fx_credits(built: dict) -> None:
    credits = query(
        built["wh"],
        "select split_id, employee_id, split_share, fx_rate, credit_amount, pay_currency "
        "from pay_lines.int_commission_lines where opportunity_id in ('O4', 'O5') order by opportunity_id, split_id",
    )
    assert credits == [
        (None, "E3", Decimal("1"), Decimal("0.8503937008"), Decimal("17007.874016"), "GBP"),
        ("S1", "E1", Decimal("0.3333"), Decimal("1"), Decimal("9999"), "USD"),
        ("S2", "E3", Decimal("0.3333"), Decimal("0.7874015748"), Decimal("7873.2283464252"), "GBP"),
        ("S3", "E4", Decimal("0.3334"), Decimal("1"), Decimal("10002"), "USD"),
    ]


def test_non_commissionable_credits_are_listed_with_their_reason(built: dict) -> None:
    rows = query(
        built["wh"],
        "select opportunity_id, employee_id, reason from ops.ops_non_commissionable_credits order by opportunity_id",
    )
    assert rows == [("O6", "E5", "not_employed"), ("O8", "E6", "no_plan")]


def test_quarantined_deal_is_left_out_and_summarised(built: dict) -> None:
    wh = built["wh"]
    assert query(wh, "select count(*) from staging.stg_crm__opportunities where opportunity_id = 'O7'") == [(0,)]
    assert query(wh, "select count(*) from pay_lines.int_commission_lines where opportunity_id = 'O7'") == [(0,)]
    assert query(wh, "select table_name, rule_name, severity, rows_held from ops.ops_quarantine_summary") == [
        ("crm.opportunities", "amount_suspicious", "warning", 1)
    ]


def test_bi_marts_are_built(built: dict) -> None:
    wh = built["wh"]
    reps = query(
        wh,
        "select employee_id, component_id, window_start::text, window_end::text, measure_to_date, quota, attainment, "
        "component_payout, manager_employee_id, region from bi.fct_attainment order by employee_id",
    )
    # Each AE's October window of the monthly bookings component, as the header works it out: the
    # attainment is the one E1's lines were rated on (their last attainment_after, 1.39999).
    october = ("bookings", "2026-10-01", "2026-10-31")
    d = Decimal
    assert reps == [
        ("E1", *october, d("139999"), d("100000"), d("1.39999"), d("15999.85"), "E6", "NA"),
        ("E2", *october, d("1234575"), d("10000000"), d("0.1234575"), d("123457.5"), "E6", "NA"),
        # 17,007.874016 + 7,873.2283464252 GBP (header) of 50,000 GBP
        ("E3", *october, d("24881.1023624252"), d("50000"), d("0.497622047248504"), d("2488.11023624252"), "E6", "NA"),
        ("E4", *october, d("10002"), d("100000"), d("0.10002"), d("1000.2"), "E6", "NA"),
    ]
    [team] = query(
        wh,
        "select manager_employee_id, measure, unit, reps, measure_to_date, quota, team_attainment, rows_without_rate "
        "from bi.rpt_team_attainment",
    )
    # Measure and quota at each currency's last rate on or before 10-31: JPY 0.0067 (10-07), GBP 1.27 (10-15).
    measured = d("139999") + d("1234575") * d("0.0067") + d("24881.1023624252") * d("1.27") + d("10002")
    quota = d("100000") + d("10000000") * d("0.0067") + d("50000") * d("1.27") + d("100000")
    assert team[:6] == ("E6", "bookings_tcv", "USD", 4, measured, quota)
    assert abs(team[6] - measured / quota) < d("1e-15")
    assert team[7] == 0
    # The bookings against the monthly quota stay available to BI under their own name.
    monthly = "select employee_id, credited_bookings, monthly_quota, bookings_to_monthly_quota"
    monthly += " from bi.fct_monthly_bookings"
    assert query(wh, f"{monthly} where employee_id = 'E1'") == [("E1", d("139999"), d("100000"), d("1.39999"))]


def node_ids_by_type(run_results: Path) -> dict[str, set[str]]:
    """The nodes a dbt command ran (its run_results.json), by resource type."""
    by_type: dict[str, set[str]] = {}
    for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        by_type.setdefault(result["unique_id"].split(".")[0], set()).add(result["unique_id"])
    return by_type


def unit_tests_written() -> set[str]:
    """Every `unit_tests:` entry of the models' yml files, read without dbt."""
    names = set()
    for path in (REPO / "dbt_project" / "models").rglob("*.yml"):
        for unit_test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            names.add(f"unit_test.commissions.{unit_test['model']}.{unit_test['name']}")
    return names


def test_the_nightly_build_runs_the_data_tests_but_no_unit_test(built: dict) -> None:
    """`dbt build` with no selection (the pipeline's dbt stage, as the DAG's build) runs the
    default selector of dbt_project/selectors.yml: the unit tests test code, not the night's data."""
    nodes = built["built_nodes"]
    assert "unit_test" not in nodes
    assert len(nodes["model"]) >= 60 and len(nodes["test"]) >= 250
    assert "test.commissions.assert_payout_is_sum_of_lines_rounded_once" in nodes["test"]


def test_unit_tests_pass(built: dict) -> None:
    """Every unit test written beside a model runs here, in `make test`, and passes."""
    unit_tests = run_dbt(["test", "--select", "test_type:unit"], wh=built["wh"])
    ran = node_ids_by_type(unit_tests.run_results)
    assert len(unit_tests_written()) >= 40
    assert ran == {"unit_test": unit_tests_written()}
    assert unit_tests.statuses == {"pass": len(ran["unit_test"])}


def test_a_broken_expectation_fails(built: dict) -> None:
    """Tamper with one payout: the singular test that re-adds the lines must catch it."""
    wh = built["wh"]
    tamper = "update finance.fct_payouts set payout_amount = payout_amount + %s where employee_id = 'E4'"
    query_exec(wh, tamper, (Decimal("0.01"),))
    try:
        with pytest.raises(DbtError) as caught:
            run_dbt(["test", "--select", "assert_payout_is_sum_of_lines_rounded_once"], wh=wh)
    finally:
        query_exec(wh, tamper, (Decimal("-0.01"),))
    assert "assert_payout_is_sum_of_lines_rounded_once" in str(caught.value)
    assert "1 failing rows" in str(caught.value)
    run_dbt(["test", "--select", "assert_payout_is_sum_of_lines_rounded_once"], wh=wh)


@pytest.mark.parametrize(
    ("singular_test", "tamper", "undo"),
    [
        # a band part that no longer adds up to its credit (E4's 10,002.00, one band)
        (
            "assert_lines_explain_every_commissionable_credit",
            "update pay_lines.int_commission_lines set tier_base_amount = tier_base_amount + 1 "
            "where employee_id = 'E4'",
            "update pay_lines.int_commission_lines set tier_base_amount = tier_base_amount - 1 "
            "where employee_id = 'E4'",
        ),
        # a won deal (O1) that reached no credit
        (
            "assert_every_won_deal_is_credited",
            "update intermediate.int_credits set opportunity_id = 'O1-gone' where opportunity_id = 'O1'",
            "update intermediate.int_credits set opportunity_id = 'O1' where opportunity_id = 'O1-gone'",
        ),
    ],
)
def test_a_singular_test_fails_on_the_data_it_was_written_for(
    built: dict, singular_test: str, tamper: str, undo: str
) -> None:
    wh = built["wh"]
    query_exec(wh, tamper)
    try:
        with pytest.raises(DbtError) as caught:
            run_dbt(["test", "--select", singular_test], wh=wh)
    finally:
        query_exec(wh, undo)
    assert f"{singular_test} [fail] (1 failing rows)" in str(caught.value)
    run_dbt(["test", "--select", singular_test], wh=wh)


@pytest.mark.parametrize(
    "column",
    [
        "commission_amount",  # a line whose amount is unknown (a missing rate) is never paid as nothing
        "component_id",  # a commission line names the component of its plan version it pays
    ],
)
def test_a_line_without_what_the_contract_requires_stops_the_build(built: dict, column: str) -> None:
    """fct_commission_lines' contract constraints are its not-null checks: PostgreSQL refuses the
    line as it is written, so the build fails at the model and the lines of the last build stay."""
    wh = built["wh"]
    where = "where employee_id = 'E4'"  # E4's one commission line, 1,000.20 USD
    [(value,)] = query(wh, f"select {column} from pay_lines.int_commission_lines {where}")
    query_exec(wh, f"update pay_lines.int_commission_lines set {column} = null {where}")
    try:
        with pytest.raises(DbtError) as caught:
            run_dbt(["run", "--select", "fct_commission_lines"], wh=wh)
    finally:
        query_exec(wh, f"update pay_lines.int_commission_lines set {column} = %s {where}", (value,))
    assert "model.commissions.fct_commission_lines [error]" in str(caught.value)
    assert column in str(caught.value)
    assert query(wh, f"select {column} from finance.fct_commission_lines {where}") == [(value,)]


def test_an_adjustment_finer_than_the_currency_stops_the_run(built: dict) -> None:
    """10.005 USD cannot be paid as written: the build fails rather than round it."""
    wh = built["wh"]
    query_exec(
        wh,
        "insert into raw_hr.commission_adjustments (adjustment_id, employee_id, pay_period, amount, currency, "
        "reason, entered_by, approved_by, updated_at, _batch_id, _source_file, _source_line, _record_hash, "
        "_loaded_at) values ('A-FINE', 'E1', '2026-10', 10.005, 'USD', 'Half a cent', 'analyst', 'lead', now(), "
        "'b2', 'hr/commission_adjustments.csv', 2, 'test', now())",
    )
    try:
        with pytest.raises(DbtError) as caught:
            # staging is a table: rebuild the adjustments' staging model with the mart
            run_dbt(["build", "--select", "stg_hr__commission_adjustments", "fct_adjustments"], wh=wh)
    finally:
        query_exec(wh, "delete from raw_hr.commission_adjustments where adjustment_id = 'A-FINE'")
    assert "expression_is_true_fct_adjustments_amount" in str(caught.value)
    assert "1 failing rows" in str(caught.value)
    run_dbt(["build", "--select", "stg_hr__commission_adjustments", "fct_adjustments"], wh=wh)


def test_dbt_error_names_the_problem_when_nothing_ran(built: dict) -> None:
    wh = built["wh"]
    missing = warehouse.Warehouse(wh.host, wh.port, wh.user, wh.password, "no_such_database", wh.embedded)
    with pytest.raises(DbtError, match="no_such_database"):
        run_dbt(["run", "--select", "stg_crm__users"], wh=missing)


def query_exec(wh: warehouse.Warehouse, sql: str, params: tuple = ()) -> None:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(sql, params)


def test_explain_prints_the_derivation_of_a_payout(built: dict) -> None:
    from commissions.explain import explain_payout

    text = explain_payout("E1", PERIOD, built["wh"])
    assert re.search(r"^plan AE_2026: 15,999\.85 USD$", text, re.MULTILINE), text
    assert "AE_2026 v1 component bookings (Bookings commission): graduated rates" in text
    # One attainment: the component window's at the month's end (139,999 of 100,000), which is
    # where the last line's attainment ends (1.39999 -> 140.00 % to the hundredth of a percent).
    window = "window 2026-10-01 to 2026-10-31: bookings_tcv to date 139,999.00 USD of quota 100,000.00 USD"
    assert f"\n    {window}, attainment 140%\n" in text, text
    assert "plans/AE_2026.yaml" in text
    # A block per deal credit, each line with its band, rate and amount; the commissions add up
    # to the hand-computed 15,999.85 (header docstring), which is the payroll line.
    assert re.findall(r"^  (O\d) +credited to (\S+)", text, re.MULTILINE) == [
        ("O1", "owner"),
        ("O2", "owner"),
        ("O5", "S1"),
    ]
    assert "crm/opportunities.csv:6" in text
    rows = [r.split() for r in text.splitlines() if r.startswith("    bookings tier_")]
    assert [r[1] for r in rows] == ["tier_1", "tier_1", "tier_2", "tier_2"]
    commissions = [Decimal(r[-1].replace(",", "")) for r in rows]
    assert commissions == [Decimal("6000"), Decimal("4000"), Decimal("4500"), Decimal("1499.85")]
    assert sum(commissions) == Decimal("15999.85")
    assert re.search(r"^  COMM +15,999\.85 USD +plan AE_2026: the payroll line$", text, re.MULTILINE), text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_explain_rounds_yen_to_whole_yen(built: dict) -> None:
    from commissions.explain import explain_payout

    # 1,234,575 JPY x 10% = 123,457.5 -> 123,458 JPY (half away from zero, JPY has no minor unit)
    text = explain_payout("E2", PERIOD, built["wh"])
    assert "plan AE_2026: 123,458 JPY" in text
    assert re.search(r"bookings tier_1 .* 10% +1,234,575 +123,458$", text, re.MULTILINE), text
    assert re.search(r"^  COMM +123,458 JPY +plan AE_2026: the payroll line$", text, re.MULTILINE), text


def test_explain_says_why_a_credit_earned_nothing(built: dict) -> None:
    from commissions.explain import explain_payout

    text = explain_payout("E5", PERIOD, built["wh"])
    assert "nothing is payable for this period" in text
    assert re.search(r"O6 +owner +2026-10-03 +5,000\.00 USD +not_employed", text), text
