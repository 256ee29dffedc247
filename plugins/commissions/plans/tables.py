"""Publish validated plans into the warehouse schema `plans`, where dbt reads them.

One publication is one transaction: every plans.* table is emptied and refilled from the
given plans, and a row is appended to plans.plan_publications naming each file and its
sha256. Readers (dbt) see the previous publication until the commit and this one after it,
never a mix. Money, rates and attainment are `numeric` columns filled from `Decimal`s, so a
rate of 0.10 in a plan file is 0.10 in the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg2.extensions
import psycopg2.extras

from commissions import warehouse
from commissions.plans.loader import PlanError
from commissions.plans.schema import Component, Plan, Version

SCHEMA = "plans"

_PLAN_KEY = (("plan_id", "text not null"), ("version_number", "integer not null"))
_COMPONENT_KEY = (*_PLAN_KEY, ("component_id", "text not null"))


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: tuple[str, ...]

    @property
    def qualified_name(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def ddl(self) -> str:
        columns = [f"{name} {decl}" for name, decl in self.columns]
        columns.append(f"primary key ({', '.join(self.primary_key)})")
        return f"create table if not exists {self.qualified_name} ({', '.join(columns)})"

    def added_columns_ddl(self) -> list[str]:
        """Columns a newer release added, for a table an older release created (run it empty:
        a `not null` column cannot be added to rows that have no value for it)."""
        return [
            f"alter table {self.qualified_name} add column if not exists {name} {decl}" for name, decl in self.columns
        ]


TABLES: tuple[Table, ...] = (
    Table(
        "plans",
        (
            ("plan_id", "text not null"),
            ("plan_name", "text not null"),
            ("description", "text"),
            ("currency", "text not null"),
            ("credit_currency", "text not null"),  # pay_currency | plan_currency
            ("payout_currency", "text not null"),  # pay_currency
            ("fx_rate_date", "text not null"),  # credit_date | period_end
            ("version_count", "integer not null"),
            ("source_file", "text not null"),
            ("file_sha256", "text not null"),
            ("publication_id", "bigint not null"),
        ),
        ("plan_id",),
    ),
    Table(
        "plan_versions",
        (
            *_PLAN_KEY,
            ("effective_from", "date not null"),
            ("effective_to", "date"),  # inclusive; null = open
            ("target_incentive", "numeric"),  # annual, plan currency
            ("prorate_hire", "boolean not null"),
            ("prorate_termination", "boolean not null"),
            ("prorate_unpaid_leave", "boolean not null"),
        ),
        ("plan_id", "version_number"),
    ),
    Table(
        "plan_components",
        (
            *_COMPONENT_KEY,
            ("component_number", "integer not null"),
            ("component_name", "text not null"),
            ("measure", "text not null"),
            ("activity", "text"),
            ("quota_measure", "text"),
            ("payment_trigger", "text"),  # booking | invoice | payment; null for activities, MBO
            ("scope", "text not null"),
            ("weight", "numeric"),
            ("quota_period", "text not null"),
            ("attainment_basis", "text not null"),
            ("cumulative_true_up", "boolean not null"),
            ("rate_table_type", "text not null"),  # flat | graduated | retroactive | curve
            ("rate_table_per", "text not null"),  # period | transaction (tiers bounded by amounts)
            ("flat_rate", "numeric"),
            ("flat_amount_per_unit", "numeric"),
            ("threshold_attainment", "numeric"),
            ("cap_attainment", "numeric"),
            ("cap_per_deal", "numeric"),
            ("cap_per_period", "numeric"),
            ("cap_per_year", "numeric"),
            ("credit_owner", "boolean"),
            ("credit_revenue_splits", "boolean"),
            ("credit_manager_rollup", "boolean"),
        ),
        ("plan_id", "version_number", "component_id"),
    ),
    Table(
        "credit_overlays",
        (
            *_COMPONENT_KEY,
            ("overlay_number", "integer not null"),
            ("overlay_by", "text not null"),  # product_family | territory
            ("overlay_values", "text[]"),  # null for territory = the territories the person covers
        ),
        ("plan_id", "version_number", "component_id", "overlay_number"),
    ),
    Table(
        "rate_tiers",
        (
            *_COMPONENT_KEY,
            ("tier_number", "integer not null"),
            # a ratio to quota; an amount (plan currency, or units) when rate_table_per is transaction
            ("attainment_from", "numeric not null"),
            ("attainment_to", "numeric"),  # exclusive; null = no end
            ("rate", "numeric"),
            ("amount_per_unit", "numeric"),
        ),
        ("plan_id", "version_number", "component_id", "tier_number"),
    ),
    Table(
        "curve_points",
        (
            *_COMPONENT_KEY,
            ("point_number", "integer not null"),
            ("attainment", "numeric not null"),
            ("payout", "numeric not null"),  # share of the component's target incentive
        ),
        ("plan_id", "version_number", "component_id", "point_number"),
    ),
    Table(
        "clawback_policies",
        (
            *_PLAN_KEY,
            ("event", "text not null"),  # refund | churn | non_payment
            ("window_days", "integer not null"),
            ("recover_in", "text not null"),
        ),
        ("plan_id", "version_number", "event"),
    ),
    Table(
        "draws",
        (
            *_PLAN_KEY,
            ("draw_type", "text not null"),  # recoverable | non_recoverable
            ("amount", "numeric not null"),
            ("period", "text not null"),
            ("periods", "integer not null"),
            ("carry_forward", "boolean not null"),
        ),
        ("plan_id", "version_number"),
    ),
    Table(
        "spifs",
        (
            *_PLAN_KEY,
            ("spif_id", "text not null"),
            ("spif_name", "text not null"),
            ("starts_on", "date not null"),
            ("ends_on", "date not null"),
            ("measure", "text not null"),
            ("activity", "text"),
            ("payment_trigger", "text"),
            ("product_families", "text[] not null"),
            ("product_codes", "text[] not null"),
            ("rate", "numeric"),
            ("amount_per_unit", "numeric"),
        ),
        ("plan_id", "version_number", "spif_id"),
    ),
    Table(
        "bonuses",
        (
            *_PLAN_KEY,
            ("bonus_id", "text not null"),
            ("bonus_name", "text not null"),
            ("amount", "numeric not null"),
            ("component_id", "text not null"),
            ("period", "text not null"),
            ("attainment_at_least", "numeric not null"),
        ),
        ("plan_id", "version_number", "bonus_id"),
    ),
    Table(
        "contests",
        (
            *_PLAN_KEY,
            ("contest_id", "text not null"),
            ("contest_name", "text not null"),
            ("starts_on", "date not null"),
            ("ends_on", "date not null"),
            ("measure", "text not null"),
            ("activity", "text"),
            ("rank_by", "text not null"),
        ),
        ("plan_id", "version_number", "contest_id"),
    ),
    Table(
        "contest_prizes",
        (
            *_PLAN_KEY,
            ("contest_id", "text not null"),
            ("prize_rank", "integer not null"),
            ("amount", "numeric not null"),
        ),
        ("plan_id", "version_number", "contest_id", "prize_rank"),
    ),
)

LEDGER_DDL = f"""create table if not exists {SCHEMA}.plan_publications (
    publication_id bigint generated always as identity primary key,
    published_at timestamptz not null default now(),
    plan_ids text[] not null,
    files text[] not null,
    sha256s text[] not null
)"""

Row = dict[str, Any]


def ddl_statements() -> list[str]:
    return [f"create schema if not exists {SCHEMA}", LEDGER_DDL] + [t.ddl() for t in TABLES]


def _component_rows(key: Row, number: int, c: Component, rows: dict[str, list[Row]]) -> None:
    ckey = {**key, "component_id": c.id}
    table, caps, credit = c.rate_table, c.caps, c.crediting
    rows["plan_components"].append(
        {
            **ckey,
            "component_number": number,
            "component_name": c.name,
            "measure": c.measure,
            "activity": c.activity,
            "quota_measure": c.quota_measure,
            "payment_trigger": c.trigger,
            "scope": c.scope,
            "weight": c.weight,
            "quota_period": c.quota_period,
            "attainment_basis": c.attainment_basis,
            "cumulative_true_up": c.cumulative_true_up,
            "rate_table_type": table.type,
            "rate_table_per": table.per,
            "flat_rate": table.rate,
            "flat_amount_per_unit": table.amount_per_unit,
            "threshold_attainment": c.threshold,
            "cap_attainment": caps.attainment if caps else None,
            "cap_per_deal": caps.per_deal if caps else None,
            "cap_per_period": caps.per_period if caps else None,
            "cap_per_year": caps.per_year if caps else None,
            "credit_owner": credit.owner if credit else None,
            "credit_revenue_splits": credit.revenue_splits if credit else None,
            "credit_manager_rollup": credit.manager_rollup if credit else None,
        }
    )
    for i, overlay in enumerate(credit.overlays if credit else [], start=1):
        rows["credit_overlays"].append(
            {**ckey, "overlay_number": i, "overlay_by": overlay.by, "overlay_values": overlay.values}
        )
    for i, tier in enumerate(table.tiers or [], start=1):
        rows["rate_tiers"].append(
            {
                **ckey,
                "tier_number": i,
                "attainment_from": tier.attainment_from,
                "attainment_to": tier.attainment_to,
                "rate": tier.rate,
                "amount_per_unit": tier.amount_per_unit,
            }
        )
    for i, point in enumerate(table.points or [], start=1):
        rows["curve_points"].append({**ckey, "point_number": i, "attainment": point.attainment, "payout": point.payout})


def _version_rows(key: Row, v: Version, rows: dict[str, list[Row]]) -> None:
    rows["plan_versions"].append(
        {
            **key,
            "effective_from": v.effective_from,
            "effective_to": v.effective_to,
            "target_incentive": v.target_incentive,
            "prorate_hire": v.proration.hire,
            "prorate_termination": v.proration.termination,
            "prorate_unpaid_leave": v.proration.unpaid_leave,
        }
    )
    for number, component in enumerate(v.components, start=1):
        _component_rows(key, number, component, rows)
    if v.clawback:
        for event in v.clawback.events:
            rows["clawback_policies"].append(
                {**key, "event": event, "window_days": v.clawback.window_days, "recover_in": v.clawback.recover_in}
            )
    if v.draw:
        d = v.draw
        rows["draws"].append(
            {
                **key,
                "draw_type": d.type,
                "amount": d.amount,
                "period": d.period,
                "periods": d.periods,
                "carry_forward": d.carry_forward,
            }
        )
    for s in v.spifs:
        rows["spifs"].append(
            {
                **key,
                "spif_id": s.id,
                "spif_name": s.name,
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "measure": s.measure,
                "activity": s.activity,
                "payment_trigger": s.trigger,
                "product_families": s.product_families,
                "product_codes": s.product_codes,
                "rate": s.rate,
                "amount_per_unit": s.amount_per_unit,
            }
        )
    for b in v.bonuses:
        rows["bonuses"].append(
            {
                **key,
                "bonus_id": b.id,
                "bonus_name": b.name,
                "amount": b.amount,
                "component_id": b.component,
                "period": b.period,
                "attainment_at_least": b.attainment_at_least,
            }
        )
    for c in v.contests:
        rows["contests"].append(
            {
                **key,
                "contest_id": c.id,
                "contest_name": c.name,
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
                "measure": c.measure,
                "activity": c.activity,
                "rank_by": c.rank_by,
            }
        )
        for prize in c.prizes:
            rows["contest_prizes"].append({**key, "contest_id": c.id, "prize_rank": prize.rank, "amount": prize.amount})


def plan_rows(plans: Iterable[Plan], publication_id: int) -> dict[str, list[Row]]:
    """The rows of every plans.* table (but the ledger) for these plans."""
    rows: dict[str, list[Row]] = {t.name: [] for t in TABLES}
    for plan in plans:
        if plan.source is None:
            raise PlanError([f"{plan.plan_id}: not read from a plan file; publish what load_plans() returns"])
        rows["plans"].append(
            {
                "plan_id": plan.plan_id,
                "plan_name": plan.name,
                "description": plan.description,
                "currency": plan.currency,
                "credit_currency": plan.credit_currency,
                "payout_currency": plan.payout_currency,
                "fx_rate_date": plan.fx_rate_date,
                "version_count": len(plan.versions),
                "source_file": plan.source.file,
                "file_sha256": plan.source.sha256,
                "publication_id": publication_id,
            }
        )
        for number, version in enumerate(plan.versions, start=1):
            _version_rows({"plan_id": plan.plan_id, "version_number": number}, version, rows)
    return rows


@dataclass(frozen=True)
class PlanPublication:
    """What one `publish_plans` wrote: the ledger row and the row count of each table."""

    publication_id: int
    published_at: datetime
    plan_ids: tuple[str, ...]
    files: tuple[str, ...]
    sha256s: tuple[str, ...]
    row_counts: dict[str, int]

    def summary(self) -> str:
        lines = [f"publication {self.publication_id} at {self.published_at:%Y-%m-%d %H:%M:%S %Z}".rstrip()]
        lines += [f"  {file}  sha256 {sha}" for file, sha in zip(self.files, self.sha256s, strict=True)]
        lines.append("  rows: " + ", ".join(f"{SCHEMA}.{name} {n}" for name, n in self.row_counts.items() if n))
        return "\n".join(lines)


def _insert(cur: psycopg2.extensions.cursor, table: Table, rows: list[Row]) -> None:
    if rows:
        psycopg2.extras.execute_values(
            cur,
            f"insert into {table.qualified_name} ({', '.join(table.column_names)}) values %s",
            [tuple(row[c] for c in table.column_names) for row in rows],
        )


def publish_plans(plans: list[Plan], wh: warehouse.Warehouse | None = None) -> PlanPublication:
    """Replace the contents of the `plans` schema with `plans`, atomically, and log the publication."""
    ids = [p.plan_id for p in plans]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise PlanError([f"plan_id {i}: expected once, given {ids.count(i)} times" for i in duplicated])
    unread = [
        f"{p.plan_id}: not read from a plan file; publish what load_plans() returns" for p in plans if not p.source
    ]
    if unread:
        raise PlanError(unread)
    files = tuple(p.source.file for p in plans if p.source)
    sha256s = tuple(p.source.sha256 for p in plans if p.source)
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        # Publishers take turns; readers keep seeing the last committed publication meanwhile.
        cur.execute("select pg_advisory_xact_lock(hashtext('commissions.plans'))")
        for statement in ddl_statements():
            cur.execute(statement)
        cur.execute(
            f"insert into {SCHEMA}.plan_publications (plan_ids, files, sha256s) values (%s, %s, %s) "
            "returning publication_id, published_at",
            (ids, list(files), list(sha256s)),
        )
        publication_id, published_at = warehouse.one_row(cur)
        rows = plan_rows(plans, publication_id)
        for table in TABLES:
            cur.execute(f"delete from {table.qualified_name}")
        for table in TABLES:
            for statement in table.added_columns_ddl():
                cur.execute(statement)
        for table in TABLES:
            _insert(cur, table, rows[table.name])
    return PlanPublication(
        publication_id=publication_id,
        published_at=published_at,
        plan_ids=tuple(ids),
        files=files,
        sha256s=sha256s,
        row_counts={t.name: len(rows[t.name]) for t in TABLES},
    )


def latest_publication(conn: psycopg2.extensions.connection) -> tuple[int, datetime, list[str], list[str]] | None:
    """(publication_id, published_at, files, sha256s) of the plans in force, for run summaries."""
    with conn.cursor() as cur:
        cur.execute(f"select to_regclass('{SCHEMA}.plan_publications')")
        if warehouse.one_row(cur)[0] is None:
            return None
        cur.execute(
            f"select publication_id, published_at, files, sha256s from {SCHEMA}.plan_publications "
            "order by publication_id desc limit 1"
        )
        return cur.fetchone()


def publish_folder(folder: Path | None = None, wh: warehouse.Warehouse | None = None) -> PlanPublication:
    """Validate every plan file of `folder` (default: plans_dir()) and publish them.

    Raises PlanError, listing every problem, and publishes nothing when a file is invalid.
    """
    from commissions.plans.loader import load_plans

    return publish_plans(load_plans(folder), wh)
