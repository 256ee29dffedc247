"""Demo MBO scores (hr/mbo_scores.csv): each quarter of the window that has ended, the
directors score every line manager employed through it on their objectives, from 0.60 to
1.30 of target. The managers' plan (MGR_2026) pays 20 % of its target incentive on them,
each quarter on its curve.

Drawn from a generator of their own (seeded from the demo seed), so adding them left
every other demo file byte-identical for a given seed.
"""

from __future__ import annotations

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo.people import MANAGER, Workforce
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

SCORED_BY = "Regional sales director"
COMMENTS = (
    "Hiring plan and pipeline reviews on track",
    "Forecast accuracy within 5 %, one open role",
    "Team ramp behind plan, coaching cadence kept",
)


def mbo_scores_table(seed: int, window: Window, wf: Workforce) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, 14])
    managers = np.flatnonzero(wf.current_role == MANAGER)
    quarter_ends = np.flatnonzero(window.is_quarter_end())
    quarter_ends = quarter_ends[quarter_ends >= 2]  # whole quarters inside the window
    employee, first, last = [], [], []
    for m in quarter_ends:
        start, end = int(window.month_starts[m - 2]), int(window.month_starts[m + 1]) - 1
        employed = managers[wf.employed_on(managers, np.full(len(managers), start))]
        employed = employed[wf.employed_on(employed, np.full(len(employed), end))]
        employee += list(employed)
        first += [start] * len(employed)
        last += [end] * len(employed)
    employee_idx = np.array(employee, dtype=np.int64)
    rows = len(employee_idx)
    score_hundredths = rng.integers(60, 131, size=rows)
    return {
        "employee_id": wf.employee_id[employee_idx],
        "period_start": fmt.dates(np.array(first, dtype=np.int64)),
        "period_end": fmt.dates(np.array(last, dtype=np.int64)),
        "score": fmt.fixed(score_hundredths, 2),
        "scored_by": np.full(rows, SCORED_BY, dtype=fmt.STR),
        "comment": np.array(COMMENTS, dtype=fmt.STR)[rng.integers(0, len(COMMENTS), size=rows)],
        "updated_at": fmt.timestamps((np.array(last, dtype=np.int64) + 10) * SECONDS_PER_DAY + 11 * 3600),
    }
