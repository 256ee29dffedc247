"""Demo leaves of absence (hr/leaves.csv): a few reps away for some weeks, most of them
unpaid (a sabbatical, unpaid parental leave), some paid (medical leave). Each leave
starts mid-month, so it straddles a month end and the plans' proration shows in two
months; it never runs past the person's employment.

Drawn from a generator of their own (seeded from the demo seed), so adding them left
every other demo file byte-identical for a given seed.
"""

from __future__ import annotations

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo.people import NOT_TERMINATED, Workforce
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

#: (leave_type, is_paid) as HR records them; unpaid ones come first and more often.
KINDS: tuple[tuple[str, bool], ...] = (
    ("sabbatical", False),
    ("parental", False),
    ("medical", True),
)
WEIGHTS = (0.4, 0.3, 0.3)


def leaves_table(seed: int, window: Window, wf: Workforce) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, 13])
    reps = wf.deal_reps
    count = min(len(reps), max(2, len(reps) // 8))
    chosen = np.sort(rng.choice(reps, size=count, replace=False)) if count else reps[:0]
    kind = rng.choice(len(KINDS), size=len(chosen), p=WEIGHTS)
    # start in a month of the window, on the 10th to the 25th; 10 to 40 days away
    month = rng.integers(1, max(2, len(window.month_starts) - 2), size=len(chosen))
    start = window.month_starts[month] + rng.integers(9, 25, size=len(chosen))
    end = start + rng.integers(9, 40, size=len(chosen))
    # inside the employment: from the hire date on, to the termination date at the latest
    start = np.maximum(start, wf.hire_day[chosen])
    term = wf.term_day[chosen]
    end = np.where(term == NOT_TERMINATED, end, np.minimum(end, term))
    keep = start <= end
    chosen, kind, start, end = chosen[keep], kind[keep], start[keep], end[keep]

    rows = len(chosen)
    return {
        "leave_id": np.array([f"LV-{i + 1:05d}" for i in range(rows)], dtype=fmt.STR),
        "employee_id": wf.employee_id[chosen],
        "leave_type": np.array([KINDS[k][0] for k in kind], dtype=fmt.STR),
        "is_paid": fmt.booleans(np.array([KINDS[k][1] for k in kind], dtype=bool)),
        "start_date": fmt.dates(start),
        "end_date": fmt.dates(end),
        "updated_at": fmt.timestamps((start - 20) * SECONDS_PER_DAY + 9 * 3600),
    }
