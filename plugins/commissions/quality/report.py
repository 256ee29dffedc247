"""The human report of one gate run: dq_report_<gate_run_id>.md and a .json twin.

Per table and rule: outcome, severity, threshold, failing rows, sample business keys
with the file and line they came from, and what was quarantined.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from commissions import warehouse

if TYPE_CHECKING:
    from commissions.quality.gate import GateResult, RuleOutcome
    from commissions.quality.suites import Suite

ICON = {"passed": "ok", "warned": "WARN", "blocked": "BLOCK"}


def _threshold(outcome: RuleOutcome) -> str:
    rule = outcome.rule
    if rule.severity == "blocking" or not rule.row_level:
        return "any failure blocks"
    return f"warn up to {1 - rule.mostly:.0%}"


def _failing(outcome: RuleOutcome) -> str:
    if outcome.error:
        return "error"
    if outcome.unexpected_count is None:
        return "" if outcome.outcome == "passed" else f"observed {outcome.observed_value}"
    if not outcome.unexpected_count:
        return "0"
    return f"{outcome.unexpected_count} of {outcome.element_count} ({outcome.unexpected_percent or 0:.2f}%)"


def _held_by_table(result: GateResult, wh: warehouse.Warehouse) -> list[tuple[str, str, int]]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_name, rule_name, count(*) from dq.quarantine where gate_run_id = %s "
            "group by table_name, rule_name order by table_name, rule_name",
            (result.gate_run_id,),
        )
        return cur.fetchall()


def write(
    result: GateResult,
    suites: list[Suite],
    outcomes: dict[str, list[RuleOutcome]],
    wh: warehouse.Warehouse,
) -> None:
    held = _held_by_table(result, wh)
    lines = [
        f"# Data-quality gate {result.gate_run_id}",
        "",
        f"- status: **{result.status}**",
        f"- blocking failures: {result.blocking_failures}; warnings: {result.warnings}",
        f"- rows held in quarantine: {result.quarantined_rows} (dq.quarantine, gate_run_id = '{result.gate_run_id}')",
        f"- Data Docs: {result.data_docs_path or 'not rendered by the gate (commissions validate --data-docs)'}",
        f"- written: {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
        "",
    ]
    problems = [o for s in suites for o in outcomes[s.name] if o.outcome != "passed"]
    if problems:
        lines += ["## Failures", ""]
        for o in problems:
            lines.append(f"- **{ICON[o.outcome]}** {o.describe_failure()}")
        lines.append("")
    if held:
        lines += ["## Quarantined", "", "| table | rule | rows |", "|---|---|---:|"]
        lines += [f"| {t} | {r} | {n} |" for t, r, n in held]
        lines.append("")
    lines += ["## Every rule", ""]
    for suite in suites:
        lines += [
            f"### {suite.name}",
            "",
            "| rule | severity | threshold | result | failing rows | sample keys |",
            "|---|---|---|---|---|---|",
        ]
        for o in outcomes[suite.name]:
            samples = "; ".join(o.samples).replace("|", "/")
            cells = [o.rule.name, o.rule.severity, _threshold(o), ICON[o.outcome], _failing(o), samples]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    result.report_path.parent.mkdir(parents=True, exist_ok=True)
    result.report_path.write_text("\n".join(lines), encoding="utf-8")

    doc: dict[str, Any] = {
        "gate_run_id": result.gate_run_id,
        "status": result.status,
        "blocking_failures": result.blocking_failures,
        "warnings": result.warnings,
        "quarantined_rows": result.quarantined_rows,
        "data_docs_path": str(result.data_docs_path) if result.data_docs_path else None,
        "quarantined": [{"table": t, "rule": r, "rows": n} for t, r, n in held],
        "rules": [
            {
                "table": o.rule.table,
                "rule": o.rule.name,
                "expectation_type": o.rule.expectation_type,
                "severity": o.rule.severity,
                "mostly": o.rule.mostly,
                "outcome": o.outcome,
                "element_count": o.element_count,
                "unexpected_count": o.unexpected_count,
                "quarantined_rows": o.quarantined,
                "sample_keys": o.samples,
                "error": o.error,
            }
            for s in suites
            for o in outcomes[s.name]
        ],
    }
    result.report_path.with_suffix(".json").write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
