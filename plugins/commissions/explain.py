"""`commissions explain --employee ID --period YYYY-MM`: the derivation of one payout.

Reads the marts (finance.fct_payouts, finance.fct_commission_lines, finance.dim_plans,
bi.fct_attainment, finance.fct_adjustments, finance.payroll_export,
ops.ops_non_commissionable_credits) and prints them for a rep or manager to follow, 120
columns wide: per plan, its components with each one's attainment window at the end of
the month (the one attainment the lines were rated on), a block per deal
(the deal, who it is credited to, its split share and the file and line it came from)
with its lines as a small table (what each line measured, its band, rate and base, and
its evidence), then the lines of the month that are about no one deal (caps, true-ups,
draws, bonuses, contest prizes, MBOs), the manual adjustments and the credits that
earned nothing.

Every line comes in the pay-line contract (who, plan version, component, period, kind,
amount, currency, evidence key) with the name of its kind's model (evidence_model): its
row there, read beside the contract columns with exact numbers (Decimal) and dates, is
its evidence. A kind explain has no
words for is shown by its evidence as it is, so a new kind of line is explained without
a change here.

Nothing is recomputed here: the lines are the marts' lines. Amounts are shown rounded to
their currency's minor unit (reference.currencies, the dbt seed) and rates and FX rates
to four significant digits; `exact=True` shows every value as the marts keep it. The
payout of a plan is the marts' figure, which is the sum of its exact lines rounded once
(half away from zero), so the total is the payroll line to the cent; the sum of the
exact lines is shown with `exact=True`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from typing import Any

import psycopg2.extras
import psycopg2.sql
from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from commissions import warehouse
from commissions.config import paths

#: Output width: what a terminal, a mail and a ticket all show without wrapping.
WIDTH = 120


class ExplainError(LookupError):
    """Nothing to explain: no such person, or the marts have not been built."""


COUNT_MEASURES = ("units", "activities")


@dataclass(frozen=True)
class Formats:
    """How numbers are shown: rounded for reading (the default), or exactly as the marts keep them."""

    exact: bool = False
    #: Decimals of each currency (reference.currencies); a currency missing here is shown exactly.
    minor_units: dict[str, int] = field(default_factory=dict)

    def money(self, value: Decimal | None, currency: str | None = None) -> str:
        """An amount, to its currency's minor unit (half away from zero, like the payouts)."""
        if value is None:
            return ""
        units = None if self.exact or currency is None else self.minor_units.get(currency)
        if units is None:
            return f"{value:,}"
        return f"{value.quantize(Decimal(1).scaleb(-units), rounding=ROUND_HALF_UP):,}"

    def amount(self, value: Decimal | None, currency: str | None) -> str:
        """An amount followed by its currency."""
        return "" if value is None else f"{self.money(value, currency)} {currency}"

    def count(self, value: Decimal | None) -> str:
        """A count (units, activities): as it is."""
        return "" if value is None else f"{value.normalize():,f}"

    def rate(self, value: Decimal | None) -> str:
        """An FX rate or a share: four significant digits."""
        return "" if value is None else _significant(value, self.exact)

    def percent(self, ratio: Decimal | None) -> str:
        """A commission rate, share or curve point as a percentage, four significant digits."""
        return "" if ratio is None else _significant(ratio * 100, self.exact) + "%"

    def attainment(self, ratio: Decimal | None) -> str:
        """Attainment to 0.01 % for reading."""
        if ratio is None:
            return ""
        if self.exact:
            return f"{(ratio * 100).normalize():f}%"
        return f"{(ratio * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP).normalize():f}%"


def _significant(value: Decimal, exact: bool, digits: int = 4) -> str:
    """`value` to `digits` significant digits; trailing zeros only when they were rounded to."""
    if exact or value == 0:
        return f"{value.normalize():f}"
    rounded = value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1), rounding=ROUND_HALF_UP)
    if rounded == value:
        return f"{rounded.normalize():f}"
    return f"{rounded:f}"


def _minor_units(cur: Any) -> dict[str, int]:
    """Decimals per currency: the seed as loaded into the warehouse, else the seed file itself."""
    cur.execute("select to_regclass('reference.currencies') is not null as loaded")
    if cur.fetchone()["loaded"]:
        cur.execute("select currency, minor_units from reference.currencies")
        return {row["currency"]: int(row["minor_units"]) for row in cur.fetchall()}
    with (paths().dbt_project / "seeds" / "currencies.csv").open(encoding="utf-8", newline="") as fh:
        return {row["currency"]: int(row["minor_units"]) for row in csv.DictReader(fh)}


@dataclass(frozen=True)
class _Marts:
    person: dict[str, Any] | None
    payouts: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    attainment: list[dict[str, Any]]
    not_paid: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]
    payroll: list[dict[str, Any]]
    minor_units: dict[str, int]
    #: The deals summed into each region booking's credit (by its credit_id), from the
    #: evidence model intermediate.int_region_deal_measures.
    region_deals: dict[str, list[str]] = field(default_factory=dict)


#: Each mart read for one person and period: (table, order by). The person's rows of
#: dim_plans are those of the plan versions their lines were paid under.
_PERIOD_ROWS = {
    "payouts": ("finance.fct_payouts", "plan_id"),
    "attainment": ("bi.fct_attainment", "plan_id, plan_version_number, component_id"),
    "lines": ("finance.fct_commission_lines", "commission_line_id"),
    "not_paid": ("ops.ops_non_commissionable_credits", "credit_date, opportunity_id"),
    "adjustments": ("finance.fct_adjustments", "adjustment_id"),
    "payroll": ("finance.payroll_export", "earnings_code, currency"),
}


class _Line(dict[str, Any]):
    """A line: its contract columns and its evidence in one mapping; what its kind does not have is None."""

    def __missing__(self, key: str) -> None:
        return None


def _evidence_model(name: str) -> psycopg2.sql.Composable:
    """fct_commission_lines.evidence_model (schema.table, written by dbt) as an identifier."""
    schema, _, table = name.partition(".")
    if not schema or not table:
        raise ExplainError(f"a line names {name!r} as its evidence model, which is not schema.table")
    return psycopg2.sql.Identifier(schema, table)


def _with_evidence(cur: Any, lines: list[dict[str, Any]]) -> list[_Line]:
    """Each line with its row in its kind's model (fct_commission_lines.evidence_model)
    spread beside the contract columns, typed as that model keeps them (Decimal, date)."""
    rows: dict[str, dict[str, Any]] = {}
    by_model: dict[str, list[str]] = {}
    for line in lines:
        by_model.setdefault(line["evidence_model"], []).append(line["commission_line_id"])
    for model, line_ids in sorted(by_model.items()):
        cur.execute(
            psycopg2.sql.SQL("select * from {} where commission_line_id = any(%s)").format(_evidence_model(model)),
            (line_ids,),
        )
        rows.update((row["commission_line_id"], dict(row)) for row in cur.fetchall())
    found = []
    for line in lines:
        with_evidence = _Line(rows.get(line["commission_line_id"], {}))
        with_evidence.update(line)
        found.append(with_evidence)
    return sorted(found, key=_line_order)


def _line_order(line: _Line) -> tuple[Any, ...]:
    """Plan, component (none last), then the deal lines by credit date, deal, split (the
    owner's first) and band, a per-deal cap after the deal's bands; the other lines last."""

    def last(value: Any) -> tuple[bool, Any]:
        return (value is None, "" if value is None else value)

    return (
        line["plan_id"],
        last(line["component_id"]),
        last(line["credit_date"]),
        last(line["opportunity_id"]),
        (line["split_id"] is not None, line["split_id"] or ""),
        line["line_type"] == "per_deal_cap",
        last(line["tier_number"]),
        line["commission_line_id"],
    )


def _read(wh: warehouse.Warehouse, employee_id: str, period: str) -> _Marts:
    with warehouse.connect(wh) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("select to_regclass('finance.fct_payouts') is not null as built")
        built = cur.fetchone()
        if built is None or not built["built"]:
            raise ExplainError(f"the marts are not built in {wh.describe()}: run `commissions run` first")
        cur.execute("select * from finance.dim_employees where employee_id = %s", (employee_id,))
        person = cur.fetchone()
        found: dict[str, list[Any]] = {}
        for name, (table, order_by) in _PERIOD_ROWS.items():
            cur.execute(
                f"select * from {table} where employee_id = %s and pay_period = %s order by {order_by}",
                (employee_id, period),
            )
            found[name] = [dict(row) for row in cur.fetchall()]
        found["lines"] = _with_evidence(cur, found["lines"])
        cur.execute(
            "select * from finance.dim_plans where (plan_id, version_number) in "
            "(select distinct plan_id, plan_version_number from finance.fct_commission_lines "
            " where employee_id = %s and pay_period = %s) order by plan_id, version_number, component_id",
            (employee_id, period),
        )
        plans = [dict(row) for row in cur.fetchall()]
        minor_units = _minor_units(cur)
        region_deals = _region_deals(cur, [line["credit_id"] for line in found["lines"] if _is_region_booking(line)])
    return _Marts(person=person, plans=plans, minor_units=minor_units, region_deals=region_deals, **found)


def _is_region_booking(line: dict[str, Any]) -> bool:
    """A line about a region booking: the region's deals of a day in a currency, summed."""
    return line.get("credit_type") == "region" and not line["opportunity_id"] and bool(line["credit_id"])


def _region_deals(cur: Any, credit_ids: list[str]) -> dict[str, list[str]]:
    """The deals (and events) summed into each region booking credit, in the stack's order."""
    if not credit_ids:
        return {}
    cur.execute(
        "select credits.credit_id, deals.opportunity_id, deals.credit_event_id"
        " from intermediate.int_measure_credits as credits"
        " inner join intermediate.int_region_deal_measures as deals"
        " on deals.region_measure_id = credits.region_measure_id"
        " where credits.credit_id = any(%s)"
        " order by credits.credit_id, deals.opportunity_id, deals.credit_event_id nulls first",
        (sorted(set(credit_ids)),),
    )
    found: dict[str, list[str]] = {}
    for row in cur.fetchall():
        event = f" ({row['credit_event_id']})" if row["credit_event_id"] else ""
        found.setdefault(row["credit_id"], []).append(f"{row['opportunity_id']}{event}")
    return found


#: One row of a deal's (or the month's) table: line, how it was computed and its evidence, rate, base, amount.
_Row = tuple[str, str, str, str, str]


def _credited_as(line: dict[str, Any]) -> str:
    """The split the credit is (or the owner's), for a manager's roll-up whose credit it repeats,
    or a specialist's overlay."""
    split = line["split_id"] or "owner"
    if line.get("credit_type") == "manager_rollup":
        return f"{split} of {line['rollup_from_employee_id']} (roll-up)"
    if line.get("credit_type") == "overlay":
        return "overlay"
    if line.get("credit_type") == "region":
        return "region"
    return split


def _deal(line: dict[str, Any]) -> str:
    """The deal a line is about; an activity names itself (and the deal it created, if any)."""
    if line.get("credit_event") == "activity":
        created = f" -> {line['opportunity_id']}" if line["opportunity_id"] else ""
        return f"activity {line['credit_event_id']}{created}"
    if _is_region_booking(line):
        return f"region booking {line['deal_currency']} of {line['credit_date']:%Y-%m-%d}"
    return str(line["opportunity_id"])


def _about_a_deal(line: dict[str, Any]) -> bool:
    return bool(line["opportunity_id"]) or line.get("credit_event") == "activity" or _is_region_booking(line)


class _Explainer:
    """Turns one person's mart rows for a month into text blocks, with the numbers formatted by `fmt`."""

    def __init__(self, fmt: Formats) -> None:
        self.fmt = fmt

    # -- the lines about one deal ---------------------------------------------------------

    def band(self, line: dict[str, Any]) -> str:
        f = self.fmt
        if line.get("rate_table_per") == "transaction":
            return self.deal_band(line)
        low, high = line["tier_attainment_from"], line["tier_attainment_to"]
        band = f"band [{f.percent(low)}, {f.percent(high) if high is not None else 'open'})"
        if line["rate_table_type"] == "curve" and line["curve_payout_from"] is not None:
            # What the rate stands for: the curve segment and the target incentive behind it.
            band += (
                f", curve {f.percent(line['curve_payout_from'])} -> {f.percent(line['curve_payout_to'])} of"
                f" {f.amount(line['target_incentive'], line['target_incentive_currency'])} a year"
                f" x weight {f.percent(line['component_weight'])} x fx {f.rate(line['target_incentive_fx_rate'])}"
            )
        return band

    def deal_band(self, line: dict[str, Any]) -> str:
        """A per-transaction tier: a band of the deal credit's own amount, not of attainment."""
        f = self.fmt
        plan, credit = line["tier_amount_currency"], line["credit_currency"]

        def bound(value: Decimal | None) -> str:
            return f.count(value) if plan is None else f.money(value, plan)

        high = line["tier_amount_to"]
        band = f"per deal: band [{bound(line['tier_amount_from'])}, {bound(high) if high is not None else 'open'})"
        band += " units" if plan is None else f" {plan}"
        fx = line["tier_amount_fx_rate"]
        if plan is not None and fx is not None and fx != 1:
            band += f" x fx {f.rate(fx)} ({line['tier_amount_fx_date']:%Y-%m-%d}) {plan}->{credit}"
        before, after = line["deal_measure_before"], line["deal_measure_after"]
        if plan is None:
            return band + f"; deal {f.count(before)} -> {f.count(after)}"
        return band + f"; deal {f.money(before, credit)} -> {f.money(after, credit)} {credit}"

    def measured(self, line: dict[str, Any]) -> str:
        """What the component measured on the credit, at which event of its payment trigger, and its FX."""
        f = self.fmt
        event = line["credit_event"] + (f" {line['credit_event_id']}" if line["credit_event_id"] else "")
        if line["measure"] in COUNT_MEASURES:
            amount = f.count(line["measure_amount"])
        else:
            amount = f.amount(line["measure_amount"], line["measure_currency"] or line["deal_currency"])
        credit = f.money(line["credit_amount"], line["credit_currency"])
        return (
            f"{line['measure']} {amount} at {event} x fx {f.rate(line['fx_rate'])} = {credit} {line['credit_currency']}"
        )

    def payout_fx(self, line: dict[str, Any]) -> str:
        """A line earned in the plan currency (credit_currency) and converted to the pay currency."""
        rate = line["payout_fx_rate"]
        if rate is None or rate == 1:
            return ""
        return (
            f"; x fx {self.fmt.rate(rate)} ({line['payout_fx_date']:%Y-%m-%d}) "
            f"{line['credit_currency']}->{line['pay_currency']}"
        )

    def event_source(self, line: dict[str, Any]) -> str:
        """The invoice's or payment's row, when the credit counted at one (the deal's row heads the block)."""
        if line["credit_event"] in ("booking", "activity", None) or not line["event_source_file"]:
            return ""
        return f"; {line['event_source_file']}:{line['event_source_line']}"

    def commission(self, line: dict[str, Any]) -> _Row:
        f = self.fmt
        # a rating on attainment says how the credit moved it; one on the deal's own amount has none
        attainment = (
            ""
            if line["attainment_after"] is None
            else f"; attainment {f.attainment(line['attainment_before'])} -> {f.attainment(line['attainment_after'])}"
        )
        how = f"{self.measured(line)}; {self.band(line)}{attainment}{self.payout_fx(line)}{self.event_source(line)}"
        if not line["threshold_met"]:
            how += " (below threshold: pays nothing)"
        if line["measure"] in COUNT_MEASURES:  # a count earns an amount per unit, in the pay currency
            rate = f"{f.money(line['rate'], line['pay_currency'])} per unit"
            base = f.count(line["tier_base_amount"])
        else:
            rate = f.percent(line["rate"])
            base = f.money(line["tier_base_amount"], line["credit_currency"])
        kind = f"{line['component_id']} {line['tier_label']}"
        return kind, how, rate, base, f.money(line["commission_amount"], line["pay_currency"])

    def cap(self, line: dict[str, Any]) -> _Row:
        """A cap line: what the cap took back, and how the cap was converted."""
        f = self.fmt
        pay = line["pay_currency"]
        how = (
            f"cap {f.amount(line['cap_amount'], line['cap_currency'])} x fx {f.rate(line['cap_fx_rate'])} "
            f"({line['cap_fx_date']:%Y-%m-%d}) = {f.amount(line['cap_in_pay_currency'], pay)}, "
            "on what was earned before it (base)"
        )
        base = f.money(line["amount_before_cap"], pay)
        return line["line_type"], how, "", base, f.money(line["commission_amount"], pay)

    def clawback(self, line: dict[str, Any]) -> _Row:
        """A clawback line: the credit note (or unpaid invoice), the share of the commission it took back."""
        f = self.fmt
        note = line["credit_note_id"]
        if note:
            evidence = f"credit note {note}"
        elif line["clawback_event"] == "late_payment":
            evidence = f"payment {line['clawback_event_id']} on invoice {line['invoice_id']}, given back"
        else:
            evidence = f"unpaid invoice {line['invoice_id']}"
        how = f"{line['clawback_event']}, {evidence}: a share of the commission paid (base)"
        pay = line["pay_currency"]
        return (
            "clawback",
            how,
            f.percent(line["clawback_share"]),
            f.money(line["commission_paid"], pay),
            f.money(line["commission_amount"], pay),
        )

    def spif(self, line: dict[str, Any]) -> _Row:
        """A SPIF line: the deal it paid on, the SPIF's rate and the products' value it measured."""
        f = self.fmt
        pay = line["pay_currency"]
        if line["measure"] == "activities":
            how, rate, base = f"{line['incentive_id']} per activity x fx {f.rate(line['fx_rate'])}", "", ""
            rate = f"{f.money(line['rate'], pay)} per activity"
            base = f.count(line["credit_amount"])
        elif line["measure"] in COUNT_MEASURES:
            how = (
                f"{line['incentive_id']}: {f.count(line['measure_amount'])} {line['measure']}"
                f" x fx {f.rate(line['fx_rate'])}"
            )
            rate = f"{f.money(line['rate'], pay)} per unit"
            base = f.count(line["credit_amount"])
        else:
            how = (
                f"{line['incentive_id']}: {line['measure']} "
                f"{f.amount(line['measure_amount'], line['measure_currency'])} x fx {f.rate(line['fx_rate'])}"
                f"{self.payout_fx(line)}"
            )
            rate = f.percent(line["rate"])
            base = f.money(line["credit_amount"], line["credit_currency"])
        return "spif", how + self.event_source(line), rate, base, f.money(line["commission_amount"], pay)

    # -- the lines about no one deal --------------------------------------------------------

    def true_up(self, line: dict[str, Any]) -> _Row:
        """A true-up line: the window's earlier credits re-rated at this month's quota and attainment."""
        f = self.fmt
        pay = line["pay_currency"]
        how = (
            f"{line['component_id']} over its window: earned to date {f.money(line['earned_to_date'], pay)}"
            f" - paid to date {f.money(line['paid_to_date'], pay)};"
            f" quota {f.money(line['quota_amount'], pay)},"
            f" attainment {f.attainment(line['period_attainment'])}"
        )
        return "true_up (window)", how, "", "", f.money(line["commission_amount"], pay)

    def draw(self, line: dict[str, Any]) -> _Row:
        """A draw line: the draw, what its month or quarter earned before it, and what it advanced or recovered."""
        f = self.fmt
        pay = line["pay_currency"]
        share = line["draw_proration_share"]
        prorated = "" if share is None or share == 1 else f" x {f.rate(share)} (days on the plan)"
        how = (
            f"{line['draw_type']} {f.amount(line['draw_amount'], line['draw_currency'])}{prorated}"
            f" x fx {f.rate(line['draw_fx_rate'])} ({line['draw_fx_date']:%Y-%m-%d})"
            f" = {f.amount(line['draw_in_pay_currency'], pay)}; earned before the draw"
            f" {f.amount(line['commission_before_draw'], pay)}"
        )
        if line["draw_balance"] is not None:
            how += f"; balance {f.amount(line['draw_balance'], pay)}"
        base = f.money(line["commission_before_draw"], pay)
        return f"draw ({line['draw_period']})", how, "", base, f.money(line["commission_amount"], pay)

    def incentive(self, line: dict[str, Any]) -> _Row:
        """A bonus or contest prize: what was reached or ranked, and the amount converted."""
        f = self.fmt
        pay = line["pay_currency"]
        if line["line_type"] == "contest":
            reached = f"rank {line['contest_rank']} on {f.money(line['bookings'])}"
        else:
            # over the bonus period, not the component's window: said so, so as not to read as its attainment
            reached = (
                f"{f.attainment(line['attainment_reached'])} of the quota of the bonus period from"
                f" {line['bonus_period_start']:%Y-%m-%d} >= {f.attainment(line['attainment_at_least'])}"
            )
        how = (
            f"{line['incentive_id']} ({reached}): {f.amount(line['incentive_amount'], line['incentive_currency'])}"
            f" x fx {f.rate(line['incentive_fx_rate'])} ({line['incentive_fx_date']:%Y-%m-%d})"
        )
        return line["line_type"], how, "", "", f.money(line["commission_amount"], pay)

    def mbo(self, line: dict[str, Any]) -> _Row:
        """An MBO line: the score, the curve's share of target at it, and the target it is a share of."""
        f = self.fmt
        met = line["threshold_met"]
        threshold = "" if met else f" (below the {f.attainment(line['threshold_attainment'])} threshold)"
        how = (
            f"score {f.attainment(line['score'])}{threshold}: share of target"
            f" {f.amount(line['target_incentive'], line['target_incentive_currency'])} x weight"
            f" {f.rate(line['component_weight'])} x {line['target_incentive_months']}/12"
            f" x fx {f.rate(line['target_incentive_fx_rate'])} ({line['target_incentive_fx_date']:%Y-%m-%d});"
            f" {line['source_file']}:{line['source_line']}"
        )
        return (
            "mbo (period)",
            how,
            f.percent(line["curve_value"]),
            "",
            f.money(line["commission_amount"], line["pay_currency"]),
        )

    def evidence(self, line: dict[str, Any]) -> _Row:
        """A kind with no words of its own: its evidence as it is, each value formatted by its type."""
        f = self.fmt
        contract = {
            "commission_line_id",
            "line_type",
            "employee_id",
            "plan_id",
            "plan_version_number",
            "component_id",
            "pay_period",
            "period_start",
            "commission_amount",
            "pay_currency",
            "evidence_model",
        }

        def shown(key: str, value: Any) -> str:
            # a rate or share to four significant digits; any other number as kept, since
            # the kind does not say which currency it is in
            if isinstance(value, Decimal):
                return f.rate(value) if key.endswith(("rate", "share")) else f.count(value)
            if isinstance(value, date):
                return f"{value:%Y-%m-%d}"
            return str(value)

        how = "; ".join(
            f"{key} {shown(key, value)}" for key, value in line.items() if key not in contract and value is not None
        )
        kind = " ".join(part for part in (line["component_id"], line["line_type"]) if part)
        return kind, how, "", "", f.money(line["commission_amount"], line["pay_currency"])

    def row(self, line: dict[str, Any]) -> _Row:
        rows: dict[str, Callable[[dict[str, Any]], _Row]] = {
            "commission": self.commission,
            "per_deal_cap": self.cap,
            "per_period_cap": self.cap,
            "per_year_cap": self.cap,
            "clawback": self.clawback,
            "spif": self.spif,
            "true_up": self.true_up,
            "draw": self.draw,
            "bonus": self.incentive,
            "contest": self.incentive,
            "mbo": self.mbo,
        }
        return rows.get(line["line_type"], self.evidence)(line)

    # -- blocks ---------------------------------------------------------------------------

    def deal_header(self, lines: list[dict[str, Any]]) -> Text:
        """Deal, who it is credited to, credit date, deal amount, split share, and the row it came from."""
        f = self.fmt
        first = lines[0]
        parts = [_deal(first), f"credited to {_credited_as(first)}"]
        dates = {line["credit_date"] for line in lines if line["credit_date"] is not None}
        if len(dates) == 1:
            parts.append(f"credit date {dates.pop():%Y-%m-%d}")
        if first["deal_amount"] is not None:
            parts.append(f"deal {f.amount(first['deal_amount'], first['deal_currency'])}")
        if first["split_share"] is not None:
            parts.append(f"share {f.percent(first['split_share'])}")
        if first["source_file"]:
            parts.append(f"{first['source_file']}:{first['source_line']}")
        return Text("  ".join(parts), style="bold")

    def table(self, rows: Iterable[_Row], pay_currency: str) -> Table:
        table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
        table.add_column("line", no_wrap=True)
        table.add_column("how it was computed, and its evidence", ratio=1, overflow="fold")
        table.add_column("rate", justify="right", no_wrap=True)
        table.add_column("base", justify="right", no_wrap=True)
        table.add_column(f"amount {pay_currency}", justify="right", no_wrap=True)
        for row in rows:
            table.add_row(*row)
        return table


def _indent(renderable: RenderableType, width: int = 2) -> Padding:
    return Padding(renderable, (0, 0, 0, width))


def _blocks(lines: list[dict[str, Any]]) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """The plan's lines about a deal, grouped by deal and credit in the marts' order; and the others."""
    deals: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    month = []
    for line in lines:
        if _about_a_deal(line):
            key = (_deal(line), _credited_as(line), line["source_file"], line["source_line"], _region_key(line))
            deals.setdefault(key, []).append(line)
        else:
            month.append(line)
    return list(deals.values()), month


def _region_key(line: dict[str, Any]) -> str | None:
    """A region booking's block is its credit's: one per measured booking."""
    return line["credit_id"] if _is_region_booking(line) else None


def _payout_renderables(marts: _Marts, fmt: Formats) -> list[RenderableType]:
    x = _Explainer(fmt)
    out: list[RenderableType] = []
    for payout in marts.payouts:
        pay = payout["currency"]
        plan_lines = [line for line in marts.lines if line["plan_id"] == payout["plan_id"]]
        out.append(Text(""))
        out.append(Text(f"plan {payout['plan_id']}: {fmt.amount(payout['payout_amount'], pay)}", style="bold"))
        for plan in (p for p in marts.plans if p["plan_id"] == payout["plan_id"]):
            threshold = (
                f", threshold {fmt.percent(plan['threshold_attainment'])}" if plan["threshold_attainment"] else ""
            )
            cap = f", cap {fmt.percent(plan['cap_attainment'])}" if plan["cap_attainment"] else ""
            out.append(
                _indent(
                    Text(
                        f"{plan['plan_version']} component {plan['component_id']} ({plan['component_name']}): "
                        f"{plan['rate_table_type']} rates {plan['rate_schedule']}{threshold}{cap}; "
                        f"from {plan['source_file']} (sha256 {plan['file_sha256'][:12]}...)"
                    )
                )
            )
            out.extend(
                _indent(Text(_window(window, fmt)), 4)
                for window in marts.attainment
                if (window["plan_id"], window["plan_version_number"], window["component_id"])
                == (plan["plan_id"], plan["version_number"], plan["component_id"])
            )
        deals, month = _blocks(plan_lines)
        for block in deals:
            out.append(Text(""))
            out.append(_indent(x.deal_header(block)))
            booked = marts.region_deals.get(block[0]["credit_id"]) if _is_region_booking(block[0]) else None
            if booked:
                summed = f"{len(booked)} deal{'s' if len(booked) > 1 else ''} summed: "
                out.append(_indent(Text(summed + ", ".join(booked), overflow="fold")))
            out.append(_indent(x.table((x.row(line) for line in block), pay), 4))
        if month:
            out.append(Text(""))
            out.append(_indent(Text("lines of the month about no one deal", style="bold")))
            out.append(_indent(x.table((x.row(line) for line in month), pay), 4))
        out.append(Text(""))
        out.extend(_indent(Text(text)) for text in _payout_footer(payout, plan_lines, fmt))
    return out


def _window(window: dict[str, Any], fmt: Formats) -> str:
    """A component's attainment window to the end of the month: what its lines were rated on (bi.fct_attainment)."""
    currency = window["currency"]

    def measured(value: Decimal | None) -> str:
        return fmt.amount(value, currency) if currency else fmt.count(value)

    against = (
        ", no quota"
        if window["quota"] is None
        else f" of quota {measured(window['quota'])}, attainment {fmt.attainment(window['attainment'])}"
    )
    return (
        f"window {window['window_start']:%Y-%m-%d} to {window['window_end']:%Y-%m-%d}: {window['measure']}"
        f" to date {measured(window['measure_to_date'])}{against}"
    )


def _payout_footer(payout: dict[str, Any], plan_lines: list[dict[str, Any]], fmt: Formats) -> list[str]:
    """How the plan's lines become its payout: their exact sum, rounded once."""
    pay = payout["currency"]
    count = payout["commission_line_count"]
    lines = "the line's" if count == 1 else f"the {count} lines'"
    footer = []
    if fmt.exact:
        footer.append(f"{lines} sum as computed: {fmt.amount(payout['commission_unrounded'], pay)}")
    footer.append(
        f"payout: {lines} exact sum, rounded once (half away from zero) to {payout['minor_units']} "
        f"decimals: {Formats(minor_units=fmt.minor_units).amount(payout['payout_amount'], pay)}"
    )
    shown = sum(
        (Decimal(fmt.money(line["commission_amount"], pay).replace(",", "")) for line in plan_lines), Decimal(0)
    )
    if not fmt.exact and shown != payout["payout_amount"]:
        footer.append(
            f"(the lines as shown add up to {fmt.amount(shown, pay)}: each is shown rounded, the payout rounds "
            "their exact sum once; --exact shows them unrounded)"
        )
    return footer


def _totals(marts: _Marts, fmt: Formats) -> list[RenderableType]:
    """What the month pays, per earnings code and currency, from the payouts and adjustments above:
    the payroll lines, to the cent."""
    rounded = Formats(minor_units=fmt.minor_units)  # payouts and adjustments are already rounded
    totals: dict[tuple[str, str], Decimal] = {}
    sources: dict[tuple[str, str], list[str]] = {}
    for payout in marts.payouts:
        key = ("COMM", payout["currency"])
        totals[key] = totals.get(key, Decimal(0)) + payout["payout_amount"]
        sources.setdefault(key, []).append(f"plan {payout['plan_id']}")
    for adjustment in marts.adjustments:
        key = (adjustment["earnings_code"], adjustment["currency"])
        totals[key] = totals.get(key, Decimal(0)) + adjustment["amount"]
        sources.setdefault(key, []).append(adjustment["adjustment_id"])
    payroll = {(line["earnings_code"], line["currency"]): line["amount"] for line in marts.payroll}
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("code")
    table.add_column("amount", justify="right")
    table.add_column("from", overflow="fold")
    for (code, currency), amount in sorted(totals.items()):
        if amount == 0 and (code, currency) not in payroll:
            continue
        check = (
            "the payroll line" if payroll.get((code, currency)) == amount else "NOT the payroll line: rebuild the marts"
        )
        table.add_row(code, rounded.amount(amount, currency), f"{' + '.join(sources[(code, currency)])}: {check}")
    if not table.row_count:
        return [Text(""), Text("total: nothing is payable for this period.", style="bold")]
    return [Text(""), Text("total for the payroll", style="bold"), _indent(table)]


def _not_paid(marts: _Marts, fmt: Formats) -> list[RenderableType]:
    if not marts.not_paid:
        return []
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
    for name in ("deal", "credited to", "credit date", "deal amount", "measured at", "reason", "source"):
        table.add_column(name, overflow="fold")
    for credit in marts.not_paid:
        measured = (
            f"{credit['measure']} at {credit['credit_event']} {credit['credit_event_id']}" if credit["measure"] else ""
        )
        table.add_row(
            credit["opportunity_id"] or "",
            _credited_as(credit),
            f"{credit['credit_date']:%Y-%m-%d}",
            fmt.amount(credit["deal_amount"], credit["deal_currency"]),
            measured,
            credit["reason"],
            f"{credit['source_file']}:{credit['source_line']}",
        )
    return [Text(""), Text("credits this period that earned nothing, and why", style="bold"), _indent(table)]


def _adjustments(marts: _Marts, fmt: Formats) -> list[RenderableType]:
    if not marts.adjustments:
        return []
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
    table.add_column("adjustment", no_wrap=True)
    table.add_column("reason", ratio=1, overflow="fold")
    table.add_column("approved by", overflow="fold")
    table.add_column("source", overflow="fold")
    table.add_column("amount", justify="right", no_wrap=True)
    for a in marts.adjustments:
        table.add_row(
            a["adjustment_id"],
            a["reason"],
            a["approved_by"] or "",
            f"{a['source_file']}:{a['source_line']}",
            fmt.amount(a["amount"], a["currency"]),
        )
    return [Text(""), Text("manual adjustments (ADJ)", style="bold"), _indent(table)]


def payout_renderables(
    employee_id: str, period: str, wh: warehouse.Warehouse | None = None, *, exact: bool = False
) -> list[RenderableType]:
    """The derivation of `employee_id`'s payout for `period` (YYYY-MM), as rich renderables."""
    wh = wh or warehouse.resolve()
    marts = _read(wh, employee_id, period)
    if marts.person is None:
        raise ExplainError(f"no employee {employee_id} in finance.dim_employees")
    fmt = Formats(exact=exact, minor_units=marts.minor_units)
    out: list[RenderableType] = [
        Text(f"Payout of {employee_id} ({marts.person['full_name']}) for {period}", style="bold")
    ]
    if not marts.payroll:
        out.append(_indent(Text("nothing is payable for this period.")))
    for line in marts.payroll:
        rounded = Formats(minor_units=fmt.minor_units)
        out.append(
            _indent(Text(f"payroll line {line['earnings_code']}: {rounded.amount(line['amount'], line['currency'])}"))
        )
    if not exact:
        out.append(
            _indent(
                Text("amounts to their currency's minor unit, rates to 4 significant digits (--exact: every digit)")
            )
        )
    out += _payout_renderables(marts, fmt)
    out += _adjustments(marts, fmt)
    out += _not_paid(marts, fmt)
    out += _totals(marts, fmt)
    return out


def console(file: Any = None, *, color: bool = False) -> Console:
    """A console of the explanation's fixed width; colour only when asked (a terminal)."""
    return Console(
        file=file,
        width=WIDTH,
        color_system="auto" if color else None,
        no_color=not color,
        force_terminal=color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def explain_payout(employee_id: str, period: str, wh: warehouse.Warehouse | None = None, *, exact: bool = False) -> str:
    """The derivation of `employee_id`'s payout for `period` (YYYY-MM), as plain text of at most WIDTH columns."""
    buffer = StringIO()
    out = console(buffer)
    out.print(Group(*payout_renderables(employee_id, period, wh, exact=exact)))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())
