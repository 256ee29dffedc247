"""The data-quality gate between the raw layer and dbt.

    raw_*.<table>_current ─► GX suites (expectations/, run inside PostgreSQL)
        ─► dq.expectation_results (one row per rule)   ─► dq_report_<run>.md/.json
        ─► dq.quarantine (failing rows by _row_id)      ─► Data Docs
        ─► dq.gate_runs (status passed | warned | blocked)

What a failure means (see docs/quality.md for every rule):
- a `blocking` rule that fails blocks the run;
- a `warning` rule is row-level: its failing rows are quarantined and the run is
  'warned' while their share stays within the rule's threshold (`mostly`); above it
  the rule blocks, and its rows are still quarantined;
- a rule that cannot be evaluated (GX raised) blocks.

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

import psycopg2.extensions

from commissions import warehouse
from commissions.config import paths
from commissions.quality import report
from commissions.quality.suites import QUERY_EXPECTATION, ROW_COUNT_EXPECTATION, Rule, Suite, load_suites
from commissions.raw_schema import current_view_name, ensure_warehouse_objects

log = logging.getLogger(__name__)

SAMPLE_SIZE = 5


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
    quarantine_sql: str | None = None
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


def _unique_rows_sql(view: str, columns: list[str]) -> str:
    # GX's unexpected_index_query for expect_compound_columns_to_be_unique on SQL is a
    # cross join that PostgreSQL rejects ("_row_id is ambiguous"), and GX returns no
    # unexpected_index_list for it: the gate selects the rows of duplicated keys itself.
    cols = ", ".join(columns)
    on = " and ".join(f"v.{c} = d.{c}" for c in columns)
    return (
        f"select v._row_id from {view} v join (select {cols} from {view} group by {cols} having count(*) > 1) d on {on}"
    )


def _raised(info: Any) -> str | None:
    """The error message if GX raised while evaluating an expectation. exception_info is
    either one {raised_exception, exception_message} dict or a dict of them keyed by the
    metric that failed (query expectations)."""
    if not isinstance(info, dict) or not info:
        return None
    candidates = [info, *[v for v in info.values() if isinstance(v, dict)]]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            message = str(candidate.get("exception_message") or "unknown error")
            return " ".join(message.split())[:400]
    return None


def _query_outcome(rule: Rule, data: dict[str, Any], success: bool, view: str, row_count: int | None) -> RuleOutcome:
    # GX gives unexpected_rows_expectation no `mostly`: the share of failing rows is judged
    # here, against the table's row count (the suite's row-count expectation).
    unexpected = int(data.get("observed_value") or 0)
    total = row_count if row_count is not None else unexpected
    share = unexpected / total if total else 0.0
    outcome = RuleOutcome(rule, "passed", success, element_count=total, unexpected_count=unexpected)
    outcome.unexpected_percent = 100 * share
    outcome.quarantine_sql = str(rule.kwargs["unexpected_rows_query"]).replace("{batch}", view)
    outcome.details = {"sample_rows": (data.get("details") or {}).get("unexpected_rows", [])[:SAMPLE_SIZE]}
    outcome.outcome = _judge(rule, unexpected, within=share <= (1 - rule.mostly) + 1e-12)
    return outcome


def _map_outcome(rule: Rule, data: dict[str, Any], success: bool, view: str) -> RuleOutcome:
    unexpected = int(data.get("unexpected_count") or 0)
    outcome = RuleOutcome(
        rule,
        "passed",
        success,
        element_count=data.get("element_count"),
        unexpected_count=unexpected,
        unexpected_percent=data.get("unexpected_percent"),
    )
    outcome.details = {"partial_unexpected_counts": data.get("partial_unexpected_counts", [])[:SAMPLE_SIZE]}
    outcome.outcome = _judge(rule, unexpected, within=success)  # GX applied `mostly`
    if rule.expectation_type == "expect_compound_columns_to_be_unique":
        outcome.quarantine_sql = _unique_rows_sql(view, list(rule.kwargs["column_list"]))
    elif data.get("unexpected_index_query"):
        # The full set of failing keys, as SQL to run inside PostgreSQL: the lists in the
        # result stop at partial_unexpected_count even with result_format COMPLETE.
        outcome.quarantine_sql = str(data["unexpected_index_query"]).rstrip().rstrip(";")
    elif unexpected:
        ids = [int(i["_row_id"]) for i in data.get("unexpected_index_list") or []]
        if len(ids) != unexpected:
            return RuleOutcome(rule, "blocked", False, error="GX returned neither the query nor every failing key")
        outcome.quarantine_sql = f"select unnest(array[{','.join(map(str, ids))}]::bigint[]) as _row_id"
    return outcome


def _judge(rule: Rule, unexpected: int, *, within: bool) -> str:
    if unexpected == 0:
        return "passed"
    if rule.severity == "blocking" or not within:
        return "blocked"
    return "warned"


def evaluate(suite: Suite, gx_results: list[Any]) -> list[RuleOutcome]:
    """Turn one suite's GX results into outcomes (pass / warn / block) per rule."""
    view = current_view_name(suite.table)
    by_rule = {r.expectation_config.meta.get("rule"): r for r in gx_results}
    row_count: int | None = None
    for rule in suite.rules:
        result = by_rule.get(rule.name)
        if rule.expectation_type == ROW_COUNT_EXPECTATION and result is not None:
            row_count = (result.result or {}).get("observed_value")

    outcomes: list[RuleOutcome] = []
    for rule in suite.rules:
        result = by_rule.get(rule.name)
        if result is None:
            outcomes.append(RuleOutcome(rule, "blocked", False, error="GX returned no result for this rule"))
            continue
        error = _raised(result.exception_info)
        data = dict(result.result or {})
        success = bool(result.success)
        if error is None and not success and rule.row_level and not data:
            error = "GX reported a failure without counts"
        if error is not None:
            outcomes.append(RuleOutcome(rule, "blocked", False, error=error))
        elif not rule.row_level:
            outcome = RuleOutcome(rule, "passed" if success else "blocked", success)
            outcome.observed_value = data.get("observed_value")
            outcome.details = {k: v for k, v in data.items() if k != "observed_value"}
            outcomes.append(outcome)
        elif rule.expectation_type == QUERY_EXPECTATION:
            outcomes.append(_query_outcome(rule, data, success, view, row_count))
        else:
            outcomes.append(_map_outcome(rule, data, success, view))
    return outcomes


def _quarantine(cur: psycopg2.extensions.cursor, gate_run_id: str, suite: Suite, outcome: RuleOutcome) -> None:
    """Insert the failing rows of one rule into dq.quarantine, inside PostgreSQL."""
    if not outcome.unexpected_count or not outcome.quarantine_sql:
        return
    rule = outcome.rule
    cur.execute(
        "insert into dq.quarantine (gate_run_id, table_name, row_id, rule_name, severity, column_name) "
        "select distinct %s, %s, q._row_id, %s, %s, %s "
        f"from ({outcome.quarantine_sql.replace('%', '%%')}) q where q._row_id is not null "
        "on conflict do nothing",
        (gate_run_id, suite.name, rule.name, outcome.severity, rule.column),
    )
    outcome.quarantined = cur.rowcount
    if outcome.quarantined != outcome.unexpected_count:
        outcome.details["note"] = (
            f"GX counted {outcome.unexpected_count} failing rows, {outcome.quarantined} were quarantined "
            "(rows counted once per row id; data may have changed during the run)"
        )
    keys = ", ".join(f"v.{c}" for c in suite.table.primary_key)
    cur.execute(
        f"select {keys}, v._source_file, v._source_line from {current_view_name(suite.table)} v "
        "join dq.quarantine q on q.row_id = v._row_id "
        "where q.gate_run_id = %s and q.table_name = %s and q.rule_name = %s order by v._row_id limit %s",
        (gate_run_id, suite.name, rule.name, SAMPLE_SIZE),
    )
    n = len(suite.table.primary_key)
    for row in cur.fetchall():
        key = ", ".join(f"{c}={v}" for c, v in zip(suite.table.primary_key, row[:n], strict=True))
        outcome.samples.append(f"{key} ({row[n]}:{row[n + 1]})")


def _failure_samples(outcome: RuleOutcome) -> None:
    """Samples for failures without rows (schema, empty table)."""
    mismatched = (outcome.details.get("details") or {}).get("mismatched") or {}
    if mismatched.get("missing"):
        outcome.samples.append("missing columns: " + ", ".join(mismatched["missing"]))


def _record(cur: psycopg2.extensions.cursor, gate_run_id: str, outcome: RuleOutcome) -> None:
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
    cur.execute(
        "insert into dq.expectation_results (gate_run_id, table_name, rule_name, expectation_type, column_name, "
        "severity, success, element_count, unexpected_count, unexpected_percent, observed_value, details) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
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
            None
            if observed is None
            else json.dumps(_jsonable(observed))
            if not isinstance(observed, str)
            else observed,
            json.dumps(_jsonable(details)),
        ),
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
        "join raw_crm.opportunity_splits s on s._row_id = q.row_id "
        "join raw_crm.opportunities_current o on o.opportunity_id = s.opportunity_id "
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


def run_gate(wh: warehouse.Warehouse | None = None, run_label: str = "manual") -> GateResult:
    """Validate every raw table's current view; record results and quarantine; raise
    QualityGateBlocked (after recording everything) when a blocking rule failed."""
    from commissions.quality.gx_run import run_suites

    wh = wh or warehouse.resolve()
    p = paths()
    suites = load_suites(p.expectations)
    gate_run_id = new_gate_run_id(run_label)
    with warehouse.connect(wh) as conn:
        ensure_warehouse_objects(conn)
        currencies = fx_currencies(conn)
        with conn.cursor() as cur:
            cur.execute(
                "insert into dq.gate_runs (gate_run_id, run_label, started_at) values (%s, %s, now())",
                (gate_run_id, run_label),
            )
    log.info("gate %s: validating %d tables on %s", gate_run_id, len(suites), wh.describe())

    try:
        gx_run = run_suites(wh, suites, run_name=gate_run_id, expectation_parameters={"fx_currencies": currencies})
        outcomes_by_suite = {s.name: evaluate(s, gx_run.results.get(s.name, [])) for s in suites}
        with warehouse.connect(wh) as conn, conn.cursor() as cur:
            for suite in suites:
                for outcome in outcomes_by_suite[suite.name]:
                    if outcome.rule.row_level:
                        _quarantine(cur, gate_run_id, suite, outcome)
                    elif outcome.outcome == "blocked":
                        _failure_samples(outcome)
                    _record(cur, gate_run_id, outcome)
            _hold_deals_of_held_splits(cur, gate_run_id)
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
            docs = str(gx_run.data_docs_index) if gx_run.data_docs_index else None
            cur.execute(
                "update dq.gate_runs set finished_at = clock_timestamp(), status = %s, blocking_failures = %s, "
                "warnings = %s, quarantined_rows = %s, data_docs_path = %s where gate_run_id = %s",
                (status, blocking, warnings, quarantined, docs, gate_run_id),
            )
    except Exception:
        # Not a data problem (database gone, GX misconfigured): leave the run unfinished so
        # the previous run's quarantine stays current, and let the task retry.
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
        data_docs_path=gx_run.data_docs_index,
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
