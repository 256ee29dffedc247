"""Hand-written compensation scenarios: a few people and deals each, in the source export
formats, with the payout of every person and period worked out by hand.

Each scenario owns its people (employee ids start with the scenario id) and may bring
its own plan files; tests/test_scenarios.py runs them all through the real pipeline
(load, quality gate, plan publication, dbt build) in one warehouse and compares
finance.fct_payouts with `expected`, person by person. A person of the scenario absent
from `expected` must not be paid at all.

Adding a mechanic to the engine means adding a scenario here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from landing_files import (
    Activity,
    Adjustment,
    CreditNote,
    Deal,
    Invoice,
    Leave,
    LineItem,
    MboScore,
    Payment,
    Person,
    Quota,
    Rate,
    Split,
)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    people: list[Person]
    deals: list[Deal]
    expected: dict[tuple[str, str], tuple[str, str]]  # (employee, period) -> (amount, currency)
    splits: list[Split] = field(default_factory=list)
    quotas: list[Quota] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)  # plan file name -> YAML
    adjustments: list[Adjustment] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    mbo_scores: list[MboScore] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    #: (employee, period) -> adjustments paid (ADJ), when the scenario has any
    expected_adjustments: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def expected_payouts(self) -> dict[tuple[str, str], tuple[Decimal, str]]:
        return {key: (Decimal(amount), currency) for key, (amount, currency) in self.expected.items()}

    def expected_adjustment_totals(self) -> dict[tuple[str, str], tuple[Decimal, str]]:
        return {key: (Decimal(amount), currency) for key, (amount, currency) in self.expected_adjustments.items()}


def _bookings_plan(plan_id: str, versions: str, credit_currency: str = "pay_currency") -> str:
    """A USD plan with the `versions` YAML; credits in the pay currency unless said."""
    return f"""plan_id: {plan_id}
name: Scenario plan {plan_id}
currency: USD
credit_currency: {credit_currency}
payout_currency: pay_currency
fx_rate_date: credit_date
versions:
{versions}"""


def _component_head(
    component_id: str = "bookings",
    *,
    quota_period: str = "month",
    attainment_basis: str = "period_to_date",
    more: str = "",
    measure: str = "bookings_tcv",
    trigger: str = "booking",
) -> str:
    """The keys of a deal component before its rate table; `more` adds lines (weight, true-up)."""
    return f"""        id: {component_id}
        name: Bookings commission {component_id}
        measure: {measure}
        quota_measure: bookings
        trigger: {trigger}
        scope: individual
        quota_period: {quota_period}
        attainment_basis: {attainment_basis}
        crediting: {{owner: true, revenue_splits: true}}{more}"""


_COMPONENT_HEAD = _component_head()


def _ten_percent_to_quota_then(rate_above: str) -> str:
    """A graduated rate table: 10 % up to the quota, `rate_above` beyond it."""
    return f"""        rate_table:
          type: graduated
          tiers:
            - {{from: 0.00, to: 1.00, rate: 0.10}}
            - {{from: 1.00, rate: {rate_above}}}"""


_WEIGHT = "\n        weight: {}"

RETROACTIVE_PLAN = _bookings_plan(
    "SCN_RETRO",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table:
          type: retroactive
          tiers:
            - {{from: 0.00, to: 1.00, rate: 0.08}}
            - {{from: 1.00, to: 2.00, rate: 0.12}}
        caps: {{attainment: 2.00}}
""",
)

FLAT_THRESHOLD_PLAN = _bookings_plan(
    "SCN_FLAT",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.05}}
        threshold: 0.50
""",
)

VERSIONED_PLAN = _bookings_plan(
    "SCN_VERSIONED",
    f"""  - effective_from: 2026-01-01
    effective_to: 2026-08-31
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.05}}
  - effective_from: 2026-09-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.07}}
""",
)


CAPPED_PLAN = _bookings_plan(
    "SCN_CAPPED",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
        caps: {{per_deal: "3000.00", per_period: "5000.00"}}
""",
)


CLAWBACK_PLAN = _bookings_plan(
    "SCN_CLAWBACK",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
    clawback:
      events: [refund, churn]
      window_days: 90
      recover_in: period_discovered
""",
)


CURVE_PLAN = _bookings_plan(
    "SCN_CURVE",
    f"""  - effective_from: 2026-01-01
    target_incentive: "120000.00"
    components:
      -
{_component_head("bookings_curve", more=_WEIGHT.format("0.60"))}
        rate_table:
          type: curve
          points:
            - {{attainment: 0.50, payout: 0.00}}
            - {{attainment: 1.00, payout: 1.00}}
            - {{attainment: 1.50, payout: 2.00}}
        caps: {{attainment: 1.50}}
      -
{_component_head("bookings_rate", more=_WEIGHT.format("0.40"))}
        rate_table: {{type: flat, rate: 0.02}}
""",
)


QUARTERLY_PLAN = _bookings_plan(
    "SCN_QUARTERLY",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_component_head(quota_period="quarter")}
{_ten_percent_to_quota_then("0.20")}
""",
)

MID_QUARTER_PLAN = _bookings_plan(
    "SCN_MID_QUARTER",
    f"""  - effective_from: 2026-01-01
    effective_to: 2026-08-14
    components:
      -
{_component_head(quota_period="quarter")}
{_ten_percent_to_quota_then("0.20")}
  - effective_from: 2026-08-15
    components:
      -
{_component_head(quota_period="quarter")}
{_ten_percent_to_quota_then("0.20")}
""",
)


YTD_TRUE_UP_PLAN = _bookings_plan(
    "SCN_YTD",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_component_head(attainment_basis="year_to_date", more=chr(10) + "        cumulative_true_up: true")}
        rate_table:
          type: retroactive
          tiers:
            - {{from: 0.00, to: 1.00, rate: 0.08}}
            - {{from: 1.00, rate: 0.12}}
""",
)


YEAR_CAP_PLAN = _bookings_plan(
    "SCN_YEAR_CAP",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
        caps: {{per_year: "10000.00"}}
""",
)


GUARANTEE_PLAN = _bookings_plan(
    "SCN_GUARANTEE",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
    draw: {{type: non_recoverable, amount: "5000.00", period: month, periods: 2}}
""",
)


PRORATED_PLAN = _bookings_plan(
    "SCN_PRORATED",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
{_ten_percent_to_quota_then("0.20")}
    draw: {{type: non_recoverable, amount: "3000.00", period: month, periods: 2}}
    proration: {{hire: true, termination: true, unpaid_leave: true}}
""",
)


NON_PAYMENT_PLAN = _bookings_plan(
    "SCN_NON_PAYMENT",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
    clawback:
      events: [non_payment]
      window_days: 30
      recover_in: period_discovered
""",
)


QUARTER_DRAW_PLAN = _bookings_plan(
    "SCN_QUARTER_DRAW",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
    draw: {{type: recoverable, amount: "9000.00", period: quarter, periods: 1, carry_forward: true}}
""",
)


UNITS_PLAN = _bookings_plan(
    "SCN_UNITS",
    """  - effective_from: 2026-01-01
    components:
      - id: seats
        name: Seats sold
        measure: units
        quota_measure: units
        trigger: booking
        scope: individual
        quota_period: month
        attainment_basis: period_to_date
        crediting: {owner: true, revenue_splits: true}
        rate_table: {type: flat, amount_per_unit: "20.00"}
""",
)


MARGIN_PLAN = _bookings_plan(
    "SCN_MARGIN",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_component_head("margin", measure="margin", trigger="invoice")}
        rate_table: {{type: flat, rate: 0.02}}
""",
)

TEAM_PLAN = _bookings_plan(
    "SCN_TEAM",
    """  - effective_from: 2026-01-01
    components:
      - id: team
        name: Team bookings
        measure: bookings_tcv
        quota_measure: bookings
        trigger: booking
        scope: team
        quota_period: month
        attainment_basis: period_to_date
        crediting: {owner: false, manager_rollup: true}
        rate_table: {type: flat, rate: 0.02}
""",
)

MBO_PLAN = _bookings_plan(
    "SCN_MBO",
    """  - effective_from: 2026-01-01
    target_incentive: "48000.00"
    components:
      - id: objectives
        name: Management objectives
        measure: mbo_score
        scope: individual
        weight: 1.00
        quota_period: quarter
        attainment_basis: period_to_date
        rate_table:
          type: curve
          points:
            - {attainment: 1.00, payout: 1.00}
            - {attainment: 1.20, payout: 1.50}
        threshold: 0.50
""",
)

SDR_PLAN = """plan_id: SCN_SDR
name: Scenario plan SCN_SDR
currency: USD
payout_currency: pay_currency
fx_rate_date: period_end
versions:
  - effective_from: 2026-01-01
    components:
      - id: meetings
        name: Qualified meetings
        measure: activities
        activity: qualified_meeting
        quota_measure: qualified_meetings
        scope: individual
        quota_period: month
        attainment_basis: period_to_date
        rate_table: {type: flat, amount_per_unit: "50.00"}
        threshold: 0.50
        caps: {per_period: "600.00"}
    spifs:
      - id: analytics_pipeline
        name: Analytics pipeline
        starts_on: 2026-10-01
        ends_on: 2026-10-31
        measure: activities
        activity: pipeline_created
        product_families: [Analytics]
        amount_per_unit: "20.00"
"""

OVERLAY_PLAN = _bookings_plan(
    "SCN_OVERLAY",
    """  - effective_from: 2026-01-01
    components:
      - id: overlay
        name: Analytics overlay
        measure: bookings_tcv
        quota_measure: bookings
        trigger: booking
        scope: individual
        quota_period: month
        attainment_basis: period_to_date
        crediting:
          owner: false
          overlays:
            - {by: product_family, values: [Analytics]}
            - {by: territory}
        rate_table: {type: flat, rate: 0.02}
""",
)

REGION_PLAN = _bookings_plan(
    "SCN_REGION",
    """  - effective_from: 2026-01-01
    components:
      - id: region
        name: Region bookings
        measure: bookings_tcv
        quota_measure: region_bookings
        trigger: booking
        scope: region
        quota_period: month
        attainment_basis: period_to_date
        rate_table: {type: flat, rate: 0.01}
        threshold: 0.50
""",
)

REGION_FIRST_YEAR_PLAN = _bookings_plan(
    "SCN_REGION_FY",
    """  - effective_from: 2026-01-01
    components:
      - id: region
        name: Region first-year value, graduated
        measure: bookings_first_year
        quota_measure: region_bookings
        trigger: booking
        scope: region
        quota_period: month
        attainment_basis: period_to_date
        rate_table:
          type: graduated
          tiers:
            - {from: 0.00, to: 1.00, rate: 0.01}
            - {from: 1.00, rate: 0.02}
""",
)

GLOBAL_PLAN = _bookings_plan(
    "SCN_GLOBAL",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
{_ten_percent_to_quota_then("0.15")}
      -
{_component_head("cash", measure="collected_cash", trigger="payment")}
        rate_table: {{type: flat, rate: 0.01}}
""",
    credit_currency="plan_currency",
)

SPIF_PLAN = _bookings_plan(
    "SCN_SPIF",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table: {{type: flat, rate: 0.10}}
    spifs:
      - id: analytics_october
        name: Analytics in October
        starts_on: 2026-10-01
        ends_on: 2026-10-31
        measure: bookings_tcv
        trigger: booking
        product_families: [Analytics]
        rate: 0.05
      - id: analytics_seats
        name: Analytics seats in October
        starts_on: 2026-10-01
        ends_on: 2026-10-31
        measure: units
        trigger: booking
        product_families: [Analytics]
        amount_per_unit: "20.00"
""",
)


MEASURES_PLAN = _bookings_plan(
    "SCN_MEASURES",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_component_head("acv", measure="bookings_acv")}
        rate_table: {{type: flat, rate: 0.10}}
      -
{_component_head("first_year", measure="bookings_first_year", trigger="invoice")}
        rate_table: {{type: flat, rate: 0.02}}
      -
{_component_head("cash", measure="collected_cash", trigger="payment")}
        rate_table: {{type: flat, rate: 0.01}}
      -
{_component_head("billed", measure="invoiced_revenue", trigger="payment")}
        rate_table: {{type: flat, rate: 0.005}}
""",
)


CONTEST_PLAN = _bookings_plan(
    "SCN_CONTEST",
    f"""  - effective_from: 2026-01-01
    components:
      -
{_component_head("acv", measure="bookings_acv")}
        rate_table: {{type: flat, rate: 0.10}}
    contests:
      - id: october_acv
        name: October top ACV
        starts_on: 2026-10-01
        ends_on: 2026-10-31
        measure: bookings_acv
        rank_by: amount
        prizes:
          - {{rank: 1, amount: "1000.00"}}
          - {{rank: 2, amount: "500.00"}}
      - id: october_bookings
        name: October top bookings
        starts_on: 2026-10-01
        ends_on: 2026-10-31
        measure: bookings_tcv
        rank_by: amount
        prizes:
          - {{rank: 1, amount: "300.00"}}
          - {{rank: 2, amount: "200.00"}}
""",
)


def _per_deal_plan(plan_id: str, table_type: str) -> str:
    """2 % of a deal to 5,000 USD, 4 % to 10,000 and 6 % above, each deal credit on its own amount."""
    return _bookings_plan(
        plan_id,
        f"""  - effective_from: 2026-01-01
    components:
      -
{_COMPONENT_HEAD}
        rate_table:
          type: {table_type}
          per: transaction
          tiers:
            - {{from: 0, to: "5000.00", rate: 0.02}}
            - {{from: "5000.00", to: "10000.00", rate: 0.04}}
            - {{from: "10000.00", rate: 0.06}}
""",
    )


PER_DEAL_PLAN = _per_deal_plan("SCN_PER_DEAL", "graduated")
PER_DEAL_RETRO_PLAN = _per_deal_plan("SCN_PER_DEAL_RETRO", "retroactive")


def _quota(employee_id: str, amount: str = "100000.00", currency: str = "USD", month: str = "2026-10") -> Quota:
    return Quota(employee_id, f"{month}-01", amount, currency)


SCENARIOS: list[Scenario] = [
    Scenario(
        "S01",
        "graduated tiers: a deal crossing from 10 % into 15 % (AE_2026)",
        # quota 100,000; 60,000 then 70,000: 100,000 x 10 % + 30,000 x 15 % = 10,000 + 4,500
        people=[Person("S01-E1", "USD", "AE_2026")],
        quotas=[_quota("S01-E1")],
        deals=[
            Deal("S01-O1", "S01-E1", "60000.00", "USD", "2026-10-05"),
            Deal("S01-O2", "S01-E1", "70000.00", "USD", "2026-10-12"),
        ],
        expected={("S01-E1", "2026-10"): ("14500.00", "USD")},
    ),
    Scenario(
        "S02",
        "exactly at a tier boundary (AE_2026)",
        # E1: quota 50,000, one 50,000 deal: all of it in tier 1, 5,000.
        # E2: quota 50,000, 50,000 then 10,000: 5,000 + 10,000 x 15 % = 6,500.
        people=[Person("S02-E1", "USD", "AE_2026"), Person("S02-E2", "USD", "AE_2026")],
        quotas=[_quota("S02-E1", "50000.00"), _quota("S02-E2", "50000.00")],
        deals=[
            Deal("S02-O1", "S02-E1", "50000.00", "USD", "2026-10-05"),
            Deal("S02-O2", "S02-E2", "50000.00", "USD", "2026-10-05"),
            Deal("S02-O3", "S02-E2", "10000.00", "USD", "2026-10-06"),
        ],
        expected={("S02-E1", "2026-10"): ("5000.00", "USD"), ("S02-E2", "2026-10"): ("6500.00", "USD")},
    ),
    Scenario(
        "S03",
        "split 33.33 / 33.33 / 33.34 of a manager-owned deal (AE_2026)",
        # 30,000.00 -> 9,999.00, 9,999.00, 10,002.00 at 10 %: 999.90, 999.90, 1,000.20.
        # The owner (a manager on no plan) is credited nothing: Revenue splits replace the owner.
        people=[
            Person("S03-M", "USD", None, role="MANAGER"),
            Person("S03-E1", "USD", "AE_2026", manager_employee_id="S03-M"),
            Person("S03-E2", "USD", "AE_2026", manager_employee_id="S03-M"),
            Person("S03-E3", "USD", "AE_2026", manager_employee_id="S03-M"),
        ],
        quotas=[_quota("S03-E1"), _quota("S03-E2"), _quota("S03-E3")],
        deals=[Deal("S03-O1", "S03-M", "30000.00", "USD", "2026-10-15")],
        splits=[
            Split("S03-S1", "S03-O1", "S03-E1", "33.33"),
            Split("S03-S2", "S03-O1", "S03-E2", "33.33"),
            Split("S03-S3", "S03-O1", "S03-E3", "33.34"),
        ],
        expected={
            ("S03-E1", "2026-10"): ("999.90", "USD"),
            ("S03-E2", "2026-10"): ("999.90", "USD"),
            ("S03-E3", "2026-10"): ("1000.20", "USD"),
        },
    ),
    Scenario(
        "S04",
        "cap reached mid-period (AM_2026 v1, June 2026: 6 % / 9 % / 12 %, cap 2.00)",
        # quota 10,000; 15,000 + 10,000 + 3,000 = 28,000, capped at 20,000:
        # 10,000 x 6 % + 2,500 x 9 % + 7,500 x 12 % = 600 + 225 + 900 = 1,725.
        people=[Person("S04-E1", "USD", "AM_2026", role="AM")],
        quotas=[_quota("S04-E1", "10000.00", month="2026-06")],
        deals=[
            Deal("S04-O1", "S04-E1", "15000.00", "USD", "2026-06-03"),
            Deal("S04-O2", "S04-E1", "10000.00", "USD", "2026-06-10"),
            Deal("S04-O3", "S04-E1", "3000.00", "USD", "2026-06-20"),
        ],
        expected={("S04-E1", "2026-06"): ("1725.00", "USD")},
    ),
    Scenario(
        "S05",
        "a EUR deal paid to a GBP rep at the close-date rates (AE_2026)",
        # 1 EUR = 1.08 USD, 1 GBP = 1.27 USD: fx = round(1.08 / 1.27, 10) = 0.8503937008;
        # 20,000.00 x 0.8503937008 = 17,007.874016 GBP x 10 % = 1,700.7874016 -> 1,700.79.
        people=[Person("S05-E1", "GBP", "AE_2026")],
        quotas=[_quota("S05-E1", "50000.00", "GBP")],
        deals=[Deal("S05-O1", "S05-E1", "20000.00", "EUR", "2026-10-07")],
        rates=[Rate("2026-10-07", "EUR", "1.08"), Rate("2026-10-07", "GBP", "1.27")],
        expected={("S05-E1", "2026-10"): ("1700.79", "GBP")},
    ),
    Scenario(
        "S06",
        "rounding once, half away from zero, to the yen (AM_2026 v1, June 2026)",
        # 1,234,575 JPY x 6 % = 74,074.5 -> 74,075 JPY (0 minor units).
        people=[Person("S06-E1", "JPY", "AM_2026", role="AM")],
        quotas=[_quota("S06-E1", "10000000", "JPY", month="2026-06")],
        deals=[Deal("S06-O1", "S06-E1", "1234575", "JPY", "2026-06-09")],
        rates=[Rate("2026-06-09", "JPY", "0.0067")],
        expected={("S06-E1", "2026-06"): ("74075", "JPY")},
    ),
    Scenario(
        "S07",
        "retroactive tiers: the whole month at the tier reached (SCN_RETRO: 8 %, 12 % from 1.00, cap 2.00)",
        # E1: 60,000 + 50,000 = 110,000 (1.10): all at 12 % = 13,200.
        # E2: 90,000 (0.90): all at 8 % = 7,200.
        # E3: 150,000 + 70,000 = 220,000 (2.20): 200,000 below the cap at 12 % = 24,000.
        people=[Person(f"S07-E{i}", "USD", "SCN_RETRO") for i in (1, 2, 3)],
        quotas=[_quota(f"S07-E{i}") for i in (1, 2, 3)],
        deals=[
            Deal("S07-O1", "S07-E1", "60000.00", "USD", "2026-10-02"),
            Deal("S07-O2", "S07-E1", "50000.00", "USD", "2026-10-09"),
            Deal("S07-O3", "S07-E2", "90000.00", "USD", "2026-10-02"),
            Deal("S07-O4", "S07-E3", "150000.00", "USD", "2026-10-02"),
            Deal("S07-O5", "S07-E3", "70000.00", "USD", "2026-10-09"),
        ],
        plans={"SCN_RETRO.yaml": RETROACTIVE_PLAN},
        expected={
            ("S07-E1", "2026-10"): ("13200.00", "USD"),
            ("S07-E2", "2026-10"): ("7200.00", "USD"),
            ("S07-E3", "2026-10"): ("24000.00", "USD"),
        },
    ),
    Scenario(
        "S08",
        "flat rate with a threshold (SCN_FLAT: 5 %, nothing below 0.50)",
        # E1: 30,000 + 10,000 = 40,000 (0.40): below the threshold, pays 0.
        # E2: exactly 50,000 (0.50): threshold met, 5 % of all of it = 2,500.
        people=[Person("S08-E1", "USD", "SCN_FLAT"), Person("S08-E2", "USD", "SCN_FLAT")],
        quotas=[_quota("S08-E1"), _quota("S08-E2")],
        deals=[
            Deal("S08-O1", "S08-E1", "30000.00", "USD", "2026-10-02"),
            Deal("S08-O2", "S08-E1", "10000.00", "USD", "2026-10-03"),
            Deal("S08-O3", "S08-E2", "50000.00", "USD", "2026-10-04"),
        ],
        plans={"SCN_FLAT.yaml": FLAT_THRESHOLD_PLAN},
        expected={("S08-E1", "2026-10"): ("0.00", "USD"), ("S08-E2", "2026-10"): ("2500.00", "USD")},
    ),
    Scenario(
        "S09",
        "a plan version change: 5 % to August, 7 % from September; nothing before v1 (SCN_VERSIONED)",
        # 10,000 closed 08-20 pays v1's 5 % = 500 in 2026-08; 10,000 closed 09-03 pays v2's 7 % = 700.
        # 10,000 closed 2025-12-20, before v1 starts, is paid by no version (no_plan_version).
        people=[Person("S09-E1", "USD", "SCN_VERSIONED")],
        quotas=[_quota("S09-E1", month=m) for m in ("2025-12", "2026-08", "2026-09")],
        deals=[
            Deal("S09-O0", "S09-E1", "10000.00", "USD", "2025-12-20"),
            Deal("S09-O1", "S09-E1", "10000.00", "USD", "2026-08-20"),
            Deal("S09-O2", "S09-E1", "10000.00", "USD", "2026-09-03"),
        ],
        plans={"SCN_VERSIONED.yaml": VERSIONED_PLAN},
        expected={("S09-E1", "2026-08"): ("500.00", "USD"), ("S09-E1", "2026-09"): ("700.00", "USD")},
    ),
    Scenario(
        "S10",
        "a rep leaving mid-month: deals after the last day earn nothing (AE_2026)",
        # terminated 10-15: 20,000 on 10-10 pays 2,000; 30,000 on 10-20 is not_employed.
        people=[Person("S10-E1", "USD", "AE_2026", termination_date="2026-10-15")],
        quotas=[_quota("S10-E1")],
        deals=[
            Deal("S10-O1", "S10-E1", "20000.00", "USD", "2026-10-10"),
            Deal("S10-O2", "S10-E1", "30000.00", "USD", "2026-10-20"),
        ],
        expected={("S10-E1", "2026-10"): ("2000.00", "USD")},
    ),
    Scenario(
        "S11",
        "an Overlay split moves no credit (AE_2026)",
        # E1 owns 40,000 with a 50 % Overlay split to E2: E1 is credited 100 %, 4,000; E2 nothing.
        people=[Person("S11-E1", "USD", "AE_2026"), Person("S11-E2", "USD", "AE_2026")],
        quotas=[_quota("S11-E1"), _quota("S11-E2")],
        deals=[Deal("S11-O1", "S11-E1", "40000.00", "USD", "2026-10-08")],
        splits=[Split("S11-S1", "S11-O1", "S11-E2", "50.00", "Overlay")],
        expected={("S11-E1", "2026-10"): ("4000.00", "USD")},
    ),
    Scenario(
        "S12",
        "a hire on the 15th: a deal closed before the first day earns nothing (AE_2026)",
        # hired 10-15: 10,000 on 10-10 is not_employed; 25,000 on 10-20 earns 2,500. AE_2026
        # prorates the hire month: 17 of October's 31 days, so its recoverable draw (8,000 a
        # month for the first 3 months) is 8,000 x 17 / 31 = 4,387.0967...: it advances
        # 1,887.0967... on top, 4,387.10 in all (the quota, 100,000 x 17 / 31, stays above
        # 25,000: one tier).
        people=[Person("S12-E1", "USD", "AE_2026", hire_date="2026-10-15")],
        quotas=[_quota("S12-E1")],
        deals=[
            Deal("S12-O1", "S12-E1", "10000.00", "USD", "2026-10-10"),
            Deal("S12-O2", "S12-E1", "25000.00", "USD", "2026-10-20"),
        ],
        expected={("S12-E1", "2026-10"): ("4387.10", "USD")},
    ),
    Scenario(
        "S13",
        "manual adjustments: paid as their own lines beside commission, bad ones held back",
        # E1 earns 10 % of 20,000 = 2,000 (COMM) and gets +250.00 for a missed split and
        # -100.00 for a duplicate expense payout: ADJ 150.00 in 2026-10, and +75.50 in
        # 2026-11 with no commission that month. E2 (JPY) gets 5000 JPY. Held by the gate,
        # so never paid: one in EUR for the USD-paid E1 (currency_is_pay_currency), one
        # without a reason, one without an approver, one whose pay period is not YYYY-MM.
        people=[Person("S13-E1", "USD", "AE_2026"), Person("S13-E2", "JPY", "AM_2026", role="AM")],
        quotas=[_quota("S13-E1")],
        deals=[Deal("S13-O1", "S13-E1", "20000.00", "USD", "2026-10-06")],
        adjustments=[
            Adjustment("S13-A1", "S13-E1", "2026-10", "250.00", "USD", "Split on S13-O1 missed in the CRM"),
            Adjustment("S13-A2", "S13-E1", "2026-10", "-100.00", "USD", "Expense paid twice in September"),
            Adjustment("S13-A3", "S13-E1", "2026-11", "75.50", "USD", "Referral bonus"),
            Adjustment("S13-A4", "S13-E2", "2026-10", "5000", "JPY", "Trade show travel day"),
            Adjustment("S13-A5", "S13-E1", "2026-10", "999.00", "EUR", "Wrong currency"),
            Adjustment("S13-A6", "S13-E1", "2026-10", "999.00", "USD", ""),
            Adjustment("S13-A7", "S13-E1", "2026-10", "999.00", "USD", "Not approved", approved_by=None),
            Adjustment("S13-A8", "S13-E1", "Oct 2026", "999.00", "USD", "Pay period not a month"),
        ],
        expected={("S13-E1", "2026-10"): ("2000.00", "USD")},
        expected_adjustments={
            ("S13-E1", "2026-10"): ("150.00", "USD"),
            ("S13-E1", "2026-11"): ("75.50", "USD"),
            ("S13-E2", "2026-10"): ("5000", "JPY"),
        },
    ),
    Scenario(
        "S14",
        "caps per deal and per period, in USD, for a USD and a GBP rep (SCN_CAPPED: flat 10 %)",
        # E1 (USD): 40,000 -> 4,000 capped to 3,000; 15,000 -> 1,500; 10,000 -> 1,000;
        #   the month 5,500 capped to 5,000.
        # E2 (GBP): caps convert at round(1 / usd_rate(GBP), 10). 20,000 GBP -> 2,000; 30,000 GBP
        #   -> 3,000 capped to 3,000 USD x round(1 / 1.27, 10) = 3,000 x 0.7874015748 =
        #   2,362.2047244 GBP (10-07); the month 4,362.2047244 capped to 5,000 USD at the
        #   10-31 rate 1.25: 5,000 x 0.8 = 4,000.00 GBP.
        people=[Person("S14-E1", "USD", "SCN_CAPPED"), Person("S14-E2", "GBP", "SCN_CAPPED")],
        quotas=[_quota("S14-E1"), _quota("S14-E2", "100000.00", "GBP")],
        deals=[
            Deal("S14-O1", "S14-E1", "40000.00", "USD", "2026-10-05"),
            Deal("S14-O2", "S14-E1", "15000.00", "USD", "2026-10-06"),
            Deal("S14-O3", "S14-E1", "10000.00", "USD", "2026-10-07"),
            Deal("S14-O4", "S14-E2", "20000.00", "GBP", "2026-10-07"),
            Deal("S14-O5", "S14-E2", "30000.00", "GBP", "2026-10-07"),
        ],
        rates=[Rate("2026-10-31", "GBP", "1.25")],  # 10-07 is in S05's rates already
        plans={"SCN_CAPPED.yaml": CAPPED_PLAN},
        expected={("S14-E1", "2026-10"): ("5000.00", "USD"), ("S14-E2", "2026-10"): ("4000.00", "GBP")},
    ),
    Scenario(
        "S15",
        "clawbacks: a refund and a churn within 90 days, in the month discovered (SCN_CLAWBACK: flat 10 %)",
        # E1: O1 40,000 (09-10) pays 4,000 in 2026-09; O2 20,000 (10-05) pays 2,000 in 2026-10.
        # A 10,000 refund of O1 on 10-20 (40 days) is 0.25 of the deal: -1,000 in 2026-10,
        # so October pays 2,000 - 1,000 = 1,000. A 20,000 churn credit note of O2 on 11-15
        # (41 days) is all of it: -2,000, November's only line. A 5,000 refund of O1 on
        # 12-15 (96 days) is past the window; a billing_error credit note claws nothing.
        people=[Person("S15-E1", "USD", "SCN_CLAWBACK")],
        quotas=[_quota("S15-E1", month=m) for m in ("2026-09", "2026-10")],
        deals=[
            Deal("S15-O1", "S15-E1", "40000.00", "USD", "2026-09-10"),
            Deal("S15-O2", "S15-E1", "20000.00", "USD", "2026-10-05"),
        ],
        invoices=[
            Invoice("S15-I1", "S15-O1", "2026-09-12", "40000.00", "USD"),
            Invoice("S15-I2", "S15-O2", "2026-10-06", "20000.00", "USD"),
        ],
        credit_notes=[
            CreditNote("S15-C1", "S15-I1", "2026-10-20", "10000.00", "USD", "refund"),
            CreditNote("S15-C2", "S15-I2", "2026-11-15", "20000.00", "USD", "churn"),
            CreditNote("S15-C3", "S15-I1", "2026-12-15", "5000.00", "USD", "refund"),
            CreditNote("S15-C4", "S15-I2", "2026-10-10", "100.00", "USD", "billing_error"),
        ],
        plans={"SCN_CLAWBACK.yaml": CLAWBACK_PLAN},
        expected={
            ("S15-E1", "2026-09"): ("4000.00", "USD"),
            ("S15-E1", "2026-10"): ("1000.00", "USD"),
            ("S15-E1", "2026-11"): ("-2000.00", "USD"),
        },
    ),
    Scenario(
        "S16",
        "a payout curve: 60 % of a 120,000 target incentive by attainment, beside a flat 2 % (SCN_CURVE)",
        # The curve pays 120,000 / 12 x 0.60 = 6,000 a month at 100 %, linear from (0, 0) to
        # (0.50, 0), (1.00, 1.00) and (1.50, 2.00), nothing above 1.50; the flat 2 % has no cap.
        # E1: 40,000 + 80,000 = 1.20: curve 6,000 x 1.40 = 8,400; flat 2,400; 10,800.
        # E2: 45,000 = 0.45: curve 0 (below the first point it pays 0 here); flat 900.
        # E3 (GBP, quota 50,000 GBP): 60,000 GBP = 1.20; the target incentive converts at the
        #   credit date, round(1 / 1.27, 10) = 0.7874015748: curve 6,000 x 0.7874015748 x 1.40 =
        #   6,614.17322832; flat 1,200; 7,814.17322832 -> 7,814.17.
        # E4: 20,000 on a quota of 10,000 = 2.00, capped at 1.50: curve 6,000 x 2.00 = 12,000;
        #   flat 400; 12,400.
        people=[Person(f"S16-E{i}", "GBP" if i == 3 else "USD", "SCN_CURVE") for i in (1, 2, 3, 4)],
        quotas=[
            _quota("S16-E1"),
            _quota("S16-E2"),
            _quota("S16-E3", "50000.00", "GBP"),
            _quota("S16-E4", "10000.00"),
        ],
        deals=[
            Deal("S16-O1", "S16-E1", "40000.00", "USD", "2026-10-05"),
            Deal("S16-O2", "S16-E1", "80000.00", "USD", "2026-10-20"),
            Deal("S16-O3", "S16-E2", "45000.00", "USD", "2026-10-06"),
            Deal("S16-O4", "S16-E3", "60000.00", "GBP", "2026-10-07"),
            Deal("S16-O5", "S16-E4", "20000.00", "USD", "2026-10-09"),
        ],
        plans={"SCN_CURVE.yaml": CURVE_PLAN},
        expected={
            ("S16-E1", "2026-10"): ("10800.00", "USD"),
            ("S16-E2", "2026-10"): ("900.00", "USD"),
            ("S16-E3", "2026-10"): ("7814.17", "GBP"),
            ("S16-E4", "2026-10"): ("12400.00", "USD"),
        },
    ),
    Scenario(
        "S17",
        "a quarterly quota measured quarter to date (SCN_QUARTERLY: 10 % to 1.00, 20 % above)",
        # Quarter quota = July + August + September rows = 3 x 30,000 = 90,000.
        # July 50,000 (0 -> 50,000): 5,000. August 30,000 (-> 80,000): 3,000.
        # September 30,000 (-> 110,000): 10,000 x 10 % + 20,000 x 20 % = 5,000.
        # (Monthly, July alone would have paid 30,000 x 10 % + 20,000 x 20 % = 7,000.)
        people=[Person("S17-E1", "USD", "SCN_QUARTERLY")],
        quotas=[_quota("S17-E1", "30000.00", month=m) for m in ("2026-07", "2026-08", "2026-09")],
        deals=[
            Deal("S17-O1", "S17-E1", "50000.00", "USD", "2026-07-10"),
            Deal("S17-O2", "S17-E1", "30000.00", "USD", "2026-08-12"),
            Deal("S17-O3", "S17-E1", "30000.00", "USD", "2026-09-05"),
        ],
        plans={"SCN_QUARTERLY.yaml": QUARTERLY_PLAN},
        expected={
            ("S17-E1", "2026-07"): ("5000.00", "USD"),
            ("S17-E1", "2026-08"): ("3000.00", "USD"),
            ("S17-E1", "2026-09"): ("5000.00", "USD"),
        },
    ),
    Scenario(
        "S18",
        "year-to-date attainment with a cumulative true-up (SCN_YTD: retroactive 8 %, 12 % from 1.00)",
        # Monthly quotas of 100,000; attainment is year to date, and each month pays what the
        # year's credits earn at that month minus what was paid for them before.
        # E1: Jan 150,000 on 100,000 (1.50): 12 % = 18,000.
        #   Feb 20,000: 170,000 on 200,000 (0.85): 8 %: 1,600, and January re-rated at 8 %
        #   (12,000) is 6,000 overpaid: 1,600 - 6,000 = -4,400 (a deduction).
        #   Mar 100,000: 270,000 on 300,000 (0.90): 8,000; earlier credits still at 8 %: no true-up.
        # E2: Jan 50,000 (0.50): 8 % = 4,000. Nothing in February.
        #   Mar 250,000: 300,000 on 300,000 (1.00): 12 % = 30,000, and January re-rated at
        #   12 % (6,000) adds 2,000: 32,000. Year: 300,000 x 12 % = 36,000 = 4,000 + 32,000.
        people=[Person("S18-E1", "USD", "SCN_YTD"), Person("S18-E2", "USD", "SCN_YTD")],
        quotas=[_quota(e, month=m) for e in ("S18-E1", "S18-E2") for m in ("2026-01", "2026-02", "2026-03")],
        deals=[
            Deal("S18-O1", "S18-E1", "150000.00", "USD", "2026-01-15"),
            Deal("S18-O2", "S18-E1", "20000.00", "USD", "2026-02-10"),
            Deal("S18-O3", "S18-E1", "100000.00", "USD", "2026-03-10"),
            Deal("S18-O4", "S18-E2", "50000.00", "USD", "2026-01-20"),
            Deal("S18-O5", "S18-E2", "250000.00", "USD", "2026-03-12"),
        ],
        plans={"SCN_YTD.yaml": YTD_TRUE_UP_PLAN},
        expected={
            ("S18-E1", "2026-01"): ("18000.00", "USD"),
            ("S18-E1", "2026-02"): ("-4400.00", "USD"),
            ("S18-E1", "2026-03"): ("8000.00", "USD"),
            ("S18-E2", "2026-01"): ("4000.00", "USD"),
            ("S18-E2", "2026-03"): ("32000.00", "USD"),
        },
    ),
    Scenario(
        "S19",
        "a yearly cap reached in March (SCN_YEAR_CAP: flat 10 %, at most 10,000 a year)",
        # E1 (USD): January 60,000 -> 6,000; February 30,000 -> 3,000 (9,000 for the year);
        #   March 20,000 -> 2,000 makes 11,000: the cap takes 1,000, March pays 1,000;
        #   April 10,000 -> 1,000, all taken: April pays 0.
        # E2 (GBP): the cap converts once, at the year's first rate in the file (2026-01-02:
        #   1 GBP = 1.25 USD): 10,000 x round(1 / 1.25, 10) = 8,000 GBP for 2026. January
        #   90,000 GBP -> 9,000 GBP, 1,000 over: pays 8,000.
        people=[Person("S19-E1", "USD", "SCN_YEAR_CAP"), Person("S19-E2", "GBP", "SCN_YEAR_CAP")],
        quotas=[_quota("S19-E1", month=m) for m in ("2026-01", "2026-02", "2026-03", "2026-04")]
        + [_quota("S19-E2", "100000.00", "GBP", month="2026-01")],
        deals=[
            Deal("S19-O1", "S19-E1", "60000.00", "USD", "2026-01-12"),
            Deal("S19-O2", "S19-E1", "30000.00", "USD", "2026-02-12"),
            Deal("S19-O3", "S19-E1", "20000.00", "USD", "2026-03-12"),
            Deal("S19-O4", "S19-E1", "10000.00", "USD", "2026-04-12"),
            Deal("S19-O5", "S19-E2", "90000.00", "GBP", "2026-01-14"),
        ],
        rates=[Rate("2026-01-02", "GBP", "1.25"), Rate("2026-01-14", "GBP", "1.26")],  # the gate wants the close date's
        plans={"SCN_YEAR_CAP.yaml": YEAR_CAP_PLAN},
        expected={
            ("S19-E1", "2026-01"): ("6000.00", "USD"),
            ("S19-E1", "2026-02"): ("3000.00", "USD"),
            ("S19-E1", "2026-03"): ("1000.00", "USD"),
            ("S19-E1", "2026-04"): ("0.00", "USD"),
            ("S19-E2", "2026-01"): ("8000.00", "GBP"),
        },
    ),
    Scenario(
        "S20",
        "a guarantee for new hires' first two months (SCN_GUARANTEE: flat 10 %, 5,000 non-recoverable)",
        # E1 hired 08-03: August earns 2,000, topped up by 3,000 to 5,000; September earns
        #   8,000, above the guarantee; October, after it, earns 1,000 and gets 1,000.
        # E2 hired 09-01 closes nothing: 5,000 in September and in October, never taken back.
        people=[
            Person("S20-E1", "USD", "SCN_GUARANTEE", hire_date="2026-08-03"),
            Person("S20-E2", "USD", "SCN_GUARANTEE", hire_date="2026-09-01"),
        ],
        quotas=[_quota("S20-E1", month=m) for m in ("2026-08", "2026-09", "2026-10")],
        deals=[
            Deal("S20-O1", "S20-E1", "20000.00", "USD", "2026-08-20"),
            Deal("S20-O2", "S20-E1", "80000.00", "USD", "2026-09-15"),
            Deal("S20-O3", "S20-E1", "10000.00", "USD", "2026-10-08"),
        ],
        plans={"SCN_GUARANTEE.yaml": GUARANTEE_PLAN},
        expected={
            ("S20-E1", "2026-08"): ("5000.00", "USD"),
            ("S20-E1", "2026-09"): ("8000.00", "USD"),
            ("S20-E1", "2026-10"): ("1000.00", "USD"),
            ("S20-E2", "2026-09"): ("5000.00", "USD"),
            ("S20-E2", "2026-10"): ("5000.00", "USD"),
        },
    ),
    Scenario(
        "S21",
        "measures and payment triggers: ACV on booking, first-year value on invoice, cash and "
        "invoices paid in full on payment (SCN_MEASURES: 10 %, 2 %, 1 %, 0.5 %)",
        # O1: 36,000 over 36 months: Platform 30,000 + Services 6,000. ACV = 30,000 x 12 / 36
        #   = 10,000; first year = 10,000 + 6,000 = 16,000. Invoiced 18,000 (07-15) and 18,000
        #   (08-20): half the deal each. I1 paid in full 08-05; I2 paid 9,000 of 18,000 09-10.
        # E1 July: ACV 10,000 x 10 % = 1,000 at the close; first year 16,000 x 0.5 x 2 % = 160
        #   at I1: 1,160. August: first year 160 at I2; cash 18,000 x 1 % = 180; I1 paid in
        #   full 18,000 x 0.5 % = 90: 430. September: cash 9,000 x 1 % = 90 (I2 not paid in full).
        # E2 leaves 08-31. O2: 10,000 of Platform over 12 months, closed 07-20, invoiced 07-25:
        #   July ACV 1,000 + first year 200 = 1,200. Paid 09-02, after E2 left: the cash
        #   and the paid invoice are held (not_employed); nothing in September.
        people=[
            Person("S21-E1", "USD", "SCN_MEASURES"),
            Person("S21-E2", "USD", "SCN_MEASURES", termination_date="2026-08-31"),
        ],
        quotas=[_quota("S21-E1", month=m) for m in ("2026-07", "2026-08", "2026-09")]
        + [_quota("S21-E2", month=m) for m in ("2026-07", "2026-08")],
        deals=[
            Deal("S21-O1", "S21-E1", "36000.00", "USD", "2026-07-10", term_months=36),
            Deal("S21-O2", "S21-E2", "10000.00", "USD", "2026-07-20"),
        ],
        line_items=[
            LineItem("S21-L1", "S21-O1", "Platform", "50", "30000.00"),
            LineItem("S21-L2", "S21-O1", "Services", "10", "6000.00"),
            LineItem("S21-L3", "S21-O2", "Platform", "20", "10000.00"),
        ],
        invoices=[
            Invoice("S21-I1", "S21-O1", "2026-07-15", "18000.00", "USD"),
            Invoice("S21-I2", "S21-O1", "2026-08-20", "18000.00", "USD", status="open"),
            Invoice("S21-I3", "S21-O2", "2026-07-25", "10000.00", "USD"),
        ],
        payments=[
            Payment("S21-P1", "S21-I1", "2026-08-05", "18000.00", "USD"),
            Payment("S21-P2", "S21-I2", "2026-09-10", "9000.00", "USD"),
            Payment("S21-P3", "S21-I3", "2026-09-02", "10000.00", "USD"),
        ],
        plans={"SCN_MEASURES.yaml": MEASURES_PLAN},
        expected={
            ("S21-E1", "2026-07"): ("1160.00", "USD"),
            ("S21-E1", "2026-08"): ("430.00", "USD"),
            ("S21-E1", "2026-09"): ("90.00", "USD"),
            ("S21-E2", "2026-07"): ("1200.00", "USD"),
        },
    ),
    Scenario(
        "S22",
        "a non-payment clawback 30 days after the due date, given back by a late payment (SCN_NON_PAYMENT: flat 10 %)",
        # O1: 50,000 closed 07-10 pays 5,000 in July. Its invoice (due 08-09) has 20,000 paid
        #   on 08-20; on 09-08, 30 days after the due date, 30,000 is still outstanding: 0.6 of
        #   the deal, -3,000 in September. The customer pays 18,000 of it late, on 10-12: 0.36 of
        #   the deal is given back, +1,800 in October.
        # O2: 10,000 closed 09-01 pays 1,000 in September (so September pays -2,000); its
        #   invoice is due 12-31 and would be checked on 2027-01-30, after the billing
        #   export's last day (the scenarios' latest billing date, in October): nothing yet.
        people=[Person("S22-E1", "USD", "SCN_NON_PAYMENT")],
        quotas=[_quota("S22-E1", month=m) for m in ("2026-07", "2026-09")],
        deals=[
            Deal("S22-O1", "S22-E1", "50000.00", "USD", "2026-07-10"),
            Deal("S22-O2", "S22-E1", "10000.00", "USD", "2026-09-01"),
        ],
        invoices=[
            Invoice("S22-I1", "S22-O1", "2026-07-10", "50000.00", "USD", status="open", due_date="2026-08-09"),
            Invoice("S22-I2", "S22-O2", "2026-09-01", "10000.00", "USD", status="open", due_date="2026-12-31"),
        ],
        payments=[
            Payment("S22-P1", "S22-I1", "2026-08-20", "20000.00", "USD"),
            Payment("S22-P2", "S22-I1", "2026-10-12", "18000.00", "USD"),
        ],
        plans={"SCN_NON_PAYMENT.yaml": NON_PAYMENT_PLAN},
        expected={
            ("S22-E1", "2026-07"): ("5000.00", "USD"),
            ("S22-E1", "2026-09"): ("-2000.00", "USD"),
            ("S22-E1", "2026-10"): ("1800.00", "USD"),
        },
    ),
    Scenario(
        "S23",
        "SPIFs: 5 % on the Analytics line items of deals closed in October, and 20 USD an Analytics unit",
        # SCN_SPIF pays a flat 10 % of bookings.
        # O1 (10-05): 40,000 Platform + 10,000 Analytics (10 units): 5,000 + 10,000 x 5 % + 10 x 20 = 5,700.
        # O2 (09-28, before the SPIFs): 20,000 of Analytics: 2,000 and no SPIF.
        # E2 (paid in GBP; 1 GBP = 1.25 USD on 10-26) closes O3 on 10-26: 15,000 Platform +
        #   5,000 Analytics (20 units): 2,000 USD + 250 USD + 400 USD = 2,650 USD x 0.8 = 2,120 GBP.
        people=[Person("S23-E1", "USD", "SCN_SPIF"), Person("S23-E2", "GBP", "SCN_SPIF")],
        quotas=[_quota("S23-E1", month=m) for m in ("2026-09", "2026-10")] + [_quota("S23-E2", "80000.00", "GBP")],
        deals=[
            Deal("S23-O1", "S23-E1", "50000.00", "USD", "2026-10-05"),
            Deal("S23-O2", "S23-E1", "20000.00", "USD", "2026-09-28"),
            Deal("S23-O3", "S23-E2", "20000.00", "USD", "2026-10-26"),
        ],
        line_items=[
            LineItem("S23-L1", "S23-O1", "Platform", "40", "40000.00"),
            LineItem("S23-L2", "S23-O1", "Analytics", "10", "10000.00"),
            LineItem("S23-L3", "S23-O2", "Analytics", "20", "20000.00"),
            LineItem("S23-L4", "S23-O3", "Platform", "15", "15000.00"),
            LineItem("S23-L5", "S23-O3", "Analytics", "20", "5000.00"),
        ],
        rates=[Rate("2026-10-26", "GBP", "1.25")],
        plans={"SCN_SPIF.yaml": SPIF_PLAN},
        expected={
            ("S23-E1", "2026-09"): ("2000.00", "USD"),
            ("S23-E1", "2026-10"): ("5700.00", "USD"),
            ("S23-E2", "2026-10"): ("2120.00", "GBP"),
        },
    ),
    Scenario(
        "S24",
        "a quarterly recoverable draw settled on the whole quarter (SCN_QUARTER_DRAW: flat 10 %, 9,000 a quarter)",
        # Hired 07-01: July earns 2,000, August 3,000, September 1,000. The quarter's 6,000 is
        #   3,000 short of the draw: September gets the 3,000 advance (4,000 in all). October
        #   earns 5,000; the fourth quarter is not over in the data (October is its last
        #   month), so nothing is recovered yet.
        people=[Person("S24-E1", "USD", "SCN_QUARTER_DRAW", hire_date="2026-07-01")],
        quotas=[_quota("S24-E1", month=m) for m in ("2026-07", "2026-08", "2026-09", "2026-10")],
        deals=[
            Deal("S24-O1", "S24-E1", "20000.00", "USD", "2026-07-14"),
            Deal("S24-O2", "S24-E1", "30000.00", "USD", "2026-08-11"),
            Deal("S24-O3", "S24-E1", "10000.00", "USD", "2026-09-09"),
            Deal("S24-O4", "S24-E1", "50000.00", "USD", "2026-10-06"),
        ],
        plans={"SCN_QUARTER_DRAW.yaml": QUARTER_DRAW_PLAN},
        expected={
            ("S24-E1", "2026-07"): ("2000.00", "USD"),
            ("S24-E1", "2026-08"): ("3000.00", "USD"),
            ("S24-E1", "2026-09"): ("4000.00", "USD"),
            ("S24-E1", "2026-10"): ("5000.00", "USD"),
        },
    ),
    Scenario(
        "S25",
        "units: an amount per unit sold, against a quota in units (SCN_UNITS: 20.00 USD a unit)",
        # O1: 50 Platform seats + 10 Services days = 60 units x 20.00 = 1,200 USD; the deal's
        #   money does not matter. E1 is paid in GBP: 1 GBP = 1.25 USD on the close date, a
        #   unit is 20 x 0.8 = 16 GBP: O2's 25 units pay 400 GBP.
        people=[Person("S25-E1", "USD", "SCN_UNITS"), Person("S25-E2", "GBP", "SCN_UNITS")],
        quotas=[
            _quota("S25-E1"),
            Quota("S25-E1", "2026-10-01", "100", "USD", measure="units"),
            _quota("S25-E2", "50000.00", "GBP"),
            Quota("S25-E2", "2026-10-01", "100", "GBP", measure="units"),
        ],
        deals=[
            Deal("S25-O1", "S25-E1", "36000.00", "USD", "2026-10-08", term_months=36),
            Deal("S25-O2", "S25-E2", "5000.00", "GBP", "2026-10-09"),
        ],
        line_items=[
            LineItem("S25-L1", "S25-O1", "Platform", "50", "30000.00"),
            LineItem("S25-L2", "S25-O1", "Services", "10", "6000.00"),
            LineItem("S25-L3", "S25-O2", "Analytics", "25", "5000.00"),
        ],
        rates=[Rate("2026-10-08", "GBP", "1.25"), Rate("2026-10-09", "GBP", "1.25")],
        plans={"SCN_UNITS.yaml": UNITS_PLAN},
        expected={
            ("S25-E1", "2026-10"): ("1200.00", "USD"),
            ("S25-E2", "2026-10"): ("400.00", "GBP"),
        },
    ),
    Scenario(
        "S26",
        "a hire on the 15th, a termination and unpaid leave, prorated by days (SCN_PRORATED: 10 % to 1.00, "
        "20 % above, a 3,000 guarantee for the first 2 months)",
        # E1, hired 2026-09-15, works 16 of September's 30 days: HR's 30,000 quota counts
        #   30,000 x 16 / 30 = 16,000 and the guarantee 3,000 x 16 / 30 = 1,600. The 20,000
        #   deal pays 16,000 x 10 % + 4,000 x 20 % = 2,400, above the guarantee. October is
        #   whole: 10,000 pays 1,000, topped up by 2,000 to 3,000.
        # E2 leaves on 2026-10-10, 10 of October's 31 days: 31,000 x 10 / 31 = 10,000. The
        #   12,000 deal of 10-05 pays 1,000 + 2,000 x 20 % = 1,400.
        # E3 is on unpaid leave from 10-01 to 10-15 and on paid leave from 10-20 to 10-25:
        #   only the unpaid 15 days are taken out, 31,000 x 16 / 31 = 16,000; the 20,000
        #   deal of 10-28 pays 1,600 + 800 = 2,400. E3 was hired long ago: no draw.
        people=[
            Person("S26-E1", "USD", "SCN_PRORATED", hire_date="2026-09-15"),
            Person("S26-E2", "USD", "SCN_PRORATED", termination_date="2026-10-10"),
            Person("S26-E3", "USD", "SCN_PRORATED"),
        ],
        quotas=[_quota("S26-E1", "30000.00", month=m) for m in ("2026-09", "2026-10")]
        + [_quota("S26-E2", "31000.00", month="2026-10"), _quota("S26-E3", "31000.00", month="2026-10")],
        leaves=[
            Leave("S26-LV1", "S26-E3", "2026-10-01", "2026-10-15"),
            Leave("S26-LV2", "S26-E3", "2026-10-20", "2026-10-25", is_paid=True, leave_type="medical"),
        ],
        deals=[
            Deal("S26-O1", "S26-E1", "20000.00", "USD", "2026-09-20"),
            Deal("S26-O2", "S26-E1", "10000.00", "USD", "2026-10-12"),
            Deal("S26-O3", "S26-E2", "12000.00", "USD", "2026-10-05"),
            Deal("S26-O4", "S26-E3", "20000.00", "USD", "2026-10-28"),
        ],
        plans={"SCN_PRORATED.yaml": PRORATED_PLAN},
        expected={
            ("S26-E1", "2026-09"): ("2400.00", "USD"),
            ("S26-E1", "2026-10"): ("3000.00", "USD"),
            ("S26-E2", "2026-10"): ("1400.00", "USD"),
            ("S26-E3", "2026-10"): ("2400.00", "USD"),
        },
    ),
    Scenario(
        "S27",
        "gross margin on invoice (SCN_MARGIN: 2 % of the margin, seeds/product_cost_rates.csv)",
        # O1: 30,000 of Platform (cost 15 %) and 6,000 of Services (cost 65 %): margin
        #   25,500 + 2,100 = 27,600. Its first invoice, 18,000 on 09-15, is half the deal:
        #   13,800 x 2 % = 276 in September; the second half, invoiced 10-15, 276 in October.
        # E2 (EUR): 10,000 EUR of Analytics (cost 20 %), invoiced whole on 10-20 at
        #   1 EUR = 1.10 USD, paid in EUR: 8,000 x 2 % = 160 EUR.
        # E3's deal has a Hardware line the cost rates do not know: no margin, held
        #   (no_cost_rate), never paid on a guess.
        people=[
            Person("S27-E1", "USD", "SCN_MARGIN"),
            Person("S27-E2", "EUR", "SCN_MARGIN"),
            Person("S27-E3", "USD", "SCN_MARGIN"),
        ],
        quotas=[_quota("S27-E1", month=m) for m in ("2026-09", "2026-10")]
        + [_quota("S27-E2", "100000.00", "EUR"), _quota("S27-E3")],
        deals=[
            Deal("S27-O1", "S27-E1", "36000.00", "USD", "2026-09-10", term_months=12),
            Deal("S27-O2", "S27-E2", "10000.00", "EUR", "2026-10-05", term_months=12),
            Deal("S27-O3", "S27-E3", "5000.00", "USD", "2026-10-06", term_months=12),
        ],
        line_items=[
            LineItem("S27-L1", "S27-O1", "Platform", "50", "30000.00"),
            LineItem("S27-L2", "S27-O1", "Services", "10", "6000.00"),
            LineItem("S27-L3", "S27-O2", "Analytics", "10", "10000.00"),
            LineItem("S27-L4", "S27-O3", "Hardware", "1", "5000.00"),
        ],
        invoices=[
            Invoice("S27-I1", "S27-O1", "2026-09-15", "18000.00", "USD"),
            Invoice("S27-I2", "S27-O1", "2026-10-15", "18000.00", "USD"),
            Invoice("S27-I3", "S27-O2", "2026-10-20", "10000.00", "EUR"),
            Invoice("S27-I4", "S27-O3", "2026-10-21", "5000.00", "USD"),
        ],
        rates=[Rate(day, "EUR", "1.10") for day in ("2026-10-05", "2026-10-20")],
        plans={"SCN_MARGIN.yaml": MARGIN_PLAN},
        expected={
            ("S27-E1", "2026-09"): ("276.00", "USD"),
            ("S27-E1", "2026-10"): ("276.00", "USD"),
            ("S27-E2", "2026-10"): ("160.00", "EUR"),
        },
    ),
    Scenario(
        "S28",
        "manager roll-up: a team component paid on the reporting line's deals (SCN_TEAM: 2 %)",
        # R1 and R2 (SCN_FLAT: 5 %, nothing below half the quota) report to M1, M1 to M2;
        #   both managers are on SCN_TEAM. R1 closes 60,000 (3,000) and R2 40,000 against
        #   60,000 (2,000). M1's team is 100,000: 2,000; M2's line (M1's team) too: 2,000,
        #   paid in GBP at 1 GBP = 1.25 USD on both close dates: 1,600 GBP.
        # R3 reports to M3, who is on SCN_FLAT (no roll-up): M3 is credited nothing and
        #   paid nothing.
        people=[
            Person("S28-R1", "USD", "SCN_FLAT", manager_employee_id="S28-M1"),
            Person("S28-R2", "USD", "SCN_FLAT", manager_employee_id="S28-M1"),
            Person("S28-M1", "USD", "SCN_TEAM", role="MANAGER", manager_employee_id="S28-M2"),
            Person("S28-M2", "GBP", "SCN_TEAM", role="MANAGER"),
            Person("S28-R3", "USD", "SCN_FLAT", manager_employee_id="S28-M3"),
            Person("S28-M3", "USD", "SCN_FLAT", role="MANAGER"),
        ],
        quotas=[
            _quota("S28-R1"),
            _quota("S28-R2", "60000.00"),
            _quota("S28-M1", "200000.00"),
            _quota("S28-M2", "300000.00", "GBP"),
            _quota("S28-R3"),
            _quota("S28-M3"),
        ],
        deals=[
            Deal("S28-O1", "S28-R1", "60000.00", "USD", "2026-10-05"),
            Deal("S28-O2", "S28-R2", "40000.00", "USD", "2026-10-12"),
            Deal("S28-O3", "S28-R3", "70000.00", "USD", "2026-10-14"),
        ],
        rates=[Rate(day, "GBP", "1.25") for day in ("2026-10-05", "2026-10-12")],
        plans={"SCN_TEAM.yaml": TEAM_PLAN},
        expected={
            ("S28-R1", "2026-10"): ("3000.00", "USD"),
            ("S28-R2", "2026-10"): ("2000.00", "USD"),
            ("S28-M1", "2026-10"): ("2000.00", "USD"),
            ("S28-M2", "2026-10"): ("1600.00", "GBP"),
            ("S28-R3", "2026-10"): ("3500.00", "USD"),
        },
    ),
    Scenario(
        "S29",
        "MBO: a share of target incentive at the manager's score (SCN_MBO: 48,000 USD a year)",
        # A quarter's target is 48,000 x 3 / 12 = 12,000 USD, paid in September for Q3 on the
        # curve (0, 0) - (1.00, 1.00) - (1.20, 1.50), nothing below 0.50.
        # E1 scored 1.10: C = 1.00 + 0.10 x 0.50 / 0.20 = 1.25, 15,000 USD.
        # E2 (EUR) scored 0.80: 9,600 USD at round(1 / 1.20, 10) = 0.8333333333 on 09-30:
        #   7,999.99999968 EUR, 8,000.00 once rounded.
        # E3 scored 0.40, below the threshold: a line of 0.
        people=[
            Person("S29-E1", "USD", "SCN_MBO", role="MANAGER"),
            Person("S29-E2", "EUR", "SCN_MBO", role="MANAGER"),
            Person("S29-E3", "USD", "SCN_MBO", role="MANAGER"),
        ],
        deals=[],
        mbo_scores=[
            MboScore("S29-E1", "2026-07-01", "2026-09-30", "1.10"),
            MboScore("S29-E2", "2026-07-01", "2026-09-30", "0.80"),
            MboScore("S29-E3", "2026-07-01", "2026-09-30", "0.40"),
        ],
        rates=[Rate("2026-09-30", "EUR", "1.20")],
        plans={"SCN_MBO.yaml": MBO_PLAN},
        expected={
            ("S29-E1", "2026-09"): ("15000.00", "USD"),
            ("S29-E2", "2026-09"): ("8000.00", "EUR"),
            ("S29-E3", "2026-09"): ("0.00", "USD"),
        },
    ),
    Scenario(
        "S30",
        "a move between plans on the 16th: each plan's quota for its part of the month",
        # E1 is on SCN_PRORATED (10 % to 1.00, 20 % above; prorates hires and terminations,
        #   so also moves onto or off it) to 10-15, then on SCN_FLAT (5 %, nothing below half
        #   the quota; prorates nothing). HR's October quota is 31,000.
        # SCN_PRORATED counts 15 of 31 days, 15,000: the 20,000 deal of 10-05 pays
        #   15,000 x 10 % + 5,000 x 20 % = 2,500. SCN_FLAT keeps the whole 31,000: the
        #   20,000 deal of 10-20 is 0.65 of it and pays 5 %, 1,000. October pays 3,500.
        people=[Person("S30-E1", "USD", "SCN_PRORATED", moves=(("2026-10-16", "SCN_FLAT"),))],
        quotas=[_quota("S30-E1", "31000.00")],
        deals=[
            Deal("S30-O1", "S30-E1", "20000.00", "USD", "2026-10-05"),
            Deal("S30-O2", "S30-E1", "20000.00", "USD", "2026-10-20"),
        ],
        expected={("S30-E1", "2026-10"): ("3500.00", "USD")},
    ),
    Scenario(
        "S31",
        "SDRs paid per qualified meeting (CRM activities), a threshold, a monthly cap and a SPIF",
        # SCN_SDR: 50 USD per completed qualified_meeting, nothing below half the monthly
        # meeting quota (HR quotas, measure qualified_meetings: 10 each), at most 600 USD a
        # month; 20 USD per pipeline_created activity in October whose opportunity has an
        # Analytics line item. Amounts convert at the month's last day (fx_rate_date period_end).
        # E1: 8 meetings (and a cancelled one, which counts for nothing): 8 >= 5, 400; two
        #   pipeline_created, only O1 has Analytics: 20. October pays 420.
        # E2 (EUR): 4 meetings < 5: lines of 0, October pays 0.00.
        # E3: 14 meetings, 700 USD, capped at 600. An activity of E3's in November has no
        #   quota row that month and is held (no_quota_on_plan), not paid.
        people=[
            Person("S31-E1", "USD", "SCN_SDR", role="SDR"),
            Person("S31-E2", "EUR", "SCN_SDR", role="SDR"),
            Person("S31-E3", "USD", "SCN_SDR", role="SDR"),
        ],
        quotas=[
            Quota(employee, "2026-10-01", "10", currency, measure="qualified_meetings")
            for employee, currency in (("S31-E1", "USD"), ("S31-E2", "EUR"), ("S31-E3", "USD"))
        ],
        deals=[
            Deal("S31-O1", "S31-E1", "12000.00", "USD", "2026-12-15", stage="Prospecting"),
            Deal("S31-O2", "S31-E1", "8000.00", "USD", "2026-12-15", stage="Prospecting"),
        ],
        line_items=[
            LineItem("S31-L1", "S31-O1", "Analytics", "5", "12000.00"),
            LineItem("S31-L2", "S31-O2", "Platform", "5", "8000.00"),
        ],
        activities=[
            *(Activity(f"S31-A1-{n}", "S31-E1", f"2026-10-{n + 1:02d}") for n in range(8)),
            Activity("S31-A1-X", "S31-E1", "2026-10-20", status="cancelled"),
            Activity("S31-A1-P1", "S31-E1", "2026-10-21", activity_type="pipeline_created", opportunity_id="S31-O1"),
            Activity("S31-A1-P2", "S31-E1", "2026-10-22", activity_type="pipeline_created", opportunity_id="S31-O2"),
            *(Activity(f"S31-A2-{n}", "S31-E2", f"2026-10-{n + 1:02d}") for n in range(4)),
            *(Activity(f"S31-A3-{n:02d}", "S31-E3", f"2026-10-{n + 1:02d}") for n in range(14)),
            Activity("S31-A3-NOV", "S31-E3", "2026-11-03"),
        ],
        rates=[Rate("2026-10-31", "EUR", "1.20")],
        plans={"SCN_SDR.yaml": SDR_PLAN},
        expected={
            ("S31-E1", "2026-10"): ("420.00", "USD"),
            ("S31-E2", "2026-10"): ("0.00", "EUR"),
            ("S31-E3", "2026-10"): ("600.00", "USD"),
        },
    ),
    Scenario(
        "S32",
        "overlay crediting: a specialist credited with the Analytics deals of their territory",
        # SCN_OVERLAY pays 2 % of the deals with an Analytics line item whose account is in
        # the territory the specialist covers (HR job history), whoever owns them. The deals
        # are with account A2, in APAC-AU (the other scenarios' deals are in NA-EAST).
        # R1 (AE_2026) owns O1 (30,000 USD, 10,000 of it Analytics) and O2 (20,000, Platform
        #   only): 50,000 at 10 %, 5,000; overlay credits take nothing from the owner.
        # S1 (EUR, APAC-AU, the account's territory) is credited with the whole of O1:
        #   30,000 x round(1 / 1.25, 10) = 24,000 EUR on 10-06, 2 %: 480 EUR. O2 has no Analytics.
        # S2 covers EMEA-UK: no credit, no payout.
        people=[
            Person("S32-R1", "USD", "AE_2026"),
            Person("S32-S1", "EUR", "SCN_OVERLAY", role="SPECIALIST", territory="APAC-AU"),
            Person("S32-S2", "USD", "SCN_OVERLAY", role="SPECIALIST", territory="EMEA-UK"),
        ],
        quotas=[_quota("S32-R1"), _quota("S32-S1", "40000.00", "EUR"), _quota("S32-S2", "40000.00")],
        deals=[
            Deal("S32-O1", "S32-R1", "30000.00", "USD", "2026-10-06", account_id="A2"),
            Deal("S32-O2", "S32-R1", "20000.00", "USD", "2026-10-12", account_id="A2"),
        ],
        line_items=[
            LineItem("S32-L1", "S32-O1", "Platform", "20", "20000.00"),
            LineItem("S32-L2", "S32-O1", "Analytics", "5", "10000.00"),
            LineItem("S32-L3", "S32-O2", "Platform", "20", "20000.00"),
        ],
        rates=[Rate("2026-10-06", "EUR", "1.25")],
        plans={"SCN_OVERLAY.yaml": OVERLAY_PLAN},
        expected={
            ("S32-R1", "2026-10"): ("5000.00", "USD"),
            ("S32-S1", "2026-10"): ("480.00", "EUR"),
        },
    ),
    Scenario(
        "S33",
        "a region component: every deal of the region, whoever owns it, against the region's quota",
        # SCN_REGION pays 1 % of the region's bookings, nothing below half the region's quota
        # (HR quotas, measure region_bookings: 100,000 USD for October).
        # M1 covers APAC-AU, in region APAC, like account A2: October's APAC deals are S32's
        #   30,000 and 20,000 and R1's 20,000 here, 70,000 in all, 0.70 of the quota: 700 USD.
        # R1 (AE_2026) is paid on their own deal as before: 10 % of 20,000, 2,000.
        people=[
            Person("S33-R1", "USD", "AE_2026"),
            Person("S33-M1", "USD", "SCN_REGION", role="MANAGER", territory="APAC-AU"),
        ],
        quotas=[
            _quota("S33-R1"),
            _quota("S33-M1"),
            Quota("S33-M1", "2026-10-01", "100000.00", "USD", measure="region_bookings"),
        ],
        deals=[Deal("S33-O1", "S33-R1", "20000.00", "USD", "2026-10-09", account_id="A2")],
        plans={"SCN_REGION.yaml": REGION_PLAN},
        expected={
            ("S33-R1", "2026-10"): ("2000.00", "USD"),
            ("S33-M1", "2026-10"): ("700.00", "USD"),
        },
    ),
    Scenario(
        "S34",
        "credits in the plan currency: a global USD plan, quotas in USD, paid in pounds",
        # SCN_GLOBAL (USD, credit_currency plan_currency) converts each credit to USD at its
        # date, measures it against a USD quota, and converts what it earns to the pay
        # currency at the same date: 10 % of bookings up to the quota, 15 % above, and 1 %
        # of the cash collected.
        # G1 (paid in GBP, quota 50,000 USD):
        #   O1 30,000 EUR on 10-13 (1 EUR = 1.10 USD, 1 GBP = 1.25 USD): 33,000 USD, all
        #     below the quota: 3,300 USD x round(1 / 1.25, 10) = 0.8 -> 2,640 GBP;
        #   O2 25,000 USD on 10-23 (1 GBP = 1.28 USD, 0.78125 GBP a dollar): 17,000 up to the
        #     quota at 10 % (1,700 USD) and 8,000 above at 15 % (1,200 USD): 2,900 x 0.78125 =
        #     2,265.625 GBP;
        #   the 11,000 EUR paid on O1's invoice on 10-23 (1 EUR = 1.20 USD): 13,200 USD x 1 %
        #     = 132 USD x 0.78125 = 103.125 GBP.
        #   5,008.75 GBP. (In pounds against a pound quota the same deals would cross the
        #   quota elsewhere: the plan currency decides.)
        # G2 (paid in GBP) has a quota in GBP, not the plan's currency: quota_currency_mismatch,
        #   nothing is paid on O3.
        people=[Person("S34-G1", "GBP", "SCN_GLOBAL"), Person("S34-G2", "GBP", "SCN_GLOBAL")],
        quotas=[_quota("S34-G1", "50000.00", "USD"), _quota("S34-G2", "40000.00", "GBP")],
        deals=[
            Deal("S34-O1", "S34-G1", "30000.00", "EUR", "2026-10-13"),
            Deal("S34-O2", "S34-G1", "25000.00", "USD", "2026-10-23"),
            Deal("S34-O3", "S34-G2", "10000.00", "USD", "2026-10-13"),
        ],
        invoices=[Invoice("S34-I1", "S34-O1", "2026-10-15", "11000.00", "EUR")],
        payments=[Payment("S34-P1", "S34-I1", "2026-10-23", "11000.00", "EUR")],
        rates=[
            Rate("2026-10-13", "EUR", "1.10"),
            Rate("2026-10-13", "GBP", "1.25"),
            Rate("2026-10-23", "GBP", "1.28"),
            Rate("2026-10-23", "EUR", "1.20"),
        ],
        plans={"SCN_GLOBAL.yaml": GLOBAL_PLAN},
        expected={("S34-G1", "2026-10"): ("5008.75", "GBP")},
    ),
    Scenario(
        "S35",
        "per-transaction tiers: each deal rated on its own amount, graduated and retroactive",
        # SCN_PER_DEAL: 2 % of a deal to 5,000 USD, 4 % from 5,000 to 10,000, 6 % above,
        # each deal on its own amount whatever the other deals and the quota (100,000).
        # E1, deals of 12,000, 3,000 and 7,500 (in that date order):
        #   12,000: 5,000 x 2 % + 5,000 x 4 % + 2,000 x 6 % = 100 + 200 + 120 = 420
        #    3,000: 3,000 x 2 % = 60
        #    7,500: 5,000 x 2 % + 2,500 x 4 % = 100 + 100 = 200;  680 in all.
        # E2, the same deals on the retroactive twin SCN_PER_DEAL_RETRO (the whole deal at
        #   the rate of the tier its amount is in): 12,000 x 6 % + 3,000 x 2 % + 7,500 x 4 %
        #   = 720 + 60 + 300 = 1,080.
        people=[Person("S35-E1", "USD", "SCN_PER_DEAL"), Person("S35-E2", "USD", "SCN_PER_DEAL_RETRO")],
        quotas=[_quota("S35-E1"), _quota("S35-E2")],
        deals=[
            Deal("S35-O1", "S35-E1", "12000.00", "USD", "2026-10-05"),
            Deal("S35-O2", "S35-E1", "3000.00", "USD", "2026-10-12"),
            Deal("S35-O3", "S35-E1", "7500.00", "USD", "2026-10-20"),
            Deal("S35-O4", "S35-E2", "12000.00", "USD", "2026-10-05"),
            Deal("S35-O5", "S35-E2", "3000.00", "USD", "2026-10-12"),
            Deal("S35-O6", "S35-E2", "7500.00", "USD", "2026-10-20"),
        ],
        plans={"SCN_PER_DEAL.yaml": PER_DEAL_PLAN, "SCN_PER_DEAL_RETRO.yaml": PER_DEAL_RETRO_PLAN},
        expected={
            ("S35-E1", "2026-10"): ("680.00", "USD"),
            ("S35-E2", "2026-10"): ("1080.00", "USD"),
        },
    ),
    Scenario(
        "S36",
        "per-transaction tiers on a split deal, a deal on a tier's end, and a deal in euros",
        # SCN_PER_DEAL (S35): 2 % to 5,000 USD, 4 % to 10,000, 6 % above, per deal credit.
        # A split deal is rated on each person's credited share, not on the deal's amount:
        #   O1 12,000 USD split 50/50 between E1 and E2: each is credited 6,000,
        #   5,000 x 2 % + 1,000 x 4 % = 140 each (not half of the 420 the whole deal pays).
        # A deal exactly on a tier's end stays in the lower tier (tiers are [from, to)):
        #   E1's O2 of 5,000: 5,000 x 2 % = 100.  E1: 240.
        # E3 is paid (and credited) in euros: the tiers, in the plan's USD, convert to EUR at
        #   the deal's close date, 10-14 (1 EUR = 1.25 USD: round(1 / 1.25, 10) = 0.8), so
        #   they end at 4,000 and 8,000 EUR. O3 of 10,000 EUR: 4,000 x 2 % + 4,000 x 4 %
        #   + 2,000 x 6 % = 80 + 160 + 120 = 360 EUR.
        people=[
            Person("S36-E1", "USD", "SCN_PER_DEAL"),
            Person("S36-E2", "USD", "SCN_PER_DEAL"),
            Person("S36-E3", "EUR", "SCN_PER_DEAL"),
        ],
        quotas=[_quota("S36-E1"), _quota("S36-E2"), _quota("S36-E3", "100000.00", "EUR")],
        deals=[
            Deal("S36-O1", "S36-E1", "12000.00", "USD", "2026-10-07"),
            Deal("S36-O2", "S36-E1", "5000.00", "USD", "2026-10-09"),
            Deal("S36-O3", "S36-E3", "10000.00", "EUR", "2026-10-14"),
        ],
        splits=[
            Split("S36-S1", "S36-O1", "S36-E1", "50.00"),
            Split("S36-S2", "S36-O1", "S36-E2", "50.00"),
        ],
        rates=[Rate("2026-10-14", "EUR", "1.25")],
        plans={"SCN_PER_DEAL.yaml": PER_DEAL_PLAN},
        expected={
            ("S36-E1", "2026-10"): ("240.00", "USD"),
            ("S36-E2", "2026-10"): ("140.00", "USD"),
            ("S36-E3", "2026-10"): ("360.00", "EUR"),
        },
    ),
    Scenario(
        "S37",
        "a region component whose measure goes negative on one deal: it lowers the region's stack, on its own",
        # R1 (AE_2026: 10 % of bookings to the 100,000 quota, 15 % above) books three deals
        # with account A3 in EMEA-NO, region EMEA:
        #   O1 80,000 USD on 10-05, 12 months of Platform;
        #   O2 10,000 USD on 10-10, 36 months: Platform 30,000 and a one-time Services
        #      credit of -20,000 (an upfront discount), so its first-year value is
        #      30,000 x 12 / 36 - 20,000 = -10,000;
        #   O3 50,000 USD on 10-10, 12 months of Platform (taken after O2: opportunity order).
        # R1 on bookings: 8,000 + 1,000 (80,000 -> 90,000) + 10,000 x 10 % + 40,000 x 15 %
        #   (90,000 -> 140,000) = 16,000.
        # M1 (SCN_REGION_FY, region EMEA: 1 % of the region's first-year value to its
        #   100,000 quota, 2 % above) is credited with the region's bookings, stacked the same
        #   way. A credit that takes the measure down earns back what the bands it passes down
        #   through paid: O1 800; O2 80,000 -> 70,000, -100; O3 70,000 -> 120,000: 30,000 x 1 %
        #   + 20,000 x 2 % = 700.  1,400: what the window's 120,000 pays (1,000 + 400),
        #   whatever the order. (Were O2 to earn nothing, O3 would pay the 70,000 to 80,000
        #   a second time: 1,500.)
        people=[
            Person("S37-R1", "USD", "AE_2026"),
            Person("S37-M1", "USD", "SCN_REGION_FY", role="MANAGER", territory="EMEA-NO"),
        ],
        quotas=[
            _quota("S37-R1"),
            _quota("S37-M1"),
            Quota("S37-M1", "2026-10-01", "100000.00", "USD", measure="region_bookings"),
        ],
        deals=[
            Deal("S37-O1", "S37-R1", "80000.00", "USD", "2026-10-05", account_id="A3"),
            Deal("S37-O2", "S37-R1", "10000.00", "USD", "2026-10-10", term_months=36, account_id="A3"),
            Deal("S37-O3", "S37-R1", "50000.00", "USD", "2026-10-10", account_id="A3"),
        ],
        line_items=[
            LineItem("S37-L1", "S37-O1", "Platform", "1", "80000.00"),
            LineItem("S37-L2", "S37-O2", "Platform", "1", "30000.00"),
            LineItem("S37-L3", "S37-O2", "Services", "1", "-20000.00"),
            LineItem("S37-L4", "S37-O3", "Platform", "1", "50000.00"),
        ],
        plans={"SCN_REGION_FY.yaml": REGION_FIRST_YEAR_PLAN},
        expected={
            ("S37-R1", "2026-10"): ("16000.00", "USD"),
            ("S37-M1", "2026-10"): ("1400.00", "USD"),
        },
    ),
    Scenario(
        "S38",
        "plan versions changing mid-quarter: each window is measured against its own months' quota",
        # SCN_MID_QUARTER: 10 % of bookings to the quarter's quota, 20 % above; version 1
        # to 2026-08-14, version 2 from 2026-08-15. E1's quota is 30,000 a month.
        # July: O1 70,000 under version 1, whose Q3 window is 07-01 to 08-14: the quota of
        #   July and August, 60,000 (September is after the version): 60,000 x 10 %
        #   + 10,000 x 20 % = 8,000. (Against the whole quarter's 90,000: 7,000.)
        # August: O2 70,000 on 08-20 under version 2, whose window starts in August and
        #   ends with the quarter: August and September, 60,000 (October is the next
        #   quarter's): 8,000 again. (Counting three months from August: 90,000, 7,000.)
        people=[Person("S38-E1", "USD", "SCN_MID_QUARTER")],
        quotas=[_quota("S38-E1", "30000.00", month=month) for month in ("2026-07", "2026-08", "2026-09", "2026-10")],
        deals=[
            Deal("S38-O1", "S38-E1", "70000.00", "USD", "2026-07-10"),
            Deal("S38-O2", "S38-E1", "70000.00", "USD", "2026-08-20"),
        ],
        plans={"SCN_MID_QUARTER.yaml": MID_QUARTER_PLAN},
        expected={
            ("S38-E1", "2026-07"): ("8000.00", "USD"),
            ("S38-E1", "2026-08"): ("8000.00", "USD"),
        },
    ),
    Scenario(
        "S39",
        "a contest held on a deal whose line items do not add up: no prize of it, the rest is paid",
        # SCN_CONTEST pays 10 % of ACV (12-month terms: ACV = the Platform line items) and
        # holds two October contests, paid in October in USD:
        #   october_acv (ACV: 1,000 and 500), october_bookings (the amounts: 300 and 200).
        # E1: O1 24,000 USD, line items 24,000: ACV 24,000, 10 % = 2,400.
        # E2: O2's amount was corrected to 9,735.77 and its line items (9,864.00) were not:
        #   line_items_differ_from_amount, no ACV: its ACV credit is held, not paid;
        #   O3 20,000 USD, line items 20,000: ACV 20,000, 10 % = 2,000.
        # october_acv is held: without O2, E1 (24,000) would beat E2 (20,000), but O2 once
        #   fixed (about 9,864 more) would put E2 first; no prize of it is paid to anyone.
        # october_bookings ranks the amounts, which O2 has: E2 9,735.77 + 20,000 = 29,735.77
        #   is first, 300; E1 24,000 second, 200.
        # E1: 2,400 + 200 = 2,600. E2: 2,000 + 300 = 2,300.
        people=[Person("S39-E1", "USD", "SCN_CONTEST"), Person("S39-E2", "USD", "SCN_CONTEST")],
        quotas=[_quota("S39-E1"), _quota("S39-E2")],
        deals=[
            Deal("S39-O1", "S39-E1", "24000.00", "USD", "2026-10-05"),
            Deal("S39-O2", "S39-E2", "9735.77", "USD", "2026-10-08"),
            Deal("S39-O3", "S39-E2", "20000.00", "USD", "2026-10-12"),
        ],
        line_items=[
            LineItem("S39-L1", "S39-O1", "Platform", "10", "24000.00"),
            LineItem("S39-L2", "S39-O2", "Platform", "4", "9864.00"),
            LineItem("S39-L3", "S39-O3", "Platform", "8", "20000.00"),
        ],
        plans={"SCN_CONTEST.yaml": CONTEST_PLAN},
        expected={
            ("S39-E1", "2026-10"): ("2600.00", "USD"),
            ("S39-E2", "2026-10"): ("2300.00", "USD"),
        },
    ),
]
