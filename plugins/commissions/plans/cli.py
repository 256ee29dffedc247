"""`commissions plans validate|publish [--dir DIR]`.

Wired into the main CLI by `register(sub)` in commissions.cli.build_parser. Exit codes:
0 fine, 1 invalid plan files (each problem on stderr), nothing published.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _folder(args: argparse.Namespace) -> Path:
    from commissions.plans import plans_dir

    return Path(args.dir) if args.dir else plans_dir()


def cmd_validate(args: argparse.Namespace) -> int:
    from commissions.plans.loader import PlanError, load_plans

    folder = _folder(args)
    try:
        plans = load_plans(folder)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for plan in plans:
        print(f"ok  {plan.source.file if plan.source else plan.plan_id}  ({len(plan.versions)} version(s))")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from commissions import warehouse
    from commissions.plans.loader import PlanError
    from commissions.plans.tables import publish_folder

    wh = warehouse.resolve()
    print(f"warehouse: {wh.describe()}")
    try:
        publication = publish_folder(_folder(args), wh)
    except PlanError as exc:
        print(f"error: {exc}\nnothing was published", file=sys.stderr)
        return 1
    print(publication.summary())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `plans validate` and `plans publish` to the main CLI."""
    plans = subparsers.add_parser("plans", help="validate or publish the compensation plan files")
    actions = plans.add_subparsers(dest="plans_command", required=True)
    for name, func, text in (
        ("validate", cmd_validate, "check every plan file; list each problem with file and field"),
        ("publish", cmd_publish, "validate, then replace the warehouse plans.* tables in one transaction"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--dir", help="plan folder (default: $COMMISSIONS_PLANS_DIR or plans/)")
        action.set_defaults(func=func)
