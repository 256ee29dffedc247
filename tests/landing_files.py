"""Small hand-written datasets as the source systems export them (docs/sources.md).

Tests describe people, deals, splits, quotas and FX rates in a few lines; this module
writes them as the CRM and HR landing files the loader reads, every column named by
commissions.contracts, columns a test does not care about filled with plausible values.
Each person gets a CRM user `U-<employee_id>`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from commissions.contracts import tables_of
from commissions.periods import period_bounds

STAMP = "2026-10-31T12:00:00+00:00"


#: (account_id, name, territory, country): A1 in NA-EAST, where everybody's job is by default;
#: A2 in APAC-AU, for deals no default territory covers.
ACCOUNTS = (
    ("A1", "Acme", "NA-EAST", "US"),
    ("A2", "Wombat Pty Ltd", "APAC-AU", "AU"),
    ("A3", "Fjord Fisk AS", "EMEA-NO", "NO"),
)


@dataclass(frozen=True)
class Person:
    employee_id: str
    pay_currency: str
    plan_id: str | None
    hire_date: str = "2020-01-06"
    termination_date: str | None = None
    role: str = "AE"
    manager_employee_id: str | None = None
    #: moves to another plan: (first day on it, plan_id), in date order
    moves: tuple[tuple[str, str], ...] = ()
    territory: str = "NA-EAST"  # the scenario's one account is in NA-EAST

    def jobs(self) -> list[tuple[str, str | None, str | None]]:
        """(effective_from, effective_to, plan_id) of each job-history segment."""
        starts = [(self.hire_date, self.plan_id), *self.moves]
        ends = [(date.fromisoformat(day) - timedelta(days=1)).isoformat() for day, _ in self.moves]
        ends.append(self.termination_date)
        return [(start, end, plan) for (start, plan), end in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class Deal:
    opportunity_id: str
    owner: str  # employee id; the CRM owner is that person's user
    amount: str
    currency: str
    close_date: str
    stage: str = "Closed Won"
    term_months: int = 12
    account_id: str = "A1"  # ACCOUNTS


@dataclass(frozen=True)
class LineItem:
    line_item_id: str
    opportunity_id: str
    product_family: str  # Platform, Analytics (subscriptions) or Services (one-time)
    quantity: str
    total_price: str


@dataclass(frozen=True)
class Split:
    split_id: str
    opportunity_id: str
    owner: str  # employee id
    percent: str
    split_type: str = "Revenue"


@dataclass(frozen=True)
class Quota:
    employee_id: str
    period_start: str  # YYYY-MM-01
    amount: str
    currency: str
    measure: str = "bookings"


@dataclass(frozen=True)
class Leave:
    leave_id: str
    employee_id: str
    start_date: str
    end_date: str | None
    is_paid: bool = False
    leave_type: str = "sabbatical"


@dataclass(frozen=True)
class Activity:
    activity_id: str
    employee_id: str  # the owner, through their CRM user
    activity_date: str
    activity_type: str = "qualified_meeting"
    status: str = "completed"
    opportunity_id: str | None = None


@dataclass(frozen=True)
class MboScore:
    employee_id: str
    period_start: str
    period_end: str
    score: str
    scored_by: str = "Director"
    comment: str = "Objectives reviewed with the director"


@dataclass(frozen=True)
class Rate:
    rate_date: str
    currency: str
    usd_rate: str  # USD per one unit of currency


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: str
    employee_id: str
    pay_period: str  # YYYY-MM
    amount: str
    currency: str
    reason: str
    approved_by: str | None = "Comp Ops Lead"
    entered_by: str = "Comp Analyst"


@dataclass(frozen=True)
class Invoice:
    invoice_id: str
    opportunity_id: str
    invoice_date: str
    total_amount: str
    currency: str
    status: str = "paid"
    due_date: str | None = None  # the invoice date when not given


@dataclass(frozen=True)
class Payment:
    payment_id: str
    invoice_id: str
    payment_date: str
    amount: str
    currency: str


@dataclass(frozen=True)
class CreditNote:
    credit_note_id: str
    invoice_id: str
    issue_date: str
    amount: str
    currency: str
    reason: str  # refund | billing_error | churn


def user_id(employee_id: str) -> str:
    return f"U-{employee_id}"


def write_csv(path: Path, system: str, table: str, rows: Iterable[dict]) -> None:
    columns = next(t for t in tables_of(system) if t.name == table).column_names
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def write_landing(
    landing: Path,
    people: list[Person],
    deals: list[Deal],
    *,
    splits: list[Split] = (),
    quotas: list[Quota] = (),
    rates: list[Rate] = (),
    adjustments: list[Adjustment] = (),
    invoices: list[Invoice] = (),
    credit_notes: list[CreditNote] = (),
    line_items: list[LineItem] = (),
    payments: list[Payment] = (),
    leaves: list[Leave] = (),
    mbo_scores: list[MboScore] = (),
    activities: list[Activity] = (),
) -> None:
    """Write crm/, hr/ and (when there are invoices) billing/ landing files for these records."""
    write_csv(
        landing / "crm" / "users.csv",
        "crm",
        "users",
        (
            {
                "user_id": user_id(p.employee_id),
                "employee_number": p.employee_id,
                "full_name": f"Rep {p.employee_id}",
                "email": f"{p.employee_id.lower()}@example.com",
                "title": "",
                "is_active": "true",
                "last_modified_at": STAMP,
            }
            for p in people
        ),
    )
    write_csv(
        landing / "crm" / "accounts.csv",
        "crm",
        "accounts",
        [
            {
                "account_id": account_id,
                "account_name": name,
                "territory": territory,
                "region": territory.split("-")[0],
                "country": country,
                "segment": "MM",
                "last_modified_at": STAMP,
            }
            for account_id, name, territory, country in ACCOUNTS
        ],
    )
    write_csv(
        landing / "crm" / "opportunities.csv",
        "crm",
        "opportunities",
        (
            {
                "opportunity_id": d.opportunity_id,
                "account_id": d.account_id,
                "owner_user_id": user_id(d.owner),
                "opportunity_name": f"Deal {d.opportunity_id}",
                "stage": d.stage,
                "opportunity_type": "new",
                "amount": d.amount,
                "currency": d.currency,
                "close_date": d.close_date,
                "contract_start_date": d.close_date,
                "term_months": d.term_months,
                "created_at": "2026-01-02T09:00:00+00:00",
                "last_modified_at": STAMP,
            }
            for d in deals
        ),
    )
    write_csv(
        landing / "crm" / "opportunity_line_items.csv",
        "crm",
        "opportunity_line_items",
        (
            {
                "line_item_id": i.line_item_id,
                "opportunity_id": i.opportunity_id,
                "product_code": f"{i.product_family[:3].upper()}-1",
                "product_family": i.product_family,
                "quantity": i.quantity,
                "unit_price": str(Decimal(i.total_price) / Decimal(i.quantity)),
                "total_price": i.total_price,
                "last_modified_at": STAMP,
            }
            for i in line_items
        ),
    )
    write_csv(
        landing / "crm" / "opportunity_splits.csv",
        "crm",
        "opportunity_splits",
        (
            {
                "split_id": s.split_id,
                "opportunity_id": s.opportunity_id,
                "split_owner_user_id": user_id(s.owner),
                "split_percent": s.percent,
                "split_type": s.split_type,
                "last_modified_at": STAMP,
            }
            for s in splits
        ),
    )
    write_jsonl(
        landing / "hr" / "employees.jsonl",
        (
            {
                "employee_id": p.employee_id,
                "first_name": "Rep",
                "last_name": p.employee_id,
                "email": f"{p.employee_id.lower()}@example.com",
                "hire_date": p.hire_date,
                "termination_date": p.termination_date,
                "pay_currency": p.pay_currency,
                "country": "US",
                "updated_at": STAMP,
            }
            for p in people
        ),
    )
    write_jsonl(
        landing / "hr" / "job_history.jsonl",
        (
            {
                "employee_id": p.employee_id,
                "effective_from": effective_from,
                "effective_to": effective_to,
                "role": p.role,
                "manager_employee_id": p.manager_employee_id,
                "territory": p.territory,
                "plan_id": plan_id,
                "updated_at": STAMP,
            }
            for p in people
            for effective_from, effective_to, plan_id in p.jobs()
        ),
    )
    write_csv(
        landing / "hr" / "quotas.csv",
        "hr",
        "quotas",
        (
            {
                "employee_id": q.employee_id,
                "measure": q.measure,
                "period_start": q.period_start,
                "period_end": period_bounds(q.period_start[:7])[1].isoformat(),
                "quota_amount": q.amount,
                "currency": q.currency,
                "updated_at": STAMP,
            }
            for q in quotas
        ),
    )
    write_csv(
        landing / "hr" / "leaves.csv",
        "hr",
        "leaves",
        (
            {
                "leave_id": leave.leave_id,
                "employee_id": leave.employee_id,
                "leave_type": leave.leave_type,
                "is_paid": "true" if leave.is_paid else "false",
                "start_date": leave.start_date,
                "end_date": leave.end_date or "",
                "updated_at": STAMP,
            }
            for leave in leaves
        ),
    )
    write_csv(
        landing / "crm" / "activities.csv",
        "crm",
        "activities",
        (
            {
                "activity_id": a.activity_id,
                "activity_type": a.activity_type,
                "owner_user_id": user_id(a.employee_id),
                "activity_date": a.activity_date,
                "status": a.status,
                "opportunity_id": a.opportunity_id or "",
                "account_id": "A1",
                "last_modified_at": STAMP,
            }
            for a in activities
        ),
    )
    write_csv(
        landing / "hr" / "mbo_scores.csv",
        "hr",
        "mbo_scores",
        (
            {
                "employee_id": m.employee_id,
                "period_start": m.period_start,
                "period_end": m.period_end,
                "score": m.score,
                "scored_by": m.scored_by,
                "comment": m.comment,
                "updated_at": STAMP,
            }
            for m in mbo_scores
        ),
    )
    write_csv(
        landing / "hr" / "fx_rates.csv",
        "hr",
        "fx_rates",
        (
            {"rate_date": r.rate_date, "from_currency": r.currency, "to_currency": "USD", "rate": r.usd_rate}
            for r in rates
        ),
    )
    write_csv(
        landing / "hr" / "commission_adjustments.csv",
        "hr",
        "commission_adjustments",
        (
            {
                "adjustment_id": a.adjustment_id,
                "employee_id": a.employee_id,
                "pay_period": a.pay_period,
                "amount": a.amount,
                "currency": a.currency,
                "reason": a.reason,
                "entered_by": a.entered_by,
                "approved_by": a.approved_by,
                "updated_at": STAMP,
            }
            for a in adjustments
        ),
    )
    if not invoices:
        return
    write_jsonl(
        landing / "billing" / "invoices.jsonl",
        (
            {
                "invoice_id": i.invoice_id,
                "account_id": "A1",
                "opportunity_id": i.opportunity_id,
                "invoice_date": i.invoice_date,
                "due_date": i.due_date or i.invoice_date,
                "currency": i.currency,
                "total_amount": i.total_amount,
                "status": i.status,
                "updated_at": STAMP,
            }
            for i in invoices
        ),
    )
    write_jsonl(
        landing / "billing" / "payments.jsonl",
        (
            {
                "payment_id": p.payment_id,
                "invoice_id": p.invoice_id,
                "payment_date": p.payment_date,
                "currency": p.currency,
                "amount": p.amount,
                "method": "wire",
                "updated_at": STAMP,
            }
            for p in payments
        ),
    )
    write_jsonl(
        landing / "billing" / "credit_notes.jsonl",
        (
            {
                "credit_note_id": c.credit_note_id,
                "invoice_id": c.invoice_id,
                "issue_date": c.issue_date,
                "currency": c.currency,
                "amount": c.amount,
                "reason": c.reason,
                "updated_at": STAMP,
            }
            for c in credit_notes
        ),
    )
