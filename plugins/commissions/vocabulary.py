"""The words the money path is written in, defined once.

Measures and payment triggers are the plan format's (`plans/schema.py`), source systems
the file contracts' (`contracts.py`); the words the dbt models produce (credit types,
the events a measure is credited at, line kinds, the reasons a credit pays nothing) are
defined here, each with what it means. The dbt side follows: the `accepted_values`
tests in the models' ymls, `models/staging/__sources.yml` and the reasons of the ops
mart are held in step with this module by tests/test_vocabulary.py, which reads dbt's
manifest and names any word that differs.

To add a word: add it here (or to the plan schema / contracts), then to the SQL that
produces it and to the accepted_values lists the test names.
"""

from __future__ import annotations

from typing import get_args

from commissions.contracts import SYSTEMS
from commissions.plans.schema import Clawback, Measure, Plan, RateTable, Trigger

#: Source systems, one raw schema each (raw_crm, raw_billing, raw_hr).
SOURCE_SYSTEMS: tuple[str, ...] = SYSTEMS

#: What a plan component measures (plan format `measure:`).
MEASURES: tuple[str, ...] = get_args(Measure)
#: Measures credited from deals and activities (int_measure_credits). An MBO score is
#: not a credit: it is scored per person and period (hr.mbo_scores) and paid as such.
CREDITED_MEASURES: tuple[str, ...] = tuple(m for m in MEASURES if m != "mbo_score")
#: When a deal measure pays (plan format `trigger:`).
TRIGGERS: tuple[str, ...] = get_args(Trigger)
#: The events a deal measure is credited at: each trigger's own event, and for
#: invoiced revenue paid on payment, the invoice paid in full.
CREDIT_EVENTS: dict[str, str] = {
    "booking": "the deal closing won (trigger booking), on its close date",
    "invoice": "each invoice of the deal that is not void (trigger invoice), on its date",
    "payment": "each payment received on the deal's invoices (trigger payment), on its date",
    "invoice_paid": (
        "an invoice paid in full (trigger payment for invoiced_revenue), on the date of the payment that completes it"
    ),
}
#: How a rate table is read (plan format `rate_table.type:`).
RATE_TABLE_TYPES: tuple[str, ...] = get_args(RateTable.model_fields["type"].annotation)
#: What a clawback policy takes back on (plan format `clawback.events:`).
CLAWBACK_EVENTS: tuple[str, ...] = get_args(get_args(Clawback.model_fields["events"].annotation)[0])
#: The events of a clawback line: the policy's, and the give-back of a late payment.
CLAWBACK_LINE_EVENTS: dict[str, str] = {
    "refund": "a refund credit note on the deal's invoice",
    "churn": "a churn credit note on the deal's invoice",
    "non_payment": "an invoice found unpaid",
    "late_payment": "a payment on an invoice after it was found unpaid gives back what its clawback took, in part",
}
#: Where a plan's credits are converted to (plan format `credit_currency:`).
CREDIT_CURRENCIES: tuple[str, ...] = get_args(Plan.model_fields["credit_currency"].annotation)

#: Why a person is credited with a deal (int_credits.credit_type).
CREDIT_TYPES: dict[str, str] = {
    "owner": "the deal's owner, 100 % of a deal without Revenue splits",
    "revenue_split": "a Revenue split owner, for their split percent",
    "manager_rollup": "a manager in the credited person's reporting line on the close date",
    "overlay": "a specialist credited with a deal they do not own",
    "region": "every deal of the person's region, for a region component",
}

#: The kinds of pay line (fct_commission_lines.line_type).
LINE_KINDS: dict[str, str] = {
    "commission": "a credit rated by its component's rate table",
    "per_deal_cap": "what a per-deal money cap took back",
    "per_period_cap": "what a per-period money cap took back",
    "per_year_cap": "what a per-year money cap took back",
    "clawback": "what a refund, churn or non-payment took back, in the period it was discovered",
    "true_up": "a cumulative (year-to-date) component's difference to what was paid before",
    "draw": "a draw paid, or recovered from later earnings",
    "bonus": "a bonus on reaching a target",
    "contest": "a contest prize by rank",
    "spif": "a SPIF paid per qualifying deal or activity",
    "mbo": "an MBO payout on the person's score",
}

#: Why a deal credit earns nothing (int_credits), in the order they are checked.
DEAL_CREDIT_REASONS: dict[str, str] = {
    "unknown_user": "the CRM user is missing, has no employee_number or no HR record",
    "not_employed": "the close date is outside hire..termination",
    "no_plan": "no assignment with a plan on the close date",
    "no_plan_version": "no published version of that plan covers the close date",
    "no_quota": "no bookings quota for the month",
    "quota_currency_mismatch": (
        "the quota is not in the credit currency (the pay currency, or the plan currency when the plan says "
        "credit_currency plan_currency)"
    ),
    "missing_fx_rate": "no rate on the close date (the event date for a measured credit)",
}
#: Why a deal cannot be measured in a measure (int_deal_measures, the dbt macro
#: deal_measure_problem): a credit on it is held (int_measure_credits), and so is a contest
#: it is in (int_contest_entries, ops.ops_held_contests).
DEAL_MEASURE_PROBLEMS: dict[str, str] = {
    "no_line_items": "ACV or first-year value cannot be measured: the deal has no line items",
    "unknown_product_family": "ACV or first-year value cannot be measured: a line item's product family is unknown",
    "line_items_differ_from_amount": (
        "ACV or first-year value cannot be measured: the line items do not add up to the deal amount"
    ),
    "no_term": "ACV or first-year value cannot be measured: the deal has no term",
    "no_cost_rate": "margin cannot be measured: no cost rate for a product family",
}
#: Why a commissionable deal credit's measured credit cannot pay at its event
#: (int_measure_credits), in the order they are checked.
MEASURE_CREDIT_REASONS: dict[str, str] = {
    "no_deal_component": "the plan version measures no deal",
    **DEAL_MEASURE_PROBLEMS,
    "event_currency_mismatch": "the invoice or payment is not in the deal currency",
    "not_employed": DEAL_CREDIT_REASONS["not_employed"],
    "no_quota_on_plan": "not on the plan with a quota in the event's month",
    "missing_fx_rate": DEAL_CREDIT_REASONS["missing_fx_rate"],
}
#: Why a CRM activity earns nothing (int_activity_credits).
ACTIVITY_CREDIT_REASONS: dict[str, str] = {
    "not_employed": "the activity date is outside hire..termination",
    "no_quota_on_plan": MEASURE_CREDIT_REASONS["no_quota_on_plan"],
}
#: Every reason a credit pays nothing (ops.ops_non_commissionable_credits.reason).
NON_COMMISSIONABLE_REASONS: dict[str, str] = {
    **DEAL_CREDIT_REASONS,
    **{k: v for k, v in MEASURE_CREDIT_REASONS.items() if k not in DEAL_CREDIT_REASONS},
    **{k: v for k, v in ACTIVITY_CREDIT_REASONS.items() if k not in DEAL_CREDIT_REASONS},
}
