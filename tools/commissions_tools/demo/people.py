"""The sales organisation: employees, their effective-dated jobs, CRM users, quotas,
accounts and daily FX rates.

A few thousand people at most, so this module may loop over people; the deal
volume (millions of rows) lives in deals.py and billing.py and is vectorised.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo import world
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

AE, AM, SDR, MANAGER, SPECIALIST = range(5)
HOUR = 3600
NOT_TERMINATED = -1


@dataclass
class Workforce:
    """One row per employee (arrays indexed by employee), plus the deal-carrying reps."""

    employee_id: np.ndarray
    first_name: list[str]
    last_name: list[str]
    country: list[str]
    pay_currency: np.ndarray  # index into world.CURRENCIES
    territory: np.ndarray  # index into world.TERRITORIES
    hire_day: np.ndarray
    term_day: np.ndarray  # NOT_TERMINATED while employed
    current_role: np.ndarray
    manager: np.ndarray  # employee index of the first line manager, -1 for managers
    user_id: np.ndarray  # CRM login of each person
    #: Employee indices of the AE/AM reps, and per rep and window month their role (AE or AM)
    #: and monthly full-month quota in USD equivalent.
    deal_reps: np.ndarray
    role_by_month: np.ndarray
    quota_usd_by_month: np.ndarray
    #: Per employee and window month: the employee index of their manager on the month's
    #: first day (or hire day), -1 for none. Job changes start on the 1st of a month.
    manager_by_month: np.ndarray
    jobs: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return len(self.employee_id)

    def employed_on(self, employee: np.ndarray, day: np.ndarray) -> np.ndarray:
        term = self.term_day[employee]
        return (self.hire_day[employee] <= day) & ((term == NOT_TERMINATED) | (day <= term))


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _pick_some(rng: np.random.Generator, candidates: np.ndarray, share: float, minimum: int) -> np.ndarray:
    """A random share of candidates, at least `minimum` of them when there are any."""
    if len(candidates) == 0:
        return candidates
    count = min(len(candidates), max(minimum, round(share * len(candidates))))
    return np.sort(rng.choice(candidates, size=count, replace=False))


def _hire_an_sdr(seed: int, window: Window, role: np.ndarray, hire: np.ndarray) -> None:
    """One SDR joins inside the window (their plan's guarantee shows), drawn on its own generator."""
    sdrs = np.flatnonzero(role == SDR)
    if len(sdrs) and window.days >= 45:
        sdr_rng = np.random.default_rng([seed, 15])
        hire[sdr_rng.choice(sdrs)] = window.start_day + sdr_rng.integers(0, window.days - 21)


def _user_ids(rng: np.random.Generator, role: np.ndarray) -> np.ndarray:
    """CRM logins: shuffled over reps and managers; SDRs (who log their meetings) numbered
    after them in employee order, so adding them drew nothing more from `rng`."""
    users = np.flatnonzero(role != SDR)
    user_id = np.full(len(role), "", dtype=object)
    user_id[users[rng.permutation(len(users))]] = [f"U{200 + k:06d}" for k in range(len(users))]
    sdr_people = np.flatnonzero(role == SDR)
    user_id[sdr_people] = [f"U{200 + len(users) + k:06d}" for k in range(len(sdr_people))]
    return user_id


def _first_of_month_after(day: int) -> int:
    month = np.datetime64(day, "D").astype("datetime64[M]") + 1
    return int(month.astype("datetime64[D]").astype(np.int64))


def _assign_managers(rep_territory: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One manager per started group of REPS_PER_MANAGER reps of a territory.

    Returns each manager's territory and each rep's manager (an index into the managers).
    """
    mgr_territory: list[int] = []
    rep_manager_slot = np.zeros(len(rep_territory), dtype=np.int64)
    for t in range(len(world.TERRITORIES)):
        members = np.flatnonzero(rep_territory == t)
        if len(members) == 0:
            continue
        n_mgr = math.ceil(len(members) / world.REPS_PER_MANAGER)
        first_slot = len(mgr_territory)
        mgr_territory += [t] * n_mgr
        rep_manager_slot[members] = first_slot + np.arange(len(members)) % n_mgr
    return np.array(mgr_territory, dtype=np.int64), rep_manager_slot


def build_workforce(rng: np.random.Generator, window: Window, reps: int, *, seed: int = 0) -> Workforce:
    """The people, their jobs and quotas. `seed` feeds a generator of its own that hires an
    SDR inside the window (so the main stream, and every other demo file it draws, stays
    as it was before SDRs were paid)."""
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    start, end = window.start_day, window.end_day

    # Reps: territory from a shuffled cycle, a tenth SDRs, the rest AE (60%) or AM.
    rep_territory = np.array(world.TERRITORY_CYCLE)[rng.permutation(reps) % len(world.TERRITORY_CYCLE)]
    rep_role = np.where(rng.random(reps) < 0.6, AE, AM)
    n_sdr = round(0.1 * reps) if reps >= 8 else 0
    rep_role[rng.choice(reps, size=n_sdr, replace=False)] = SDR
    deal = np.flatnonzero(rep_role != SDR)
    if len(deal) >= 2 and len(set(rep_role[deal].tolist())) == 1:
        rep_role[deal[0]] = AM if rep_role[deal[0]] == AE else AE

    mgr_territory, rep_manager_slot = _assign_managers(rep_territory)
    n_mgr = len(mgr_territory)

    # Everybody: managers first (indices 0..n_mgr-1), then reps; reordered by hire date below.
    n = n_mgr + reps
    territory = np.concatenate([mgr_territory, rep_territory])
    role = np.concatenate([np.full(n_mgr, MANAGER), rep_role])
    manager = np.concatenate([np.full(n_mgr, -1), rep_manager_slot])
    hire = np.where(role == MANAGER, start - rng.integers(365, 3000, n), start - rng.integers(30, 2500, n))
    term = np.full(n, NOT_TERMINATED, dtype=np.int64)

    deal_people = np.flatnonzero((role == AE) | (role == AM))
    if len(deal_people) >= 6 and window.days >= 45:
        for person in _pick_some(rng, deal_people, 0.12, 1):
            hire[person] = start + rng.integers(0, window.days - 21)
        for person in _pick_some(rng, deal_people, 0.08, 1):
            low = max(hire[person] + 30, start + 7)
            if low <= end - 1:
                term[person] = rng.integers(low, end)

    _hire_an_sdr(seed, window, role, hire)

    # HR numbers follow the hire date, as most HR systems hand them out.
    order = np.lexsort((np.arange(n), hire))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    territory, role, hire, term = territory[order], role[order], hire[order], term[order]
    manager = np.where(manager[order] >= 0, rank[np.clip(manager[order], 0, None)], -1)
    employee_id = np.array([f"E{100 + i:06d}" for i in range(n)], dtype=fmt.STR)

    country: list[str] = []
    pay_currency = np.zeros(n, dtype=np.int64)
    for i in range(n):
        places = world.TERRITORIES[territory[i]].countries
        pick = rng.choice(len(places), p=[share for _, _, share in places])
        country.append(places[pick][0])
        pay_currency[i] = world.CURRENCIES.index(places[pick][1])
    first_name = [str(x) for x in rng.choice(world.FIRST_NAMES, n)]
    last_name = [str(x) for x in rng.choice(world.LAST_NAMES, n)]

    deal_reps = np.flatnonzero((role == AE) | (role == AM))
    role_by_month, manager_by_month, jobs, current_role = _job_history(
        rng, window, employee_id=employee_id, role=role, manager=manager, territory=territory, hire=hire, term=term
    )
    quota_factor = rng.uniform(0.8, 1.2, len(deal_reps))
    qe = np.where(window.is_quarter_end(), world.QUARTER_END_QUOTA_FACTOR, 1.0)
    level = np.where(role_by_month[deal_reps] == AE, world.MONTHLY_QUOTA_USD["AE"], world.MONTHLY_QUOTA_USD["AM"])
    quota_usd_by_month = level * quota_factor[:, None] * qe[None, :]

    user_id = _user_ids(rng, role)
    return Workforce(
        employee_id=employee_id,
        first_name=first_name,
        last_name=last_name,
        country=country,
        pay_currency=pay_currency,
        territory=territory,
        hire_day=hire,
        term_day=term,
        current_role=current_role,
        manager=manager,
        user_id=user_id.astype(fmt.STR),
        deal_reps=deal_reps,
        role_by_month=role_by_month[deal_reps],
        quota_usd_by_month=quota_usd_by_month,
        manager_by_month=manager_by_month,
        jobs=jobs,
    )


def _job_history(
    rng: np.random.Generator,
    window: Window,
    *,
    employee_id: np.ndarray,
    role: np.ndarray,
    manager: np.ndarray,
    territory: np.ndarray,
    hire: np.ndarray,
    term: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Effective-dated assignments; every change after hire starts on the 1st of a month.

    Returns the role and the manager of each person in each window month, the job history
    table and each person's current role.
    """
    n = len(employee_id)
    starts = window.month_starts[:-1]
    role_by_month = np.repeat(role[:, None], window.months, axis=1)
    # segments[i]: list of (effective_from, role, manager)
    segments: list[list[tuple[int, int, int]]] = [[(int(hire[i]), int(role[i]), int(manager[i]))] for i in range(n)]

    deal = np.flatnonzero((role == AE) | (role == AM))
    # Some long-serving reps started as SDRs and were promoted before the window.
    veterans = deal[hire[deal] <= window.start_day - 120]
    for i in _pick_some(rng, veterans, 0.2, 0):
        promoted = _first_of_month_after(int(hire[i]) + int(rng.integers(60, max(61, window.start_day - hire[i] - 30))))
        promoted = min(promoted, window.start_day)
        segments[i] = [(int(hire[i]), SDR, int(manager[i])), (promoted, int(role[i]), int(manager[i]))]

    def change_months(i: int) -> np.ndarray:
        after_hire = starts > hire[i]
        before_leaving = (term[i] == NOT_TERMINATED) | (starts <= term[i])
        return np.flatnonzero(after_hire & before_leaving & (np.arange(window.months) > 0))

    movable = np.array([i for i in deal if len(change_months(int(i)))], dtype=np.int64)
    changes: dict[int, dict[int, tuple[int | None, int | None]]] = {}
    for i in _pick_some(rng, movable, 0.15, 1 if window.months >= 2 else 0):
        m = int(rng.choice(change_months(int(i))))
        new_role = AM if role[i] == AE else AE
        changes.setdefault(int(i), {})[m] = (new_role, None)
        role_by_month[i, m:] = new_role
    for i in _pick_some(rng, movable, 0.1, 1 if window.months >= 2 else 0):
        peers = np.flatnonzero((role == MANAGER) & (territory == territory[i]) & (np.arange(n) != manager[i]))
        if len(peers) == 0:
            continue
        m = int(rng.choice(change_months(int(i))))
        previous = changes.setdefault(int(i), {}).get(m, (None, None))
        changes[int(i)][m] = (previous[0], int(rng.choice(peers)))
    for i, by_month in changes.items():
        current_role, current_manager = segments[i][-1][1], segments[i][-1][2]
        for m in sorted(by_month):
            role_change, manager_change = by_month[m]
            current_role = role_change if role_change is not None else current_role
            current_manager = manager_change if manager_change is not None else current_manager
            segments[i].append((int(starts[m]), current_role, current_manager))

    rows: dict[str, list] = {k: [] for k in ("employee", "from", "to", "role", "manager", "territory", "updated")}
    current = np.zeros(n, dtype=np.int64)
    manager_by_month = np.full((n, window.months), -1, dtype=np.int64)
    for i in range(n):
        segment_starts = np.array([effective_from for effective_from, _, _ in segments[i]])
        in_force = np.searchsorted(segment_starts, np.maximum(starts, hire[i]), side="right") - 1
        manager_by_month[i] = np.array([job_manager for _, _, job_manager in segments[i]])[np.clip(in_force, 0, None)]
        for k, (effective_from, job_role, job_manager) in enumerate(segments[i]):
            last = k == len(segments[i]) - 1
            rows["employee"].append(i)
            rows["from"].append(effective_from)
            rows["to"].append(-1 if last else segments[i][k + 1][0] - 1)
            rows["role"].append(job_role)
            rows["manager"].append(job_manager)
            rows["territory"].append(int(territory[i]))
            rows["updated"].append((effective_from - 10) * SECONDS_PER_DAY + 9 * HOUR + int(rng.integers(0, 3600)))
        current[i] = segments[i][-1][1]
    job_roles = np.array(rows["role"], dtype=np.int64)
    job_managers = np.array(rows["manager"], dtype=np.int64)
    plan = np.array([world.PLAN_OF_ROLE[world.ROLES[r]] or "" for r in job_roles], dtype=object)
    jobs = {
        "employee_id": employee_id[np.array(rows["employee"], dtype=np.int64)],
        "effective_from": fmt.dates(np.array(rows["from"])),
        "effective_to": fmt.dates(np.array(rows["to"])),
        "role": np.array(world.ROLES, dtype=fmt.STR)[job_roles],
        "manager_employee_id": np.where(job_managers >= 0, employee_id[np.clip(job_managers, 0, None)], ""),
        "territory": np.array([t.code for t in world.TERRITORIES], dtype=fmt.STR)[np.array(rows["territory"])],
        "plan_id": fmt.text(plan),
        "updated_at": fmt.timestamps(np.array(rows["updated"])),
    }
    return role_by_month, manager_by_month, jobs, current


def employees_table(rng: np.random.Generator, window: Window, wf: Workforce) -> dict[str, np.ndarray]:
    emails = [
        f"{_ascii(first)}.{_ascii(last)}.{eid[1:].lstrip('0')}@example.com"
        for first, last, eid in zip(wf.first_name, wf.last_name, wf.employee_id.tolist(), strict=True)
    ]
    terminated = wf.term_day != NOT_TERMINATED
    updated_day = np.where(terminated, wf.term_day, wf.hire_day - 14)
    updated = updated_day * SECONDS_PER_DAY + rng.integers(8 * HOUR, 18 * HOUR, wf.size)
    return {
        "employee_id": wf.employee_id,
        "first_name": fmt.text(wf.first_name),
        "last_name": fmt.text(wf.last_name),
        "email": fmt.text(emails),
        "hire_date": fmt.dates(wf.hire_day),
        "termination_date": fmt.dates(wf.term_day),
        "pay_currency": np.array(world.CURRENCIES, dtype=fmt.STR)[wf.pay_currency],
        "country": fmt.text(wf.country),
        "updated_at": fmt.timestamps(updated),
    }


def users_table(rng: np.random.Generator, window: Window, wf: Workforce) -> dict[str, np.ndarray]:
    people = np.flatnonzero(wf.user_id != "")
    people = people[np.argsort(wf.user_id[people])]
    term = wf.term_day[people]
    hire = wf.hire_day[people]
    terminated = term != NOT_TERMINATED
    changed_day = np.where(
        terminated,
        term + 1,
        np.where(hire >= window.start_day, hire - 3, window.start_day - rng.integers(1, 300, len(people))),
    )
    changed = changed_day * SECONDS_PER_DAY + rng.integers(8 * HOUR, 18 * HOUR, len(people))
    titles = np.array([world.TITLE_OF_ROLE[r] for r in world.ROLES], dtype=fmt.STR)
    return {
        "user_id": wf.user_id[people],
        "employee_number": wf.employee_id[people],
        "full_name": fmt.text([f"{wf.first_name[i]} {wf.last_name[i]}" for i in people]),
        "email": fmt.text([f"{_ascii(wf.first_name[i])}.{_ascii(wf.last_name[i])}@crm.example.com" for i in people]),
        "title": titles[wf.current_role[people]],
        "is_active": fmt.booleans(~terminated),
        "last_modified_at": fmt.timestamps(changed),
    }


def quotas_table(window: Window, wf: Workforce, fx: FxRates) -> dict[str, np.ndarray]:
    """Monthly bookings quota in the pay currency for every month a rep is employed on a plan
    and for every month a sales manager leads a team (the team's quota, the sum of the
    quotas of the reps reporting to them that month); in USD for the Analytics specialists,
    whose global plan (SPEC_2026, credit_currency plan_currency) measures credits in USD,
    and on to December (their plan measures the second half of 2026 against the quota of
    the whole half-year, so HR states the year's quotas up front);
    and each manager's region quota (measure region_bookings: the quotas of all the reps of
    the region of their territory that month).

    HR states the whole month's quota even in the month a rep joins or leaves in: the demo
    plans prorate those months by the days employed (plan `proration`), not HR.
    """
    reps = wf.deal_reps
    month_first = window.month_starts[:-1][None, :]
    month_last = window.month_starts[1:][None, :] - 1
    hire = wf.hire_day[reps][:, None]
    term = wf.term_day[reps][:, None]
    term = np.where(term == NOT_TERMINATED, np.iinfo(np.int64).max, term)
    first_day = np.maximum(hire, month_first)
    last_day = np.minimum(term, month_last)
    employed = np.clip(last_day - first_day + 1, 0, None) > 0
    employed_quota_usd = np.where(employed, wf.quota_usd_by_month, 0.0)

    managers = np.flatnonzero(wf.current_role == MANAGER)
    team_quota_usd = np.zeros((len(managers), window.months))
    for k, manager in enumerate(managers):
        team_quota_usd[k] = np.where(wf.manager_by_month[reps] == manager, employed_quota_usd, 0.0).sum(axis=0)
    region_of = np.array([t.region for t in world.TERRITORIES])
    rep_region = region_of[wf.territory[reps]]
    region_quota_usd = np.array(
        [employed_quota_usd[rep_region == region_of[wf.territory[m]]].sum(axis=0) for m in managers]
    ).reshape(len(managers), window.months)
    # specialists (demo/specialists.py) are employed through the window, at a flat level
    specialists = np.flatnonzero(wf.current_role == SPECIALIST)
    to_year_end = window.month_starts_to_year_end()
    specialist_quota_usd = np.full((len(specialists), len(to_year_end) - 1), world.MONTHLY_QUOTA_USD["SPECIALIST"])

    people = np.concatenate([reps, managers])
    quota_usd = np.concatenate([wf.quota_usd_by_month, team_quota_usd])
    has_quota = np.concatenate([employed, team_quota_usd > 0])
    local = _quota_rows(window, wf, fx, people=people, quota_usd=quota_usd, has_quota=has_quota, measure="bookings")
    global_ = _quota_rows(
        window,
        wf,
        fx,
        people=specialists,
        quota_usd=specialist_quota_usd,
        has_quota=specialist_quota_usd > 0,
        measure="bookings",
        currency=np.full(len(specialists), world.CURRENCIES.index("USD")),
        month_starts=to_year_end,
    )
    region = _quota_rows(
        window,
        wf,
        fx,
        people=managers,
        quota_usd=region_quota_usd,
        has_quota=region_quota_usd > 0,
        measure="region_bookings",
    )
    return {k: np.concatenate([local[k], global_[k], region[k]]) for k in local}


def _quota_rows(
    window: Window,
    wf: Workforce,
    fx: FxRates,
    *,
    people: np.ndarray,
    quota_usd: np.ndarray,
    has_quota: np.ndarray,
    measure: str,
    currency: np.ndarray | None = None,
    month_starts: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """hr/quotas.csv rows of `measure` for `people` (wf indices) in the months `has_quota`
    says, from a USD amount per person and month: in `currency` (world.CURRENCIES indices,
    by default each person's pay currency), in round numbers. The months are the window's,
    or `month_starts` (the window's and later ones, stated before the export)."""
    currency = wf.pay_currency[people] if currency is None else currency
    month_starts = window.month_starts if month_starts is None else month_starts
    usd_per_unit = fx.usd_per_unit[currency, 0][:, None]
    digits = np.array([world.MINOR_DIGITS.get(c, 2) for c in world.CURRENCIES])[currency][:, None]
    # Quotas are round numbers: 1,000 units (100,000 for the yen).
    step = np.where(digits == 0, 100_000, 1_000 * 100)
    units = np.maximum(1, np.round(quota_usd / usd_per_unit * 10.0**digits / step))
    minor = (units * step).astype(np.int64)

    person_idx, month_idx = np.nonzero(has_quota)
    return {
        "employee_id": wf.employee_id[people[person_idx]],
        "measure": np.full(len(person_idx), measure, dtype=fmt.STR),
        "period_start": fmt.dates(month_starts[month_idx]),
        "period_end": fmt.dates(month_starts[month_idx + 1] - 1),
        "quota_amount": fmt.money(minor[person_idx, month_idx], digits[person_idx, 0]),
        "currency": np.array(world.CURRENCIES, dtype=fmt.STR)[currency[person_idx]],
        # 20 days ahead of the month, and never after the export
        "updated_at": fmt.timestamps(
            np.minimum(month_starts[month_idx] - 20, window.end_day - 1) * SECONDS_PER_DAY + 9 * HOUR
        ),
    }


@dataclass
class FxRates:
    """USD per unit of each currency (rows = world.CURRENCIES) on each day of the window."""

    micro: np.ndarray  # int64 rate * 1e6, as written to the file

    @property
    def usd_per_unit(self) -> np.ndarray:
        return self.micro / 1e6


def build_fx(rng: np.random.Generator, window: Window) -> FxRates:
    """A mean-reverting random walk around each currency's usual level, 6 decimal places."""
    n_days = window.days
    micro = np.zeros((len(world.CURRENCIES), n_days), dtype=np.int64)
    for c, code in enumerate(world.CURRENCIES):
        level = world.USD_PER_UNIT[code]
        if code == "USD":
            micro[c] = 1_000_000
            continue
        shocks = rng.normal(0.0, 0.003, n_days)
        drift = np.zeros(n_days)
        for d in range(1, n_days):
            drift[d] = 0.99 * drift[d - 1] + shocks[d]
        micro[c] = np.round(level * np.exp(drift) * 1e6).astype(np.int64)
    return FxRates(micro=micro)


def fx_table(window: Window, fx: FxRates) -> dict[str, np.ndarray]:
    foreign = np.array([c for c, code in enumerate(world.CURRENCIES) if code != "USD"])
    day_idx = np.repeat(np.arange(window.days), len(foreign))
    ccy_idx = np.tile(foreign, window.days)
    return {
        "rate_date": fmt.dates(window.start_day + day_idx),
        "from_currency": np.array(world.CURRENCIES, dtype=fmt.STR)[ccy_idx],
        "to_currency": np.full(len(day_idx), "USD", dtype=fmt.STR),
        "rate": fmt.fixed(fx.micro[ccy_idx, day_idx], 6),
    }


@dataclass
class Accounts:
    territory: np.ndarray
    segment: np.ndarray  # 0 ENT, 1 MM, 2 SMB
    name: np.ndarray
    #: accounts of territory t are first_of_territory[t] .. first_of_territory[t+1]-1
    first_of_territory: np.ndarray
    table: dict[str, np.ndarray]


SEGMENTS = ("ENT", "MM", "SMB")


def build_accounts(rng: np.random.Generator, window: Window, wf: Workforce) -> Accounts:
    reps_per_territory = np.bincount(wf.territory[wf.deal_reps], minlength=len(world.TERRITORIES))
    per_territory = np.maximum(8, 20 * reps_per_territory)
    first = np.concatenate([[0], np.cumsum(per_territory)])
    territory = np.repeat(np.arange(len(world.TERRITORIES)), per_territory)
    n = len(territory)
    country, names = [], []
    words = rng.choice(world.ACCOUNT_WORDS, n)
    nouns = rng.choice(world.ACCOUNT_NOUNS, n)
    picks = rng.random(n)
    for i in range(n):
        places = world.TERRITORIES[territory[i]].countries
        shares = np.cumsum([share for _, _, share in places])
        code = places[min(int(np.searchsorted(shares, picks[i] * shares[-1])), len(places) - 1)][0]
        suffixes = world.ACCOUNT_SUFFIXES[code]
        suffix = suffixes[i % len(suffixes)]
        country.append(code)
        names.append(f"{words[i]} {nouns[i]}{'' if suffix.startswith(',') else ' '}{suffix}")
    segment = rng.choice(3, n, p=[0.2, 0.4, 0.4])
    changed = (window.start_day - rng.integers(1, 700, n)) * SECONDS_PER_DAY + rng.integers(0, SECONDS_PER_DAY, n)
    name = fmt.text(names)
    table = {
        "account_id": fmt.text([f"ACC-{i + 1:07d}" for i in range(n)]),
        "account_name": name,
        "territory": np.array([t.code for t in world.TERRITORIES], dtype=fmt.STR)[territory],
        "region": np.array([t.region for t in world.TERRITORIES], dtype=fmt.STR)[territory],
        "country": fmt.text(country),
        "segment": np.array(SEGMENTS, dtype=fmt.STR)[segment],
        "last_modified_at": fmt.timestamps(changed),
    }
    return Accounts(territory=territory, segment=segment, name=name, first_of_territory=first, table=table)
