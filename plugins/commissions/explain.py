"""`commissions explain --employee ID --period YYYY-MM`: the derivation of one payout.

Reads the marts (finance.fct_payouts, finance.fct_commission_lines, finance.dim_plans,
ops.ops_non_commissionable_credits) and prints them as a table a rep or manager can
follow: each credited deal, its split share and FX rate, the plan rule, band and rate
it was paid at, and the file and line it came from. Nothing is recomputed here, so the
numbers are the marts' to the digit; amounts are printed exactly as stored (unrounded
where the marts keep them unrounded).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import psycopg2.extras

from commissions import warehouse


class ExplainError(LookupError):
    """Nothing to explain: no such person, or the marts have not been built."""


COUNT_MEASURES = ("units", "activities")


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,}"


def _percent(ratio: Decimal | None) -> str:
    return "" if ratio is None else f"{(ratio * 100).normalize():f}%"


def _attainment(ratio: Decimal | None) -> str:
    """Attainment to 0.01 % for reading; the marts keep it exact."""
    if ratio is None:
        return ""
    return f"{(ratio * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP).normalize():f}%"


def _band(line: dict[str, Any]) -> str:
    low, high = line["tier_attainment_from"], line["tier_attainment_to"]
    band = f"{line['tier_label']} [{_percent(low)}, {_percent(high) if high is not None else 'open'})"
    if line["rate_table_type"] == "curve" and line["curve_payout_from"] is not None:
        # What the rate stands for: the curve segment and the target incentive behind it.
        band += (
            f" curve {_percent(line['curve_payout_from'])} -> {_percent(line['curve_payout_to'])} of"
            f" {_money(line['target_incentive'])} {line['target_incentive_currency']} a year"
            f" x weight {_percent(line['component_weight'])} x fx {line['target_incentive_fx_rate']}"
        )
    return band


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    numeric = [all(_looks_numeric(r[i]) for r in rows) and rows for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        aligned = (c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(aligned).rstrip()

    return [fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def _looks_numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "").replace("%", "").replace("-", "").isdigit()


@dataclass(frozen=True)
class _Marts:
    person: dict[str, Any] | None
    payouts: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    not_paid: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]
    payroll: list[dict[str, Any]]


#: Each mart read for one person and period: (table, order by). The person's rows of
#: dim_plans are those of the plan versions their lines were paid under.
_PERIOD_ROWS = {
    "payouts": ("finance.fct_payouts", "plan_id"),
    "lines": (
        "finance.fct_commission_lines",
        "plan_id, component_id nulls last, credit_date nulls last, opportunity_id, split_id nulls first, "
        "line_type = 'per_deal_cap', tier_number",
    ),
    "not_paid": ("ops.ops_non_commissionable_credits", "credit_date, opportunity_id"),
    "adjustments": ("finance.fct_adjustments", "adjustment_id"),
    "payroll": ("finance.payroll_export", "earnings_code, currency"),
}


def _read(wh: warehouse.Warehouse, employee_id: str, period: str) -> _Marts:
    with warehouse.connect(wh) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("select to_regclass('finance.fct_payouts') is not null as built")
        if not cur.fetchone()["built"]:
            raise ExplainError(f"the marts are not built in {wh.describe()}: run `commissions run` first")
        cur.execute("select * from finance.dim_employees where employee_id = %s", (employee_id,))
        person = cur.fetchone()
        found: dict[str, list[dict[str, Any]]] = {}
        for name, (table, order_by) in _PERIOD_ROWS.items():
            cur.execute(
                f"select * from {table} where employee_id = %s and pay_period = %s order by {order_by}",
                (employee_id, period),
            )
            found[name] = cur.fetchall()
        cur.execute(
            "select * from finance.dim_plans where (plan_id, version_number) in "
            "(select distinct plan_id, plan_version_number from finance.fct_commission_lines "
            " where employee_id = %s and pay_period = %s) order by plan_id, version_number, component_id",
            (employee_id, period),
        )
        plans = cur.fetchall()
    return _Marts(person=person, plans=plans, **found)


def _row(deal: dict[str, str], what: str, base: str, amount: str, attainment: str = "") -> list[str]:
    """A line of the table that is not a band of a credit: `deal` fills the deal columns
    it names (deal, split, date, amount, share, source), the rest stay blank."""
    return [
        deal.get("deal", ""),
        deal.get("split", ""),
        deal.get("date", ""),
        deal.get("amount", ""),
        deal.get("share", ""),
        "",
        "",
        "",
        attainment,
        what,
        "",
        base,
        amount,
        deal.get("source", ""),
    ]


def _credited_as(line: dict[str, Any]) -> str:
    """The split the credit is (or the owner's), for a manager's roll-up whose credit it repeats,
    or a specialist's overlay."""
    split = line["split_id"] or "owner"
    if line.get("credit_type") == "manager_rollup":
        return f"{split} of {line['rollup_from_employee_id']} (roll-up)"
    if line.get("credit_type") == "overlay":
        return "overlay"
    return split


def _cap_row(line: dict[str, Any]) -> list[str]:
    """A cap line: what the cap took back, and how the cap was converted."""
    cap = (
        f"{line['tier_label']} {_money(line['cap_amount'])} {line['cap_currency']} x {line['cap_fx_rate']} "
        f"({line['cap_fx_date']:%Y-%m-%d}) = {_money(line['cap_in_pay_currency'])}"
    )
    deal = {"deal": line["opportunity_id"] or "(month)"}
    if line["opportunity_id"]:
        deal["split"] = _credited_as(line)
    if line["source_file"]:
        deal["source"] = f"{line['source_file']}:{line['source_line']}"
    return _row(deal, cap, _money(line["amount_before_cap"]), _money(line["commission_amount"]))


def _deal_columns(line: dict[str, Any]) -> dict[str, str]:
    """The deal columns of a line that is about one deal credit (or activity) but is not a band of it."""
    return {
        "deal": _deal(line),
        "split": _credited_as(line),
        "date": f"{line['credit_date']:%Y-%m-%d}",
        "amount": _deal_amount(line),
        "share": _percent(line["split_share"]),
        "source": f"{line['source_file']}:{line['source_line']}",
    }


def _deal(line: dict[str, Any]) -> str:
    """The deal a line is about; an activity names itself (and the deal it created, if any)."""
    if line.get("credit_event") == "activity":
        created = f" -> {line['opportunity_id']}" if line["opportunity_id"] else ""
        return f"activity {line['credit_event_id']}{created}"
    return line["opportunity_id"]


def _deal_amount(line: dict[str, Any]) -> str:
    return "" if line["deal_amount"] is None else f"{_money(line['deal_amount'])} {line['deal_currency']}"


def _clawback_row(line: dict[str, Any]) -> list[str]:
    """A clawback line: the credit note (or unpaid invoice), the share of the deal it took back, and what it took."""
    note = line["credit_note_id"]
    if note:
        evidence = f"credit note {note}"
    elif line["clawback_event"] == "late_payment":
        evidence = f"payment {line['credit_event_id']} on invoice {line['invoice_id']}, given back"
    else:
        evidence = f"unpaid invoice {line['invoice_id']}"
    what = f"clawback ({line['clawback_event']}, {evidence}) {_percent(line['clawback_share'])}"
    deal = _deal_columns(line)
    return _row(deal, what, _money(line["clawback_base"]), _money(line["commission_amount"]))


def _true_up_row(line: dict[str, Any]) -> list[str]:
    """A true-up line: the window's earlier credits re-rated at this month's quota and attainment."""
    what = (
        f"true_up of {line['component_id']}: earned to date {_money(line['earned_to_date'])}"
        f" - paid to date {_money(line['paid_to_date'])} (quota {_money(line['quota'])})"
    )
    attainment = _attainment(line["period_attainment"])
    return _row({"deal": "(window)"}, what, "", _money(line["commission_amount"]), attainment)


def _draw_row(line: dict[str, Any]) -> list[str]:
    """A draw line: the draw, what its month or quarter earned before it, and what it advanced or recovered."""
    share = line["draw_proration_share"]
    prorated = "" if share is None or share == 1 else f" x {share} (days on the plan)"
    what = (
        f"draw ({line['draw_type']}) {_money(line['draw_amount'])} {line['draw_currency']}{prorated}"
        f" x {line['draw_fx_rate']} ({line['draw_fx_date']:%Y-%m-%d}) = {_money(line['draw_in_pay_currency'])}"
    )
    if line["draw_balance"] is not None:
        what += f", balance {_money(line['draw_balance'])}"
    period = f"({line['draw_period']})"
    return _row({"deal": period}, what, _money(line["commission_before_draw"]), _money(line["commission_amount"]))


def _incentive_row(line: dict[str, Any]) -> list[str]:
    """A bonus or contest prize: what was reached or ranked, and the amount converted."""
    if line["line_type"] == "contest":
        reached = f"rank {line['tier_number']} on {_money(line['period_bookings'])}"
    else:
        reached = f"{_attainment(line['period_attainment'])} >= {_attainment(line['threshold_attainment'])}"
    what = (
        f"{line['line_type']} {line['incentive_id']} ({reached}) {_money(line['incentive_amount'])} "
        f"{line['incentive_currency']} x {line['incentive_fx_rate']} ({line['incentive_fx_date']:%Y-%m-%d})"
    )
    return _row({"deal": "(month)"}, what, "", _money(line["commission_amount"]))


def _spif_row(line: dict[str, Any]) -> list[str]:
    """A SPIF line: the deal it paid on, the SPIF's rate and the products' value it measured."""
    if line["measure"] == "activities":
        what = f"spif {line['incentive_id']} {_money(line['rate'])} per activity x fx {line['fx_rate']}"
    elif line["measure"] in COUNT_MEASURES:
        what = (
            f"spif {line['incentive_id']} {_money(line['rate'])} per unit x {_money(line['measure_amount'])} "
            f"{line['measure']} x fx {line['fx_rate']}"
        )
    else:
        what = (
            f"spif {line['incentive_id']} {_percent(line['rate'])} of {line['measure']} "
            f"{_money(line['measure_amount'])} {line['measure_currency']} x fx {line['fx_rate']}{_payout_fx(line)}"
        )
    deal = _deal_columns(line)
    return _row(deal, what, _money(line["credit_amount"]), _money(line["commission_amount"]))


def _mbo_row(line: dict[str, Any]) -> list[str]:
    """An MBO line: the score, the curve's share of target at it, and the target it is a share of."""
    threshold = "" if line["threshold_met"] else f" (below the {_attainment(line['threshold_attainment'])} threshold)"
    what = (
        f"mbo score {_attainment(line['period_attainment'])}{threshold}: {_percent(line['rate'])} of target"
        f" {_money(line['target_incentive'])} {line['target_incentive_currency']} x weight {line['component_weight']}"
        f" x {line['target_incentive_months']}/12 x fx {line['target_incentive_fx_rate']}"
        f" ({line['target_incentive_fx_date']:%Y-%m-%d})"
    )
    deal = {"deal": "(period)", "source": f"{line['source_file']}:{line['source_line']}"}
    return _row(deal, what, "", _money(line["commission_amount"]))


#: How each kind of line that is not a band of a credit is printed.
_OTHER_ROWS = {
    "clawback": _clawback_row,
    "true_up": _true_up_row,
    "draw": _draw_row,
    "bonus": _incentive_row,
    "contest": _incentive_row,
    "spif": _spif_row,
    "mbo": _mbo_row,
    "per_deal_cap": _cap_row,
    "per_period_cap": _cap_row,
    "per_year_cap": _cap_row,
}


def _payout_fx(line: dict[str, Any]) -> str:
    """A line earned in the plan currency (credit_currency: plan_currency) and converted to the pay currency."""
    rate = line["payout_fx_rate"]
    if rate is None or rate == 1:
        return ""
    return f" x fx {rate} ({line['payout_fx_date']:%Y-%m-%d}) {line['credit_currency']}->{line['pay_currency']}"


def _credit_currency(payout: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    """What the plan's credits are in: the plan currency or the pay currency."""
    return next((line["credit_currency"] for line in lines if line["credit_currency"]), payout["currency"])


def _measured(line: dict[str, Any]) -> str:
    """What the component measured on the credit, and at which event of its payment trigger."""
    event = line["credit_event"] + (f" {line['credit_event_id']}" if line["credit_event_id"] else "")
    currency = f" {line['measure_currency']}" if line["measure_currency"] else ""
    return f"{line['measure']} {_money(line['measure_amount'])}{currency} at {event}"


def _sources(line: dict[str, Any]) -> str:
    """The deal's row, and the invoice's or payment's when the credit counted at one."""
    deal = f"{line['source_file']}:{line['source_line']}"
    if line["credit_event"] in ("booking", "activity"):  # an activity's own row is its source
        return deal
    return f"{deal} + {line['event_source_file']}:{line['event_source_line']}"


def _line_rows(lines: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for line in lines:
        if line["line_type"] != "commission":
            rows.append(_OTHER_ROWS[line["line_type"]](line))
            continue
        rows.append(
            [
                _deal(line),
                _credited_as(line),
                f"{line['credit_date']:%Y-%m-%d}",
                _deal_amount(line),
                _percent(line["split_share"]),
                _measured(line),
                f"{line['fx_rate']}",
                _money(line["credit_amount"]),
                f"{_attainment(line['attainment_before'])} -> {_attainment(line['attainment_after'])}",
                _band(line),
                # a count (units, activities) earns an amount per unit, in the pay currency
                f"{_money(line['rate'])} per unit"
                if line["measure"] in COUNT_MEASURES
                else _percent(line["rate"]) + _payout_fx(line),
                _money(line["tier_base_amount"]),
                _money(line["commission_amount"]) + ("" if line["threshold_met"] else " (below threshold)"),
                _sources(line),
            ]
        )
    return rows


def explain_payout(employee_id: str, period: str, wh: warehouse.Warehouse | None = None) -> str:
    """The derivation of `employee_id`'s payout for `period` (YYYY-MM), as text."""
    wh = wh or warehouse.resolve()
    marts = _read(wh, employee_id, period)
    if marts.person is None:
        raise ExplainError(f"no employee {employee_id} in finance.dim_employees")
    name = marts.person["full_name"]
    out = [f"Payout of {employee_id} ({name}) for {period}"]
    if not marts.payroll:
        out.append("  nothing is payable for this period.")
    for line in marts.payroll:
        out.append(f"  payroll line {line['earnings_code']}: {_money(line['amount'])} {line['currency']}")
    for payout in marts.payouts:
        plan_lines = [line for line in marts.lines if line["plan_id"] == payout["plan_id"]]
        out.append("")
        attainment = (
            ""
            if payout["quota"] is None  # no credited bookings this month (an MBO, a draw, a clawback)
            else f"  (quota {_money(payout['quota'])} {payout['credit_currency']}, credited "
            f"{_money(payout['credited_bookings'])} {payout['credit_currency']}, "
            f"attainment {_attainment(payout['attainment'])})"
        )
        out.append(f"plan {payout['plan_id']}: {_money(payout['payout_amount'])} {payout['currency']}{attainment}")
        for plan in (p for p in marts.plans if p["plan_id"] == payout["plan_id"]):
            threshold = f", threshold {_percent(plan['threshold_attainment'])}" if plan["threshold_attainment"] else ""
            cap = f", cap {_percent(plan['cap_attainment'])}" if plan["cap_attainment"] else ""
            out.append(
                f"  {plan['plan_version']} component {plan['component_id']} ({plan['component_name']}): "
                f"{plan['rate_table_type']} rates {plan['rate_schedule']}{threshold}{cap}"
            )
            out.append(f"  from {plan['source_file']} (sha256 {plan['file_sha256'][:12]}...)")
        out.append("")
        header = [
            "deal",
            "split",
            "credit date",
            "deal amount",
            "share",
            "measured",
            "fx rate",
            f"credit {_credit_currency(payout, plan_lines)}",
            "attainment",
            "band",
            "rate",
            "base",
            "commission",
            "source",
        ]
        out += ["  " + row for row in _table(header, _line_rows(plan_lines))]
        out.append("")
        out.append(
            f"  commission {_money(payout['commission_unrounded'])} {payout['currency']} "
            f"(sum of {payout['commission_line_count']} lines), rounded once, half away from zero, "
            f"to {payout['minor_units']} decimals: {_money(payout['payout_amount'])} {payout['currency']}"
        )
        out.append("  (amounts exactly as in the marts; attainment shown to 0.01 %)")
    if marts.adjustments:
        out.append("")
        out.append("Manual adjustments (ADJ):")
        rows = [
            [
                a["adjustment_id"],
                f"{_money(a['amount'])} {a['currency']}",
                a["reason"],
                a["approved_by"] or "",
                f"{a['source_file']}:{a['source_line']}",
            ]
            for a in marts.adjustments
        ]
        out += ["  " + row for row in _table(["adjustment", "amount", "reason", "approved by", "source"], rows)]
    if marts.not_paid:
        out.append("")
        out.append("Credits this period that earned nothing, and why:")
        for credit in marts.not_paid:
            measured = (
                f" {credit['measure']} at {credit['credit_event']} {credit['credit_event_id']}"
                if credit["measure"]
                else ""
            )
            out.append(
                f"  {credit['opportunity_id']} {_credited_as(credit)} {credit['credit_date']:%Y-%m-%d} "
                f"{_money(credit['deal_amount'])} {credit['deal_currency']}{measured}: {credit['reason']} "
                f"({credit['source_file']}:{credit['source_line']})"
            )
    return "\n".join(out)
