"""The gate's rules evaluated in plain SQL, set-based, inside PostgreSQL.

The suites stay Great Expectations suites (expectations/*.json), and every expectation
type they use is translated here into the SQL GX 1.24 would run for it, with GX's own
semantics (which rows a rule judges, nulls, `mostly`, ignore_row_if). What GX adds on
top, a metric per query and a result object per expectation, cost 399 statements for
168 rules; here one gate run costs a handful a table:

    create temp table  pg_temp.dq_<system>_<table>   the current view, read once (indexed
                                                     on its key when other rules look rows up in it)
    insert ... select  every failing row of every column rule of the table (one scan)
    select count(...)  the rows each rule judges (GX's element / nonnull / filtered count)
    one statement per unexpected_rows_expectation: failing rows, their count and samples

Other tables' `raw_*.<table>_current` views named in a query read the snapshots too, so
each current view (a rank() over the raw history) is computed once per run. The snapshots
are not analysed: at 200 reps x 24 months ANALYZE cost 5 s and changed no plan for the
better (the planner sizes an unanalysed table from its pages). Everything
runs in the caller's transaction; the snapshots and pg_temp.dq_failures go at its end.

A rule that cannot be evaluated (a missing column, an SQL error) is reported with the
error instead of counts; the other rules of its table are still evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg2
import psycopg2.extensions
from psycopg2 import sql

from commissions.contracts import SOURCE_TABLES, SourceTable
from commissions.quality.suites import QUERY_EXPECTATION, Rule, Suite, SuiteError
from commissions.raw_schema import current_view_name

#: Failing rows of every rule of the run: (table, rule, raw _row_id), each row once per rule.
FAILURES = "pg_temp.dq_failures"
SAMPLE_SIZE = 5
#: kwargs the translation understands, per expectation type; anything else in a suite is an
#: error when the suites are compiled, not a silently ignored option.
SUPPORTED_KWARGS: dict[str, frozenset[str]] = {
    "expect_table_columns_to_match_set": frozenset({"column_set", "exact_match"}),
    "expect_table_row_count_to_be_between": frozenset({"min_value", "max_value"}),
    "expect_column_values_to_not_be_null": frozenset({"column", "mostly"}),
    "expect_column_values_to_be_unique": frozenset({"column", "mostly"}),
    "expect_compound_columns_to_be_unique": frozenset({"column_list", "ignore_row_if", "mostly"}),
    "expect_column_values_to_be_in_set": frozenset({"column", "value_set", "mostly"}),
    "expect_column_values_to_be_between": frozenset(
        {"column", "min_value", "max_value", "strict_min", "strict_max", "mostly"}
    ),
    "expect_column_values_to_match_regex": frozenset({"column", "regex", "mostly"}),
    "expect_column_pair_values_a_to_be_greater_than_b": frozenset(
        {"column_A", "column_B", "or_equal", "ignore_row_if", "mostly"}
    ),
    QUERY_EXPECTATION: frozenset({"unexpected_rows_query"}),
}


def snapshot_name(table: SourceTable) -> str:
    return f"pg_temp.dq_{table.system}_{table.name}"


@dataclass
class Measurement:
    """What one rule found, in GX's terms: `element_count` rows in the table, `considered`
    of them judged by the rule (GX's nonnull or filtered count; the denominator of
    `mostly`), `unexpected_count` failing. Table-level rules carry `observed_value`."""

    rule: Rule
    element_count: int | None = None
    considered: int | None = None
    unexpected_count: int | None = None
    quarantinable: int = 0  # distinct failing rows in FAILURES
    observed_value: Any = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def unexpected_percent(self) -> float | None:
        """GX's unexpected_percent: failing rows among the rows the rule judges."""
        if self.unexpected_count is None or not self.considered:
            return None
        return 100 * self.unexpected_count / self.considered


@dataclass(frozen=True)
class RowCheck:
    """A column rule as SQL over one snapshot row `s`: `failing` is true for a failing row,
    `considered` counts the rows the rule judges, `window` is a column the test needs
    (a duplicate count), computed once in the table's scan as `s.<window alias>`."""

    rule: Rule
    columns: tuple[str, ...]
    failing: sql.Composable
    considered: sql.Composable
    window: sql.Composable | None = None


def _col(name: str) -> sql.Composable:
    return sql.SQL("s.") + sql.Identifier(name)


def _all(parts: Sequence[sql.Composable], joiner: str = " and ") -> sql.Composable:
    return sql.SQL("(") + sql.SQL(joiner).join(parts) + sql.SQL(")")


def _count_where(condition: sql.Composable) -> sql.Composable:
    return sql.SQL("count(*) filter (where {})").format(condition)


def _parameter(value: Any, parameters: dict[str, Any], where: str) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        name = value["$PARAMETER"]
        if name not in parameters:
            raise SuiteError(f"{where}: suite parameter {name!r} has no value")
        return parameters[name]
    return value


def _pair_check(rule: Rule) -> RowCheck:
    """expect_column_pair_values_a_to_be_greater_than_b."""
    kw = rule.kwargs
    where = f"{rule.table}: {rule.name}"
    a, b = _col(kw["column_A"]), _col(kw["column_B"])
    expected = sql.SQL("({a} >= {b} or ({a} is null and {b} is null))" if kw.get("or_equal") else "{a} > {b}")
    ignore = kw.get("ignore_row_if", "both_values_are_missing")
    judged = {
        "both_values_are_missing": sql.SQL("not ({a} is null and {b} is null)"),
        "either_value_is_missing": sql.SQL("({a} is not null and {b} is not null)"),
        "neither": sql.SQL("true"),
    }.get(ignore)
    if judged is None:
        raise SuiteError(f"{where}: ignore_row_if {ignore!r} is not supported")
    judged_sql = judged.format(a=a, b=b)
    # GX counts a row whose comparison is null (one side missing) as passing.
    failing = sql.SQL("({judged} and (not {expected}) is true)").format(
        judged=judged_sql, expected=expected.format(a=a, b=b)
    )
    return RowCheck(rule, (kw["column_A"], kw["column_B"]), failing, _count_where(judged_sql))


def _compound_check(rule: Rule, index: int) -> RowCheck:
    """expect_compound_columns_to_be_unique."""
    kw = rule.kwargs
    where = f"{rule.table}: {rule.name}"
    names = list(kw["column_list"])
    cols = [_col(c) for c in names]
    ignore = kw.get("ignore_row_if", "all_values_are_missing")
    judged = {
        "all_values_are_missing": _all([sql.SQL("{} is not null").format(c) for c in cols], " or "),
        "any_value_is_missing": _all([sql.SQL("{} is not null").format(c) for c in cols]),
        "never": sql.SQL("true"),
    }.get(ignore)
    if judged is None:
        raise SuiteError(f"{where}: ignore_row_if {ignore!r} is not supported")
    alias = sql.Identifier(f"_dq_dup_{index}")
    window = sql.SQL("count(*) over (partition by {}) as {}").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in names), alias
    )
    # GX joins each row to its group's count on equality: a key with a null in it
    # matches no group and never fails.
    failing = sql.SQL("({} and {}.{} > 1)").format(
        _all([sql.SQL("{} is not null").format(c) for c in cols]), sql.SQL("s"), alias
    )
    return RowCheck(rule, tuple(names), failing, _count_where(judged), window)


def _row_check(rule: Rule, index: int, parameters: dict[str, Any]) -> RowCheck:
    """The SQL GX runs for one column-map, column-pair or multicolumn expectation."""
    kw = rule.kwargs
    where = f"{rule.table}: {rule.name}"
    kind = rule.expectation_type
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        return _pair_check(rule)
    if kind == "expect_compound_columns_to_be_unique":
        return _compound_check(rule, index)
    column = str(kw["column"])
    c = _col(column)
    if kind == "expect_column_values_to_not_be_null":
        # The one column rule GX judges against every row of the table.
        return RowCheck(rule, (column,), sql.SQL("{} is null").format(c), sql.SQL("count(*)"))
    considered = sql.SQL("count({})").format(c)
    if kind == "expect_column_values_to_be_unique":
        alias = sql.Identifier(f"_dq_dup_{index}")
        window = sql.SQL("count({c}) over (partition by {c}) as {a}").format(c=sql.Identifier(column), a=alias)
        return RowCheck(rule, (column,), sql.SQL("s.{} > 1").format(alias), considered, window)
    expected: sql.Composable
    if kind == "expect_column_values_to_be_in_set":
        values = list(_parameter(kw["value_set"], parameters, where) or [])
        expected = (
            sql.SQL("{} in ({})").format(c, sql.SQL(", ").join(sql.Literal(v) for v in values))
            if values
            else sql.SQL("false")
        )
    elif kind == "expect_column_values_to_be_between":
        bounds = []
        low, high = (_parameter(kw.get(k), parameters, where) for k in ("min_value", "max_value"))
        if low is None and high is None:
            raise SuiteError(f"{where}: min_value and max_value are both empty")
        if low is not None:
            bounds.append(sql.SQL("{} >" + ("" if kw.get("strict_min") else "=") + " {}").format(c, sql.Literal(low)))
        if high is not None:
            bounds.append(sql.SQL("{} <" + ("" if kw.get("strict_max") else "=") + " {}").format(c, sql.Literal(high)))
        expected = _all(bounds)
    elif kind == "expect_column_values_to_match_regex":
        expected = sql.SQL("{} ~ {}").format(c, sql.Literal(str(kw["regex"])))
    else:  # pragma: no cover - compile() refuses other types first
        raise SuiteError(f"{where}: {kind} has no SQL translation")
    return RowCheck(rule, (column,), sql.SQL("({} is not null and not {})").format(c, expected), considered)


@dataclass(frozen=True)
class CompiledSuite:
    suite: Suite
    row_checks: tuple[RowCheck, ...]
    query_rules: tuple[Rule, ...]
    table_rules: tuple[Rule, ...]


def compile_suite(suite: Suite, parameters: dict[str, Any]) -> CompiledSuite:
    """Translate a suite into SQL; raises SuiteError for an expectation type or kwarg the
    translation does not cover (add it here, with a test against GX, before using it)."""
    row_checks: list[RowCheck] = []
    query_rules: list[Rule] = []
    table_rules: list[Rule] = []
    for index, rule in enumerate(suite.rules):
        allowed = SUPPORTED_KWARGS.get(rule.expectation_type)
        where = f"{suite.path}: rule {rule.name}"
        if allowed is None:
            raise SuiteError(
                f"{where}: {rule.expectation_type} is not one the gate evaluates in SQL "
                f"(supported: {', '.join(sorted(SUPPORTED_KWARGS))})"
            )
        unknown = set(rule.kwargs) - allowed
        if unknown:
            raise SuiteError(f"{where}: {rule.expectation_type} does not take {sorted(unknown)} in the gate")
        if rule.expectation_type == QUERY_EXPECTATION:
            query_rules.append(rule)
        elif not rule.row_level:
            table_rules.append(rule)
        else:
            row_checks.append(_row_check(rule, index, parameters))
    return CompiledSuite(suite, tuple(row_checks), tuple(query_rules), tuple(table_rules))


def _error(exc: psycopg2.Error) -> str:
    message = exc.pgerror or str(exc)
    return " ".join(message.split())[:400]


def _guarded(cur: psycopg2.extensions.cursor, work: Callable[[], Any]) -> str | None:
    """Run `work` under a savepoint: on an SQL error roll back just that and return the
    message, so one rule that cannot be evaluated does not lose the others."""
    cur.execute("savepoint dq_rule")
    try:
        work()
    except psycopg2.Error as exc:
        cur.execute("rollback to savepoint dq_rule")
        return _error(exc)
    cur.execute("release savepoint dq_rule")
    return None


_CURRENT_VIEW = re.compile(r"\b(raw_[a-z]+)\.([a-z_]+)_current\b")


def _on_snapshots(query: str, snapshot: str) -> str:
    """A suite query with {batch} and every known `raw_*.<table>_current` on the snapshots."""
    views = {current_view_name(t): snapshot_name(t) for t in SOURCE_TABLES}
    query = _CURRENT_VIEW.sub(lambda m: views.get(m.group(0), m.group(0)), query)
    return query.replace("{batch}", snapshot)


class Evaluator:
    """Evaluates compiled suites on one cursor (one transaction): snapshots first, then rules."""

    def __init__(self, cur: psycopg2.extensions.cursor) -> None:
        self.cur = cur
        self.columns: dict[str, list[str]] = {}
        self.row_counts: dict[str, int] = {}

    def snapshot(self, compiled: Sequence[CompiledSuite]) -> None:
        """Each table's current view into its snapshot; the snapshots other tables' queries
        look rows up in get an index on their key, as the raw tables have: without it such
        a lookup (`not exists` beside an `or`, which PostgreSQL cannot turn into an
        anti-join) scans the whole snapshot once per row, 8 minutes at 300 x 24."""
        cur = self.cur
        tables = [c.suite.table for c in compiled]
        looked_up = {
            m.group(0)
            for c in compiled
            for rule in c.query_rules
            for m in _CURRENT_VIEW.finditer(str(rule.kwargs["unexpected_rows_query"]))
        }
        cur.execute(
            f"create temp table {FAILURES.split('.')[1]} (table_name text, rule_name text, row_id bigint, "
            "primary key (table_name, rule_name, row_id)) on commit drop"
        )
        for table in tables:
            cur.execute(
                f"create temp table {snapshot_name(table).split('.')[1]} on commit drop as "
                f"select * from {current_view_name(table)}"
            )
            self.row_counts[f"{table.system}.{table.name}"] = cur.rowcount
            if current_view_name(table) in looked_up:
                cur.execute(f"create index on {snapshot_name(table)} ({', '.join(table.primary_key)})")
        cur.execute(
            "select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid "
            "where c.relnamespace = pg_my_temp_schema() and a.attnum > 0 and not a.attisdropped "
            "order by c.relname, a.attnum"
        )
        by_relation: dict[str, list[str]] = {}
        for relation, column in cur.fetchall():
            by_relation.setdefault(relation, []).append(column)
        for table in tables:
            self.columns[f"{table.system}.{table.name}"] = by_relation.get(snapshot_name(table).split(".")[1], [])

    def evaluate(self, compiled: CompiledSuite) -> list[Measurement]:
        suite = compiled.suite
        measurements = {r.name: Measurement(r, element_count=self.row_counts[suite.name]) for r in suite.rules}
        self._table_rules(compiled, measurements)
        self._row_checks(compiled, measurements)
        for rule in compiled.query_rules:
            self._query(suite, rule, measurements[rule.name])
        return [measurements[r.name] for r in suite.rules]

    def _table_rules(self, compiled: CompiledSuite, measurements: dict[str, Measurement]) -> None:
        columns = self.columns[compiled.suite.name]
        count = self.row_counts[compiled.suite.name]
        for rule in compiled.table_rules:
            m = measurements[rule.name]
            if rule.expectation_type == "expect_table_columns_to_match_set":
                present = sorted(columns)  # as GX reports them
                expected = list(rule.kwargs["column_set"])
                missing = [c for c in expected if c not in columns]
                m.observed_value = present
                m.unexpected_count = None
                m.details = {"success": not missing}
                if rule.kwargs.get("exact_match", True):
                    unexpected = [c for c in present if c not in expected]
                    m.details["success"] = not missing and not unexpected
                    mismatched = {"missing": missing, "unexpected": unexpected}
                else:
                    mismatched = {"missing": missing}
                if not m.details["success"]:
                    m.details["details"] = {"mismatched": {k: v for k, v in mismatched.items() if v}}
            else:  # row count
                low, high = rule.kwargs.get("min_value"), rule.kwargs.get("max_value")
                m.observed_value = count
                m.details = {"success": (low is None or count >= low) and (high is None or count <= high)}

    def _row_checks(self, compiled: CompiledSuite, measurements: dict[str, Measurement]) -> None:
        suite = compiled.suite
        columns = self.columns[suite.name]
        checks: list[RowCheck] = []
        for check in compiled.row_checks:
            missing = [c for c in check.columns if c not in columns]
            if missing:
                measurements[
                    check.rule.name
                ].error = f"column(s) {', '.join(missing)} do not exist in {current_view_name(suite.table)}"
            else:
                checks.append(check)
        if not checks:
            return
        # One scan finds every failing row of every rule; if it fails, each rule alone
        # finds out which of them cannot be evaluated.
        if _guarded(self.cur, lambda: self._find_failures(suite, checks)) is not None:
            for check in checks:
                error = _guarded(self.cur, partial(self._find_failures, suite, [check]))
                if error is not None:
                    measurements[check.rule.name].error = error
            checks = [c for c in checks if measurements[c.rule.name].error is None]
        if not checks:
            return
        self.cur.execute(
            sql.SQL("select {} from {} s").format(
                sql.SQL(", ").join(c.considered for c in checks), sql.SQL(snapshot_name(suite.table))
            )
        )
        considered = self.cur.fetchone() or ()
        self.cur.execute(
            f"select rule_name, count(*) from {FAILURES} where table_name = %s group by rule_name", (suite.name,)
        )
        failing = dict(self.cur.fetchall())
        for check, judged in zip(checks, considered, strict=True):
            m = measurements[check.rule.name]
            m.considered = int(judged)
            m.unexpected_count = m.quarantinable = int(failing.get(check.rule.name, 0))

    def _find_failures(self, suite: Suite, checks: Sequence[RowCheck]) -> None:
        windows = [c.window for c in checks if c.window is not None]
        source: sql.Composable = sql.SQL(snapshot_name(suite.table))
        if windows:
            source = sql.SQL("(select s.*, {} from {} s)").format(sql.SQL(", ").join(windows), source)
        rules = sql.SQL(", ").join(sql.SQL("({}, {})").format(sql.Literal(c.rule.name), c.failing) for c in checks)
        # Failing rows are few: the rows that fail anything are found first, and only they
        # are expanded to one row per rule to see which rules they fail.
        any_fails = sql.SQL(" or ").join(c.failing for c in checks)
        self.cur.execute(
            sql.SQL(
                "insert into {failures} (table_name, rule_name, row_id) "
                "select {table}, f.rule_name, s._row_id from (select * from {source} s where {any_fails}) s "
                "cross join lateral (values {rules}) f (rule_name, failed) where f.failed"
            ).format(
                failures=sql.SQL(FAILURES),
                table=sql.Literal(suite.name),
                source=source,
                any_fails=any_fails,
                rules=rules,
            )
        )

    def _query(self, suite: Suite, rule: Rule, m: Measurement) -> None:
        query = _on_snapshots(str(rule.kwargs["unexpected_rows_query"]), snapshot_name(suite.table))
        result: list[Any] = []

        def run() -> None:
            # The query's rows once: counted as GX counts them (every row it returns),
            # their distinct raw row ids kept as failing rows, the first few as samples.
            self.cur.execute(
                f"with q as materialized ({query.replace('%', '%%')}), "
                f"held as (insert into {FAILURES} (table_name, rule_name, row_id) "
                "select distinct %s, %s, q._row_id from q where q._row_id is not null returning 1) "
                "select (select count(*) from q), (select count(*) from held), "
                f"(select coalesce(json_agg(x), '[]'::json) from (select * from q limit {SAMPLE_SIZE}) x)",
                (suite.name, rule.name),
            )
            result.extend(self.cur.fetchone() or ())

        error = _guarded(self.cur, run)
        if error is not None:
            m.error = error
            return
        unexpected, distinct, samples = result
        m.observed_value = int(unexpected)
        m.unexpected_count = int(unexpected)
        m.quarantinable = int(distinct)
        m.considered = m.element_count
        m.details = {"sample_rows": samples}
