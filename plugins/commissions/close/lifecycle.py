"""A pay period's life: open -> calculated -> approved -> exported (closed).

- **open**: no run has calculated it (no transition recorded).
- **calculated**: a run's dbt build succeeded for it (`record_calculation`, the run's period);
  its figures are recorded: the total and the number of payees per currency, and the sha256 of
  the payroll file its lines make, which is how a later change to them is noticed.
- **approved**: someone approved exactly those figures (`approve`, `commissions period approve
  --period P --by NAME`); the approval records the change against the previous approved period.
- **exported**: its lines are in the ledger and its file is written (`commissions.close.ledger`).
  Closed: nothing changes it again.

A later run that finds the lines of a calculated or approved period changed records them again:
the period is calculated with the new figures, and an approval of the old ones is void.
Every step appends a row to `close.period_transitions` (who, when, the run, a note) with its
totals in `close.transition_totals`; a period's state is its latest transition.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from commissions import warehouse
from commissions.export.payroll import PayrollRow, read_rows, render_csv, sha256_of
from commissions.periods import parse_period

if TYPE_CHECKING:
    import psycopg2.extensions

#: Who records the steps the pipeline takes by itself.
PIPELINE = "pipeline"


class PeriodStateError(RuntimeError):
    """A pay period is not in the state the step needs (approve a calculated one, export an approved one)."""

    def __init__(self, message: str, *, period: str, state: str) -> None:
        super().__init__(message)
        self.period = period
        self.state = state


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: Decimal
    payees: int
    #: On an approval: this amount less the previous approved period's in the same currency.
    change_vs_previous: Decimal | None = None


@dataclass(frozen=True)
class PeriodFigures:
    """What a period pays as its payroll lines stand: per currency, all payees, the lines' sha256."""

    period: str
    totals: tuple[CurrencyTotal, ...]
    payees: int
    lines_sha256: str

    def describe(self) -> str:
        return describe_totals(self.totals)


def describe_totals(totals: tuple[CurrencyTotal, ...], *, changes: bool = False) -> str:
    """'EUR 44,709.39 (12 payees), USD 60,073.74 (15 payees)', or 'nothing to pay'."""
    parts = []
    for total in totals:
        part = f"{total.currency} {total.amount:,} ({total.payees} payees)"
        if changes and total.change_vs_previous is not None:
            part += f" {total.change_vs_previous:+,}"
        parts.append(part)
    return ", ".join(parts) or "nothing to pay"


def figures_of(period: str, rows: list[PayrollRow]) -> PeriodFigures:
    amounts: dict[str, Decimal] = {}
    payees: dict[str, set[str]] = {}
    for row in rows:
        amounts[row.currency] = amounts.get(row.currency, Decimal(0)) + row.amount
        payees.setdefault(row.currency, set()).add(row.employee_id)
    totals = tuple(CurrencyTotal(ccy, amounts[ccy], len(payees[ccy])) for ccy in sorted(amounts))
    return PeriodFigures(period, totals, len({row.employee_id for row in rows}), sha256_of(render_csv(rows)))


def current_figures(cur: psycopg2.extensions.cursor, period: str) -> PeriodFigures:
    """The period's figures in `finance.payroll_export` now."""
    return figures_of(period, read_rows(cur, period))


@dataclass(frozen=True)
class Transition:
    transition_id: int
    period: str
    from_state: str
    to_state: str
    at: datetime
    by: str
    run_id: str | None
    figures: PeriodFigures
    note: str | None

    @property
    def voids_approval(self) -> bool:
        """An approved period calculated again: its approval is void."""
        return self.from_state == "approved" and self.to_state == "calculated"


def lock_period(cur: psycopg2.extensions.cursor, period: str) -> None:
    """Serialise the steps on one period (two approvals, an approval and an export) until commit."""
    cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"commissions.close:{period}",))


@contextmanager
def _cursor(wh: warehouse.Warehouse) -> Iterator[psycopg2.extensions.cursor]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        yield cur


_TRANSITION_COLUMNS = ", ".join(
    (
        "transition_id",
        "pay_period",
        "from_state",
        "to_state",
        "transitioned_at",
        "transitioned_by",
        "run_id",
        "payees",
        "lines_sha256",
        "note",
    )
)


def _transitions(cur: psycopg2.extensions.cursor, where: str, params: tuple) -> list[Transition]:
    cur.execute(
        f"select {_TRANSITION_COLUMNS} from close.period_transitions where {where} order by transition_id", params
    )
    heads = cur.fetchall()
    if not heads:
        return []
    cur.execute(
        "select transition_id, currency, amount, payees, change_vs_previous from close.transition_totals "
        'where transition_id = any(%s) order by transition_id, currency collate "C"',
        ([head[0] for head in heads],),
    )
    totals: dict[int, list[CurrencyTotal]] = {}
    for transition_id, currency, amount, payees, change in cur.fetchall():
        totals.setdefault(transition_id, []).append(CurrencyTotal(currency, amount, payees, change))
    return [
        Transition(
            transition_id=tid,
            period=period,
            from_state=from_state,
            to_state=to_state,
            at=at,
            by=by,
            run_id=run_id,
            figures=PeriodFigures(period, tuple(totals.get(tid, ())), payees, sha),
            note=note,
        )
        for tid, period, from_state, to_state, at, by, run_id, payees, sha, note in heads
    ]


def latest_transition(cur: psycopg2.extensions.cursor, period: str) -> Transition | None:
    found = _transitions(
        cur,
        "transition_id = (select transition_id from close.period_states where pay_period = %s)",
        (period,),
    )
    return found[0] if found else None


def transitions_of_run(cur: psycopg2.extensions.cursor, run_id: str) -> list[Transition]:
    """What one pipeline run recorded, in order."""
    return _transitions(cur, "run_id = %s", (run_id,))


def state_of(transition: Transition | None) -> str:
    return transition.to_state if transition else "open"


def period_state(wh: warehouse.Warehouse, period: str) -> Transition | None:
    """The period's latest transition (None: open)."""
    with _cursor(wh) as cur:
        return latest_transition(cur, period)


def record_transition(
    cur: psycopg2.extensions.cursor,
    figures: PeriodFigures,
    from_state: str,
    to_state: str,
    *,
    by: str,
    run_id: str | None,
    note: str | None,
) -> Transition:
    cur.execute(
        "insert into close.period_transitions "
        "(pay_period, from_state, to_state, transitioned_by, run_id, payees, lines_sha256, note) "
        "values (%s, %s, %s, %s, %s, %s, %s, %s) returning transition_id, transitioned_at",
        (figures.period, from_state, to_state, by, run_id, figures.payees, figures.lines_sha256, note),
    )
    transition_id, at = warehouse.one_row(cur)
    for total in figures.totals:
        cur.execute(
            "insert into close.transition_totals (transition_id, currency, amount, payees, change_vs_previous) "
            "values (%s, %s, %s, %s, %s)",
            (transition_id, total.currency, total.amount, total.payees, total.change_vs_previous),
        )
    return Transition(transition_id, figures.period, from_state, to_state, at, by, run_id, figures, note)


def void_note(approval: Transition, now: PeriodFigures) -> str:
    return (
        f"approval by {approval.by} at {approval.at:%Y-%m-%d %H:%M %Z} is void: the period's lines changed "
        f"(approved {approval.figures.describe()}; now {now.describe()})"
    )


def recalculate(
    cur: psycopg2.extensions.cursor, last: Transition, now: PeriodFigures, *, by: str, run_id: str | None
) -> Transition:
    """A calculated or approved period whose lines changed: calculated again with the new figures."""
    if last.to_state == "approved":
        note = void_note(last, now)
    else:
        note = f"figures changed since {last.at:%Y-%m-%d %H:%M %Z} (were {last.figures.describe()})"
    return record_transition(cur, now, last.to_state, "calculated", by=by, run_id=run_id, note=note)


@dataclass(frozen=True)
class Calculation:
    """What `record_calculation` found: the run's period and every period whose state it changed."""

    period: str
    state: str
    transitions: tuple[Transition, ...]

    @property
    def voided(self) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if t.voids_approval)


def record_calculation(wh: warehouse.Warehouse, period: str, *, run_id: str | None) -> Calculation:
    """After a run's dbt build succeeded: `period` is calculated (from open, or with its new figures),
    and every other calculated or approved period whose lines changed is calculated again, its
    approval void. Exported periods are never touched."""
    parse_period(period)
    recorded: list[Transition] = []
    with _cursor(wh) as cur:
        cur.execute("select pay_period from close.period_states where state in ('calculated', 'approved')")
        periods = sorted({period, *(row[0] for row in cur.fetchall())})
        for each in periods:
            lock_period(cur, each)
            last = latest_transition(cur, each)
            now = current_figures(cur, each)
            if last is None:
                recorded.append(
                    record_transition(cur, now, "open", "calculated", by=PIPELINE, run_id=run_id, note=None)
                )
            elif last.to_state != "exported" and last.figures.lines_sha256 != now.lines_sha256:
                recorded.append(recalculate(cur, last, now, by=PIPELINE, run_id=run_id))
        state = state_of(latest_transition(cur, period))
    return Calculation(period, state, tuple(recorded))


def _previous_approval(cur: psycopg2.extensions.cursor, period: str) -> Transition | None:
    """The approval of the latest earlier period that is approved or exported (not a voided one)."""
    found = _transitions(
        cur,
        "transition_id = (select t.transition_id from close.period_transitions t "
        "join close.period_states s using (pay_period) "
        "where t.pay_period < %s and t.to_state = 'approved' and s.state in ('approved', 'exported') "
        "order by t.pay_period desc, t.transition_id desc limit 1)",
        (period,),
    )
    return found[0] if found else None


def _with_changes(figures: PeriodFigures, previous: Transition | None) -> PeriodFigures:
    if previous is None:
        return figures
    before = {t.currency: t.amount for t in previous.figures.totals}
    totals = [
        CurrencyTotal(t.currency, t.amount, t.payees, t.amount - before.get(t.currency, 0)) for t in figures.totals
    ]
    # A currency the previous period paid in and this one does not: it pays 0 there now.
    totals += [
        CurrencyTotal(ccy, Decimal(0), 0, -amount)
        for ccy, amount in before.items()
        if ccy not in {t.currency for t in figures.totals}
    ]
    return PeriodFigures(
        figures.period, tuple(sorted(totals, key=lambda t: t.currency)), figures.payees, figures.lines_sha256
    )


def next_step(period: str, state: str) -> str:
    """What finance does next with a period in `state` (the CLI's and the run summary's words)."""
    return {
        "open": f"run the pipeline for it first (commissions run --period {period})",
        "calculated": (
            f"check its totals (commissions period status), then approve it "
            f"(commissions period approve --period {period} --by NAME) and export it "
            f"(commissions export --period {period})"
        ),
        "approved": f"export it: commissions export --period {period}",
        "exported": "load its payroll file into payroll (the manifest has the control totals per currency)",
    }[state]


def approve(wh: warehouse.Warehouse, period: str, by: str, *, run_id: str | None = None) -> Transition:
    """Approve a calculated period's figures as they were calculated; refuses any other state,
    and figures in the mart that differ from the calculated ones (a build since the run)."""
    parse_period(period)
    if not by.strip():
        raise ValueError("an approval needs the name of who approves (--by NAME)")
    with _cursor(wh) as cur:
        lock_period(cur, period)
        last = latest_transition(cur, period)
        state = state_of(last)
        if last is None or state != "calculated":
            since = f" since {last.at:%Y-%m-%d %H:%M %Z} ({last.by})" if last else ""
            raise PeriodStateError(
                f"pay period {period} is {state}{since}, not calculated: only a calculated period can be "
                f"approved. Next: {next_step(period, state)}",
                period=period,
                state=state,
            )
        now = current_figures(cur, period)
        if now.lines_sha256 != last.figures.lines_sha256:
            raise PeriodStateError(
                f"pay period {period}: the lines in finance.payroll_export are no longer those calculated "
                f"at {last.at:%Y-%m-%d %H:%M %Z} (calculated {last.figures.describe()}; now {now.describe()}): "
                f"nothing approved. Run the pipeline for it again (commissions run --period {period}), "
                "check the new totals (commissions period status), then approve",
                period=period,
                state=state,
            )
        figures, note = _proposal(cur, now)
        return record_transition(cur, figures, "calculated", "approved", by=by, run_id=run_id, note=note)


def _proposal(cur: psycopg2.extensions.cursor, now: PeriodFigures) -> tuple[PeriodFigures, str]:
    """The figures an approval records: each currency's change against the previous approved period."""
    previous = _previous_approval(cur, now.period)
    note = (
        f"change against {previous.period}'s approved totals"
        if previous
        else "no earlier approved period to compare with"
    )
    return _with_changes(now, previous), note


@dataclass(frozen=True)
class ApprovalRequest:
    """What finance is asked to approve: a calculated period's figures, as `approve` would record them."""

    period: str
    figures: PeriodFigures
    #: Against which period the changes are ("change against 2026-09's approved totals").
    compared_with: str
    calculated: Transition


def approval_request(wh: warehouse.Warehouse, period: str) -> ApprovalRequest | None:
    """A calculated period's figures with their change against the previous approved period; None
    when the period is in any other state (nothing to ask)."""
    with _cursor(wh) as cur:
        last = latest_transition(cur, period)
        if last is None or last.to_state != "calculated":
            return None
        figures, note = _proposal(cur, last.figures)
    return ApprovalRequest(period, figures, note, last)


def reject(wh: warehouse.Warehouse, period: str, by: str, reason: str, *, run_id: str | None = None) -> Transition:
    """Finance rejected a calculated period's figures: it stays calculated, and the rejection (who,
    why) is recorded as a transition calculated -> calculated with the same figures and a note."""
    with _cursor(wh) as cur:
        lock_period(cur, period)
        last = latest_transition(cur, period)
        if last is None or last.to_state != "calculated":
            state = state_of(last)
            raise PeriodStateError(
                f"pay period {period} is {state}, not calculated: there is no calculation to reject",
                period=period,
                state=state,
            )
        note = f"rejected by {by}: {reason.strip() or 'no reason given'}"
        return record_transition(cur, last.figures, "calculated", "calculated", by=by, run_id=run_id, note=note)


@dataclass(frozen=True)
class PeriodStatus:
    period: str
    state: str
    last: Transition | None
    #: The approval the period stands on (approved or exported), with its change against the previous one.
    approval: Transition | None


def status(wh: warehouse.Warehouse) -> list[PeriodStatus]:
    """Every period the marts pay or the lifecycle knows, oldest first, with its state."""
    with _cursor(wh) as cur:
        cur.execute("select to_regclass('finance.payroll_export') is not null")
        in_marts = "select pay_period from finance.payroll_export union " if warehouse.one_row(cur)[0] else ""
        cur.execute(f"select distinct pay_period from ({in_marts}select pay_period from close.period_states) p")
        periods = sorted(row[0] for row in cur.fetchall())
        latest = {
            t.period: t
            for t in _transitions(cur, "transition_id in (select transition_id from close.period_states)", ())
        }
        approvals = {
            t.period: t
            for t in _transitions(
                cur,
                "to_state = 'approved' and pay_period in "
                "(select pay_period from close.period_states where state in ('approved', 'exported'))",
                (),
            )
        }  # ordered by transition_id: the latest approval of each period wins
    return [PeriodStatus(p, state_of(latest.get(p)), latest.get(p), approvals.get(p)) for p in periods]
