"""Demo manual adjustments (hr/commission_adjustments.csv): what a compensation team logs
by hand each month: a missed split paid, an expense paid twice taken back, a referral
bonus. A few per month, for reps employed mid-month, in their pay currency.

Drawn from a generator of their own (seeded from the demo seed), so adding them left
every other demo file byte-identical for a given seed.
"""

from __future__ import annotations

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo import world
from commissions_tools.demo.people import FxRates, Workforce
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

#: (reason, sign, USD range) of the adjustments a comp team typically enters.
KINDS: tuple[tuple[str, int, tuple[int, int]], ...] = (
    ("Split missed in the CRM, paid by hand", 1, (200, 1500)),
    ("Expense reimbursed twice in payroll, taken back", -1, (50, 400)),
    ("Referral bonus for a hired candidate", 1, (500, 500)),
    ("Trade show weekend day", 1, (150, 300)),
)
APPROVERS = ("Dana Whitfield (VP Sales Ops)", "Luis Ortega (Comp Lead)")
ENTERED_BY = "Priya Raman (Comp Analyst)"


def adjustments_table(seed: int, window: Window, wf: Workforce, fx: FxRates) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, 12])
    reps = wf.deal_reps
    per_month = max(1, len(reps) // 15)
    employee, month, kind = [], [], []
    for m, first in enumerate(window.month_starts[:-1]):
        mid_month = np.full(len(reps), first + 14)
        employed = reps[wf.employed_on(reps, mid_month)]
        if len(employed) == 0:
            continue
        chosen = rng.choice(employed, size=min(per_month, len(employed)), replace=False)
        employee += list(chosen)
        month += [m] * len(chosen)
        kind += list(rng.integers(0, len(KINDS), size=len(chosen)))
    employee_idx, month_idx, kind_idx = np.array(employee, dtype=np.int64), np.array(month), np.array(kind)

    low = np.array([KINDS[k][2][0] for k in kind_idx])
    high = np.array([KINDS[k][2][1] for k in kind_idx])
    usd = np.round(low + rng.random(len(kind_idx)) * (high - low), 0)
    sign = np.array([KINDS[k][1] for k in kind_idx])
    currency = wf.pay_currency[employee_idx]
    first_day = window.month_starts[month_idx]
    usd_per_unit = fx.usd_per_unit[currency, first_day - window.start_day]
    digits = np.array([world.MINOR_DIGITS.get(c, 2) for c in world.CURRENCIES])[currency]
    minor = np.maximum(1, np.round(usd / usd_per_unit * 10.0**digits)).astype(np.int64) * sign

    count = len(employee_idx)
    return {
        "adjustment_id": np.array([f"ADJ-{i + 1:06d}" for i in range(count)], dtype=fmt.STR),
        "employee_id": wf.employee_id[employee_idx],
        "pay_period": np.strings.slice(fmt.dates(first_day), 0, 7),
        "amount": fmt.money(minor, digits),
        "currency": np.array(world.CURRENCIES, dtype=fmt.STR)[currency],
        "reason": np.array([KINDS[k][0] for k in kind_idx], dtype=fmt.STR),
        "entered_by": np.full(count, ENTERED_BY, dtype=fmt.STR),
        "approved_by": np.array(APPROVERS, dtype=fmt.STR)[rng.integers(0, len(APPROVERS), size=count)],
        "updated_at": fmt.timestamps((first_day + 24) * SECONDS_PER_DAY + 10 * 3600),
    }
