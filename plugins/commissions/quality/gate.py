"""The data-quality gate between the raw layer and dbt.

    raw_*.<table>_current ─► the GX suites (expectations/) evaluated in plain SQL
        inside PostgreSQL (checks.py)                   ─► dq_report_<run>.md/.json
        ─► dq.expectation_results (one row per rule)
        ─► dq.quarantine (failing rows by _row_id)
        ─► dq.gate_runs (status passed | warned | blocked)

GX Data Docs are rendered on demand, outside the gate (`commissions validate --data-docs`,
gx_run.py).

What a failure means (see docs/quality.md for every rule):
- a `blocking` rule that fails blocks the run;
- a `warning` rule is row-level: its failing rows are quarantined and the run is
  'warned' while their share stays within the rule's threshold (`mostly`); above it
  the rule blocks, and its rows are still quarantined;
- a rule that cannot be evaluated (a missing column, an SQL error) blocks.

Everything is recorded, in one transaction, before QualityGateBlocked is raised. A
blocked run is a finished run: its quarantine becomes dq.quarantine_current, so the
quarantine that counts is always the latest assessment of the data.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions
import psycopg2.extras
from psycopg2 import sql

from commissions import warehouse
from commissions.config import paths
from commissions.contracts import table
from commissions.quality import report
from commissions.quality.checks import (
    FAILURES,
    SAMPLE_SIZE,
    CompiledSuite,
    Evaluator,
    Measurement,
    compile_suite,
    snapshot_name,
)
from commissions.quality.suites import QUERY_EXPECTATION, Rule, Suite, load_suites
from commissions.raw_schema import ensure_warehouse_objects

log = logging.getLogger(__name__)


class QualityGateBlocked(RuntimeError):
    """A blocking data-quality failure. The message lists each failing rule with its
    table, how many rows failed and sample keys; everything is recorded in dq.*."""

    def __init__(self, message: str, result: GateResult | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class GateResult:
    gate_run_id: str
    status: str  # passed | warned | blocked
    blocking_failures: int
    warnings: int
    quarantined_rows: int
    report_path: Path
    data_docs_path: Path | None

    def summary(self) -> str:
        text = (
            f"quality gate {self.gate_run_id}: {self.status}: {self.blocking_failures} blocking, "
            f"{self.warnings} warnings, {self.quarantined_rows} rows held in quarantine; report {self.report_path}"
        )
        if self.data_docs_path:
            text += f"; data docs {self.data_docs_path}"
        return text


@dataclass
class RuleOutcome:
    """How one rule fared in one run, in the gate's terms."""

    rule: Rule
    outcome: str  # passed | warned | blocked
    gx_success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    error: str | None = None
    quarantined: int = 0
    samples: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        """Effective severity: a warning rule over its threshold counts as blocking."""
        return "blocking" if self.outcome == "blocked" else self.rule.severity

    def describe_failure(self) -> str:
        rule = self.rule
        if self.error:
            what = f"could not be evaluated: {self.error}"
        elif self.unexpected_count is not None and rule.row_level:
            pct = f"{self.unexpected_percent:.1f}%" if self.unexpected_percent is not None else "?"
            what = f"{self.unexpected_count} of {self.element_count} rows ({pct})"
            if rule.severity == "warning":
                what += f", above its {1 - rule.mostly:.0%} threshold"
        else:
            what = f"observed {self.observed_value}"
        line = f"{rule.table}: {rule.name} [{rule.severity}] {what}"
        if self.samples:
            line += "; e.g. " + "; ".join(self.samples)
        return line


def new_gate_run_id(run_label: str, now: datetime | None = None) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", run_label).strip("-")[:40] or "run"
    return f"dq_{(now or datetime.now(UTC)):%Y%m%dT%H%M%S}_{slug}_{secrets.token_hex(2)}"


def fx_currencies(conn: psycopg2.extensions.connection) -> list[str]:
    """USD and every currency with a rate to USD: the accepted currency codes."""
    with conn.cursor() as cur:
        cur.execute(
            "select from_currency from raw_hr.fx_rates_current where to_currency = 'USD' "
            "and from_currency is not null union select 'USD' order by 1"
        )
        return [r[0] for r in cur.fetchall()]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _judge(rule: Rule, unexpected: int, *, within: bool) -> str:
    if unexpected == 0:
        return "passed"
    if rule.severity == "blocking" or not within:
        return "blocked"
    return "warned"


def _gx_mostly_success(considered: int | None, unexpected: int, mostly: float) -> bool:
    """GX's verdict for a column rule: vacuously true on no judged rows, else the share of
    judged rows that pass must reach `mostly` (GX's _mostly_success)."""
    if not considered:
        return True
    return (considered - unexpected) / considered >= mostly


def outcome_of(m: Measurement) -> RuleOutcome:
    """What one rule's measurement means for the run: passed, warned or blocked."""
    rule = m.rule
    if m.error is not None:
        return RuleOutcome(rule, "blocked", False, error=m.error)
    if not rule.row_level:
        success = bool(m.details.get("success"))
        outcome = RuleOutcome(rule, "passed" if success else "blocked", success)
        outcome.observed_value = m.observed_value
        outcome.details = {k: v for k, v in m.details.items() if k != "success"}
        return outcome
    unexpected = m.unexpected_count or 0
    outcome = RuleOutcome(rule, "passed", unexpected == 0, element_count=m.element_count, unexpected_count=unexpected)
    outcome.details = dict(m.details)
    if rule.expectation_type == QUERY_EXPECTATION:
        # GX gives unexpected_rows_expectation no `mostly`: the share of failing rows is
        # judged here, against the table's row count.
        total = m.element_count if m.element_count is not None else unexpected
        share = unexpected / total if total else 0.0
        outcome.unexpected_percent = 100 * share
        outcome.outcome = _judge(rule, unexpected, within=share <= (1 - rule.mostly) + 1e-12)
    else:
        outcome.unexpected_percent = m.unexpected_percent
        outcome.gx_success = _gx_mostly_success(m.considered, unexpected, float(rule.kwargs.get("mostly", 1.0)))
        outcome.outcome = _judge(rule, unexpected, within=outcome.gx_success)
    return outcome


def _quarantine(cur: psycopg2.extensions.cursor, gate_run_id: str, held: list[tuple[RuleOutcome, int]]) -> None:
    """Insert the failing rows of every failing row-level rule into dq.quarantine at once,
    each with the rule's effective severity."""
    if not held:
        return
    rules = sql.SQL(", ").join(
        sql.SQL("({}, {}, {}, {})").format(
            sql.Literal(o.rule.table), sql.Literal(o.rule.name), sql.Literal(o.severity), sql.Literal(o.rule.column)
        )
        for o, _ in held
    )
    cur.execute(
        sql.SQL(
            "insert into dq.quarantine (gate_run_id, table_name, row_id, rule_name, severity, column_name) "
            "select {run}, f.table_name, f.row_id, f.rule_name, r.severity, r.column_name "
            "from {failures} f join (values {rules}) r (table_name, rule_name, severity, column_name) "
            "on r.table_name = f.table_name and r.rule_name = f.rule_name"
        ).format(run=sql.Literal(gate_run_id), failures=sql.SQL(FAILURES), rules=rules)
    )
    for outcome, distinct in held:
        outcome.quarantined = distinct
        if distinct != outcome.unexpected_count:
            outcome.details["note"] = (
                f"the rule found {outcome.unexpected_count} failing rows, {distinct} were quarantined "
                "(rows counted once per row id)"
            )


def _samples(cur: psycopg2.extensions.cursor, suite: Suite, failing: list[RuleOutcome]) -> None:
    """The first failing rows of each failing rule of one table: business key, the file and
    line the row came from, and the value of each field the rule is about."""
    if not failing:
        return
    key = list(suite.table.primary_key)
    fields = [c for o in failing for c in (o.rule.column or "").split(",") if c and c not in key]
    fields = [c for c in dict.fromkeys(fields) if c in suite.table.column_names]
    shown = [*key, "_source_file", "_source_line", *fields]
    cur.execute(
        sql.SQL(
            "select f.rule_name, {cols} from (select rule_name, row_id, "
            "row_number() over (partition by rule_name order by row_id) as n "
            "from {failures} where table_name = %s and rule_name = any(%s)) f "
            "join {snapshot} s on s._row_id = f.row_id where f.n <= %s order by f.rule_name, f.row_id"
        ).format(
            cols=sql.SQL(", ").join(sql.SQL("s.{}::text").format(sql.Identifier(c)) for c in shown),
            failures=sql.SQL(FAILURES),
            snapshot=sql.SQL(snapshot_name(suite.table)),
        ),
        (suite.name, [o.rule.name for o in failing], SAMPLE_SIZE),
    )
    by_rule = {o.rule.name: o for o in failing}
    for rule_name, *values in cur.fetchall():
        row = dict(zip(shown, values, strict=True))
        outcome = by_rule[rule_name]
        text = ", ".join(f"{c}={row[c]}" for c in key) + f" ({row['_source_file']}:{row['_source_line']})"
        about = [c for c in (outcome.rule.column or "").split(",") if c in fields]
        if about:
            text += " " + ", ".join(f"{c}={'null' if row[c] is None else row[c]}" for c in about)
        outcome.samples.append(text)


def _failure_samples(outcome: RuleOutcome) -> None:
    """Samples for failures without rows (schema, empty table)."""
    mismatched = (outcome.details.get("details") or {}).get("mismatched") or {}
    if mismatched.get("missing"):
        outcome.samples.append("missing columns: " + ", ".join(mismatched["missing"]))


def _result_row(gate_run_id: str, outcome: RuleOutcome) -> tuple[Any, ...]:
    rule = outcome.rule
    details = {
        "outcome": outcome.outcome,
        "declared_severity": rule.severity,
        "threshold_mostly": rule.mostly,
        "description": rule.description,
        "gx_success": outcome.gx_success,
        "quarantined_rows": outcome.quarantined,
        "sample_keys": outcome.samples,
        "kwargs": rule.kwargs,
        **({"error": outcome.error} if outcome.error else {}),
        **outcome.details,
    }
    observed = outcome.observed_value
    if observed is None and outcome.unexpected_count is not None:
        observed = f"{outcome.unexpected_count} of {outcome.element_count} rows failed"
    return (
        gate_run_id,
        rule.table,
        rule.name,
        rule.expectation_type,
        rule.column,
        outcome.severity,
        outcome.outcome == "passed",
        outcome.element_count,
        outcome.unexpected_count,
        outcome.unexpected_percent,
        None if observed is None else observed if isinstance(observed, str) else json.dumps(_jsonable(observed)),
        json.dumps(_jsonable(details)),
    )


def _record(cur: psycopg2.extensions.cursor, gate_run_id: str, outcomes: list[RuleOutcome]) -> None:
    """One row per rule in dq.expectation_results, in one statement."""
    psycopg2.extras.execute_values(
        cur,
        "insert into dq.expectation_results (gate_run_id, table_name, rule_name, expectation_type, column_name, "
        "severity, success, element_count, unexpected_count, unexpected_percent, observed_value, details) values %s",
        [_result_row(gate_run_id, o) for o in outcomes],
        page_size=1000,
    )


#: Rule name under which a deal is held because one of its revenue splits was held.
DEAL_HELD_WITH_SPLIT = "deal_held_with_split"


def _hold_deals_of_held_splits(cur: psycopg2.extensions.cursor, gate_run_id: str) -> int:
    """A deal whose revenue split is held is held whole: crediting it without that split
    would silently pay the owner the share that was held back."""
    cur.execute(
        "insert into dq.quarantine (gate_run_id, table_name, row_id, rule_name, severity, column_name) "
        "select distinct %s, 'crm.opportunities', o._row_id, %s, 'warning', 'opportunity_id' "
        "from dq.quarantine q "
        f"join {snapshot_name(table('crm.opportunity_splits'))} s on s._row_id = q.row_id "
        f"join {snapshot_name(table('crm.opportunities'))} o on o.opportunity_id = s.opportunity_id "
        "where q.gate_run_id = %s and q.table_name = 'crm.opportunity_splits' "
        "and coalesce(s.split_type, 'Revenue') = 'Revenue' "
        "and not exists (select 1 from dq.quarantine d where d.gate_run_id = %s "
        "and d.table_name = 'crm.opportunities' and d.row_id = o._row_id) "
        "on conflict do nothing",
        (gate_run_id, DEAL_HELD_WITH_SPLIT, gate_run_id, gate_run_id),
    )
    if cur.rowcount:
        log.warning("gate %s: %d deal(s) held because a revenue split of theirs was held", gate_run_id, cur.rowcount)
    return cur.rowcount


def _assess(
    cur: psycopg2.extensions.cursor, gate_run_id: str, compiled: list[CompiledSuite]
) -> dict[str, list[RuleOutcome]]:
    """Evaluate every rule, quarantine the failing rows and record every rule's result."""
    evaluator = Evaluator(cur)
    evaluator.snapshot(compiled)
    outcomes: dict[str, list[RuleOutcome]] = {}
    held: list[tuple[RuleOutcome, int]] = []
    for c in compiled:
        outcomes[c.suite.name] = []
        for m in evaluator.evaluate(c):
            outcome = outcome_of(m)
            outcomes[c.suite.name].append(outcome)
            if outcome.rule.row_level and outcome.unexpected_count and outcome.error is None:
                held.append((outcome, m.quarantinable))
            elif outcome.outcome == "blocked":
                _failure_samples(outcome)
    _quarantine(cur, gate_run_id, held)
    for c in compiled:
        _samples(cur, c.suite, [o for o in outcomes[c.suite.name] if o.quarantined])
    _record(cur, gate_run_id, [o for c in compiled for o in outcomes[c.suite.name]])
    _hold_deals_of_held_splits(cur, gate_run_id)
    return outcomes


def run_gate(wh: warehouse.Warehouse | None = None, run_label: str = "manual") -> GateResult:
    """Validate every raw table's current view; record results and quarantine; raise
    QualityGateBlocked (after recording everything) when a blocking rule failed."""
    wh = wh or warehouse.resolve()
    p = paths()
    suites = load_suites(p.expectations)
    gate_run_id = new_gate_run_id(run_label)
    with warehouse.connect(wh) as conn:
        ensure_warehouse_objects(conn)
        currencies = fx_currencies(conn)
    # A suite the SQL translation does not cover stops here, before a run is opened.
    compiled = [compile_suite(s, {"fx_currencies": currencies}) for s in suites]
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(
            "insert into dq.gate_runs (gate_run_id, run_label, started_at) values (%s, %s, now())",
            (gate_run_id, run_label),
        )
    log.info("gate %s: validating %d tables on %s", gate_run_id, len(suites), wh.describe())

    try:
        with warehouse.connect(wh) as conn, conn.cursor() as cur:
            outcomes_by_suite = _assess(cur, gate_run_id, compiled)
            outcomes = [o for s in suites for o in outcomes_by_suite[s.name]]
            blocking = sum(o.outcome == "blocked" for o in outcomes)
            warnings = sum(o.outcome == "warned" for o in outcomes)
            status = "blocked" if blocking else "warned" if warnings else "passed"
            cur.execute(
                "select count(*) from (select distinct table_name, row_id from dq.quarantine "
                "where gate_run_id = %s) held",
                (gate_run_id,),
            )
            quarantined = int(warehouse.one_row(cur)[0])
            cur.execute(
                "update dq.gate_runs set finished_at = clock_timestamp(), status = %s, blocking_failures = %s, "
                "warnings = %s, quarantined_rows = %s where gate_run_id = %s",
                (status, blocking, warnings, quarantined, gate_run_id),
            )
    except Exception:
        # Not a data problem (database gone, a bug): leave the run unfinished so the
        # previous run's quarantine stays current, and let the task retry.
        with warehouse.connect(wh) as conn, conn.cursor() as cur:
            cur.execute("update dq.gate_runs set status = 'error' where gate_run_id = %s", (gate_run_id,))
        raise

    result = GateResult(
        gate_run_id=gate_run_id,
        status=status,
        blocking_failures=blocking,
        warnings=warnings,
        quarantined_rows=quarantined,
        report_path=p.data_docs.parent / "dq" / f"dq_report_{gate_run_id}.md",
        data_docs_path=None,
    )
    report.write(result, suites, outcomes_by_suite, wh)
    log.info("%s", result.summary())
    if status == "blocked":
        failures = [o.describe_failure() for o in outcomes if o.outcome == "blocked"]
        raise QualityGateBlocked(
            f"quality gate {gate_run_id} blocked: {blocking} blocking failure(s); nothing downstream may run.\n"
            + "\n".join(f"  - {f}" for f in failures)
            + f"\nreport: {result.report_path}",
            result,
        )
    return result
