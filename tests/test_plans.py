"""Plans as code: the shipped plan files, the validation messages, exact decimals, publishing."""

from __future__ import annotations

import argparse
import hashlib
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from pydantic import ValidationError

from commissions.plans import plans_dir
from commissions.plans.cli import register
from commissions.plans.loader import PlanError, load_plans
from commissions.plans.schema import Plan
from commissions.plans.tables import TABLES, publish_plans

REPO_PLANS = Path(__file__).resolve().parents[1] / "plans"


@pytest.fixture
def plans_copy(tmp_path: Path) -> Path:
    """A copy of the shipped plans in <tmp>/plans, to break one file at a time."""
    folder = tmp_path / "plans"
    shutil.copytree(REPO_PLANS, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {file}"
    path.write_text(text.replace(old, new))


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plans(folder)
    return caught.value.problems


# ---- the shipped plans ------------------------------------------------------------------


def test_shipped_plans_validate() -> None:
    plans = {p.plan_id: p for p in load_plans(REPO_PLANS)}
    assert set(plans) == {"AE_2026", "AM_2026", "SDR_2026", "MGR_2026", "SPEC_2026"}
    for plan_id, plan in plans.items():
        assert plan.source is not None
        assert plan.source.file == f"plans/{plan_id}.yaml"
        assert plan.source.sha256 == hashlib.sha256((REPO_PLANS / f"{plan_id}.yaml").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("plan_id", "tiers", "clawback", "effective_to"),
    [
        (
            "AE_2026",
            [("0", "1.00", "0.10"), ("1.00", "1.50", "0.15"), ("1.50", "2.00", "0.20")],
            (["refund", "churn", "non_payment"], 90),
            None,
        ),
        ("AM_2026", [("0", "1.00", "0.06"), ("1.00", "1.25", "0.09"), ("1.25", "2.00", "0.12")], None, "2026-06-30"),
    ],
)
def test_ae_and_am_first_versions_are_graduated(
    plan_id: str, tiers: list[tuple[str, str, str]], clawback: tuple[list[str], int] | None, effective_to: str | None
) -> None:
    """Monthly bookings on booking, graduated tiers, cap 2.00, owner + revenue splits, pay currency;
    AE_2026 claws back on refund and churn within 90 days (tests/independent_payouts.py mirrors it)."""
    plan = next(p for p in load_plans(REPO_PLANS) if p.plan_id == plan_id)
    assert (plan.payout_currency, plan.fx_rate_date) == ("pay_currency", "credit_date")
    version = plan.versions[0]
    assert str(version.effective_from) == "2025-01-01"
    assert (None if version.effective_to is None else str(version.effective_to)) == effective_to
    component, *others = version.components
    # AE_2026 also pays 0.5 % of the cash collected on its reps' deals, in the month it arrives,
    # and 1 % of the gross margin of each invoice's share of the deal, in the invoice's month.
    expected_others = (
        [
            ("cash", "collected_cash", "payment", "flat", Decimal("0.005")),
            ("margin", "margin", "invoice", "flat", Decimal("0.01")),
        ]
        if plan_id == "AE_2026"
        else []
    )
    assert [(c.id, c.measure, c.trigger, c.rate_table.type, c.rate_table.rate) for c in others] == expected_others
    assert (component.measure, component.quota_measure, component.trigger, component.scope) == (
        "bookings_tcv",
        "bookings",
        "booking",
        "individual",
    )
    assert (component.quota_period, component.attainment_basis, component.cumulative_true_up) == (
        "month",
        "period_to_date",
        False,
    )
    assert component.crediting is not None
    assert (component.crediting.owner, component.crediting.revenue_splits) == (True, True)
    assert component.crediting.overlays == [] and not component.crediting.manager_rollup
    assert component.rate_table.type == "graduated"
    assert [(t.attainment_from, t.attainment_to, t.rate) for t in component.rate_table.tiers or []] == [
        tuple(Decimal(x) for x in tier) for tier in tiers
    ]
    assert component.caps is not None and component.caps.attainment == Decimal("2.00")
    assert component.threshold is None
    draw = version.draw
    expected_draw = ("recoverable", Decimal("8000.00"), "month", 3, True) if plan_id == "AE_2026" else None
    assert (None if draw is None else (draw.type, draw.amount, draw.period, draw.periods, draw.carry_forward)) == (
        expected_draw
    )
    policy = version.clawback
    assert (None if policy is None else (policy.events, policy.window_days)) == clawback


def test_am_pays_on_a_payout_curve_from_july_2026() -> None:
    """AM_2026 v2, as tests/independent_payouts.py mirrors it: 60,000 USD a year on a curve."""
    plan = next(p for p in load_plans(REPO_PLANS) if p.plan_id == "AM_2026")
    assert len(plan.versions) == 2
    version = plan.versions[1]
    assert (str(version.effective_from), version.effective_to) == ("2026-07-01", None)
    assert version.target_incentive == Decimal("60000.00")
    (component,) = version.components
    assert (component.measure, component.trigger, component.weight, component.rate_table.type) == (
        "bookings_acv",
        "invoice",
        Decimal(1),
        "curve",
    )
    assert [(p.attainment, p.payout) for p in component.rate_table.points or []] == [
        (Decimal("1.00"), Decimal("1.00")),
        (Decimal("1.50"), Decimal("1.75")),
        (Decimal("2.00"), Decimal("2.25")),
    ]
    assert component.threshold == Decimal("0.50")
    assert component.caps is not None and component.caps.attainment == Decimal("2.00")


def test_shipped_plans_are_all_paid_not_examples() -> None:
    # the engine pays every shipped plan: none is marked as an example it does not compute
    for name in ("AE_2026.yaml", "AM_2026.yaml", "MGR_2026.yaml", "SDR_2026.yaml", "SPEC_2026.yaml"):
        first_line = (REPO_PLANS / name).read_text().splitlines()[0]
        assert "not yet computed" not in first_line, name


def test_plans_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COMMISSIONS_PLANS_DIR", raising=False)
    monkeypatch.delenv("COMMISSIONS_REPO_ROOT", raising=False)
    assert plans_dir() == REPO_PLANS
    monkeypatch.setenv("COMMISSIONS_PLANS_DIR", str(tmp_path))
    assert plans_dir() == tmp_path


# ---- exact decimals ---------------------------------------------------------------------


def test_yaml_numbers_are_exact_decimals(plans_copy: Path) -> None:
    edit(plans_copy, "AE_2026.yaml", "rate: 0.10 }", "rate: 0.1 }")
    edit(plans_copy, "SDR_2026.yaml", 'amount_per_unit: "50.00"', "amount_per_unit: 33.333333333333333333")
    plans = {p.plan_id: p for p in load_plans(plans_copy)}
    rate = plans["AE_2026"].versions[0].components[0].rate_table.tiers[0].rate  # type: ignore[index]
    assert rate == Decimal("0.1") and str(rate) == "0.1"
    assert rate != Decimal.from_float(0.1)  # the float 0.1 is 0.1000000000000000055511151231257827...
    per_unit = plans["SDR_2026"].versions[0].components[0].rate_table.amount_per_unit
    assert str(per_unit) == "33.333333333333333333"
    assert str(plans["MGR_2026"].versions[0].target_incentive) == "60000.00"  # quoted string


def test_python_floats_are_refused() -> None:
    with pytest.raises(ValidationError, match="expected a number between 0 and 1"):
        Plan.model_validate(
            {
                "plan_id": "X",
                "name": "x",
                "currency": "USD",
                "versions": [
                    {
                        "effective_from": "2026-01-01",
                        "components": [
                            {
                                "id": "c",
                                "name": "c",
                                "measure": "bookings_acv",
                                "trigger": "booking",
                                "scope": "individual",
                                "quota_period": "month",
                                "attainment_basis": "period_to_date",
                                "crediting": {"owner": True},
                                "rate_table": {"type": "flat", "rate": 0.1},
                            }
                        ],
                    }
                ],
            }
        )


# ---- invalid plan files: file, field path, expectation ----------------------------------

TIERS = "versions[0].components[0].rate_table.tiers"

INVALID = [
    pytest.param(
        "SPEC_2026.yaml",
        "payout_currency: pay_currency ",
        "payout_currency: plan_currency",
        "plans/SPEC_2026.yaml: payout_currency: expected 'pay_currency', got 'plan_currency'",
        id="payout-in-the-plan-currency-is-not-offered",
    ),
    pytest.param(
        "SPEC_2026.yaml",
        "credit_currency: plan_currency",
        "credit_currency: deal_currency",
        "plans/SPEC_2026.yaml: credit_currency: expected 'pay_currency' or 'plan_currency', got 'deal_currency'",
        id="credit-currency-unknown",
    ),
    pytest.param(
        "AE_2026.yaml",
        "{ from: 1.00, to: 1.50",
        "{ from: 1.10, to: 1.50",
        f"plans/AE_2026.yaml: {TIERS}[1].from: expected 1.00 (where tiers[0] ends; tiers must not gap), got '1.10'",
        id="tiers-with-a-gap",
    ),
    pytest.param(
        "AE_2026.yaml",
        "{ from: 1.50, to: 2.00",
        "{ from: 1.40, to: 2.00",
        f"plans/AE_2026.yaml: {TIERS}[2].from: expected 1.50 (where tiers[1] ends; tiers must not overlap), got '1.40'",
        id="tiers-overlapping",
    ),
    pytest.param(
        "AM_2026.yaml",
        "{ from: 0.00, to: 1.00",
        "{ from: 0.50, to: 1.00",
        f"plans/AM_2026.yaml: {TIERS}[0].from: expected 0 (tiers start at 0), got '0.50'",
        id="tiers-not-from-zero",
    ),
    pytest.param(
        "AE_2026.yaml",
        "rate: 0.20 }",
        "rate: 1.5 }",
        f"plans/AE_2026.yaml: {TIERS}[2].rate: expected a number between 0 and 1, got '1.5'",
        id="rate-above-one",
    ),
    pytest.param(
        "AE_2026.yaml",
        "rate: 0.15 }",
        "rate: 0.1.5 }",
        f"plans/AE_2026.yaml: {TIERS}[1].rate: expected a number between 0 and 1, got '0.1.5'",
        id="rate-float-looking-garbage",
    ),
    pytest.param(
        "AE_2026.yaml",
        "rate: 0.15 }",
        "rate: 15% }",
        f"plans/AE_2026.yaml: {TIERS}[1].rate: expected a number between 0 and 1, got '15%'",
        id="rate-as-percent-text",
    ),
    pytest.param(
        "AE_2026.yaml",
        "attainment: 2.00 ",
        "attainment: 2.50 ",
        f"plans/AE_2026.yaml: {TIERS}[2].to: expected the last tier to reach up to caps.attainment (2.50) "
        "or to have no end, got '2.00'",
        id="tiers-end-below-the-cap",
    ),
    pytest.param(
        "MGR_2026.yaml",
        "weight: 0.60",
        "weight: 0.50",
        "plans/MGR_2026.yaml: versions[0].components: expected weights summing to 1.00 (100 %), got '0.90'",
        id="weights-summing-to-90",
    ),
    pytest.param(
        "MGR_2026.yaml",
        "{ attainment: 1.50, payout: 2.00 }",
        "{ attainment: 0.90, payout: 2.00 }",
        "plans/MGR_2026.yaml: versions[0].components[0].rate_table.points[2].attainment: expected more than 1.00 "
        "(points in ascending attainment), got '0.90'",
        id="curve-points-not-ascending",
    ),
    pytest.param(
        "MGR_2026.yaml",
        "            - { attainment: 0.00, payout: 0.00 }",
        "            - { attainment: 0.00, payout: 0.10 }",
        "plans/MGR_2026.yaml: versions[0].components[1].rate_table.points[0].payout: expected 0 at attainment 0 "
        "(a curve starts at 0), got 0.10",
        id="curve-paying-at-zero-attainment",
    ),
    pytest.param(
        "AE_2026.yaml",
        "trigger: booking\n        scope: individual\n",
        "trigger: booking\n        scope: individual\n        accelerator: 1.2\n",
        "plans/AE_2026.yaml: versions[0].components[0].accelerator: expected one of the keys activity, "
        "attainment_basis, caps, crediting, cumulative_true_up, id, measure, name, quota_measure, quota_period, "
        "rate_table, scope, threshold, trigger, weight, got an unknown key",
        id="unknown-mechanic-key",
    ),
    pytest.param(
        "AE_2026.yaml",
        "type: graduated",
        "type: stepped",
        "plans/AE_2026.yaml: versions[0].components[0].rate_table.type: expected 'flat', 'graduated', "
        "'retroactive' or 'curve', got 'stepped'",
        id="unknown-rate-table-type",
    ),
    pytest.param(
        "AE_2026.yaml",
        "measure: bookings_tcv ",
        "measure: collected_cash ",
        "plans/AE_2026.yaml: versions[0].components[0].trigger: expected 'payment' for measure collected_cash, "
        "got 'booking'",
        id="trigger-invalid-for-measure",
    ),
    pytest.param(
        "AE_2026.yaml",
        "trigger: booking\n        scope: individual\n",
        "trigger: booking\n",
        "plans/AE_2026.yaml: versions[0].components[0].scope: expected a value (required), got nothing",
        id="missing-field",
    ),
    pytest.param(
        "AE_2026.yaml",
        "plan_id: AE_2026",
        "plan_id: AE_2025",
        "plans/AE_2026.yaml: plan_id: expected 'AE_2026' (the file name), got 'AE_2025'",
        id="plan-id-not-the-file-name",
    ),
    pytest.param(
        "AE_2026.yaml",
        "        name: Bookings commission\n",
        "        name: Bookings: commission\n",
        "plans/AE_2026.yaml: line 17, column 23: invalid YAML (mapping values are not allowed here)",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "AE_2026.yaml",
        "trigger: booking\n        scope: individual\n",
        "trigger: booking\n        scope: individual\n        scope: team\n",
        "plans/AE_2026.yaml: line 22, column 9: invalid YAML (while reading a mapping found the key 'scope' twice)",
        id="yaml-duplicate-key",
    ),
    pytest.param(
        "SDR_2026.yaml",
        "type: non_recoverable ",
        "type: non_recoverable\n      carry_forward: true ",
        "plans/SDR_2026.yaml: versions[0].draw.carry_forward: expected false for a non_recoverable draw "
        "(nothing is recovered)",
        id="draw-carry-forward-without-recovery",
    ),
    pytest.param(
        "MGR_2026.yaml",
        '          - { rank: 3, amount: "1000.00" }',
        '          - { rank: 4, amount: "1000.00" }',
        "plans/MGR_2026.yaml: versions[0].contests[0].prizes[2].rank: expected 3 (ranks 1, 2, 3... in order), got 4",
        id="contest-ranks-skip",
    ),
    pytest.param(
        "MGR_2026.yaml",
        "ends_on: 2026-06-30",
        "ends_on: 2026-03-31",
        "plans/MGR_2026.yaml: versions[0].contests[0].ends_on: expected 2026-04-01 (starts_on) or later, "
        "got '2026-03-31'",
        id="contest-ends-before-it-starts",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), INVALID)
def test_invalid_plan_names_file_field_and_expectation(
    plans_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    edit(plans_copy, file, old, new)
    assert expected in problems_of(plans_copy)


SECOND_VERSION = """
  - effective_from: {start}
    components:
      - id: bookings
        name: Bookings commission
        measure: bookings_tcv
        trigger: booking
        scope: individual
        quota_period: month
        attainment_basis: period_to_date
        crediting: {{owner: true}}
        rate_table: {{type: flat, rate: 0.05}}
"""


def test_overlapping_versions(plans_copy: Path) -> None:
    edit(
        plans_copy,
        "AE_2026.yaml",
        "  - effective_from: 2025-01-01\n",
        "  - effective_from: 2025-01-01\n    effective_to: 2026-09-30\n",
    )
    with (plans_copy / "AE_2026.yaml").open("a") as fh:
        fh.write(SECOND_VERSION.format(start="2026-09-01"))
    assert problems_of(plans_copy) == [
        "plans/AE_2026.yaml: versions[1].effective_from: expected a date after 2026-09-30 (versions[0] ends then; "
        "versions in date order, not overlapping), got '2026-09-01'"
    ]


def test_open_version_followed_by_another(plans_copy: Path) -> None:
    with (plans_copy / "AE_2026.yaml").open("a") as fh:
        fh.write(SECOND_VERSION.format(start="2026-07-01"))
    assert problems_of(plans_copy) == [
        "plans/AE_2026.yaml: versions[0].effective_to: expected a date before 2026-07-01 (versions[1] starts then; "
        "only the last version may be open), got nothing"
    ]


def test_consecutive_versions_are_fine(plans_copy: Path) -> None:
    edit(
        plans_copy,
        "AE_2026.yaml",
        "  - effective_from: 2025-01-01\n",
        "  - effective_from: 2025-01-01\n    effective_to: 2026-09-30\n",
    )
    with (plans_copy / "AE_2026.yaml").open("a") as fh:
        fh.write(SECOND_VERSION.format(start="2026-10-01"))
    ae = next(p for p in load_plans(plans_copy) if p.plan_id == "AE_2026")
    assert [str(v.effective_from) for v in ae.versions] == ["2025-01-01", "2026-10-01"]
    assert ae.version_on(date(2026, 10, 1)) is ae.versions[1]


def test_every_problem_of_every_file_is_listed(plans_copy: Path) -> None:
    edit(plans_copy, "AE_2026.yaml", "rate: 0.20 }", "rate: 1.5 }")
    first_scope = "trigger: booking\n        scope: "  # the bookings component's, not the cash one's
    edit(plans_copy, "AE_2026.yaml", first_scope + "individual", first_scope + "everyone")
    edit(plans_copy, "AM_2026.yaml", "currency: USD", "currency: usd")
    assert problems_of(plans_copy) == [
        "plans/AE_2026.yaml: versions[0].components[0].scope: expected 'individual', 'team' or 'region', "
        "got 'everyone'",
        f"plans/AE_2026.yaml: {TIERS}[2].rate: expected a number between 0 and 1, got '1.5'",
        "plans/AM_2026.yaml: currency: expected an ISO 4217 currency code (e.g. USD), got 'usd'",
    ]


def test_duplicate_plan_ids_are_rejected(plans_copy: Path) -> None:
    shutil.copy(plans_copy / "AE_2026.yaml", plans_copy / "AE_2026.yml")
    assert problems_of(plans_copy) == [
        "plans/AE_2026.yml: plan_id: expected a plan id not used by another file, got 'AE_2026' "
        "(also in plans/AE_2026.yaml)"
    ]


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: no plan files (*.yaml, *.yml)"]
    assert "no such folder" in problems_of(tmp_path / "nope")[0]


# ---- publishing into the warehouse ------------------------------------------------------


def _fetch(db, sql: str) -> list[tuple]:
    conn = psycopg2.connect(db.libpq_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def test_publish_writes_exact_numeric_tiers(db) -> None:
    publication = publish_plans(load_plans(REPO_PLANS), db)
    assert publication.plan_ids == ("AE_2026", "AM_2026", "MGR_2026", "SDR_2026", "SPEC_2026")
    assert publication.row_counts["rate_tiers"] == 12
    tiers = _fetch(
        db,
        "select plan_id, version_number, component_id, tier_number, attainment_from::text, attainment_to::text, "
        "coalesce(rate::text, amount_per_unit::text || ' a unit') "
        "from plans.rate_tiers order by plan_id, version_number, component_id, tier_number",
    )
    assert tiers == [
        ("AE_2026", 1, "bookings", 1, "0.00", "1.00", "0.10"),
        ("AE_2026", 1, "bookings", 2, "1.00", "1.50", "0.15"),
        ("AE_2026", 1, "bookings", 3, "1.50", "2.00", "0.20"),
        ("AM_2026", 1, "bookings", 1, "0.00", "1.00", "0.06"),
        ("AM_2026", 1, "bookings", 2, "1.00", "1.25", "0.09"),
        ("AM_2026", 1, "bookings", 3, "1.25", "2.00", "0.12"),
        ("SPEC_2026", 1, "analytics_overlay", 1, "0.00", "1.00", "0.01"),
        ("SPEC_2026", 1, "analytics_overlay", 2, "1.00", None, "0.015"),
        ("SPEC_2026", 2, "analytics_first_year", 1, "0.00", "1.00", "0.015"),
        ("SPEC_2026", 2, "analytics_first_year", 2, "1.00", None, "0.02"),
        ("SPEC_2026", 2, "analytics_units", 1, "0.00", "1.00", "0.10 a unit"),
        ("SPEC_2026", 2, "analytics_units", 2, "1.00", None, "0.20 a unit"),
    ]
    assert _fetch(db, "select rate from plans.rate_tiers where plan_id = 'AE_2026' and tier_number = 1") == [
        (Decimal("0.10"),)
    ]
    components = _fetch(
        db,
        "select plan_id, version_number, measure, payment_trigger, quota_period, cap_attainment::text, "
        "credit_owner, credit_revenue_splits, rate_table_type, weight::text from plans.plan_components "
        "where plan_id like 'A%' order by plan_id, version_number, component_number",
    )
    assert components == [
        ("AE_2026", 1, "bookings_tcv", "booking", "month", "2.00", True, True, "graduated", None),
        ("AE_2026", 1, "collected_cash", "payment", "month", None, True, True, "flat", None),
        ("AE_2026", 1, "margin", "invoice", "month", None, True, True, "flat", None),
        ("AM_2026", 1, "bookings_tcv", "booking", "month", "2.00", True, True, "graduated", None),
        ("AM_2026", 2, "bookings_acv", "invoice", "month", "2.00", True, True, "curve", "1.00"),
    ]
    assert _fetch(
        db,
        "select plan_id, point_number, attainment::text, payout::text from plans.curve_points "
        "where component_id = 'team_bookings' order by point_number",
    ) == [
        ("MGR_2026", 1, "0.50", "0.00"),
        ("MGR_2026", 2, "1.00", "1.00"),
        ("MGR_2026", 3, "1.50", "2.00"),
    ]
    # the demo prorates hire, termination and unpaid-leave days in the plans (HR states whole months)
    assert _fetch(
        db,
        "select plan_id, version_number, prorate_hire, prorate_termination, prorate_unpaid_leave "
        "from plans.plan_versions where plan_id like 'A%' order by plan_id, version_number",
    ) == [
        ("AE_2026", 1, True, True, True),
        ("AM_2026", 1, False, False, False),
        ("AM_2026", 2, True, True, True),
    ]
    money_types = _fetch(
        db,
        "select distinct data_type from information_schema.columns where table_schema = 'plans' and column_name "
        "in ('rate', 'amount', 'amount_per_unit', 'attainment_from', 'target_incentive', 'weight', 'payout')",
    )
    assert money_types == [("numeric",)]


def test_publish_twice_replaces_and_logs_each_publication(db) -> None:
    plans = load_plans(REPO_PLANS)
    first = publish_plans(plans, db)
    second = publish_plans(plans, db)
    assert second.publication_id > first.publication_id
    for table in TABLES:
        count = _fetch(db, f"select count(*) from {table.qualified_name}")[0][0]
        assert count == second.row_counts[table.name], table.name
    key = "(plan_id, version_number, component_id, tier_number)"
    assert _fetch(db, f"select count(*), count(distinct {key}) from plans.rate_tiers") == [(12, 12)]
    ledger = _fetch(db, "select publication_id, files, sha256s from plans.plan_publications order by 1")
    assert [row[0] for row in ledger] == [first.publication_id, second.publication_id]
    files = sorted(REPO_PLANS.glob("*.yaml"))
    assert ledger[1][1] == [f"plans/{f.name}" for f in files]
    assert ledger[1][2] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert _fetch(db, "select distinct publication_id from plans.plans") == [(second.publication_id,)]


def test_publish_adds_the_columns_a_newer_release_brought(db) -> None:
    # a warehouse whose plans tables an older release created: no credit_currency yet
    plans = load_plans(REPO_PLANS)
    publish_plans(plans, db)
    conn = psycopg2.connect(db.libpq_dsn)
    with conn, conn.cursor() as cur:
        cur.execute("alter table plans.plans drop column credit_currency")
    conn.close()
    publish_plans(plans, db)
    rows = _fetch(db, "select plan_id, credit_currency from plans.plans order by 1")
    assert rows == [
        ("AE_2026", "pay_currency"),
        ("AM_2026", "pay_currency"),
        ("MGR_2026", "pay_currency"),
        ("SDR_2026", "pay_currency"),
        ("SPEC_2026", "plan_currency"),
    ]


def test_publish_is_all_or_nothing(db, plans_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commissions.plans import tables

    publish_plans(load_plans(REPO_PLANS), db)
    edit(plans_copy, "AE_2026.yaml", "rate: 0.10 }", "rate: 0.11 }")
    real_insert = tables._insert

    def failing_insert(cur, table, rows):
        if table.name == "curve_points":
            raise RuntimeError("connection lost")
        real_insert(cur, table, rows)

    monkeypatch.setattr(tables, "_insert", failing_insert)
    with pytest.raises(RuntimeError):
        publish_plans(load_plans(plans_copy), db)
    assert _fetch(db, "select rate::text from plans.rate_tiers where plan_id = 'AE_2026' and tier_number = 1") == [
        ("0.10",)
    ]
    assert _fetch(db, "select count(*) from plans.plan_publications") == [(1,)]


# ---- command line -----------------------------------------------------------------------


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="commissions")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_validate(plans_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["plans", "validate", "--dir", str(plans_copy)]) == 0
    assert "ok  plans/AE_2026.yaml" in capsys.readouterr().out
    edit(plans_copy, "AE_2026.yaml", "rate: 0.20 }", "rate: 1.5 }")
    assert _cli(["plans", "validate", "--dir", str(plans_copy)]) == 1
    assert f"plans/AE_2026.yaml: {TIERS}[2].rate: expected a number between 0 and 1" in capsys.readouterr().err


def test_cli_publish(db, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COMMISSIONS_WAREHOUSE_URL", db.sqlalchemy_url)
    monkeypatch.setenv("COMMISSIONS_PLANS_DIR", str(REPO_PLANS))
    assert _cli(["plans", "publish"]) == 0
    out = capsys.readouterr().out
    assert "plans/AE_2026.yaml  sha256 " in out
    assert _fetch(db, "select count(*) from plans.plans") == [(5,)]


# ---- per-transaction rate tables ----------------------------------------------------------

PER_DEAL = """plan_id: PER_DEAL
name: Per-deal tiers
currency: USD
versions:
  - effective_from: 2026-01-01
    components:
      - id: deals
        name: Per deal
        measure: bookings_tcv
        quota_measure: bookings
        trigger: {trigger}
        scope: individual
        quota_period: month
        attainment_basis: period_to_date
        crediting: {{owner: true}}{more}
        rate_table:
          type: {type}
          per: transaction
          tiers:
            - {{from: 0, to: "5000.00", rate: 0.02}}
            - {{from: "5000.00", to: "10000.00", rate: 0.04}}
            - {{from: "10000.00", rate: 0.06}}
"""


def _per_deal_file(tmp_path: Path) -> Path:
    """<tmp>/plans/PER_DEAL.yaml, so messages name plans/PER_DEAL.yaml."""
    (tmp_path / "plans").mkdir(exist_ok=True)
    return tmp_path / "plans" / "PER_DEAL.yaml"


def _per_deal_problems(
    tmp_path: Path, *, type: str = "graduated", trigger: str = "booking", more: str = ""
) -> list[str]:
    _per_deal_file(tmp_path).write_text(PER_DEAL.format(type=type, trigger=trigger, more=more))
    with pytest.raises(PlanError) as caught:
        load_plans(tmp_path / "plans")
    return caught.value.problems


def test_per_transaction_tiers_are_amounts_of_a_deal(tmp_path: Path) -> None:
    _per_deal_file(tmp_path).write_text(PER_DEAL.format(type="graduated", trigger="payment", more=""))
    (plan,) = load_plans(tmp_path / "plans")
    table = plan.versions[0].components[0].rate_table
    assert table.per == "transaction"
    assert [(t.attainment_from, t.attainment_to, t.rate) for t in table.tiers or []] == [
        (Decimal("0"), Decimal("5000.00"), Decimal("0.02")),
        (Decimal("5000.00"), Decimal("10000.00"), Decimal("0.04")),
        (Decimal("10000.00"), None, Decimal("0.06")),
    ]


_COMPONENT = "plans/PER_DEAL.yaml: versions[0].components[0]"


@pytest.mark.parametrize(
    ("type", "trigger", "more", "expected"),
    [
        (
            "graduated",
            "booking",
            "\n        threshold: 0.50",
            f"{_COMPONENT}.threshold: expected no threshold (a per-transaction table rates each deal on its own "
            "amount, not on attainment), got '0.50'",
        ),
        (
            "graduated",
            "booking",
            "\n        caps: {attainment: 2.00}",
            f"{_COMPONENT}.caps.attainment: expected no caps.attainment (a per-transaction table rates each deal "
            "on its own amount; caps.per_deal caps a deal's commission), got '2.00'",
        ),
        (
            "graduated",
            "booking",
            "\n        cumulative_true_up: true",
            f"{_COMPONENT}.cumulative_true_up: expected false (a per-transaction table rates each deal on its own "
            "amount: a later deal re-rates nothing), got true",
        ),
        (
            "retroactive",
            "payment",
            "",
            f"{_COMPONENT}.trigger: expected 'booking' for a retroactive per-transaction table (the deal's rate "
            "would depend on invoices or payments still to come; use graduated), got 'payment'",
        ),
    ],
    ids=["threshold", "attainment-cap", "true-up", "retroactive-on-payments"],
)
def test_per_transaction_refuses_what_needs_attainment(
    tmp_path: Path, type: str, trigger: str, more: str, expected: str
) -> None:
    assert expected in _per_deal_problems(tmp_path, type=type, trigger=trigger, more=more)


def test_per_transaction_only_on_tiers(tmp_path: Path) -> None:
    text = PER_DEAL.format(type="flat", trigger="booking", more="").replace(
        '          tiers:\n            - {from: 0, to: "5000.00", rate: 0.02}\n'
        '            - {from: "5000.00", to: "10000.00", rate: 0.04}\n'
        '            - {from: "10000.00", rate: 0.06}\n',
        "          rate: 0.02\n",
    )
    _per_deal_file(tmp_path).write_text(text)
    with pytest.raises(PlanError) as caught:
        load_plans(tmp_path / "plans")
    assert (
        f"{_COMPONENT}.rate_table.per: expected per: period in a flat rate table (only graduated and retroactive "
        "tiers rate each transaction), got 'transaction'"
    ) in caught.value.problems


def test_per_transaction_caps_per_deal_allowed(tmp_path: Path) -> None:
    _per_deal_file(tmp_path).write_text(
        PER_DEAL.format(type="retroactive", trigger="booking", more='\n        caps: {per_deal: "500.00"}')
    )
    (plan,) = load_plans(tmp_path / "plans")
    assert plan.versions[0].components[0].caps is not None
