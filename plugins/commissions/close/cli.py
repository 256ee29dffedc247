"""`commissions period status|approve`: finance's side of the period close.

Wired into the main CLI by `register(sub)` in commissions.cli.build_parser. `status` prints
only its table on stdout; `approve` exits 1 with the reason on stderr when the period is not
calculated (or its lines changed since), having approved nothing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from commissions.close.lifecycle import PeriodStatus, Transition


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _totals(transition: Transition | None) -> str:
    if transition is None:
        return ""
    lines = [f"{total.currency} {total.amount:,} ({total.payees})" for total in transition.figures.totals]
    return "\n".join(lines) or "nothing to pay"


def _approval(approval: Transition | None) -> str:
    """Who approved and when, then the change per currency against the previous approved period."""
    if approval is None:
        return ""
    changes = [
        f"{total.currency} {total.change_vs_previous:+,}"
        for total in approval.figures.totals
        if total.change_vs_previous is not None
    ]
    return "\n".join(
        [f"{approval.by}, {_when(approval.at)}", f"{approval.note or ''}{':' if changes else ''}", *changes]
    )


def status_table(periods: list[PeriodStatus]) -> Table:
    from rich.table import Table

    table = Table(title="pay periods", title_justify="left", show_lines=True)
    columns = ("period", "state", "since", "by", "run", "totals (payees)", "payees", "approved by, change", "note")
    for column in columns:
        table.add_column(column, overflow="fold")
    for period in periods:
        last = period.last
        table.add_row(
            period.period,
            period.state,
            _when(last.at) if last else "",
            last.by if last else "",
            (last.run_id or "") if last else "",
            _totals(last),
            str(last.figures.payees) if last else "",
            _approval(period.approval),
            (last.note or "") if last else "not calculated by a run yet",
        )
    return table


def cmd_status(args: argparse.Namespace) -> int:
    from rich.console import Console

    from commissions import pipeline
    from commissions.cli import _resolve_quietly
    from commissions.close.lifecycle import status

    wh = _resolve_quietly()
    pipeline.prepare_warehouse(wh)
    periods = status(wh)
    tty = sys.stdout.isatty()
    console = Console(width=None if tty else 160, no_color=not tty, highlight=False, emoji=False)
    if periods:
        console.print(status_table(periods))
    else:
        print("no pay period yet: nothing computed in this warehouse", file=sys.stderr)
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from commissions import pipeline
    from commissions.cli import _resolve_quietly
    from commissions.close.lifecycle import PeriodStateError, describe_totals, next_step
    from commissions.periods import PeriodError

    wh = _resolve_quietly()
    pipeline.prepare_warehouse(wh)
    try:
        approval = pipeline.approve_period(wh, args.period, args.by)
    except (PeriodStateError, PeriodError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"pay period {approval.period} approved by {approval.by} at {_when(approval.at)}")
    print(f"  totals: {approval.figures.describe()}; {approval.figures.payees} payees")
    if any(t.change_vs_previous is not None for t in approval.figures.totals):
        print(f"  {approval.note}: {describe_totals(approval.figures.totals, changes=True)}")
    else:
        print(f"  {approval.note}")
    print(f"next: {next_step(approval.period, 'approved')}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `period status` and `period approve` to the main CLI."""
    period = subparsers.add_parser("period", help="the pay periods' close: status, approve")
    actions = period.add_subparsers(dest="period_command", required=True)
    show = actions.add_parser("status", help="every pay period's state, totals and approval (a table)")
    show.set_defaults(func=cmd_status)
    approve = actions.add_parser("approve", help="approve a calculated period's figures for export")
    approve.add_argument("--period", required=True, help="pay period YYYY-MM")
    approve.add_argument("--by", required=True, help="who approves (recorded with the approval)")
    approve.set_defaults(func=cmd_approve)
