"""File contracts: what each source system exports, column by column.

This module is the one place that says which files the pipeline reads, in which
format, with which columns and types. The loader builds the raw tables and checks
headers from it, the demo generator writes files in this shape, the quality suites
and dbt sources name the same columns, and docs/sources.md documents it for people
who map a real CRM, billing or HR export onto it (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

FileFormat = Literal["csv", "jsonl"]

#: Columns the loader adds to every raw row, so each row can be traced to its file.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_row_id", "bigint generated always as identity primary key"),
    ("_batch_id", "text not null"),
    ("_source_file", "text not null"),
    ("_source_line", "integer not null"),
    ("_record_hash", "text not null"),
    ("_loaded_at", "timestamptz not null"),
)


@dataclass(frozen=True)
class ValueForm:
    """How a value of one contract type must be written in a landing file, whatever the
    warehouse's DateStyle, TimeZone or locale: PostgreSQL alone would read 03/04/2026 as
    a date (day or month first by its settings) and ` 1e3` as 1000."""

    #: POSIX regular expression (PostgreSQL `~`) the whole text must match.
    pattern: str
    #: What is expected, in the words of an error message.
    expected: str


#: The one definition of the written form of each contract type (text takes anything).
VALUE_FORMS: dict[str, ValueForm] = {
    "date": ValueForm(
        r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "a date in ISO 8601, YYYY-MM-DD (e.g. 2026-12-07)",
    ),
    "timestamptz": ValueForm(
        r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
        r"(:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)$",
        "a timestamp in ISO 8601 with its UTC offset, YYYY-MM-DDTHH:MM:SS+HH:MM or ...Z "
        "(e.g. 2026-12-07T14:05:00+00:00)",
    ),
    "numeric": ValueForm(
        r"^-?[0-9]{1,30}(\.[0-9]{1,30})?$",
        "a decimal number written like -1234.56 (a point for decimals; no exponent, spaces, "
        "signs other than a leading minus, or thousands separators)",
    ),
    "integer": ValueForm(r"^-?[0-9]{1,9}$", "a whole number written like 12 (at most 9 digits)"),
    "boolean": ValueForm(r"^(true|false)$", "true or false"),
}

#: Numbers no source sends: beyond 10^15 in any currency's units, past any deal, invoice
#: or quota even in yen or rupiah. The door refuses only what no export holds; business
#: ranges (a split over 100 %, a negative amount) are the quality gate's rules, which
#: quarantine the row and keep the rest of the file.
AMOUNT_BOUNDS: tuple[Decimal, Decimal] = (Decimal("-1e15"), Decimal("1e15"))

#: The longest text a contract column takes: ids, names, codes and reasons, never a
#: document; a 10 MB field is a broken export, not a name.
TEXT_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Column:
    name: str
    pg_type: str
    description: str
    nullable: bool = True

    @property
    def value_bounds(self) -> tuple[Decimal, Decimal] | None:
        """The lowest and highest value the column accepts (inclusive): numbers only."""
        return AMOUNT_BOUNDS if self.pg_type == "numeric" else None


@dataclass(frozen=True)
class SourceTable:
    """One exported file of one source system and the raw table it lands in."""

    system: Literal["crm", "billing", "hr"]
    name: str
    file_format: FileFormat
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    #: Column that orders versions of the same record; None when the export has none
    #: and the latest load wins.
    version_column: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.file_format}"

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.system}"

    @property
    def qualified_name(self) -> str:
        return f"{self.raw_schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.qualified_name} has no column {name!r}")


def _c(name: str, pg_type: str, description: str, nullable: bool = True) -> Column:
    return Column(name, pg_type, description, nullable)


CRM_USERS = SourceTable(
    system="crm",
    name="users",
    file_format="csv",
    description="CRM users: everyone who can own or share a deal (reps and managers).",
    columns=(
        _c("user_id", "text", "CRM user id (e.g. 005...).", nullable=False),
        _c("employee_number", "text", "HR employee id of this user; links CRM to HR."),
        _c("full_name", "text", "Display name."),
        _c("email", "text", "Work e-mail."),
        _c("title", "text", "Job title as typed in the CRM (informational; HR is authoritative)."),
        _c("is_active", "boolean", "Whether the CRM login is active."),
        _c("last_modified_at", "timestamptz", "Last change in the CRM.", nullable=False),
    ),
    primary_key=("user_id",),
    version_column="last_modified_at",
)

CRM_ACCOUNTS = SourceTable(
    system="crm",
    name="accounts",
    file_format="csv",
    description="Customer accounts with their sales territory.",
    columns=(
        _c("account_id", "text", "CRM account id.", nullable=False),
        _c("account_name", "text", "Customer name."),
        _c("territory", "text", "Sales territory code (e.g. NA-EAST)."),
        _c("region", "text", "Region the territory rolls up to (NA, EMEA, APAC)."),
        _c("country", "text", "ISO 3166 alpha-2 country code."),
        _c("segment", "text", "ENT, MM or SMB."),
        _c("last_modified_at", "timestamptz", "Last change in the CRM.", nullable=False),
    ),
    primary_key=("account_id",),
    version_column="last_modified_at",
)

CRM_OPPORTUNITIES = SourceTable(
    system="crm",
    name="opportunities",
    file_format="csv",
    description="Deals. Only stage 'Closed Won' earns credit.",
    columns=(
        _c("opportunity_id", "text", "CRM opportunity id.", nullable=False),
        _c("account_id", "text", "Account the deal is with."),
        _c("owner_user_id", "text", "CRM user who owns the deal (gets 100% credit unless splits exist)."),
        _c("opportunity_name", "text", "Deal name."),
        _c("stage", "text", "Pipeline stage; 'Closed Won' and 'Closed Lost' are final."),
        _c("opportunity_type", "text", "new, renewal or upsell."),
        _c("amount", "numeric", "Total contract value in `currency`; exact decimal."),
        _c("currency", "text", "ISO 4217 code of `amount`."),
        _c("close_date", "date", "Date the deal closed (or is expected to close)."),
        _c("contract_start_date", "date", "Start of the subscription term."),
        _c("term_months", "integer", "Subscription term in months."),
        _c("created_at", "timestamptz", "When the deal was created."),
        _c(
            "last_modified_at",
            "timestamptz",
            "Last change in the CRM; newer versions replace older ones.",
            nullable=False,
        ),
    ),
    primary_key=("opportunity_id",),
    version_column="last_modified_at",
)

CRM_OPPORTUNITY_LINE_ITEMS = SourceTable(
    system="crm",
    name="opportunity_line_items",
    file_format="csv",
    description="Products on a deal.",
    columns=(
        _c("line_item_id", "text", "CRM line item id.", nullable=False),
        _c("opportunity_id", "text", "Deal the line belongs to."),
        _c("product_code", "text", "Product SKU."),
        _c("product_family", "text", "Product family (Platform, Analytics, Services)."),
        _c("quantity", "numeric", "Units sold."),
        _c("unit_price", "numeric", "Price per unit in the deal currency."),
        _c("total_price", "numeric", "quantity x unit_price in the deal currency."),
        _c("last_modified_at", "timestamptz", "Last change in the CRM.", nullable=False),
    ),
    primary_key=("line_item_id",),
    version_column="last_modified_at",
)

CRM_OPPORTUNITY_SPLITS = SourceTable(
    system="crm",
    name="opportunity_splits",
    file_format="csv",
    description="Revenue splits: several reps share a deal; percentages of a deal sum to 100.",
    columns=(
        _c("split_id", "text", "CRM split id.", nullable=False),
        _c("opportunity_id", "text", "Deal being split."),
        _c("split_owner_user_id", "text", "CRM user credited with this share."),
        _c("split_percent", "numeric", "Share of the deal, 0-100, e.g. 33.33."),
        _c("split_type", "text", "Split type; only 'Revenue' splits move credit."),
        _c("last_modified_at", "timestamptz", "Last change in the CRM.", nullable=False),
    ),
    primary_key=("split_id",),
    version_column="last_modified_at",
)

CRM_ACTIVITIES = SourceTable(
    system="crm",
    name="activities",
    file_format="csv",
    description=(
        "Sales activities logged in the CRM (tasks and events), such as the meetings an SDR books and qualifies."
    ),
    columns=(
        _c("activity_id", "text", "CRM activity id.", nullable=False),
        _c(
            "activity_type",
            "text",
            "What was done, as a plan's `activity` names it: qualified_meeting (a meeting an AE accepted), "
            "pipeline_created (a new opportunity came of it), ...",
        ),
        _c("owner_user_id", "text", "CRM user who did it and is credited with it."),
        _c("activity_date", "date", "Day it happened; it counts in that month."),
        _c("status", "text", "completed or cancelled; only completed activities count."),
        _c("opportunity_id", "text", "CRM deal it created or advanced, when there is one."),
        _c("account_id", "text", "CRM account it was with."),
        _c("last_modified_at", "timestamptz", "Last change in the CRM.", nullable=False),
    ),
    primary_key=("activity_id",),
    version_column="last_modified_at",
)

BILLING_INVOICES = SourceTable(
    system="billing",
    name="invoices",
    file_format="jsonl",
    description="Invoices raised for closed deals.",
    columns=(
        _c("invoice_id", "text", "Billing invoice id.", nullable=False),
        _c("account_id", "text", "CRM account id of the customer."),
        _c("opportunity_id", "text", "CRM deal the invoice bills."),
        _c("invoice_date", "date", "Issue date."),
        _c("due_date", "date", "Payment due date."),
        _c("currency", "text", "ISO 4217 code."),
        _c("total_amount", "numeric", "Invoice total (sum of its lines)."),
        _c("status", "text", "open, paid, void."),
        _c("updated_at", "timestamptz", "Last change in billing.", nullable=False),
    ),
    primary_key=("invoice_id",),
    version_column="updated_at",
)

BILLING_INVOICE_LINES = SourceTable(
    system="billing",
    name="invoice_lines",
    file_format="jsonl",
    description="Lines of an invoice.",
    columns=(
        _c("invoice_line_id", "text", "Billing line id.", nullable=False),
        _c("invoice_id", "text", "Invoice the line is on."),
        _c("product_code", "text", "Product SKU."),
        _c("description", "text", "Line text."),
        _c("quantity", "numeric", "Units billed."),
        _c("amount", "numeric", "Line amount in the invoice currency."),
        _c("service_period_start", "date", "First day the line covers."),
        _c("service_period_end", "date", "Last day the line covers."),
        _c("updated_at", "timestamptz", "Last change in billing.", nullable=False),
    ),
    primary_key=("invoice_line_id",),
    version_column="updated_at",
)

BILLING_PAYMENTS = SourceTable(
    system="billing",
    name="payments",
    file_format="jsonl",
    description="Cash received against invoices.",
    columns=(
        _c("payment_id", "text", "Billing payment id.", nullable=False),
        _c("invoice_id", "text", "Invoice paid."),
        _c("payment_date", "date", "Date the cash was received."),
        _c("currency", "text", "ISO 4217 code."),
        _c("amount", "numeric", "Amount received."),
        _c("method", "text", "card, wire, ach."),
        _c("updated_at", "timestamptz", "Last change in billing.", nullable=False),
    ),
    primary_key=("payment_id",),
    version_column="updated_at",
)

BILLING_CREDIT_NOTES = SourceTable(
    system="billing",
    name="credit_notes",
    file_format="jsonl",
    description="Credit notes and refunds against invoices.",
    columns=(
        _c("credit_note_id", "text", "Billing credit note id.", nullable=False),
        _c("invoice_id", "text", "Invoice credited."),
        _c("issue_date", "date", "Date the credit was issued."),
        _c("currency", "text", "ISO 4217 code."),
        _c("amount", "numeric", "Amount credited back to the customer (positive)."),
        _c("reason", "text", "refund, billing_error, churn."),
        _c("updated_at", "timestamptz", "Last change in billing.", nullable=False),
    ),
    primary_key=("credit_note_id",),
    version_column="updated_at",
)

HR_EMPLOYEES = SourceTable(
    system="hr",
    name="employees",
    file_format="jsonl",
    description="People, with hire and termination dates and the currency they are paid in.",
    columns=(
        _c("employee_id", "text", "HR employee id (payroll key).", nullable=False),
        _c("first_name", "text", "Given name."),
        _c("last_name", "text", "Family name."),
        _c("email", "text", "Work e-mail."),
        _c("hire_date", "date", "First day of employment."),
        _c("termination_date", "date", "Last day of employment; empty while employed."),
        _c("pay_currency", "text", "ISO 4217 code payroll pays this person in."),
        _c("country", "text", "ISO 3166 alpha-2 country of employment."),
        _c("updated_at", "timestamptz", "Last change in HR.", nullable=False),
    ),
    primary_key=("employee_id",),
    version_column="updated_at",
)

HR_JOB_HISTORY = SourceTable(
    system="hr",
    name="job_history",
    file_format="jsonl",
    description="Effective-dated job assignments: role, manager, territory and compensation plan.",
    columns=(
        _c("employee_id", "text", "HR employee id.", nullable=False),
        _c("effective_from", "date", "First day the assignment applies.", nullable=False),
        _c("effective_to", "date", "Last day it applies; empty while current."),
        _c("role", "text", "AE, AM, SDR, MANAGER or SPECIALIST."),
        _c("manager_employee_id", "text", "HR id of the line manager."),
        _c("territory", "text", "Territory code the person covers."),
        _c("plan_id", "text", "Compensation plan the person is on; empty for no variable pay."),
        _c("updated_at", "timestamptz", "Last change in HR.", nullable=False),
    ),
    primary_key=("employee_id", "effective_from"),
    version_column="updated_at",
)

HR_QUOTAS = SourceTable(
    system="hr",
    name="quotas",
    file_format="csv",
    description="Quota per person, measure and period, in the plan currency.",
    columns=(
        _c("employee_id", "text", "HR employee id.", nullable=False),
        _c(
            "measure",
            "text",
            "What the quota counts: 'bookings', or a plan component's quota_measure (e.g. 'qualified_meetings').",
            nullable=False,
        ),
        _c("period_start", "date", "First day of the quota period.", nullable=False),
        _c("period_end", "date", "Last day of the quota period."),
        _c("quota_amount", "numeric", "Target for the period."),
        _c("currency", "text", "ISO 4217 code of quota_amount."),
        _c("updated_at", "timestamptz", "Last change.", nullable=False),
    ),
    primary_key=("employee_id", "measure", "period_start"),
    version_column="updated_at",
)

HR_LEAVES = SourceTable(
    system="hr",
    name="leaves",
    file_format="csv",
    description="Leaves of absence: who was away from when to when, and whether the leave was paid.",
    columns=(
        _c("leave_id", "text", "HR id of the leave.", nullable=False),
        _c("employee_id", "text", "HR employee id."),
        _c("leave_type", "text", "Kind of leave in HR's words (parental, sabbatical, medical, ...)."),
        _c("is_paid", "boolean", "True when the person was paid through the leave; unpaid leave can prorate quota."),
        _c("start_date", "date", "First day away."),
        _c("end_date", "date", "Last day away (inclusive); empty while the leave goes on."),
        _c("updated_at", "timestamptz", "Last change.", nullable=False),
    ),
    primary_key=("leave_id",),
    version_column="updated_at",
)

HR_MBO_SCORES = SourceTable(
    system="hr",
    name="mbo_scores",
    file_format="csv",
    description=(
        "Management-by-objectives scores: how far a person met their objectives for a period, scored by their manager."
    ),
    columns=(
        _c("employee_id", "text", "HR employee id of the person scored.", nullable=False),
        _c("period_start", "date", "First day of the period scored (a month, quarter or year).", nullable=False),
        _c("period_end", "date", "Last day of the period scored."),
        _c("score", "numeric", "Share of the objectives met: 1.00 = all of them, 0.80 = 80 %."),
        _c("scored_by", "text", "HR employee id of the manager who scored."),
        _c("comment", "text", "What the score rests on, in words the person can read."),
        _c("updated_at", "timestamptz", "Last change.", nullable=False),
    ),
    primary_key=("employee_id", "period_start"),
    version_column="updated_at",
)

HR_FX_RATES = SourceTable(
    system="hr",
    name="fx_rates",
    file_format="csv",
    description="Daily exchange rates from finance: 1 unit of from_currency = rate units of to_currency.",
    columns=(
        _c("rate_date", "date", "Day the rate applies to.", nullable=False),
        _c("from_currency", "text", "ISO 4217 code converted from.", nullable=False),
        _c("to_currency", "text", "ISO 4217 code converted to (USD in the demo).", nullable=False),
        _c("rate", "numeric", "Units of to_currency per unit of from_currency."),
    ),
    primary_key=("rate_date", "from_currency", "to_currency"),
    version_column=None,
)

HR_COMMISSION_ADJUSTMENTS = SourceTable(
    system="hr",
    name="commission_adjustments",
    file_format="csv",
    description="One-off corrections to a person's pay, entered and approved by compensation operations.",
    columns=(
        _c("adjustment_id", "text", "Id of the adjustment in the compensation team's log.", nullable=False),
        _c("employee_id", "text", "HR employee id of the person paid (or charged)."),
        _c("pay_period", "text", "Pay period the adjustment is paid in, YYYY-MM."),
        _c("amount", "numeric", "Amount in the pay currency; negative takes money back."),
        _c("currency", "text", "ISO 4217 code of amount; must be the person's pay currency."),
        _c("reason", "text", "Why, in words a rep can read on the statement."),
        _c("entered_by", "text", "Who entered the adjustment."),
        _c("approved_by", "text", "Who approved it."),
        _c("updated_at", "timestamptz", "Last change.", nullable=False),
    ),
    primary_key=("adjustment_id",),
    version_column="updated_at",
)

SOURCE_TABLES: tuple[SourceTable, ...] = (
    CRM_USERS,
    CRM_ACCOUNTS,
    CRM_OPPORTUNITIES,
    CRM_OPPORTUNITY_LINE_ITEMS,
    CRM_OPPORTUNITY_SPLITS,
    CRM_ACTIVITIES,
    BILLING_INVOICES,
    BILLING_INVOICE_LINES,
    BILLING_PAYMENTS,
    BILLING_CREDIT_NOTES,
    HR_EMPLOYEES,
    HR_JOB_HISTORY,
    HR_QUOTAS,
    HR_LEAVES,
    HR_MBO_SCORES,
    HR_FX_RATES,
    HR_COMMISSION_ADJUSTMENTS,
)

SYSTEMS: tuple[str, ...] = ("crm", "billing", "hr")


def tables_of(system: str) -> list[SourceTable]:
    found = [t for t in SOURCE_TABLES if t.system == system]
    if not found:
        raise KeyError(f"unknown source system {system!r}; expected one of {SYSTEMS}")
    return found


def table(qualified_name: str) -> SourceTable:
    """Look a table up by `system.name` or `raw_system.name`."""
    system, _, name = qualified_name.partition(".")
    system = system.removeprefix("raw_")
    for t in SOURCE_TABLES:
        if t.system == system and t.name == name:
            return t
    raise KeyError(f"unknown source table {qualified_name!r}")
