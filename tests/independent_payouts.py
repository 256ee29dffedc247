"""An independent payout calculation, written from docs/plans.md in plain Python.

It reads the landing files directly (csv/json, Decimal) and never the warehouse, and
it computes graduated commission per rep and month in closed form,
    sum over tiers of rate * clamp(B, Q*from, Q*min(to, cap)) - Q*from
instead of allocating it deal by deal as the dbt models do. A payout curve (AM_2026 from
July 2026) is the target incentive times the curve's value at the attainment, read off
the points by interpolation, not through per-segment rates; as the target incentive
converts to the pay currency at each credit's date, a month's credits are stacked and
each pays TI / 12 x fx(day) x (C(after) - C(before)). That version measures from July to
date with a true-up: here each month pays what all its window's credits earn at that
month (quota and target incentive of the months on the plan so far) minus what they
earned at the previous month with a credit, instead of lines plus true-up lines. Clawbacks (AE_2026: refund and
churn credit notes within 90 days) need what one credit earned, so for those the month's
credits are stacked in order here too. If both agree to the cent on generated data, the
models implement the documented plan. Both demo plans prorate the month a rep joins or
leaves in, or spends on unpaid leave, by its days (HR states whole-month quotas): here each
month's quota, target incentive and draw are multiplied by the set of its days employed
and not on unpaid leave, counted, over the days in the month.

Sales managers (MGR_2026) are paid on their team: every deal credit of a rep is followed
up the rep's line of managers in job history on the close date, and each manager on the
plan with a quota that month is credited with its annual contract value. Their curve
is evaluated from scratch at every month with a credit, year to date against the quota
to the end of the month's quarter, and the month pays the difference from the previous
such month, each of the two at most the yearly cap. Their region component takes every
deal of the region of their territory, whole, against the region's monthly quota. The
MBO pays the quarter's score on its curve; the year bonus, the first month whose
year-to-date team bookings reach the year's quota; the contest ranks team bookings over
the Q2 quota.

SDRs (SDR_2026) are paid per completed qualified meeting in the CRM activities file,
counted per month against their meeting quota (nothing below half of it, at most the
monthly cap), a SPIF per completed pipeline_created activity whose opportunity has an
Analytics line item, and a non-recoverable guarantee for their first three months.

Analytics specialists (SPEC_2026) own no deals: every Closed Won deal with an Analytics
line item whose account is in the territory a specialist covers on the close date
credits them with the whole deal (unless they own or split it), and a month pays 1 % of
those bookings up to the quota and 1.5 % above. The plan is global: bookings and quotas
are in USD (each deal at its close date's rate), and what each deal earns converts to the
pay currency at its close date, so the month's deals are taken in order (close date, then
opportunity id) to know which of them crosses the quota. Deals closed from July 2026 pay
on their first-year value instead: every deal of a month at 1.5 %, or 2 % once July to
that month has reached the quota of July to December, at most 500 USD a deal; 0.5 % of
each invoice of those deals, in the invoice's month at its date's rates; and 0.10 USD a
unit (line-item quantities) up to the month's units quota, 0.20 above, deal by deal in order.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from commissions.periods import period_bounds

D = Decimal


@dataclass(frozen=True)
class Terms:
    """One plan version as docs/plans.md states it: graduated tiers, or a payout curve."""

    starts: date
    ends: date | None = None
    tiers: tuple[tuple[Decimal, Decimal, Decimal], ...] = ()  # (attainment_from, attainment_to, rate)
    curve: tuple[tuple[Decimal, Decimal], ...] = ()  # (attainment, payout), after an implicit (0, 0)
    annual_target: Decimal | None = None  # USD
    threshold: Decimal | None = None
    year_to_date: bool = False  # measured from the version's start (within the year) with a true-up
    cap_per_year: Decimal | None = None  # USD, on a calendar year's commission
    draw: tuple[str, Decimal, int, bool] | None = None  # (type, USD a month, months from hire, carry_forward)
    quarter_bonus: tuple[Decimal, Decimal] | None = None  # (USD, attainment of the quarter's quota)
    contest: tuple[str, str, tuple[Decimal, ...]] | None = None  # (starts, ends, USD prizes by rank)
    measure: str = "bookings_tcv"  # or bookings_acv: recurring line items x 12 / term
    trigger: str = "booking"  # or invoice: counted at each invoice, for its share of the deal
    cash_rate: Decimal | None = None  # a flat rate on each payment received (collected_cash)
    margin_rate: Decimal | None = None  # a flat rate on the gross margin of each invoice's share of the deal
    spif: tuple[str, str, str, Decimal] | None = None  # (starts, ends, product family, rate on its bookings)
    prorate: bool = False  # a month counts its days employed and not on unpaid leave: quota, target, draw

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


# plans/*.yaml, version by version; cap 2.00 everywhere.
PLANS = {
    "AE_2026": (
        Terms(
            date(2025, 1, 1),
            prorate=True,
            cap_per_year=D("150000.00"),
            draw=("recoverable", D("8000.00"), 3, True),
            contest=("2026-07-01", "2026-09-30", (D("3000.00"), D("2000.00"), D("1000.00"))),
            cash_rate=D("0.005"),
            margin_rate=D("0.01"),
            spif=("2026-08-01", "2026-09-30", "Analytics", D("0.02")),
            tiers=((D(0), D("1.00"), D("0.10")), (D("1.00"), D("1.50"), D("0.15")), (D("1.50"), D("2.00"), D("0.20"))),
        ),
    ),
    "AM_2026": (
        Terms(
            date(2025, 1, 1),
            date(2026, 6, 30),
            tiers=((D(0), D("1.00"), D("0.06")), (D("1.00"), D("1.25"), D("0.09")), (D("1.25"), D("2.00"), D("0.12"))),
        ),
        Terms(
            date(2026, 7, 1),
            prorate=True,
            curve=((D("1.00"), D("1.00")), (D("1.50"), D("1.75")), (D("2.00"), D("2.25"))),
            annual_target=D("60000.00"),
            threshold=D("0.50"),
            year_to_date=True,
            quarter_bonus=(D("2000.00"), D("1.20")),
            measure="bookings_acv",
            trigger="invoice",
        ),
    ),
    # meetings, SPIF and cap: sdr_lines() below; here the guarantee for new SDRs
    "SDR_2026": (Terms(date(2025, 1, 1), prorate=True, draw=("non_recoverable", D("1000.00"), 3, False)),),
}
CAP = D("2.00")


@dataclass(frozen=True)
class TeamTerms:
    """plans/MGR_2026.yaml as docs/plans.md states it: a manager's pay on the reporting line."""

    starts: date
    annual_target: Decimal  # USD
    team_weight: Decimal
    team_curve: tuple[tuple[Decimal, Decimal], ...]  # after an implicit (0, 0)
    team_threshold: Decimal
    team_cap: Decimal
    team_cap_per_year: Decimal  # USD a calendar year, true-ups included
    mbo_weight: Decimal
    region_weight: Decimal
    region_curve: tuple[tuple[Decimal, Decimal], ...]  # after an implicit (0, 0)
    region_cap: Decimal
    mbo_curve: tuple[tuple[Decimal, Decimal], ...]
    year_bonus: tuple[Decimal, Decimal]  # (USD, attainment of the year's quota)
    contest: tuple[str, str, tuple[Decimal, ...]]  # (starts, ends, USD prizes by rank), ranked by attainment
    prorate: bool = True


# plans/SDR_2026.yaml: USD per meeting, share of the meeting quota below which nothing is
# paid, USD cap a month; the SPIF's dates, activity, product family and USD per activity.
SDR_PLAN = "SDR_2026"
SDR_PER_MEETING, SDR_THRESHOLD, SDR_MONTHLY_CAP = D("50.00"), D("0.50"), D("1000.00")
SDR_SPIF = ("2026-01-01", "2026-03-31", "pipeline_created", "Analytics", D("25.00"))

# plans/SPEC_2026.yaml: the overlay's product family, and its rates below and above the quota;
# from its second version: first-year value at a retroactive rate against the quota from July
# to December, at most so much USD a deal, and a flat rate on what the deals invoice.
SPECIALIST_PLAN = "SPEC_2026"
SPECIALIST_FAMILY, SPECIALIST_RATES = "Analytics", (D("0.01"), D("0.015"))
SPECIALIST_V2 = "2026-07-01"
SPECIALIST_V2_RATES, SPECIALIST_V2_DEAL_CAP, SPECIALIST_V2_INVOICED = (D("0.015"), D("0.02")), D("500.00"), D("0.005")
SPECIALIST_V2_PER_UNIT = (D("0.10"), D("0.20"))  # USD a unit up to the month's units quota, and above

MANAGER_PLAN = "MGR_2026"
MANAGER_TERMS = TeamTerms(
    starts=date(2025, 1, 1),
    annual_target=D("60000.00"),
    team_weight=D("0.60"),
    team_curve=((D("0.50"), D(0)), (D("1.00"), D("1.00")), (D("1.50"), D("2.00"))),
    team_threshold=D("0.50"),
    team_cap=D("1.50"),
    team_cap_per_year=D("20000.00"),
    mbo_weight=D("0.20"),
    region_weight=D("0.20"),
    region_curve=((D("1.00"), D("1.00")), (D("1.25"), D("1.50"))),
    region_cap=D("1.25"),
    mbo_curve=((D("1.00"), D("1.00")), (D("1.30"), D("1.30"))),
    year_bonus=(D("5000.00"), D("1.00")),
    contest=("2026-04-01", "2026-06-30", (D("3000.00"), D("2000.00"), D("1000.00"))),
)


def terms_on(plan: str, day: date) -> Terms | None:
    return next((t for t in PLANS[plan] if t.covers(day)), None)


def curve_value(points: tuple[tuple[Decimal, Decimal], ...], attainment: Decimal) -> Decimal:
    """The payout (share of target) at `attainment`: linear between points from (0, 0), flat after the last."""
    low_a, low_p = D(0), D(0)
    for high_a, high_p in points:
        if attainment <= high_a:
            with localcontext() as ctx:
                ctx.prec = 60
                return low_p + (high_p - low_p) * (attainment - low_a) / (high_a - low_a)
        low_a, low_p = high_a, high_p
    return low_p


# plans/*.yaml clawback policies: plan -> (events, window in days).
CLAWBACKS = {"AE_2026": (frozenset({"refund", "churn", "non_payment"}), 90)}
# seeds/product_families.csv: the families sold as subscriptions (the rest are one-time).
RECURRING_FAMILIES = frozenset({"Platform", "Analytics"})
# seeds/product_cost_rates.csv: standard cost as a share of the price (one rate per family so far).
COST_RATES = {"Platform": D("0.15"), "Analytics": D("0.20"), "Services": D("0.65")}
MINOR_UNITS = {"JPY": 0}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line, parse_float=Decimal) for line in fh if line.strip()]


def _latest(rows: list[dict], key: tuple[str, ...], version: str) -> dict[tuple, dict]:
    latest: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k not in latest or str(row[version]) > str(latest[k][version]):
            latest[k] = row
    return latest


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _month_end(month_start: str) -> str:
    """'YYYY-MM-01' -> the month's last day, ISO."""
    return period_bounds(month_start[:7])[1].isoformat()


def _months(first: str, last: str) -> list[str]:
    """Month starts from `first` to `last` (both 'YYYY-MM-01'), inclusive."""
    out, day = [], date.fromisoformat(first)
    while day.isoformat() <= last:
        out.append(day.isoformat())
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def _deal_documents(landing: Path) -> tuple[dict[str, list[dict]], dict[str, list[dict]], dict[str, list[dict]]]:
    """Line items, invoices (not void) and the payments on them, by deal."""
    items_by_opp: dict[str, list[dict]] = defaultdict(list)
    line_items_file = landing / "crm" / "opportunity_line_items.csv"
    items = _latest(_csv(line_items_file) if line_items_file.exists() else [], ("line_item_id",), "last_modified_at")
    for item in items.values():
        items_by_opp[item["opportunity_id"]].append(item)
    billing = landing / "billing"  # a landing folder may have no billing export at all
    invoices = _latest(_jsonl(billing / "invoices.jsonl") if billing.exists() else [], ("invoice_id",), "updated_at")
    live = {key: invoice for key, invoice in invoices.items() if invoice["status"] != "void"}
    invoices_by_opp: dict[str, list[dict]] = defaultdict(list)
    for invoice in live.values():
        invoices_by_opp[invoice["opportunity_id"]].append(invoice)
    payments_by_opp: dict[str, list[dict]] = defaultdict(list)
    payments_file = billing / "payments.jsonl"
    payments = _jsonl(payments_file) if payments_file.exists() else []
    for payment in _latest(payments, ("payment_id",), "updated_at").values():
        if (payment["invoice_id"],) in live:
            payments_by_opp[live[(payment["invoice_id"],)]["opportunity_id"]].append(payment)
    return items_by_opp, invoices_by_opp, payments_by_opp


@dataclass(frozen=True)
class Payout:
    employee_id: str
    period: str
    currency: str
    amount: Decimal


def compute_payouts(landing: Path, exclude_opportunities: set[str] = frozenset()) -> dict[tuple[str, str], Payout]:
    """Payout per (employee_id, 'YYYY-MM') from the landing files under `landing`."""
    users = _latest(_csv(landing / "crm" / "users.csv"), ("user_id",), "last_modified_at")
    opps = _latest(_csv(landing / "crm" / "opportunities.csv"), ("opportunity_id",), "last_modified_at")
    splits = _latest(_csv(landing / "crm" / "opportunity_splits.csv"), ("split_id",), "last_modified_at")
    employees = _latest(_jsonl(landing / "hr" / "employees.jsonl"), ("employee_id",), "updated_at")
    jobs = _jsonl(landing / "hr" / "job_history.jsonl")
    unpaid_leaves = [
        (leave["employee_id"], _day(leave["start_date"]), _day(leave["end_date"]))
        for leave in _latest(_csv(landing / "hr" / "leaves.csv"), ("leave_id",), "updated_at").values()
        if leave["is_paid"] == "false"
    ]
    quotas = {
        (q["employee_id"], q["period_start"]): q
        for q in _csv(landing / "hr" / "quotas.csv")
        if q["measure"] == "bookings"
    }
    usd_rate = {
        (r["from_currency"], r["rate_date"]): Decimal(r["rate"])
        for r in _csv(landing / "hr" / "fx_rates.csv")
        if r["to_currency"] == "USD"
    }

    def to_usd(currency: str, day: str) -> Decimal:
        return Decimal(1) if currency == "USD" else usd_rate[(currency, day)]

    def fx(deal_ccy: str, pay_ccy: str, day: str) -> Decimal:
        if deal_ccy == pay_ccy:
            return Decimal(1)
        with localcontext() as ctx:
            ctx.prec = 50
            ratio = to_usd(deal_ccy, day) / to_usd(pay_ccy, day)
        return ratio.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)

    def plan_on(employee_id: str, day: date) -> str | None:
        for job in jobs:
            if job["employee_id"] != employee_id:
                continue
            start, end = _day(job["effective_from"]), _day(job["effective_to"])
            if start <= day and (end is None or day <= end):
                return job["plan_id"]
        return None

    splits_by_opp: dict[str, list[dict]] = defaultdict(list)
    for split in splits.values():
        if split["split_type"] == "Revenue":
            splits_by_opp[split["opportunity_id"]].append(split)

    items_by_opp, invoices_by_opp, payments_by_opp = _deal_documents(landing)

    def deal_value(terms: Terms, opp: dict) -> Decimal:
        """The deal in the component's measure: its amount, or its subscription lines for a year of the term."""
        if terms.measure == "bookings_tcv":
            return Decimal(opp["amount"])
        recurring = sum(
            (
                Decimal(i["total_price"])
                for i in items_by_opp[opp["opportunity_id"]]
                if i["product_family"] in RECURRING_FAMILIES
            ),
            Decimal(0),
        )
        with localcontext() as ctx:
            ctx.prec = 60
            return recurring * 12 / int(opp["term_months"])

    def on_plan_in(employee_id: str, plan: str, month_start: str) -> bool:
        """Whether a job-history row puts the person on `plan` on some day of the month."""
        first, last = period_bounds(month_start[:7])
        return any(
            job["employee_id"] == employee_id
            and job["plan_id"] == plan
            and _day(job["effective_from"]) <= last
            and (job["effective_to"] is None or _day(job["effective_to"]) >= first)
            for job in jobs
        )

    def counts_at(employee_id: str, plan: str, day: date) -> bool:
        """Whether an invoice or payment on `day` can pay: employed, and on the plan with a quota that month."""
        emp = employees[(employee_id,)]
        month_start = day.replace(day=1).isoformat()
        return (
            _day(emp["hire_date"]) <= day
            and (emp["termination_date"] is None or day <= _day(emp["termination_date"]))
            and (employee_id, month_start) in quotas
            and on_plan_in(employee_id, plan, month_start)
        )

    booked: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)  # (emp, plan, month) -> B
    # flat components (cash collected, gross margin): (emp, plan, month) -> commission, and per deal credit
    flat_earned: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    flat_paid: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)  # (opp, split) -> commission
    spif_paid: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)  # (emp, plan, month) -> SPIF

    def credit_events(terms: Terms, opp: dict, employee_id: str, plan: str) -> list[tuple[str, Decimal]]:
        """(day, share of the deal) the deal counts at: its close, or each invoice for its share, at most all of it."""
        if terms.trigger == "booking":
            return [(opp["close_date"], Decimal(1))]
        events, billed, deal_amount = [], Decimal(0), Decimal(opp["amount"])
        for invoice in sorted(
            invoices_by_opp[opp["opportunity_id"]], key=lambda i: (i["invoice_date"], i["invoice_id"])
        ):
            amount = Decimal(str(invoice["total_amount"]))
            with localcontext() as ctx:
                ctx.prec = 60
                part = min((billed + amount) / deal_amount, 1) - min(billed / deal_amount, 1)
            billed += amount
            if counts_at(employee_id, plan, date.fromisoformat(invoice["invoice_date"])):
                events.append((invoice["invoice_date"], part))
        return events

    def credit_deal(terms: Terms, opp: dict, credited: tuple[str, str, str | None], share: Decimal) -> None:
        """The component's credits of one deal credit, in the months of their events, and its flat commissions."""
        employee_id, plan, split_id = credited
        opp_id, pay_ccy = opp["opportunity_id"], employees[(employee_id,)]["pay_currency"]
        if terms.spif is not None and terms.spif[0] <= opp["close_date"] <= terms.spif[1]:
            _, _, family, rate = terms.spif
            products = sum(
                (Decimal(i["total_price"]) for i in items_by_opp[opp_id] if i["product_family"] == family), Decimal(0)
            )
            fx_close = fx(opp["currency"], pay_ccy, opp["close_date"])
            spif_paid[(employee_id, plan, opp["close_date"][:7] + "-01")] += rate * products * share * fx_close
        for event_day, part in credit_events(terms, opp, employee_id, plan):
            credit = deal_value(terms, opp) * part * share * fx(opp["currency"], pay_ccy, event_day)
            event_month = event_day[:7] + "-01"
            booked[(employee_id, plan, event_month)] += credit
            month_credits[(employee_id, plan, event_month)].append((event_day, opp_id, split_id, credit))
        if terms.margin_rate is not None:
            margin = sum(
                (Decimal(i["total_price"]) * (1 - COST_RATES[i["product_family"]]) for i in items_by_opp[opp_id]),
                Decimal(0),
            )
            for invoice_day, part in credit_events(replace(terms, trigger="invoice"), opp, employee_id, plan):
                earned_on_margin = terms.margin_rate * margin * part * share * fx(opp["currency"], pay_ccy, invoice_day)
                flat_earned[(employee_id, plan, invoice_day[:7] + "-01")] += earned_on_margin
                flat_paid[(opp_id, split_id)] += earned_on_margin
        for payment in payments_by_opp[opp_id] if terms.cash_rate is not None else ():
            paid_day = payment["payment_date"]
            if counts_at(employee_id, plan, date.fromisoformat(paid_day)):
                earned_on_cash = (
                    terms.cash_rate
                    * Decimal(str(payment["amount"]))
                    * share
                    * fx(payment["currency"], pay_ccy, paid_day)
                )
                flat_earned[(employee_id, plan, paid_day[:7] + "-01")] += earned_on_cash
                flat_paid[(opp_id, split_id)] += earned_on_cash

    # Every paid credit, for clawbacks: (emp, plan, month) -> [(close, opp, split, credit)], and by deal.
    month_credits: dict[tuple[str, str, str], list[tuple]] = defaultdict(list)
    deal_credits: dict[str, list[tuple]] = defaultdict(list)
    deal_shares: list[tuple[str, str, str, Decimal, str]] = []  # (emp, plan, close date, amount, currency)
    for (opp_id,), opp in opps.items():
        if opp["stage"] != "Closed Won" or opp_id in exclude_opportunities:
            continue
        close = opp["close_date"]
        recipients = [
            (s["split_owner_user_id"], Decimal(s["split_percent"]) / 100, s["split_id"]) for s in splits_by_opp[opp_id]
        ]
        if not recipients:
            recipients = [(opp["owner_user_id"], Decimal(1), None)]
        for user_id, share, split_id in recipients:
            employee_id = users[(user_id,)]["employee_number"]
            emp = employees[(employee_id,)]
            day = date.fromisoformat(close)
            hired, left = _day(emp["hire_date"]), _day(emp["termination_date"])
            if not (hired <= day and (left is None or day <= left)):
                continue
            plan = plan_on(employee_id, day)
            month_start = day.replace(day=1).isoformat()
            if plan is None or terms_on(plan, day) is None or (employee_id, month_start) not in quotas:
                continue
            terms = terms_on(plan, day)
            deal_credits[opp_id].append((employee_id, plan, month_start, split_id, day))
            deal_shares.append((employee_id, plan, close, Decimal(opp["amount"]) * share, opp["currency"]))
            credit_deal(terms, opp, (employee_id, plan, split_id), share)

    def prorated(amount: Decimal, employee_id: str, month_start: str, terms: Terms | TeamTerms) -> Decimal:
        """`amount` for the days of the month the person is employed, when the version prorates."""
        if not terms.prorate:
            return amount
        person = employees[(employee_id,)]
        first, last = date.fromisoformat(month_start), date.fromisoformat(_month_end(month_start))
        employed_from = max(first, _day(person["hire_date"]))
        employed_to = min(last, _day(person["termination_date"]) or last)
        days = {employed_from + timedelta(n) for n in range((employed_to - employed_from).days + 1)}
        for on_leave, leave_start, leave_end in unpaid_leaves:
            if on_leave == employee_id:
                days -= {leave_start + timedelta(n) for n in range(((leave_end or last) - leave_start).days + 1)}
        return amount * len(days) / ((last - first).days + 1)

    def quota_of(employee_id: str, month_start: str, terms: Terms | TeamTerms) -> Decimal:
        quota_row = quotas[(employee_id, month_start)]
        assert quota_row["currency"] == employees[(employee_id,)]["pay_currency"], "demo quotas are in the pay currency"
        return prorated(Decimal(quota_row["quota_amount"]), employee_id, month_start, terms)

    def tiered(terms: Terms, quota: Decimal, before: Decimal, after: Decimal) -> Decimal:
        """Commission on the bookings between `before` and `after` of a month: the part in each
        tier, signed (going down earns back what going up paid; the first tier has no floor)."""

        def held(amount: Decimal, low: Decimal, high: Decimal) -> Decimal:
            floor = amount if low == 0 else max(amount, quota * low)
            return min(floor, quota * min(high, CAP))

        return sum(
            (rate * (held(after, low, high) - held(before, low, high)) for low, high, rate in terms.tiers),
            Decimal(0),
        )

    def on_curve(
        terms: Terms, quota: Decimal, span: tuple[Decimal, Decimal], pay_ccy: str, day: str, *, months: Decimal
    ) -> Decimal:
        """What the bookings between `before` and `after` add to the curve's payout, in the pay currency."""
        before, after = span
        ceiling = quota * CAP
        gained = curve_value(terms.curve, min(after, ceiling) / quota) - curve_value(
            terms.curve, min(before, ceiling) / quota
        )
        return terms.annual_target * months / 12 * fx("USD", pay_ccy, day) * gained

    def earned_to_date(employee_id: str, plan: str, terms: Terms, month_start: str) -> Decimal:
        """Year to date from the version's start: all the window's credits at this month's quota and target."""
        start = max(terms.starts.replace(day=1), date.fromisoformat(month_start).replace(month=1, day=1)).isoformat()
        months = [
            m for m in (_months(start, month_start)) if (employee_id, m) in quotas and on_plan_in(employee_id, plan, m)
        ]
        quota = sum((quota_of(employee_id, m, terms) for m in months), Decimal(0))
        target_months = sum((prorated(Decimal(1), employee_id, m, terms) for m in months), Decimal(0))
        credits = sorted(
            (
                c
                for (e, p, m), cs in month_credits.items()
                if (e, p) == (employee_id, plan) and start <= m <= month_start
                for c in cs
            ),
            key=lambda c: (c[0], c[1], c[2] is not None, c[2] or ""),
        )
        bookings = sum((c[3] for c in credits), Decimal(0))
        if terms.threshold and bookings / quota < terms.threshold:
            return Decimal(0)
        pay_ccy = employees[(employee_id,)]["pay_currency"]
        earned, stacked_so_far = Decimal(0), Decimal(0)
        for close, _, _, credit in credits:
            span = (stacked_so_far, stacked_so_far + credit)
            earned += on_curve(terms, quota, span, pay_ccy, close, months=target_months)
            stacked_so_far += credit
        return earned

    def stacked(month: tuple[str, str, str]) -> list[tuple[tuple, Decimal, Decimal]]:
        """The month's credits in close date, deal, split order, with the bookings before and after each."""
        total = Decimal(0)
        order = sorted(month_credits[month], key=lambda c: (c[0], c[1], c[2] is not None, c[2] or ""))
        out = []
        for credit in order:
            out.append((credit, total, total + credit[3]))
            total += credit[3]
        return out

    def month_commission(month: tuple[str, str, str], bookings: Decimal) -> Decimal:
        employee_id, plan, month_start = month
        terms = terms_on(plan, date.fromisoformat(month_start))
        if terms.year_to_date:  # earned to date minus earned at the window's previous month with a credit
            earlier = [
                m
                for (e, p, m) in month_credits
                if (e, p) == (employee_id, plan)
                and m < month_start
                and m[:4] == month_start[:4]
                and terms_on(plan, date.fromisoformat(m)) is terms
            ]
            paid = earned_to_date(employee_id, plan, terms, max(earlier)) if earlier else Decimal(0)
            return earned_to_date(employee_id, plan, terms, month_start) - paid
        quota = quota_of(employee_id, month_start, terms)
        if terms.threshold and bookings / quota < terms.threshold:
            return Decimal(0)
        if terms.tiers:  # closed form
            return tiered(terms, quota, Decimal(0), bookings)
        pay_ccy = employees[(employee_id,)]["pay_currency"]
        target_months = prorated(D(1), employee_id, month_start, terms)
        return sum(
            (
                on_curve(terms, quota, (before, after), pay_ccy, credit[0], months=target_months)
                for credit, before, after in stacked(month)
            ),
            Decimal(0),
        )

    def paid_on(month: tuple[str, str, str], opp_id: str, split_id: str | None) -> Decimal:
        """What one credit earned: the month's credits stacked in close date, deal, split order."""
        terms = terms_on(month[1], date.fromisoformat(month[2]))
        assert terms.tiers, "clawbacks are only on tiered plans"
        for (_, opp, split, _), before, after in stacked(month):
            if (opp, split) == (opp_id, split_id):
                return tiered(terms, quota_of(month[0], month[2], terms), before, after)
        raise AssertionError(f"no credit {opp_id}/{split_id} in {month}")

    # Clawbacks (docs/plans.md): refund/churn credit notes within the window of the close, and
    # invoices still unpaid the window's days after their due date (when the billing export
    # reaches that day), take back the share of the deal they stand for, at most all of it,
    # in the month they are discovered.
    def clawback_events(window: int) -> dict[str, list[tuple[str, str, str, Decimal]]]:
        """Per deal: (day discovered, id, event, amount) of its credit notes and unpaid invoices."""
        billing = landing / "billing"
        notes_file, payments_file = billing / "credit_notes.jsonl", billing / "payments.jsonl"
        invoices = _latest(_jsonl(billing / "invoices.jsonl"), ("invoice_id",), "updated_at")
        notes = _latest(_jsonl(notes_file) if notes_file.exists() else [], ("credit_note_id",), "updated_at")
        paid = _latest(_jsonl(payments_file) if payments_file.exists() else [], ("payment_id",), "updated_at")
        as_of = max(
            [i["invoice_date"] for i in invoices.values()]
            + [p["payment_date"] for p in paid.values()]
            + [n["issue_date"] for n in notes.values()]
        )
        settlements = [(p["invoice_id"], p["payment_date"], p) for p in paid.values()]
        settlements += [(n["invoice_id"], n["issue_date"], n) for n in notes.values()]
        events: dict[str, list[tuple[str, str, str, Decimal]]] = defaultdict(list)
        for note in notes.values():
            invoice = invoices.get((note["invoice_id"],))
            if invoice is not None:
                events[invoice["opportunity_id"]].append(
                    (note["issue_date"], note["credit_note_id"], note["reason"], Decimal(str(note["amount"])))
                )
        for invoice in invoices.values():
            if invoice["status"] == "void" or not invoice["due_date"]:
                continue
            checked = (date.fromisoformat(invoice["due_date"]) + timedelta(days=window)).isoformat()
            settled = sum(
                (
                    Decimal(str(row["amount"]))
                    for invoice_id, day, row in settlements
                    if invoice_id == invoice["invoice_id"] and day <= checked and row["currency"] == invoice["currency"]
                ),
                Decimal(0),
            )
            outstanding = Decimal(str(invoice["total_amount"])) - settled
            if checked <= as_of and outstanding > 0:
                events[invoice["opportunity_id"]].append((checked, invoice["invoice_id"], "non_payment", outstanding))
        return events

    def clawbacks() -> dict[tuple[str, str, str], Decimal]:
        if not (landing / "billing" / "invoices.jsonl").exists():
            return {}
        clawed: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for plan, (kinds, window) in CLAWBACKS.items():
            events = clawback_events(window)
            for opp_id, credited in deal_credits.items():
                taken_so_far: dict[str | None, Decimal] = defaultdict(Decimal)
                for day, _, kind, amount in sorted(events[opp_id]):
                    discovered = date.fromisoformat(day)
                    for employee_id, credit_plan, month_start, split_id, closed in credited:
                        within = kind == "non_payment" or (discovered - closed).days <= window
                        if credit_plan != plan or kind not in kinds or discovered < closed or not within:
                            continue
                        share = amount / Decimal(opps[(opp_id,)]["amount"])
                        before = taken_so_far[split_id]
                        taken_so_far[split_id] = before + share
                        taken = min(before + share, Decimal(1)) - min(before, Decimal(1))
                        earned_on_deal = paid_on((employee_id, plan, month_start), opp_id, split_id)
                        earned_on_deal += flat_paid[(opp_id, split_id)]
                        clawed[(employee_id, plan, discovered.replace(day=1).isoformat())] -= earned_on_deal * taken
        return clawed

    clawed = clawbacks()

    # a yearly cap converts at the first day of its year in the rates file
    first_rate_day = {year: min(d for _, d in usd_rate if d[:4] == year) for year in {d[:4] for _, d in usd_rate}}

    def yearly_caps() -> dict[tuple[str, str, str], Decimal]:
        """Yearly caps (docs/plans.md): a year's commission to date above the cap, converted at
        the year's first day in the rates file; each month takes what the excess grew by."""
        taken: dict[tuple[str, str, str], Decimal] = {}
        running: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {}  # (emp, plan, year) -> (earned, excess)
        for employee_id, plan, month_start in sorted(booked):
            terms = terms_on(plan, date.fromisoformat(month_start))
            if terms.cap_per_year is None:
                continue
            key = (employee_id, plan, month_start[:4])
            earned, excess_before = running.get(key, (Decimal(0), Decimal(0)))
            earned += month_commission((employee_id, plan, month_start), booked[(employee_id, plan, month_start)])
            pay_ccy = employees[(employee_id,)]["pay_currency"]
            cap = terms.cap_per_year * fx("USD", pay_ccy, first_rate_day[month_start[:4]])
            excess = max(Decimal(0), earned - cap)
            taken[(employee_id, plan, month_start)] = excess_before - excess
            running[key] = (earned, excess)
        return taken

    year_capped = yearly_caps()

    earned: dict[tuple[str, str, str], Decimal] = {}
    for employee_id, plan, month_start in sorted(set(booked) | set(clawed) | set(flat_earned) | set(spif_paid)):
        commission = clawed.get((employee_id, plan, month_start), Decimal(0))
        commission += flat_earned.get((employee_id, plan, month_start), Decimal(0))
        commission += spif_paid.get((employee_id, plan, month_start), Decimal(0))
        commission += year_capped.get((employee_id, plan, month_start), Decimal(0))
        bookings = booked.get((employee_id, plan, month_start))
        if bookings is not None:
            # The month's commission in closed form, not deal by deal.
            commission += month_commission((employee_id, plan, month_start), bookings)
        earned[(employee_id, plan, month_start)] = commission

    def quarter_bonuses() -> None:
        """Quarterly bonuses (docs/plans.md): once a quarter, in the first month the quarter's
        bookings so far reach the level times the quarter's quota (its months on the plan)."""
        paid_quarters: set[tuple[str, str, str]] = set()
        for employee_id, plan, month_start in sorted(booked):
            terms = terms_on(plan, date.fromisoformat(month_start))
            quarter = f"{month_start[:5]}{(int(month_start[5:7]) - 1) // 3 * 3 + 1:02d}-01"
            if terms.quarter_bonus is None or (employee_id, plan, quarter) in paid_quarters:
                continue
            months = _months(quarter, quarter[:5] + f"{int(quarter[5:7]) + 2:02d}-01")
            on_plan = [m for m in months if (employee_id, m) in quotas and on_plan_in(employee_id, plan, m)]
            quota = sum((quota_of(employee_id, m, terms) for m in on_plan), Decimal(0))
            so_far = sum(
                (booked.get((employee_id, plan, m), Decimal(0)) for m in months if m <= month_start), Decimal(0)
            )
            amount, level = terms.quarter_bonus
            if so_far >= level * quota:
                paid_quarters.add((employee_id, plan, quarter))
                month_end = _month_end(month_start)
                pay_ccy = employees[(employee_id,)]["pay_currency"]
                earned[(employee_id, plan, month_start)] += amount * fx("USD", pay_ccy, month_end)

    quarter_bonuses()

    def contest_prizes() -> None:
        """Contests (docs/plans.md): rank by USD bookings in the dates, ties share a rank; paid in the end month."""
        for plan, versions in PLANS.items():
            for terms in versions:
                if terms.contest is None:
                    continue
                starts, ends, prizes = terms.contest
                scores: dict[str, Decimal] = defaultdict(Decimal)
                for employee_id, p, day, amount, currency in deal_shares:
                    if p == plan and starts <= day <= ends:
                        scores[employee_id] += amount * to_usd(currency, day)
                for employee_id, score in scores.items():
                    rank = 1 + sum(1 for other in scores.values() if other > score)
                    if rank <= len(prizes):
                        pay_ccy = employees[(employee_id,)]["pay_currency"]
                        key = (employee_id, plan, ends[:7] + "-01")
                        earned[key] = earned.get(key, Decimal(0)) + prizes[rank - 1] * fx("USD", pay_ccy, ends)

    contest_prizes()

    # Sales managers (MGR_2026): the team's annual contract value, credited up the line.
    def managers_on(employee_id: str, day: date) -> list[str]:
        """The line of managers above `employee_id` on `day`, nearest first (job history)."""
        line: list[str] = []
        person = employee_id
        while len(line) < 20:
            covering = [
                job
                for job in jobs
                if job["employee_id"] == person
                and _day(job["effective_from"]) <= day
                and (job["effective_to"] is None or day <= _day(job["effective_to"]))
            ]
            if not covering:
                break
            manager = max(covering, key=lambda job: job["effective_from"])["manager_employee_id"]
            if not manager:
                break
            line.append(manager)
            person = manager
        return line

    mgr = MANAGER_TERMS
    team_credits: dict[str, list[tuple[str, str, str | None, Decimal]]] = defaultdict(list)  # by manager

    def credit_teams() -> None:
        for (opp_id,), opp in opps.items():
            if opp["stage"] != "Closed Won" or opp_id in exclude_opportunities:
                continue
            close = opp["close_date"]
            day = date.fromisoformat(close)
            recipients = [
                (s["split_owner_user_id"], Decimal(s["split_percent"]) / 100, s["split_id"])
                for s in splits_by_opp[opp_id]
            ]
            for user_id, share, split_id in recipients or [(opp["owner_user_id"], Decimal(1), None)]:
                if (user_id,) not in users:
                    continue
                for manager in managers_on(users[(user_id,)]["employee_number"], day):
                    person = employees[(manager,)]
                    employed = _day(person["hire_date"]) <= day and (
                        person["termination_date"] is None or day <= _day(person["termination_date"])
                    )
                    if (
                        not employed
                        or plan_on(manager, day) != MANAGER_PLAN
                        or (manager, close[:7] + "-01") not in quotas
                    ):
                        continue
                    acv = deal_value(Terms(mgr.starts, measure="bookings_acv"), opp)
                    team_credits[manager].append(
                        (close, opp_id, split_id, acv * share * fx(opp["currency"], person["pay_currency"], close))
                    )

    credit_teams()

    def months_on_plan(manager: str, first: str, last: str) -> list[str]:
        return [m for m in _months(first, last) if (manager, m) in quotas and on_plan_in(manager, MANAGER_PLAN, m)]

    def curve_earned(
        credits: list[tuple[str, Decimal]],
        quota: Decimal,
        *,
        cap: Decimal,
        curve: tuple[tuple[Decimal, Decimal], ...],
        weight: Decimal,
        target_months: Decimal,
        pay_ccy: str,
    ) -> Decimal:
        """A manager's curve component, credit by credit in order: each (day, credit) pays what
        its move up the curve (held at the cap) is worth of the target, converted on its day."""
        ceiling, before, earned_so_far = quota * cap, Decimal(0), Decimal(0)
        for day, credit in credits:
            after = before + credit
            gained = curve_value(curve, min(after, ceiling) / quota) - curve_value(curve, min(before, ceiling) / quota)
            earned_so_far += mgr.annual_target * weight * target_months / 12 * fx("USD", pay_ccy, day) * gained
            before = after
        return earned_so_far

    def team_earned_to_date(manager: str, month_start: str) -> Decimal:
        """The team component at `month_start`: January to date against the quota to the quarter's end."""
        january = month_start[:5] + "01-01"
        quarter_end = month_start[:5] + f"{(int(month_start[5:7]) - 1) // 3 * 3 + 3:02d}-01"
        counted = months_on_plan(manager, january, quarter_end)
        quota = sum((quota_of(manager, m, mgr) for m in counted), Decimal(0))
        target_months = sum((prorated(Decimal(1), manager, m, mgr) for m in counted), Decimal(0))
        to_date = sorted(
            (c for c in team_credits[manager] if january <= c[0] <= _month_end(month_start)),
            key=lambda c: (c[0], c[1], c[2] is not None, c[2] or ""),
        )
        bookings = sum((c[3] for c in to_date), Decimal(0))
        if bookings / quota < mgr.team_threshold:
            return Decimal(0)
        pay_ccy = employees[(manager,)]["pay_currency"]
        credits = [(close, credit) for close, _, _, credit in to_date]
        return curve_earned(
            credits,
            quota,
            cap=mgr.team_cap,
            curve=mgr.team_curve,
            weight=mgr.team_weight,
            target_months=target_months,
            pay_ccy=pay_ccy,
        )

    def add(manager: str, month_start: str, amount: Decimal) -> None:
        key = (manager, MANAGER_PLAN, month_start)
        earned[key] = earned.get(key, Decimal(0)) + amount

    def team_lines() -> None:
        for manager, credited in team_credits.items():
            credit_months = sorted({c[0][:7] + "-01" for c in credited})
            pay_ccy = employees[(manager,)]["pay_currency"]
            for k, month_start in enumerate(credit_months):
                previous = credit_months[k - 1] if k and credit_months[k - 1][:4] == month_start[:4] else None
                paid_to_date = team_earned_to_date(manager, previous) if previous else Decimal(0)
                # the year pays what it has earned to date, never more than the yearly cap
                cap = mgr.team_cap_per_year * fx("USD", pay_ccy, first_rate_day[month_start[:4]])
                add(manager, month_start, min(team_earned_to_date(manager, month_start), cap) - min(paid_to_date, cap))
            # the year bonus: the first month with a credit whose year to date reaches the year's quota
            amount, level = mgr.year_bonus
            for year in sorted({m[:4] for m in credit_months}):
                year_quota = sum(
                    (quota_of(manager, m, mgr) for m in months_on_plan(manager, f"{year}-01-01", f"{year}-12-01")),
                    Decimal(0),
                )
                for month_start in (m for m in credit_months if m[:4] == year):
                    so_far = sum((c[3] for c in credited if year <= c[0] <= _month_end(month_start)), Decimal(0))
                    if so_far >= level * year_quota:
                        add(manager, month_start, amount * fx("USD", pay_ccy, _month_end(month_start)))
                        break

    team_lines()

    # the MBO: each quarter's score on its curve, in the quarter's last month
    def mbo_lines() -> None:
        mbo_file = landing / "hr" / "mbo_scores.csv"
        scores = _latest(_csv(mbo_file) if mbo_file.exists() else [], ("employee_id", "period_start"), "updated_at")
        for (manager, quarter_start), score in scores.items():
            quarter_end = _day(score["period_end"])
            if plan_on(manager, quarter_end) != MANAGER_PLAN:
                continue
            last_month = quarter_end.replace(day=1).isoformat()
            days_at_work = sum(
                (
                    prorated(Decimal(1), manager, m, mgr) * period_bounds(m[:7])[1].day
                    for m in _months(quarter_start, last_month)
                ),
                Decimal(0),
            )
            share_at_work = days_at_work / ((quarter_end - _day(quarter_start)).days + 1)
            pay_ccy = employees[(manager,)]["pay_currency"]
            paid = curve_value(mgr.mbo_curve, Decimal(score["score"]))
            add(
                manager,
                last_month,
                mgr.annual_target
                * mgr.mbo_weight
                * 3
                / 12
                * share_at_work
                * paid
                * fx("USD", pay_ccy, score["period_end"]),
            )

    mbo_lines()

    # the region: every deal whose account is in the region of the manager's territory, whole,
    # against the region's monthly quota (HR measure region_bookings), on its own curve
    def region_lines() -> None:
        accounts = _latest(_csv(landing / "crm" / "accounts.csv"), ("account_id",), "last_modified_at")
        region_of_territory = {}
        for account in sorted(accounts.values(), key=lambda a: a["region"]):
            region_of_territory.setdefault(account["territory"], account["region"])
        region_quotas = {
            (q["employee_id"], q["period_start"]): Decimal(q["quota_amount"])
            for q in _csv(landing / "hr" / "quotas.csv")
            if q["measure"] == "region_bookings"
        }
        managers = {job["employee_id"] for job in jobs if job["plan_id"] == MANAGER_PLAN}
        credited: dict[tuple[str, str], list[tuple[str, str, Decimal]]] = defaultdict(list)
        for (opp_id,), opp in opps.items():
            if opp["stage"] != "Closed Won" or opp_id in exclude_opportunities:
                continue
            day = date.fromisoformat(opp["close_date"])
            deal_region = accounts[(opp["account_id"],)]["region"]
            for manager in managers:
                job = max(
                    (
                        j
                        for j in jobs
                        if j["employee_id"] == manager
                        and _day(j["effective_from"]) <= day
                        and (j["effective_to"] is None or day <= _day(j["effective_to"]))
                    ),
                    key=lambda j: j["effective_from"],
                    default=None,
                )
                person = employees[(manager,)]
                month_start = opp["close_date"][:7] + "-01"
                if (
                    job is None
                    or job["plan_id"] != MANAGER_PLAN
                    or region_of_territory.get(job["territory"]) != deal_region
                ):
                    continue
                employed = person["hire_date"] <= opp["close_date"] and (
                    person["termination_date"] is None or opp["close_date"] <= person["termination_date"]
                )
                if not employed or (manager, month_start) not in quotas:
                    continue
                acv = deal_value(Terms(mgr.starts, measure="bookings_acv"), opp)
                rate = fx(opp["currency"], person["pay_currency"], opp["close_date"])
                credited[(manager, month_start)].append((opp["close_date"], opp_id, acv * rate))
        for (manager, month_start), month_credits in credited.items():
            quota = prorated(region_quotas[(manager, month_start)], manager, month_start, mgr)
            target_months = prorated(Decimal(1), manager, month_start, mgr)
            pay_ccy = employees[(manager,)]["pay_currency"]
            credits = [(close, credit) for close, _, credit in sorted(month_credits)]
            earned_in_month = curve_earned(
                credits,
                quota,
                cap=mgr.region_cap,
                curve=mgr.region_curve,
                weight=mgr.region_weight,
                target_months=target_months,
                pay_ccy=pay_ccy,
            )
            add(manager, month_start, earned_in_month)

    region_lines()

    # the contest: team bookings over the HR quota of the contest's months, ties share a rank
    def contest_prizes_of_teams() -> None:
        starts, ends, prizes = mgr.contest
        team_scores = {}
        for manager, credited in team_credits.items():
            in_contest = [c[3] for c in credited if starts <= c[0] <= ends]
            if in_contest:
                contest_quota = sum(
                    (
                        Decimal(quotas[(manager, m)]["quota_amount"])
                        for m in months_on_plan(manager, starts, ends[:8] + "01")
                    ),
                    Decimal(0),
                )
                team_scores[manager] = sum(in_contest, Decimal(0)) / contest_quota
        for manager, score in team_scores.items():
            rank = 1 + sum(1 for other in team_scores.values() if other > score)
            if rank <= len(prizes):
                add(manager, ends[:8] + "01", prizes[rank - 1] * fx("USD", employees[(manager,)]["pay_currency"], ends))

    contest_prizes_of_teams()

    # SDRs (SDR_2026): completed activities of their own, on the plan with a meeting quota that month.
    def sdr_lines() -> None:
        activities_file = landing / "crm" / "activities.csv"
        if not activities_file.exists():
            return
        meeting_quotas = {
            (q["employee_id"], q["period_start"]): Decimal(q["quota_amount"])
            for q in _csv(landing / "hr" / "quotas.csv")
            if q["measure"] == "qualified_meetings"
        }
        meetings: dict[tuple[str, str], int] = defaultdict(int)
        spif_units: dict[tuple[str, str], int] = defaultdict(int)
        spif_starts, spif_ends, spif_activity, spif_family, spif_amount = SDR_SPIF
        for activity in _latest(_csv(activities_file), ("activity_id",), "last_modified_at").values():
            if activity["status"] != "completed" or (activity["owner_user_id"],) not in users:
                continue
            employee_id = users[(activity["owner_user_id"],)]["employee_number"]
            day, month_start = activity["activity_date"], activity["activity_date"][:7] + "-01"
            person = employees[(employee_id,)]
            employed = person["hire_date"] <= day and (
                person["termination_date"] is None or day <= person["termination_date"]
            )
            if plan_on(employee_id, date.fromisoformat(day)) != SDR_PLAN or not employed:
                continue
            if (employee_id, month_start) not in meeting_quotas:
                continue
            if activity["activity_type"] == "qualified_meeting":
                meetings[(employee_id, month_start)] += 1
            linked = items_by_opp.get(activity["opportunity_id"], [])
            if (
                activity["activity_type"] == spif_activity
                and spif_starts <= day <= spif_ends
                and activity["opportunity_id"] not in exclude_opportunities
                and any(item["product_family"] == spif_family for item in linked)
            ):
                spif_units[(employee_id, month_start)] += 1
        for (employee_id, month_start), count in meetings.items():
            quota = prorated(meeting_quotas[(employee_id, month_start)], employee_id, month_start, PLANS[SDR_PLAN][0])
            if count < SDR_THRESHOLD * quota:
                continue
            pay_ccy = employees[(employee_id,)]["pay_currency"]
            usd = min(SDR_PER_MEETING * count, SDR_MONTHLY_CAP)
            key = (employee_id, SDR_PLAN, month_start)
            earned[key] = earned.get(key, Decimal(0)) + usd * fx("USD", pay_ccy, _month_end(month_start))
        for (employee_id, month_start), count in spif_units.items():
            pay_ccy = employees[(employee_id,)]["pay_currency"]
            key = (employee_id, SDR_PLAN, month_start)
            earned[key] = earned.get(key, Decimal(0)) + spif_amount * count * fx(
                "USD", pay_ccy, _month_end(month_start)
            )

    sdr_lines()

    # Analytics specialists (SPEC_2026): overlay credits on their territory's Analytics deals.
    def specialist_lines() -> None:
        accounts = _latest(_csv(landing / "crm" / "accounts.csv"), ("account_id",), "last_modified_at")
        specialist_jobs = [job for job in jobs if job["plan_id"] == SPECIALIST_PLAN]
        # (specialist, month) -> [(close date, opportunity, USD credited, USD -> pay currency that day)]
        overlay_deals: dict[tuple[str, str], list[tuple[str, str, Decimal, Decimal]]] = defaultdict(list)
        for (opp_id,), opp in opps.items():
            if opp["stage"] != "Closed Won" or opp_id in exclude_opportunities:
                continue
            if not any(item["product_family"] == SPECIALIST_FAMILY for item in items_by_opp[opp_id]):
                continue
            day = date.fromisoformat(opp["close_date"])
            territory = accounts[(opp["account_id"],)]["territory"]
            owners = {s["split_owner_user_id"] for s in splits_by_opp[opp_id]} or {opp["owner_user_id"]}
            credited = {users[(u,)]["employee_number"] for u in owners if (u,) in users}
            for job in specialist_jobs:
                specialist = job["employee_id"]
                covers = _day(job["effective_from"]) <= day and (
                    job["effective_to"] is None or day <= _day(job["effective_to"])
                )
                person = employees[(specialist,)]
                employed = person["hire_date"] <= opp["close_date"] and (
                    person["termination_date"] is None or opp["close_date"] <= person["termination_date"]
                )
                month_start = opp["close_date"][:7] + "-01"
                if not covers or job["territory"] != territory or specialist in credited or not employed:
                    continue
                if (specialist, month_start) not in quotas:
                    continue
                to_pay = fx("USD", person["pay_currency"], opp["close_date"])
                if opp["close_date"] >= SPECIALIST_V2:
                    usd = first_year_value(opp) * fx(opp["currency"], "USD", opp["close_date"])
                    second_half[specialist].append((opp["close_date"], usd, to_pay))
                    units = sum(int(i["quantity"]) for i in items_by_opp[opp_id])
                    units_sold[(specialist, month_start)].append((opp["close_date"], opp_id, units, to_pay))
                    invoiced_overlay(specialist, opp)
                    continue
                usd = Decimal(opp["amount"]) * fx(opp["currency"], "USD", opp["close_date"])
                overlay_deals[(specialist, month_start)].append((opp["close_date"], opp_id, usd, to_pay))
        below_quota, above_quota = SPECIALIST_RATES
        for (specialist, month_start), deals in overlay_deals.items():
            quota_row = quotas[(specialist, month_start)]
            assert quota_row["currency"] == "USD", quota_row
            room_below_quota = Decimal(quota_row["quota_amount"])
            commission = Decimal(0)
            for _, _, usd, to_pay in sorted(deals):
                below = min(usd, max(room_below_quota, Decimal(0)))
                room_below_quota -= usd
                commission += (below_quota * below + above_quota * (usd - below)) * to_pay
            key = (specialist, SPECIALIST_PLAN, month_start)
            earned[key] = earned.get(key, Decimal(0)) + commission
        for specialist, deals in second_half.items():
            # the quota of July to December (HR states the year's months up front)
            year = SPECIALIST_V2[:4]
            half_quota = sum(
                (
                    Decimal(q["quota_amount"])
                    for (e, m), q in quotas.items()
                    if e == specialist and m[:4] == year and m[5:7] >= "07"
                ),
                Decimal(0),
            )
            for month_start in sorted({close[:7] + "-01" for close, _, _ in deals}):
                to_date = sum((usd for close, usd, _ in deals if close <= _month_end(month_start)), Decimal(0))
                low, high = SPECIALIST_V2_RATES
                rate = high if to_date >= half_quota else low
                commission = sum(
                    (
                        min(rate * usd, SPECIALIST_V2_DEAL_CAP) * to_pay
                        for close, usd, to_pay in deals
                        if close[:7] == month_start[:7]
                    ),
                    Decimal(0),
                )
                key = (specialist, SPECIALIST_PLAN, month_start)
                earned[key] = earned.get(key, Decimal(0)) + commission

    def first_year_value(opp: dict) -> Decimal:
        """Subscription lines for the first twelve months of the term, plus the one-time lines."""
        items = items_by_opp[opp["opportunity_id"]]
        # the demo's line items add up to the deal, in families the seed knows (else no credit)
        assert sum(Decimal(i["total_price"]) for i in items) == Decimal(opp["amount"]), opp
        assert all(i["product_family"] in COST_RATES for i in items) and int(opp["term_months"]) > 0, opp
        recurring = sum((Decimal(i["total_price"]) for i in items if i["product_family"] in RECURRING_FAMILIES), D(0))
        one_time = sum(
            (Decimal(i["total_price"]) for i in items if i["product_family"] not in RECURRING_FAMILIES), D(0)
        )
        term = int(opp["term_months"])
        with localcontext() as ctx:
            ctx.prec = 60
            return recurring * min(term, 12) / term + one_time

    def invoiced_overlay(specialist: str, opp: dict) -> None:
        """0.5 % of each invoice of a deal the specialist is credited with, in USD at its date, paid that month."""
        pay_ccy = employees[(specialist,)]["pay_currency"]
        for invoice in invoices_by_opp[opp["opportunity_id"]]:
            day = invoice["invoice_date"]
            if not counts_at(specialist, SPECIALIST_PLAN, date.fromisoformat(day)):
                continue
            usd = Decimal(str(invoice["total_amount"])) * fx(invoice["currency"], "USD", day)
            key = (specialist, SPECIALIST_PLAN, day[:7] + "-01")
            earned[key] = earned.get(key, Decimal(0)) + SPECIALIST_V2_INVOICED * usd * fx("USD", pay_ccy, day)

    def units_lines() -> None:
        """Each month's units, stacked deal by deal against the month's units quota."""
        units_quotas = {
            (q["employee_id"], q["period_start"]): int(Decimal(q["quota_amount"]))
            for q in _csv(landing / "hr" / "quotas.csv")
            if q["measure"] == "units"
        }
        low, high = SPECIALIST_V2_PER_UNIT
        for (specialist, month_start), deals in units_sold.items():
            room_below_quota = units_quotas[(specialist, month_start)]
            commission = Decimal(0)
            for _, _, units, to_pay in sorted(deals):
                below = min(units, max(room_below_quota, 0))
                room_below_quota -= units
                commission += (low * below + high * (units - below)) * to_pay
            key = (specialist, SPECIALIST_PLAN, month_start)
            earned[key] = earned.get(key, Decimal(0)) + commission

    second_half: dict[str, list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
    # (specialist, month) -> [(close date, opportunity, units, USD -> pay currency that day)]
    units_sold: dict[tuple[str, str], list[tuple[str, str, int, Decimal]]] = defaultdict(list)
    specialist_lines()
    units_lines()

    # Draws (docs/plans.md), simulated month by month with a running balance: the first
    # months from hire pay at least the draw, advancing the shortfall; a month above the
    # draw, and with carry_forward any later month, pays back what it can.
    data_months = sorted(
        opp["close_date"][:7] + "-01"
        for (opp_id,), opp in opps.items()
        if opp["stage"] == "Closed Won" and opp_id not in exclude_opportunities
    )
    first_month, last_month = data_months[0], data_months[-1]

    def draw_line(kind: str, in_draw: bool, draw: Decimal, commission: Decimal, balance: Decimal) -> Decimal:
        if in_draw and commission < draw:
            return draw - commission  # top-up, or advance
        if kind == "non_recoverable":
            return Decimal(0)
        return -min(balance, max(commission - (draw if in_draw else 0), Decimal(0)))  # recovery

    def apply_draws(employee_id: str, plan: str) -> None:
        person = employees[(employee_id,)]
        hire_month = person["hire_date"][:7] + "-01"
        last = min(last_month, (person["termination_date"] or last_month)[:7] + "-01")
        balance = Decimal(0)
        for index, month_start in enumerate(_months(hire_month, last)):
            terms = terms_on(plan, date.fromisoformat(month_start))
            if month_start < first_month or terms is None or terms.draw is None:
                continue
            if not on_plan_in(employee_id, plan, month_start):
                continue
            kind, amount, months, carry_forward = terms.draw
            in_draw = index < months
            if in_draw or (kind == "recoverable" and carry_forward):
                month_end = _month_end(month_start)
                monthly = prorated(amount, employee_id, month_start, terms)
                draw = monthly * fx("USD", person["pay_currency"], month_end) if in_draw else Decimal(0)
                key = (employee_id, plan, month_start)
                line = draw_line(kind, in_draw, draw, earned.get(key, Decimal(0)), balance)
                balance += line if kind == "recoverable" else 0
                if line:
                    earned[key] = earned.get(key, Decimal(0)) + line

    for (employee_id,), plan in itertools.product(employees, PLANS):
        apply_draws(employee_id, plan)

    payouts: dict[tuple[str, str], Payout] = {}
    for (employee_id, _, month_start), commission in sorted(earned.items()):
        pay_ccy = employees[(employee_id,)]["pay_currency"]
        period = month_start[:7]
        quantum = Decimal(1).scaleb(-MINOR_UNITS.get(pay_ccy, 2))
        amount = commission.quantize(quantum, rounding=ROUND_HALF_UP)
        key = (employee_id, period)
        previous = payouts.get(key)
        total = amount if previous is None else previous.amount + amount
        payouts[key] = Payout(employee_id, period, pay_ccy, total)
    return payouts


def compute_adjustments(landing: Path) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """Manual adjustments per (employee, period) as the file states them: summed, never converted."""
    rows = _latest(_csv(landing / "hr" / "commission_adjustments.csv"), ("adjustment_id",), "updated_at")
    totals: dict[tuple[str, str], tuple[Decimal, str]] = {}
    for row in rows.values():
        key = (row["employee_id"], row["pay_period"])
        amount, currency = Decimal(row["amount"]), row["currency"]
        if key in totals:
            assert totals[key][1] == currency, "one pay currency per person"
            amount += totals[key][0]
        totals[key] = (amount, currency)
    return totals


def payroll_lines(
    landing: Path, period: str, exclude_opportunities: set[str] = frozenset()
) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """What the payroll file of `period` must hold: (employee, earnings code) -> (amount, currency)."""
    lines = {
        (employee, "COMM"): (p.amount, p.currency)
        for (employee, pay_period), p in compute_payouts(landing, exclude_opportunities).items()
        if pay_period == period and p.amount != 0
    }
    for (employee, pay_period), (amount, currency) in compute_adjustments(landing).items():
        if pay_period == period and amount != 0:
            lines[(employee, "ADJ")] = (amount, currency)
    return lines
