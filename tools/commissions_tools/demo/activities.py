"""Demo sales activities (crm/activities.csv) and the SDRs' meeting quotas (hr/quotas.csv).

Every SDR books meetings with accounts of their territory: some a month fewer, some more
than their monthly quota of qualified meetings (16 to 24), and about one in ten is
cancelled. About a third of the completed meetings open an opportunity: a
`pipeline_created` activity on the same day, linked to a deal of the territory created
within the month before or after it (when there is one). SDR_2026 pays the meetings and,
in Q1 2026, the new opportunities with Analytics on them.

Drawn from a generator of their own (seeded from the demo seed), so adding them left
the files drawn before them as they were for a given seed.
"""

from __future__ import annotations

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo import world
from commissions_tools.demo.deals import Deals
from commissions_tools.demo.people import NOT_TERMINATED, SDR, Accounts, Workforce
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

MEETING_QUOTA_MEASURE = "qualified_meetings"
CANCELLED_SHARE = 0.1
PIPELINE_SHARE = 0.35
LINK_WINDOW_DAYS = 30


def sdr_meeting_quotas(seed: int, window: Window, wf: Workforce) -> np.ndarray:
    """Per SDR (wf indices of current_role SDR, in order) the monthly meeting quota."""
    rng = np.random.default_rng([seed, 16])
    sdrs = np.flatnonzero(wf.current_role == SDR)
    return rng.integers(16, 25, size=len(sdrs))


def _employed_days(window: Window, wf: Workforce, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day employed in each window month (last < first when not employed)."""
    month_first = window.month_starts[:-1][None, :]
    month_last = window.month_starts[1:][None, :] - 1
    term = wf.term_day[people][:, None]
    term = np.where(term == NOT_TERMINATED, np.iinfo(np.int64).max, term)
    return np.maximum(wf.hire_day[people][:, None], month_first), np.minimum(term, month_last)


def sdr_quotas_table(seed: int, window: Window, wf: Workforce) -> dict[str, np.ndarray]:
    """hr/quotas.csv rows: each SDR's meeting quota for every month they are employed."""
    sdrs = np.flatnonzero(wf.current_role == SDR)
    first, last = _employed_days(window, wf, sdrs)
    quota = sdr_meeting_quotas(seed, window, wf)
    person, month = np.nonzero(last >= first)
    currencies = np.array(world.CURRENCIES, dtype=fmt.STR)
    return {
        "employee_id": wf.employee_id[sdrs[person]],
        "measure": np.full(len(person), MEETING_QUOTA_MEASURE, dtype=fmt.STR),
        "period_start": fmt.dates(window.month_starts[month]),
        "period_end": fmt.dates(window.month_starts[month + 1] - 1),
        "quota_amount": fmt.fixed(quota[person], 0),
        # a count has no currency; HR states the person's pay currency on every quota row
        "currency": currencies[wf.pay_currency[sdrs[person]]],
        "updated_at": fmt.timestamps((window.month_starts[month] - 20) * SECONDS_PER_DAY + 9 * 3600),
    }


def activities_table(
    seed: int, window: Window, wf: Workforce, *, accounts: Accounts, deals: Deals, clean: np.ndarray
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, 17])
    sdrs = np.flatnonzero(wf.current_role == SDR)
    first, last = _employed_days(window, wf, sdrs)
    quota = sdr_meeting_quotas(seed, window, wf)
    deal_territory = accounts.territory[deals.account]
    deal_created_day = deals.created_second // SECONDS_PER_DAY
    rows: dict[str, list] = {k: [] for k in ("type", "sdr", "day", "status", "opp", "account")}
    for k, sdr in enumerate(sdrs):
        territory = wf.territory[sdr]
        territory_accounts = np.arange(
            accounts.first_of_territory[territory], accounts.first_of_territory[territory + 1]
        )
        territory_deals = np.flatnonzero(clean & (deal_territory == territory))
        for m in range(window.months):
            if last[k, m] < first[k, m]:
                continue
            share = (last[k, m] - first[k, m] + 1) / (window.month_starts[m + 1] - window.month_starts[m])
            meetings = int(rng.poisson(quota[k] * share * rng.uniform(0.4, 1.4)))
            for day in np.sort(rng.integers(first[k, m], last[k, m] + 1, size=meetings)):
                cancelled = rng.random() < CANCELLED_SHARE
                account = int(rng.choice(territory_accounts))
                rows["type"].append("qualified_meeting")
                rows["sdr"].append(sdr)
                rows["day"].append(int(day))
                rows["status"].append("cancelled" if cancelled else "completed")
                rows["opp"].append("")
                rows["account"].append(account)
                if cancelled or rng.random() >= PIPELINE_SHARE:
                    continue
                near = territory_deals[np.abs(deal_created_day[territory_deals] - day) <= LINK_WINDOW_DAYS]
                if len(near) == 0:
                    continue
                deal = int(rng.choice(near))
                rows["type"].append("pipeline_created")
                rows["sdr"].append(sdr)
                rows["day"].append(int(day))
                rows["status"].append("completed")
                rows["opp"].append(str(deals.opportunity_id[deal]))
                rows["account"].append(int(deals.account[deal]))
    count = len(rows["type"])
    day = np.array(rows["day"], dtype=np.int64)
    account_ids = accounts.table["account_id"]
    return {
        "activity_id": np.array([f"ACT-{i + 1:08d}" for i in range(count)], dtype=fmt.STR),
        "activity_type": np.array(rows["type"], dtype=fmt.STR),
        "owner_user_id": wf.user_id[np.array(rows["sdr"], dtype=np.int64)],
        "activity_date": fmt.dates(day),
        "status": np.array(rows["status"], dtype=fmt.STR),
        "opportunity_id": fmt.text(rows["opp"]),
        "account_id": account_ids[np.array(rows["account"], dtype=np.int64)],
        "last_modified_at": fmt.timestamps(day * SECONDS_PER_DAY + 17 * 3600 + rng.integers(0, 3600, count)),
    }
