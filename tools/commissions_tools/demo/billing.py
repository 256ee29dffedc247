"""Billing: one invoice per closed-won deal, its lines, the cash received and credit notes.

Invoices bill the whole contract up front in the deal currency; their lines are the
deal's line items, so an invoice total equals the deal amount. Nothing is dated after
the window: a payment due after the export date simply has not arrived yet.
"""

from __future__ import annotations

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo import world
from commissions_tools.demo.deals import MINOR_DIGITS, Deals
from commissions_tools.demo.people import Accounts
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

HOUR = 3600
PAYMENT_TERMS_DAYS = 30
METHODS = ("card", "wire", "ach")
CREDIT_REASONS = ("refund", "billing_error", "churn")


def _office_hours(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    return days * SECONDS_PER_DAY + rng.integers(8 * HOUR, 18 * HOUR, len(days))


def billing_tables(
    rng: np.random.Generator, window: Window, deals: Deals, accounts: Accounts, billed: np.ndarray
) -> dict[str, dict[str, np.ndarray]]:
    """Invoices, invoice_lines, payments and credit_notes for the deals in `billed` (a mask)."""
    opp = np.flatnonzero(billed)
    n = len(opp)
    end = window.end_day
    currency = deals.currency[opp]
    digits = MINOR_DIGITS[currency]
    total = deals.amount[opp]
    currency_text = np.array(world.CURRENCIES, dtype=fmt.STR)[currency]
    invoice_id = np.strings.add("INV-", np.strings.zfill((np.arange(n) + 1).astype(fmt.STR), 8))
    invoice_day = np.minimum(deals.close_day[opp] + rng.integers(0, 6, n), end)
    due_day = invoice_day + PAYMENT_TERMS_DAYS

    # Most pay in full (some after the due date), some pay part, some not yet.
    behaviour = rng.random(n)
    pays_full = behaviour < 0.82
    pays_part = (behaviour >= 0.82) & (behaviour < 0.90)
    payment_day = invoice_day + np.where(pays_full, rng.integers(3, 45, n), rng.integers(10, 50, n))
    whole_unit = np.where(digits == 0, 1, 100)
    part = np.maximum(whole_unit, np.round(total * rng.uniform(0.3, 0.7, n) / whole_unit) * whole_unit).astype(np.int64)
    paid_amount = np.where(pays_full, total, np.minimum(part, total))
    has_payment = (pays_full | pays_part) & (payment_day <= end)
    paid_in_full = has_payment & pays_full
    status = np.where(paid_in_full, "paid", "open").astype(fmt.STR)
    invoice_updated = _office_hours(rng, np.where(has_payment, payment_day, invoice_day))

    invoices = {
        "invoice_id": invoice_id,
        "account_id": accounts.table["account_id"][deals.account[opp]],
        "opportunity_id": deals.opportunity_id[opp],
        "invoice_date": fmt.dates(invoice_day),
        "due_date": fmt.dates(due_day),
        "currency": currency_text,
        "total_amount": fmt.money(total, digits),
        "status": status,
        "updated_at": fmt.timestamps(invoice_updated),
    }

    invoice_of_deal = np.full(deals.size, -1, dtype=np.int64)
    invoice_of_deal[opp] = np.arange(n)
    line_rows = np.flatnonzero(billed[deals.line_opp])
    line_invoice = invoice_of_deal[deals.line_opp[line_rows]]
    line_deal = deals.line_opp[line_rows]
    service_start = deals.contract_start_day[line_deal]
    service_end = (service_start.astype("datetime64[D]").astype("datetime64[M]") + deals.term_months[line_deal]).astype(
        "datetime64[D]"
    ).astype(np.int64) - 1
    products = world.PRODUCTS
    invoice_lines = {
        "invoice_line_id": np.strings.add("INL-", np.strings.zfill((np.arange(len(line_rows)) + 1).astype(fmt.STR), 9)),
        "invoice_id": invoice_id[line_invoice],
        "product_code": np.array([p[0] for p in products], dtype=fmt.STR)[deals.line_product[line_rows]],
        "description": np.array([p[2] for p in products], dtype=fmt.STR)[deals.line_product[line_rows]],
        "quantity": fmt.integers(deals.line_quantity[line_rows]),
        "amount": fmt.money(deals.line_total[line_rows], digits[line_invoice]),
        "service_period_start": fmt.dates(service_start),
        "service_period_end": fmt.dates(service_end),
        "updated_at": fmt.timestamps(invoice_day[line_invoice] * SECONDS_PER_DAY + 7 * HOUR),
    }

    paid = np.flatnonzero(has_payment)
    method = rng.choice(len(METHODS), len(paid), p=[0.2, 0.5, 0.3])
    method = np.where((method == 2) & (currency_text[paid] != "USD"), 1, method)
    payments = {
        "payment_id": np.strings.add("PAY-", np.strings.zfill((np.arange(len(paid)) + 1).astype(fmt.STR), 8)),
        "invoice_id": invoice_id[paid],
        "payment_date": fmt.dates(payment_day[paid]),
        "currency": currency_text[paid],
        "amount": fmt.money(paid_amount[paid], digits[paid]),
        "method": np.array(METHODS, dtype=fmt.STR)[method],
        "updated_at": fmt.timestamps(_office_hours(rng, payment_day[paid])),
    }

    # A few paid invoices are partly credited back later: refunds, billing errors, churn.
    credited = np.flatnonzero(paid_in_full & (rng.random(n) < 0.03))
    issue_day = payment_day[credited] + rng.integers(5, 60, len(credited))
    credited, issue_day = credited[issue_day <= end], issue_day[issue_day <= end]
    reason = rng.choice(len(CREDIT_REASONS), len(credited), p=[0.4, 0.2, 0.4])
    share = np.where(reason == 1, rng.uniform(0.05, 0.2, len(credited)), rng.uniform(0.2, 1.0, len(credited)))
    credit = np.maximum(1, np.round(total[credited] * share)).astype(np.int64)
    credit_notes = {
        "credit_note_id": np.strings.add("CN-", np.strings.zfill((np.arange(len(credited)) + 1).astype(fmt.STR), 7)),
        "invoice_id": invoice_id[credited],
        "issue_date": fmt.dates(issue_day),
        "currency": currency_text[credited],
        "amount": fmt.money(credit, digits[credited]),
        "reason": np.array(CREDIT_REASONS, dtype=fmt.STR)[reason],
        "updated_at": fmt.timestamps(_office_hours(rng, issue_day)),
    }
    return {
        "invoices": invoices,
        "invoice_lines": invoice_lines,
        "payments": payments,
        "credit_notes": credit_notes,
    }
