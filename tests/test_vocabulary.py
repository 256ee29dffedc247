"""One vocabulary: defined once on the Python side, and the dbt project follows it.

The words are defined in commissions.vocabulary (with the plan schema's measures and
triggers and the file contracts' source systems); the GX suites define the values a
source column may hold. These tests read dbt's manifest (dbt_project/target/manifest.json,
rebuilt first when a file under dbt_project/ changed) and fail naming the model, the
column and the words that differ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from commissions import dbt_manifest, vocabulary
from commissions.config import paths
from commissions.contracts import LINEAGE_COLUMNS, SOURCE_TABLES
from commissions.plans.schema import TRIGGERS_OF_MEASURE
from commissions.quality.suites import SEVERITIES, load_suites

Words = Sequence[str] | Mapping[str, str]

#: Any accepted_values list on a column of this name may only hold these words.
WORDS_OF_COLUMN: dict[str, Words] = {
    "line_type": vocabulary.LINE_KINDS,
    "line_kind": vocabulary.LINE_KINDS,
    "credit_type": vocabulary.CREDIT_TYPES,
    "measure": vocabulary.MEASURES,
    "trigger": vocabulary.TRIGGERS,
    "credit_event": vocabulary.CREDIT_EVENTS,
    "non_commissionable_reason": vocabulary.NON_COMMISSIONABLE_REASONS,
    "line_item_measure_problem": vocabulary.MEASURE_CREDIT_REASONS,
    "margin_problem": vocabulary.MEASURE_CREDIT_REASONS,
    "measure_problem": vocabulary.MEASURE_CREDIT_REASONS,
    "rate_table_type": vocabulary.RATE_TABLE_TYPES,
    "clawback_event": vocabulary.CLAWBACK_LINE_EVENTS,
    "credit_currency": vocabulary.CREDIT_CURRENCIES,
}

#: Every word of these is accepted by some model on a column of that name (wherever the
#: models that produce it live: crediting is being split by job, lines by kind).
USED_SOMEWHERE: dict[str, Words] = {
    "line_type": vocabulary.LINE_KINDS,
    "credit_type": vocabulary.CREDIT_TYPES,
    "measure": vocabulary.CREDITED_MEASURES,
    "credit_event": vocabulary.CREDIT_EVENTS,
    "non_commissionable_reason": vocabulary.NON_COMMISSIONABLE_REASONS,
    "rate_table_type": vocabulary.RATE_TABLE_TYPES,
    "clawback_event": vocabulary.CLAWBACK_LINE_EVENTS,
}

#: The models that carry a whole vocabulary accept exactly it: a word added in Python and
#: not here (or the other way round) fails.
WHOLE: dict[tuple[str, str], Words] = {
    ("fct_commission_lines", "line_type"): vocabulary.LINE_KINDS,
    ("int_credits", "credit_type"): vocabulary.CREDIT_TYPES,
    ("int_credit_events", "credit_event"): vocabulary.CREDIT_EVENTS,
    ("int_measure_credits", "measure"): vocabulary.CREDITED_MEASURES,
    ("int_credits", "non_commissionable_reason"): vocabulary.DEAL_CREDIT_REASONS,
    ("int_measure_credits", "non_commissionable_reason"): vocabulary.MEASURE_CREDIT_REASONS,
    ("int_activity_credits", "non_commissionable_reason"): vocabulary.ACTIVITY_CREDIT_REASONS,
    ("ops_non_commissionable_credits", "reason"): vocabulary.NON_COMMISSIONABLE_REASONS,
    ("int_contest_entries", "measure_problem"): vocabulary.DEAL_MEASURE_PROBLEMS,
    ("ops_held_contests", "reason"): vocabulary.DEAL_MEASURE_PROBLEMS,
    ("stg_plans__components", "rate_table_type"): vocabulary.RATE_TABLE_TYPES,
    ("stg_plans__clawback_policies", "clawback_event"): vocabulary.CLAWBACK_EVENTS,
    ("int_commission_clawbacks", "clawback_event"): vocabulary.CLAWBACK_LINE_EVENTS,
    ("stg_plans__plans", "credit_currency"): vocabulary.CREDIT_CURRENCIES,
    ("ops_quarantine_summary", "severity"): SEVERITIES,
}


def accepted_values(manifest: dict[str, Any]) -> dict[tuple[str, str], list[list[str]]]:
    """(model, column) -> the value lists of its accepted_values tests."""
    found: dict[tuple[str, str], list[list[str]]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or meta.get("name") != "accepted_values" or not node.get("attached_node"):
            continue
        model = node["attached_node"].rsplit(".", 1)[-1]
        found.setdefault((model, node["column_name"]), []).append([str(v) for v in meta["kwargs"]["values"]])
    return found


def unknown_words(manifest: dict[str, Any]) -> list[str]:
    """Every accepted value, on a column named in WORDS_OF_COLUMN, that its vocabulary lacks."""
    problems = []
    for (model, column), lists in sorted(accepted_values(manifest).items()):
        words = WORDS_OF_COLUMN.get(column)
        for values in lists if words is not None else []:
            extra = [v for v in values if v not in words]
            if extra:
                problems.append(f"{model}.{column} accepts {extra}, which the vocabulary does not define")
    return problems


def whole_vocabulary_mismatch(manifest: dict[str, Any], model: str, column: str, words: Words) -> str | None:
    lists = accepted_values(manifest).get((model, column))
    if not lists:
        return f"{model}.{column} has no accepted_values test (it should accept exactly {list(words)})"
    for values in lists:
        missing = [w for w in words if w not in values]
        extra = [v for v in values if v not in words]
        if missing or extra:
            return f"{model}.{column}: missing {missing}, not in the vocabulary {extra}"
    return None


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(dbt_manifest.ensure().read_text(encoding="utf-8"))


# --- the vocabulary itself --------------------------------------------------------------


def test_the_vocabulary_is_consistent_with_the_plan_format() -> None:
    assert set(TRIGGERS_OF_MEASURE) == set(vocabulary.MEASURES)
    assert {t for triggers in TRIGGERS_OF_MEASURE.values() for t in triggers} == set(vocabulary.TRIGGERS)
    assert set(vocabulary.TRIGGERS) < set(vocabulary.CREDIT_EVENTS)
    assert set(vocabulary.CREDITED_MEASURES) == set(vocabulary.MEASURES) - {"mbo_score"}
    assert set(vocabulary.CLAWBACK_EVENTS) < set(vocabulary.CLAWBACK_LINE_EVENTS)
    assert list(vocabulary.NON_COMMISSIONABLE_REASONS) == list(
        dict.fromkeys(
            [*vocabulary.DEAL_CREDIT_REASONS, *vocabulary.MEASURE_CREDIT_REASONS, *vocabulary.ACTIVITY_CREDIT_REASONS]
        )
    )
    assert tuple(dict.fromkeys(t.system for t in SOURCE_TABLES)) == vocabulary.SOURCE_SYSTEMS


def test_a_word_out_of_step_is_named() -> None:
    """The checks below on a made-up manifest: they name the model, column and word."""
    fake = {
        "nodes": {
            "test.x.a": {
                "resource_type": "test",
                "test_metadata": {"name": "accepted_values", "kwargs": {"values": ["commission", "bogus_kind"]}},
                "attached_node": "model.commissions.fct_commission_lines",
                "column_name": "line_type",
            }
        }
    }
    assert unknown_words(fake) == [
        "fct_commission_lines.line_type accepts ['bogus_kind'], which the vocabulary does not define"
    ]
    mismatch = whole_vocabulary_mismatch(fake, "fct_commission_lines", "line_type", vocabulary.LINE_KINDS)
    assert mismatch is not None and "missing ['per_deal_cap'," in mismatch and "['bogus_kind']" in mismatch
    assert "has no accepted_values test" in str(
        whole_vocabulary_mismatch(fake, "int_credits", "credit_type", ["owner"])
    )
    assert "no model accepts ['per_deal_cap'," in unused_words(fake)[0]


# --- dbt follows -----------------------------------------------------------------------


def test_every_accepted_values_list_uses_only_words_the_vocabulary_defines(manifest) -> None:
    assert unknown_words(manifest) == []


def unused_words(manifest: dict[str, Any]) -> list[str]:
    """Words of USED_SOMEWHERE that no accepted_values list on a column of that name holds."""
    found = accepted_values(manifest)
    problems = []
    for column, words in USED_SOMEWHERE.items():
        names = [c for c, w in WORDS_OF_COLUMN.items() if w is WORDS_OF_COLUMN[column]]
        accepted = {v for (_, c), lists in found.items() if c in names for values in lists for v in values}
        missing = [w for w in words if w not in accepted]
        if missing:
            problems.append(f"no model accepts {missing} on a column named {' or '.join(names)}")
    return problems


def test_every_word_is_accepted_by_some_model(manifest) -> None:
    assert unused_words(manifest) == []


@pytest.mark.parametrize(("model", "column"), list(WHOLE), ids=[f"{m}.{c}" for m, c in WHOLE])
def test_the_model_carrying_a_whole_vocabulary_accepts_exactly_it(manifest, model: str, column: str) -> None:
    assert whole_vocabulary_mismatch(manifest, model, column, WHOLE[(model, column)]) is None


def test_the_ops_mart_explains_every_reason(manifest) -> None:
    node = manifest["nodes"]["model.commissions.ops_non_commissionable_credits"]
    unexplained = [r for r in vocabulary.NON_COMMISSIONABLE_REASONS if r not in node["description"]]
    assert unexplained == [], f"ops_non_commissionable_credits' description does not explain {unexplained}"


def test_sources_yml_follows_the_file_contracts(manifest) -> None:
    raw = {s["source_name"]: s for s in manifest["sources"].values() if s["source_name"].startswith("raw_")}
    by_table = {(s["source_name"], s["name"]): s for s in manifest["sources"].values()}
    assert sorted({s["source_name"] for s in raw.values()}) == sorted(f"raw_{s}" for s in vocabulary.SOURCE_SYSTEMS)
    expected_tables = {(t.raw_schema, t.name) for t in SOURCE_TABLES}
    declared_tables = {k for k in by_table if k[0].startswith("raw_")}
    assert declared_tables == expected_tables, (
        f"__sources.yml lacks {sorted(expected_tables - declared_tables)}, "
        f"declares tables no contract has {sorted(declared_tables - expected_tables)}"
    )
    lineage = {name for name, _ in LINEAGE_COLUMNS}
    problems = []
    for t in SOURCE_TABLES:
        source = by_table[(t.raw_schema, t.name)]
        if (source["schema"], source["identifier"]) != (t.raw_schema, f"{t.name}_current"):
            problems.append(f"{t.qualified_name}: reads {source['schema']}.{source['identifier']}")
        declared = list(source["columns"])
        missing = [c for c in t.column_names if c not in declared]
        unknown = [c for c in declared if c not in t.column_names and c not in lineage]
        if missing or unknown:
            problems.append(f"{t.qualified_name}: columns missing {missing}, not in the contract {unknown}")
    assert problems == []


def test_staging_accepts_the_values_the_gate_accepts(manifest) -> None:
    """A source column's values are defined by its GX suite; its staging model's
    accepted_values test lists the same set."""
    found = accepted_values(manifest)
    problems = []
    for suite in load_suites(paths().expectations):
        model = f"stg_{suite.table.system}__{suite.table.name}"
        for rule in suite.rules:
            values = rule.kwargs.get("value_set")
            if rule.expectation_type != "expect_column_values_to_be_in_set" or not isinstance(values, list):
                continue
            for listed in found.get((model, rule.kwargs["column"]), []):
                if set(listed) != set(values):
                    problems.append(
                        f"{model}.{rule.kwargs['column']}: the gate accepts {sorted(set(values) - set(listed))} "
                        f"that staging does not, staging accepts {sorted(set(listed) - set(values))} "
                        "that the gate does not"
                    )
    assert problems == []
