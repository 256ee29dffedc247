"""Demo Analytics specialists: one overlay seller per staffed territory.

A specialist owns no deals: they help the reps of their territory sell Analytics, and
their plan (SPEC_2026) credits them with every deal of the territory that has an
Analytics line item (overlay crediting by product family and territory). Each reports
to a manager of their territory, is paid in the territory's main currency and has a
monthly bookings quota in HR like everybody on a plan (world.MONTHLY_QUOTA_USD).

Drawn from a generator of their own (seeded from the demo seed) and appended after the
other people, so the reps, managers and SDRs keep their HR numbers and CRM users.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo import world
from commissions_tools.demo.people import MANAGER, NOT_TERMINATED, SPECIALIST, Workforce
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

#: Units (line-item quantities) a specialist's territory is expected to sell a month, from
#: July 2026 when SPEC_2026 v2 pays per unit (plans/SPEC_2026.yaml).
MONTHLY_UNITS_QUOTA = 5000
UNITS_FROM = "2026-07-01"


def add_specialists(seed: int, window: Window, wf: Workforce) -> Workforce:
    """`wf` with one Analytics specialist appended for each territory that has a manager."""
    rng = np.random.default_rng([seed, 18])
    managers = np.flatnonzero(wf.current_role == MANAGER)
    territories = np.unique(wf.territory[managers])
    count = len(territories)
    if count == 0:
        return wf
    first_index = wf.size
    employee_id = np.array([f"E{100 + first_index + k:06d}" for k in range(count)], dtype=fmt.STR)
    # the territory's first country: its main currency
    country = [world.TERRITORIES[t].countries[0][0] for t in territories]
    pay_currency = np.array([world.CURRENCIES.index(world.TERRITORIES[t].countries[0][1]) for t in territories])
    manager = np.array([managers[wf.territory[managers] == t][0] for t in territories])
    hire = window.start_day - rng.integers(200, 2000, count)
    user_id = np.array([f"U{200 + first_index + k:06d}" for k in range(count)], dtype=object).astype(fmt.STR)

    jobs = {
        "employee_id": employee_id,
        "effective_from": fmt.dates(hire),
        "effective_to": fmt.dates(np.full(count, NOT_TERMINATED)),
        "role": np.full(count, "SPECIALIST", dtype=fmt.STR),
        "manager_employee_id": wf.employee_id[manager],
        "territory": np.array([world.TERRITORIES[t].code for t in territories], dtype=fmt.STR),
        "plan_id": np.full(count, world.PLAN_OF_ROLE["SPECIALIST"], dtype=fmt.STR),
        "updated_at": fmt.timestamps((hire - 10) * SECONDS_PER_DAY + 9 * 3600 + rng.integers(0, 3600, count)),
    }
    return replace(
        wf,
        employee_id=np.concatenate([wf.employee_id, employee_id]),
        first_name=wf.first_name + [str(x) for x in rng.choice(world.FIRST_NAMES, count)],
        last_name=wf.last_name + [str(x) for x in rng.choice(world.LAST_NAMES, count)],
        country=wf.country + country,
        pay_currency=np.concatenate([wf.pay_currency, pay_currency]),
        territory=np.concatenate([wf.territory, territories]),
        hire_day=np.concatenate([wf.hire_day, hire]),
        term_day=np.concatenate([wf.term_day, np.full(count, NOT_TERMINATED)]),
        current_role=np.concatenate([wf.current_role, np.full(count, SPECIALIST)]),
        manager=np.concatenate([wf.manager, manager]),
        user_id=np.concatenate([wf.user_id, user_id]),
        manager_by_month=np.concatenate([wf.manager_by_month, np.repeat(manager[:, None], window.months, axis=1)]),
        jobs={k: np.concatenate([wf.jobs[k], jobs[k]]) for k in wf.jobs},
    )


def specialist_units_quotas_table(window: Window, wf: Workforce) -> dict[str, np.ndarray]:
    """hr/quotas.csv rows of measure `units` for the specialists, from July 2026 (or the
    window's start) to December, stated up front like their bookings quotas. A count has no
    currency: HR states the plan's, USD."""
    specialists = np.flatnonzero(wf.current_role == SPECIALIST)
    starts = window.month_starts_to_year_end()
    first = np.datetime64(UNITS_FROM, "D").astype(np.int64)
    months = np.flatnonzero(starts[:-1] >= first)
    person, month = np.repeat(np.arange(len(specialists)), len(months)), np.tile(months, len(specialists))
    return {
        "employee_id": wf.employee_id[specialists[person]],
        "measure": np.full(len(person), "units", dtype=fmt.STR),
        "period_start": fmt.dates(starts[month]),
        "period_end": fmt.dates(starts[month + 1] - 1),
        "quota_amount": fmt.integers(np.full(len(person), MONTHLY_UNITS_QUOTA)),
        "currency": np.full(len(person), "USD", dtype=fmt.STR),
        # 20 days ahead of the month, and never after the export
        "updated_at": fmt.timestamps(np.minimum(starts[month] - 20, window.end_day - 1) * SECONDS_PER_DAY + 9 * 3600),
    }
