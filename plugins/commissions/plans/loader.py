"""Read a folder of plan files and validate every one; one bad file fails the whole load.

Each problem is reported as `<file>: <field path>: expected ..., got ...`, e.g.
`plans/AE_2026.yaml: versions[0].components[0].rate_table.tiers[2].rate: expected a number
between 0 and 1, got '1.5'`; a YAML syntax error names the line and column. Every problem of
every file is listed in one `PlanError`, so a reviewer fixes them in one pass.

YAML numbers are read as exact `Decimal`s from their source text (never through a float), and
a key repeated in one mapping is an error instead of the last one silently winning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from commissions.plans import plans_dir
from commissions.plans.schema import Block, Plan, PlanSource, describe, dotted

PLAN_SUFFIXES = (".yaml", ".yml")


class PlanError(ValueError):
    """One or more plan files are invalid; nothing may be computed or published from them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        super().__init__(f"invalid plan files ({count}):\n" + "\n".join(f"  {p}" for p in problems))


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader reading floats as Decimal and refusing duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"found the key {key!r} twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node))
    try:
        number = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text  # .inf, .nan, 1:30.5: left as text for validation to refuse by name
    return number if number.is_finite() else text


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def read_yaml(text: str, shown_as: str) -> Any:
    """Parse YAML text; syntax errors become PlanError with line and column."""
    try:
        return yaml.load(text, Loader=_DecimalLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise PlanError([f"{shown_as}: {where}invalid YAML ({problem})"]) from exc
    except yaml.YAMLError as exc:
        raise PlanError([f"{shown_as}: invalid YAML ({exc})"]) from exc


def _block_at(loc: tuple[str | int, ...]) -> type[Block] | None:
    """The model class that validates the mapping at `loc` in a plan (for listing its keys)."""
    block: type[Block] | None = Plan
    for part in loc:
        if block is None:
            return None
        if isinstance(part, int):
            continue
        field = next((f for name, f in block.model_fields.items() if (f.alias or name) == part), None)
        block = _model_in(field.annotation) if field else None
    return block


def _model_in(annotation: Any) -> type[Block] | None:
    """The plan model inside `list[X] | None` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, Block):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(dotted path, "expected ..., got ...") for each error pydantic collected."""
    found: list[tuple[str, str]] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        kind = error["type"]
        if kind == "plan_rules":
            found += [(dotted(loc + tuple(at)), message) for at, message in ctx["problems"]]
        elif kind == "plan_value":
            found.append((dotted(loc), f"expected {ctx['expected']}, got {describe(error['input'])}"))
        elif kind == "missing":
            found.append((dotted(loc), "expected a value (required), got nothing"))
        elif kind == "extra_forbidden":
            block = _block_at(loc[:-1])
            keys = f"one of the keys {', '.join(block.keys())}" if block else "no such key"
            found.append((dotted(loc), f"expected {keys}, got an unknown key"))
        elif kind == "too_short":
            found.append((dotted(loc), f"expected at least {ctx.get('min_length', 1)} item(s), got none"))
        else:
            expectation = error["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
            found.append((dotted(loc), f"expected {expectation}, got {describe(error['input'])}"))
    return found


def load_plan_file(path: Path, shown_as: str | None = None) -> Plan:
    """Read and validate one plan file; its plan_id must be the file name without suffix."""
    shown = shown_as or path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError([f"{shown}: not UTF-8 ({exc.reason} at byte {exc.start})"]) from exc
    data = read_yaml(text, shown)
    if not isinstance(data, dict):
        raise PlanError([f"{shown}: expected a mapping of plan keys (plan_id, name, ...), got {describe(data)}"])
    problems: list[str] = []
    if "plan_id" in data and data["plan_id"] != path.stem:
        problems.append(f"{shown}: plan_id: expected {path.stem!r} (the file name), got {describe(data['plan_id'])}")
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems += [f"{shown}: {where}: {message}" for where, message in _problems(exc)]
    if problems:
        raise PlanError(problems)
    return plan.with_source(PlanSource(file=shown, sha256=hashlib.sha256(raw).hexdigest()))


def plan_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in PLAN_SUFFIXES)


def load_plans(folder: Path | None = None) -> list[Plan]:
    """Every plan in `folder` (default: `plans_dir()`), validated; PlanError lists all problems."""
    folder = folder or plans_dir()
    if not folder.is_dir():
        raise PlanError([f"{folder}: no such folder (set COMMISSIONS_PLANS_DIR or pass --dir)"])
    files = plan_files(folder)
    if not files:
        raise PlanError([f"{folder}: no plan files (*.yaml, *.yml)"])
    plans: list[Plan] = []
    problems: list[str] = []
    first_file: dict[str, str] = {}
    for path in files:
        shown = f"{folder.resolve().name}/{path.name}"
        try:
            plan = load_plan_file(path, shown)
        except PlanError as exc:
            problems += exc.problems
            continue
        if plan.plan_id in first_file:
            problems.append(
                f"{shown}: plan_id: expected a plan id not used by another file, "
                f"got {plan.plan_id!r} (also in {first_file[plan.plan_id]})"
            )
            continue
        first_file[plan.plan_id] = shown
        plans.append(plan)
    if problems:
        raise PlanError(problems)
    return plans
