"""DDL for the warehouse objects Python owns: raw tables, their current-state views,
the load ledger, the data-quality tables and the period close (schema `close`,
`commissions.close.schema`). dbt owns everything between raw and the marts.

Raw tables are append-only history: every distinct version of a record that ever
arrived, stamped with its batch, file and line. `<table>_current` views pick the
version that counts (latest `version_column`, then latest load); rows that tie for
latest (the same key twice in one export) are all kept so the quality gate sees
the duplicate instead of one copy winning silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commissions.close.schema import ensure_close_objects
from commissions.contracts import LINEAGE_COLUMNS, SOURCE_TABLES, SYSTEMS, SourceTable

if TYPE_CHECKING:
    import psycopg2.extensions


def current_view_name(table: SourceTable) -> str:
    return f"{table.raw_schema}.{table.name}_current"


def _raw_table_ddl(table: SourceTable) -> list[str]:
    lineage = [f"{name} {decl}" for name, decl in LINEAGE_COLUMNS]
    columns = [f"{c.name} {c.pg_type}" for c in table.columns]
    pk = ", ".join(table.primary_key)
    order = f"{table.version_column} desc nulls last, " if table.version_column else ""
    return [
        f"create table if not exists {table.qualified_name} ({', '.join(lineage + columns)})",
        f"create index if not exists {table.name}_record_hash_idx on {table.qualified_name} (_record_hash)",
        f"create index if not exists {table.name}_key_idx on {table.qualified_name} ({pk})",
        f"""create or replace view {current_view_name(table)} as
            select * from (
                select r.*, rank() over (partition by {pk} order by {order}_loaded_at desc) as _version_rank
                from {table.qualified_name} r
            ) ranked
            where _version_rank = 1""",
    ]


META_DDL = [
    "create schema if not exists raw_meta",
    """create table if not exists raw_meta.loaded_files (
        batch_id text not null,
        system text not null,
        table_name text not null,
        file_name text not null,
        file_sha256 text not null,
        rows_in_file bigint not null,
        rows_inserted bigint not null,
        status text not null,           -- loaded | skipped_duplicate_file
        archived_to text,
        loaded_at timestamptz not null default now(),
        primary key (batch_id, table_name, file_sha256)
    )""",
]

DQ_DDL = [
    "create schema if not exists dq",
    """create table if not exists dq.gate_runs (
        gate_run_id text primary key,
        run_label text,
        started_at timestamptz not null,
        finished_at timestamptz,
        status text,                   -- passed | warned | blocked
        blocking_failures integer,
        warnings integer,
        quarantined_rows bigint,
        data_docs_path text
    )""",
    """create table if not exists dq.expectation_results (
        gate_run_id text not null references dq.gate_runs,
        table_name text not null,
        rule_name text not null,
        expectation_type text not null,
        column_name text,
        severity text not null,        -- blocking | warning
        success boolean not null,
        element_count bigint,
        unexpected_count bigint,
        unexpected_percent numeric,
        observed_value text,
        details jsonb,
        primary key (gate_run_id, table_name, rule_name)
    )""",
    """create table if not exists dq.quarantine (
        gate_run_id text not null references dq.gate_runs,
        table_name text not null,      -- e.g. crm.opportunities
        row_id bigint not null,        -- raw <table>._row_id
        rule_name text not null,
        severity text not null,
        column_name text,
        primary key (gate_run_id, table_name, row_id, rule_name)
    )""",
    # The quarantine that counts is the latest finished gate run's.
    """create or replace view dq.quarantine_current as
        select q.*
        from dq.quarantine q
        where q.gate_run_id = (
            select gate_run_id from dq.gate_runs
            where finished_at is not null
            order by finished_at desc, gate_run_id desc
            limit 1
        )""",
]


def ddl_statements() -> list[str]:
    statements = [f"create schema if not exists raw_{s}" for s in SYSTEMS]
    statements += META_DDL
    for table in SOURCE_TABLES:
        statements += _raw_table_ddl(table)
    statements += DQ_DDL
    return statements


def ensure_warehouse_objects(conn: psycopg2.extensions.connection) -> None:
    """Create schemas, raw tables, views, load ledger, dq tables and the close schema (idempotent)."""
    with conn.cursor() as cur:
        # Serialise concurrent callers (three extract tasks start together).
        cur.execute("select pg_advisory_xact_lock(hashtext('commissions.raw_schema'))")
        for statement in ddl_statements():
            cur.execute(statement)
        ensure_close_objects(cur)
