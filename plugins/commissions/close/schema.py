"""DDL of the schema `close`: the period lifecycle's history and the payout ledger.

Every table here is append-only history, enforced in PostgreSQL: one trigger function raises
on UPDATE, DELETE and TRUNCATE of any of them (statement-level, so it fires even when no row
matches), and PUBLIC has no privilege on the schema or its tables. A period's state is its
latest transition (the view `close.period_states`), so nothing needs updating.

The objects are created only when missing: a role that does not own them (a production
pipeline role, granted only SELECT and INSERT; docs/operations.md) can run the warehouse
preparation without being refused or replacing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commissions.periods import PERIOD_PATTERN

if TYPE_CHECKING:
    import psycopg2.extensions

SCHEMA = "close"
STATES = ("open", "calculated", "approved", "exported")

#: The append-only tables, in the order they are created (later ones reference earlier ones).
TABLES = {
    "close.period_transitions": f"""
        create table close.period_transitions (
            transition_id bigint generated always as identity primary key,
            pay_period text not null check (pay_period ~ '{PERIOD_PATTERN}'),
            from_state text not null check (from_state in ('open', 'calculated', 'approved')),
            to_state text not null check (to_state in ('calculated', 'approved', 'exported')),
            transitioned_at timestamptz not null default clock_timestamp(),
            transitioned_by text not null,      -- a person (approval), or the step that recorded it
            run_id text,                        -- the pipeline run's batch id, where there is one
            payees integer not null,            -- people paid in the period, all currencies
            lines_sha256 text not null,         -- sha256 of the payroll file these lines make
            note text
        )""",
    "close.transition_totals": """
        create table close.transition_totals (
            transition_id bigint not null references close.period_transitions,
            currency text not null,
            amount numeric not null,            -- what the period pays in this currency
            payees integer not null,
            change_vs_previous numeric,         -- approvals: against the previous approved period
            primary key (transition_id, currency)
        )""",
    "close.payroll_files": """
        create table close.payroll_files (
            pay_period text primary key,        -- one export per period: nothing is paid twice
            file_name text not null,
            file_sha256 text not null,
            row_count integer not null,
            run_id text,                        -- the run that calculated the approved lines
            approved_by text not null,
            approval_transition_id bigint not null references close.period_transitions,
            exported_at timestamptz not null
        )""",
    "close.payout_ledger": """
        create table close.payout_ledger (
            ledger_line_id bigint generated always as identity primary key,
            pay_period text not null references close.payroll_files,
            line_number integer not null,       -- the line's place in the file, header excluded
            employee_id text not null,
            earnings_code text not null,
            amount numeric not null,
            currency text not null,
            minor_units integer not null,
            run_id text,
            approved_by text not null,
            exported_at timestamptz not null,
            file_sha256 text not null,
            unique (pay_period, line_number),
            unique (pay_period, employee_id, earnings_code, currency)
        )""",
}

REFUSE_CHANGE_FUNCTION = """
    create function close.refuse_change() returns trigger language plpgsql as $body$
    begin
        raise exception '%.% is append-only: % refused', tg_table_schema, tg_table_name, tg_op
            using hint = 'what was recorded or paid is never changed; a correction is a new row';
    end
    $body$"""

PERIOD_STATES_VIEW = """
    create view close.period_states as
    select distinct on (pay_period)
        pay_period,
        to_state as state,
        transitioned_at as since,
        transitioned_by,
        run_id,
        transition_id,
        payees,
        lines_sha256,
        note
    from close.period_transitions
    order by pay_period, transition_id desc"""


def _trigger_name(table: str) -> str:
    return f"{table.split('.')[1]}_is_append_only"


def ensure_close_objects(cur: psycopg2.extensions.cursor) -> None:
    """Create what is missing of the schema `close` (idempotent; the caller holds the DDL lock)."""
    cur.execute("select to_regnamespace(%s) is not null", (SCHEMA,))
    if not _one(cur):
        cur.execute(f"create schema {SCHEMA}")
        cur.execute(f"revoke all on schema {SCHEMA} from public")
    cur.execute("select to_regprocedure('close.refuse_change()') is not null")
    if not _one(cur):
        cur.execute(REFUSE_CHANGE_FUNCTION)
    for table, ddl in TABLES.items():
        cur.execute("select to_regclass(%s) is not null", (table,))
        if _one(cur):
            continue
        cur.execute(ddl)
        cur.execute(f"revoke all on {table} from public")
        cur.execute(
            f"create trigger {_trigger_name(table)} before update or delete or truncate on {table} "
            "for each statement execute function close.refuse_change()"
        )
    cur.execute("select to_regclass('close.period_states') is not null")
    if not _one(cur):
        cur.execute(PERIOD_STATES_VIEW)
        cur.execute("revoke all on close.period_states from public")


def _one(cur: psycopg2.extensions.cursor) -> bool:
    row = cur.fetchone()
    return bool(row and row[0])
