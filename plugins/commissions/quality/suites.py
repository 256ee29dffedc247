"""The expectation suites in `expectations/`: one GX suite (JSON) per raw table.

A suite file is a Great Expectations 1.x suite as JSON (`name`, `meta`, `expectations`
of `type`, `kwargs`, `meta`). Every expectation names its rule in `meta`:

    {"rule": "opportunity_id_unique", "severity": "warning", "description": "..."}

`severity: blocking` fails the gate on any failure. `severity: warning` is a row-level
rule: failing rows are quarantined and the run is 'warned' while the share of failing
rows stays within the threshold (`mostly` in kwargs, or in meta for
`unexpected_rows_expectation`, which GX gives no `mostly`); above it the rule blocks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commissions.contracts import SOURCE_TABLES, SourceTable

SEVERITIES = ("blocking", "warning")
QUERY_EXPECTATION = "unexpected_rows_expectation"
QUERY_PREFIX = "with b as (select * from {batch})"
ROW_COUNT_EXPECTATION = "expect_table_row_count_to_be_between"
#: Expectations that judge a table as a whole and have no failing rows to quarantine.
TABLE_LEVEL = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_column_count_to_equal",
        "expect_column_to_exist",
    }
)


class SuiteError(RuntimeError):
    """A suite file is missing or does not follow the conventions above."""


@dataclass(frozen=True)
class Rule:
    """One expectation of a suite, with the gate's reading of its meta."""

    table: str  # e.g. crm.opportunities
    name: str  # meta.rule
    expectation_type: str
    kwargs: dict[str, Any]
    severity: str  # declared: blocking | warning
    description: str
    meta: dict[str, Any]

    @property
    def row_level(self) -> bool:
        return self.expectation_type not in TABLE_LEVEL

    @property
    def mostly(self) -> float:
        """Share of rows that must pass; 1.0 for blocking rules."""
        if self.severity == "blocking":
            return 1.0
        value = self.kwargs.get("mostly", self.meta.get("mostly", 1.0))
        return float(value)

    @property
    def column(self) -> str | None:
        """Column named in dq.quarantine / dq.expectation_results."""
        if "column" in self.kwargs:
            return str(self.kwargs["column"])
        if "column_list" in self.kwargs:
            return ",".join(self.kwargs["column_list"])
        if "column_A" in self.kwargs:
            return f"{self.kwargs['column_A']},{self.kwargs['column_B']}"
        column = self.meta.get("column")
        return str(column) if column else None


@dataclass(frozen=True)
class Suite:
    table: SourceTable
    path: Path
    meta: dict[str, Any]
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        return f"{self.table.system}.{self.table.name}"

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"suite {self.name} has no rule {name!r}")


def suite_path(directory: Path, table: SourceTable) -> Path:
    return directory / f"{table.system}.{table.name}.json"


def _check_query(query: str, where: str) -> None:
    # GX substitutes {batch} as "(<select>) AS subselect" when the query has no JOIN
    # keyword and as an unaliased "(<select>)" when it has one (query_metric_provider.py),
    # so an alias written after {batch} breaks one case or the other. One form works
    # always: read the batch once in a leading CTE and write no JOIN (use exists / in).
    if not query.startswith(QUERY_PREFIX):
        raise SuiteError(f"{where}: the unexpected_rows_query must start with {QUERY_PREFIX!r}")
    if query.count("{batch}") != 1 or re.search(r"\bjoin\b", query, re.IGNORECASE):
        raise SuiteError(f"{where}: use {{batch}} once and no JOIN (write exists / in instead)")
    if "b._row_id" not in query:
        raise SuiteError(f"{where}: the unexpected_rows_query must select b._row_id")
    # PostgreSQL hashes `not in (select ...)` only while the subquery fits in work_mem;
    # past that it rescans the subquery for every row (49 s instead of 0.3 s at 200 x 24).
    if re.search(r"\bnot\s+in\s*\(\s*select\b", query, re.IGNORECASE):
        raise SuiteError(f"{where}: write not exists (select 1 from ... where ...) instead of not in (select ...)")


def _parse(table: SourceTable, path: Path) -> Suite:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
    name = f"{table.system}.{table.name}"
    if doc.get("name") != name:
        raise SuiteError(f"{path}: suite name is {doc.get('name')!r}, expected {name!r}")
    rules: list[Rule] = []
    for i, item in enumerate(doc.get("expectations", [])):
        meta = dict(item.get("meta") or {})
        where = f"{path}: expectation {i} ({item.get('type')})"
        rule_name = meta.get("rule")
        if not rule_name or not str(rule_name).replace("_", "").isalnum() or rule_name != rule_name.lower():
            raise SuiteError(f"{where}: meta.rule must be a snake_case name, got {rule_name!r}")
        if meta.get("severity") not in SEVERITIES:
            raise SuiteError(f"{where}: meta.severity must be one of {SEVERITIES}, got {meta.get('severity')!r}")
        if not meta.get("description"):
            raise SuiteError(f"{where}: meta.description is missing")
        if any(r.name == rule_name for r in rules):
            raise SuiteError(f"{where}: rule {rule_name!r} appears twice")
        if item.get("type") == QUERY_EXPECTATION:
            _check_query(str((item.get("kwargs") or {}).get("unexpected_rows_query")), where)
        rules.append(
            Rule(
                table=name,
                name=str(rule_name),
                expectation_type=str(item["type"]),
                kwargs=dict(item.get("kwargs") or {}),
                severity=str(meta["severity"]),
                description=str(meta["description"]),
                meta=meta,
            )
        )
    if not any(r.expectation_type == ROW_COUNT_EXPECTATION for r in rules):
        raise SuiteError(f"{path}: every suite needs an {ROW_COUNT_EXPECTATION} (the gate's row count)")
    return Suite(table=table, path=path, meta=dict(doc.get("meta") or {}), rules=tuple(rules))


def load_suites(directory: Path) -> list[Suite]:
    """One suite per contract table, in contract order. Raises SuiteError naming what is wrong."""
    missing = [str(suite_path(directory, t)) for t in SOURCE_TABLES if not suite_path(directory, t).exists()]
    if missing:
        raise SuiteError("missing expectation suite(s): " + ", ".join(missing))
    return [_parse(t, suite_path(directory, t)) for t in SOURCE_TABLES]
