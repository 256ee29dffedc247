"""CRM deals: opportunities, their line items and splits, re-exported versions and the
injected dirty records. Vectorised: one array element per deal, no loop over deals.

Amounts are integer minor units in the deal currency. A deal's amount is the sum of
its line items (quantity x unit price), so line items always add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commissions_tools.demo import formats as fmt
from commissions_tools.demo import world
from commissions_tools.demo.people import AE, NOT_TERMINATED, Accounts, FxRates, Workforce
from commissions_tools.demo.window import SECONDS_PER_DAY, Window

HOUR = 3600
STAGES = ("Closed Won", "Closed Lost", "Prospecting", "Negotiation")
WON, LOST, PROSPECTING, NEGOTIATION = range(4)
OPPORTUNITY_TYPES = ("new", "renewal", "upsell")
TYPE_LABELS = ("New business", "Renewal", "Upsell")
#: Opportunities closing per AE/AM and full month (before the rep's own factor).
OPPS_PER_REP_MONTH = 44.0
QUARTER_END_VOLUME_FACTOR = 1.15
#: Share of deals that end Closed Won, used to size deals so attainment centres on 100%.
WON_SHARE = 0.35
SEGMENT_SIZE = np.array([2.2, 1.0, 0.45])  # ENT, MM, SMB
DEAL_SIZE_SIGMA = 0.7
REEXPORTED_SHARE = 0.02
SPLIT_SHARE = 0.15
OVERLAY_SHARE = 0.04
DIRTY_KINDS = ("duplicate_id", "unknown_owner", "missing_currency", "negative_amount")

MINOR_DIGITS = np.array([world.MINOR_DIGITS.get(c, 2) for c in world.CURRENCIES])


@dataclass
class Deals:
    """One element per opportunity; index i is opportunity OPP-{i+1:08d} (ids follow created_at)."""

    opportunity_id: np.ndarray
    account: np.ndarray
    owner_rep: np.ndarray  # index into Workforce.deal_reps
    stage: np.ndarray
    opportunity_type: np.ndarray
    currency: np.ndarray
    amount: np.ndarray  # minor units
    close_day: np.ndarray
    contract_start_day: np.ndarray
    term_months: np.ndarray
    created_second: np.ndarray
    modified_second: np.ndarray
    line_opp: np.ndarray
    line_product: np.ndarray
    line_quantity: np.ndarray
    line_unit: np.ndarray  # minor units
    line_total: np.ndarray  # minor units

    @property
    def size(self) -> int:
        return len(self.opportunity_id)


@dataclass
class Dirty:
    """Opportunity indices per dirty kind. duplicate_id victims are real deals; the rest are
    turned into bad new Closed Won deals that nothing else points at."""

    by_kind: dict[str, np.ndarray]

    @classmethod
    def none(cls) -> Dirty:
        return cls({kind: np.array([], dtype=np.int64) for kind in DIRTY_KINDS})

    @property
    def new_deals(self) -> np.ndarray:
        return np.concatenate([self.by_kind[k] for k in DIRTY_KINDS if k != "duplicate_id"])


def _rep_months(window: Window, wf: Workforce) -> tuple[np.ndarray, np.ndarray]:
    """First employed day and number of employed days per (rep, window month)."""
    reps = wf.deal_reps
    hire = wf.hire_day[reps][:, None]
    term = wf.term_day[reps][:, None]
    term = np.where(term == NOT_TERMINATED, np.iinfo(np.int64).max, term)
    first = np.maximum(hire, window.month_starts[:-1][None, :])
    last = np.minimum(term, window.month_starts[1:][None, :] - 1)
    return first, np.clip(last - first + 1, 0, None)


def build_deals(rng: np.random.Generator, window: Window, wf: Workforce, accounts: Accounts, fx: FxRates) -> Deals:
    n_reps: int = wf.role_by_month.shape[0]
    n_months: int = wf.role_by_month.shape[1]
    first_day, employed_days = _rep_months(window, wf)
    month_days = np.diff(window.month_starts)[None, :]

    # How many deals each rep closes each month, and how big they are in USD: volume and
    # size follow the quota, scaled by the rep's skill and a hot or cold month.
    volume = (
        rng.lognormal(0.0, 0.15, n_reps)[:, None]
        * np.where(window.is_quarter_end(), QUARTER_END_VOLUME_FACTOR, 1.0)[None, :]
    )
    expected = OPPS_PER_REP_MONTH * volume * employed_days / month_days
    counts = rng.poisson(expected)
    skill = rng.lognormal(0.0, 0.3, n_reps)[:, None]
    form = rng.lognormal(-0.045, 0.3, (n_reps, n_months))
    mean_won_usd = wf.quota_usd_by_month * skill * form / (OPPS_PER_REP_MONTH * volume * WON_SHARE)

    cell = np.repeat(np.arange(n_reps * n_months), counts.ravel())
    rep, month = cell // n_months, cell % n_months
    n = len(cell)
    # Closes bunch towards the end of the month.
    close = first_day[rep, month] + np.floor(rng.random(n) ** 0.6 * employed_days[rep, month]).astype(np.int64)

    owner = wf.deal_reps[rep]
    territory = wf.territory[owner]
    per_territory = np.diff(accounts.first_of_territory)
    account = accounts.first_of_territory[territory] + np.floor(rng.random(n) * per_territory[territory]).astype(
        np.int64
    )
    segment = accounts.segment[account]

    role = wf.role_by_month[rep, month]
    draw = rng.random(n)
    new_share = np.where(role == AE, 0.7, 0.1)
    renewal_share = np.where(role == AE, 0.1, 0.5)
    opportunity_type = np.where(draw < new_share, 0, np.where(draw < new_share + renewal_share, 1, 2))

    # Deals closing in the last three weeks are often still open at export time.
    late = (window.end_day - close) < 21
    draw = rng.random(n)
    stage = np.where(
        draw < np.where(late, 0.30, 0.37),
        WON,
        np.where(draw < np.where(late, 0.60, 0.97), LOST, np.where(rng.random(n) < 0.5, PROSPECTING, NEGOTIATION)),
    )

    pay = wf.pay_currency[owner]
    foreign = rng.choice(len(world.CURRENCIES), n, p=world.FOREIGN_DEAL_CURRENCY_WEIGHTS)
    usd, eur = world.CURRENCIES.index("USD"), world.CURRENCIES.index("EUR")
    foreign = np.where(foreign == pay, np.where(pay == usd, eur, usd), foreign)
    currency = np.where(rng.random(n) < 0.2, foreign, pay)

    size_usd = (
        mean_won_usd[rep, month] * SEGMENT_SIZE[segment] * rng.lognormal(-(DEAL_SIZE_SIGMA**2) / 2, DEAL_SIZE_SIGMA, n)
    )
    usd_per_unit = fx.usd_per_unit[currency, close - window.start_day]
    target_minor = np.maximum(size_usd / usd_per_unit, 200.0 / usd_per_unit) * 10.0 ** MINOR_DIGITS[currency]

    term = rng.choice(np.array([12, 24, 36]), n, p=[0.6, 0.25, 0.15])
    contract_start = (close.astype("datetime64[D]").astype("datetime64[M]") + 1).astype("datetime64[D]")
    created = (close - rng.integers(10, 150, n)) * SECONDS_PER_DAY + rng.integers(8 * HOUR, 19 * HOUR, n)
    closed_modified = np.minimum(
        close * SECONDS_PER_DAY + rng.integers(8 * HOUR, 8 * HOUR + 3 * SECONDS_PER_DAY, n),
        window.export_second - HOUR,
    )
    open_modified = created + np.floor(
        rng.uniform(0.5, 0.95, n) * (close * SECONDS_PER_DAY + 12 * HOUR - created)
    ).astype(np.int64)
    modified = np.where(stage <= LOST, closed_modified, open_modified)

    # Ids are handed out in creation order, as a CRM does.
    order = np.lexsort((np.arange(n), created))
    target_minor = target_minor[order]
    segment = segment[order]
    ids = np.strings.add("OPP-", np.strings.zfill((np.arange(n) + 1).astype(fmt.STR), 8))
    deals = Deals(
        opportunity_id=ids,
        account=account[order],
        owner_rep=rep[order],
        stage=stage[order],
        opportunity_type=opportunity_type[order],
        currency=currency[order],
        amount=np.zeros(n, dtype=np.int64),
        close_day=close[order],
        contract_start_day=contract_start.astype(np.int64)[order],
        term_months=term[order],
        created_second=created[order],
        modified_second=modified[order],
        line_opp=np.array([], dtype=np.int64),
        line_product=np.array([], dtype=np.int64),
        line_quantity=np.array([], dtype=np.int64),
        line_unit=np.array([], dtype=np.int64),
        line_total=np.array([], dtype=np.int64),
    )
    _add_line_items(rng, deals, target_minor, segment)
    return deals


def _add_line_items(rng: np.random.Generator, deals: Deals, target_minor: np.ndarray, segment: np.ndarray) -> None:
    """1-3 products per deal (Platform, then Analytics, then Services); amount = sum of lines."""
    n = deals.size
    lines_per_deal = rng.choice(np.array([1, 2, 3]), n, p=[0.45, 0.35, 0.2])
    offsets = np.cumsum(lines_per_deal) - lines_per_deal
    line_opp = np.repeat(np.arange(n), lines_per_deal)
    position = np.arange(len(line_opp)) - np.repeat(offsets, lines_per_deal)
    enterprise = segment[line_opp] == 0
    premium = rng.random(len(line_opp)) < np.where((position == 0) & enterprise, 0.7, 0.3)
    product = 2 * position + premium

    choices = [p[3] for p in world.PRODUCTS]
    widest = max(len(c) for c in choices)
    quantity_table = np.array([list(c) + [c[-1]] * (widest - len(c)) for c in choices])
    quantity_count = np.array([len(c) for c in choices])
    quantity = quantity_table[product, np.floor(rng.random(len(line_opp)) * quantity_count[product]).astype(np.int64)]

    weight = np.where(position == 0, 1.0, np.where(position == 1, rng.uniform(0.2, 0.6), rng.uniform(0.05, 0.3)))
    share = weight / np.add.reduceat(weight, offsets)[line_opp]
    unit = np.maximum(1, np.round(target_minor[line_opp] * share / quantity)).astype(np.int64)
    total = unit * quantity

    deals.line_opp = line_opp
    deals.line_product = product
    deals.line_quantity = quantity
    deals.line_unit = unit
    deals.line_total = total
    deals.amount = np.add.reduceat(total, offsets)


def choose_dirty(rng: np.random.Generator, deals: Deals, dirty_share: float) -> Dirty:
    """Pick the deals to spoil: a share of all deals, at least one of each kind."""
    won = np.flatnonzero(deals.stage == WON)
    if dirty_share <= 0 or len(won) < 12:
        return Dirty.none()
    total = round(dirty_share * deals.size)
    per_kind = [max(1, total // 4 + (1 if k < total % 4 else 0)) for k in range(4)]
    n_new = sum(per_kind[1:])
    new = rng.choice(deals.size, size=min(n_new, deals.size // 4), replace=False)
    victims = rng.choice(np.setdiff1d(won, new), size=min(per_kind[0], len(won) // 4), replace=False)
    by_kind = {"duplicate_id": np.sort(victims)}
    start = 0
    for kind, count in zip(DIRTY_KINDS[1:], per_kind[1:], strict=True):
        by_kind[kind] = np.sort(new[start : start + count])
        start += count
    # The spoilt new deals are closed won: they would earn credit if they got through.
    deals.stage[new] = WON
    deals.modified_second[new] = np.maximum(
        deals.modified_second[new], deals.close_day[new] * SECONDS_PER_DAY + 17 * HOUR
    )
    return Dirty(by_kind)


def opportunities_table(
    rng: np.random.Generator, wf: Workforce, accounts: Accounts, deals: Deals, dirty: Dirty
) -> tuple[dict[str, np.ndarray], list[dict]]:
    """All opportunity rows in file order, plus the dirty records with their file lines."""
    n = deals.size
    owner_user = wf.user_id[wf.deal_reps[deals.owner_rep]]
    currency = np.array(world.CURRENCIES, dtype=fmt.STR)[deals.currency]
    amount = deals.amount.copy()

    ghosts = dirty.by_kind["unknown_owner"]
    owner_user[ghosts] = np.strings.add(
        "U9", np.strings.zfill(rng.choice(10**6, len(ghosts), replace=False).astype(fmt.STR), 6)
    )
    currency[dirty.by_kind["missing_currency"]] = ""
    amount[dirty.by_kind["negative_amount"]] *= -1

    # Older versions of ~2% of deals: the same id, modified earlier, another amount or stage.
    spoilt = np.zeros(n, dtype=bool)
    spoilt[dirty.new_deals] = True
    spoilt[dirty.by_kind["duplicate_id"]] = True
    older = np.flatnonzero(~spoilt & (rng.random(n) < REEXPORTED_SHARE))
    older_modified = deals.created_second[older] + np.floor(
        rng.uniform(0.2, 0.8, len(older)) * (deals.modified_second[older] - deals.created_second[older])
    ).astype(np.int64)
    older_stage = deals.stage[older].copy()
    stage_changed = (older_stage <= LOST) & (rng.random(len(older)) < 0.5)
    older_stage[stage_changed] = NEGOTIATION
    step = np.where(MINOR_DIGITS[deals.currency[older]] == 0, 1000, 100)
    older_amount = np.maximum(1, np.round(amount[older] * rng.uniform(0.7, 0.95, len(older)) / step)).astype(np.int64)
    older_amount = older_amount * step
    older_amount = np.where(
        stage_changed, amount[older], np.where(older_amount == amount[older], older_amount + step, older_amount)
    )

    # duplicate_id: the same id and version as a real won deal, another amount.
    victims = dirty.by_kind["duplicate_id"]
    bump = np.where(MINOR_DIGITS[deals.currency[victims]] == 0, 100_000, 1_000 * 100)
    duplicate_amount = amount[victims] + bump

    index = np.concatenate([np.arange(n), older, victims])
    kind = np.concatenate([np.zeros(n), np.ones(len(older)), np.full(len(victims), 2)]).astype(np.int64)
    modified = np.concatenate([deals.modified_second, older_modified, deals.modified_second[victims]])
    stage = np.concatenate([deals.stage, older_stage, deals.stage[victims]])
    amounts = np.concatenate([amount, older_amount, duplicate_amount])
    order = np.lexsort((kind, modified, index))
    index, kind, modified, stage, amounts = index[order], kind[order], modified[order], stage[order], amounts[order]
    line_of_row = np.arange(len(index)) + 2  # header is line 1

    type_label = np.array(TYPE_LABELS, dtype=fmt.STR)[deals.opportunity_type]
    close_text = fmt.dates(deals.close_day)
    names = np.strings.add(
        np.strings.add(np.strings.add(accounts.name[deals.account], " - "), type_label),
        np.strings.add(" ", np.strings.slice(close_text, 0, 4)),
    )
    columns = {
        "opportunity_id": deals.opportunity_id[index],
        "account_id": accounts.table["account_id"][deals.account[index]],
        "owner_user_id": owner_user[index],
        "opportunity_name": names[index],
        "stage": np.array(STAGES, dtype=fmt.STR)[stage],
        "opportunity_type": np.array(OPPORTUNITY_TYPES, dtype=fmt.STR)[deals.opportunity_type[index]],
        "amount": fmt.money(amounts, MINOR_DIGITS[deals.currency[index]]),
        "currency": currency[index],
        "close_date": close_text[index],
        "contract_start_date": fmt.dates(deals.contract_start_day[index]),
        "term_months": fmt.integers(deals.term_months[index]),
        "created_at": fmt.timestamps(deals.created_second[index]),
        "last_modified_at": fmt.timestamps(modified),
    }

    records: list[dict] = []
    base_line = np.zeros(n, dtype=np.int64)
    base_line[index[kind == 0]] = line_of_row[kind == 0]
    duplicate_line = dict(zip(index[kind == 2].tolist(), line_of_row[kind == 2].tolist(), strict=True))
    for dirty_kind, opps in dirty.by_kind.items():
        for opp in opps.tolist():
            line = duplicate_line[opp] if dirty_kind == "duplicate_id" else int(base_line[opp])
            records.append(
                {"kind": dirty_kind, "table": "crm.opportunities", "key": str(deals.opportunity_id[opp]), "line": line}
            )
    records.sort(key=lambda r: r["line"])
    return columns, records


def line_items_table(deals: Deals, keep: np.ndarray) -> dict[str, np.ndarray]:
    """Line items of the deals in `keep` (a boolean mask over deals)."""
    rows = np.flatnonzero(keep[deals.line_opp])
    opp = deals.line_opp[rows]
    digits = MINOR_DIGITS[deals.currency[opp]]
    products = world.PRODUCTS
    return {
        "line_item_id": np.strings.add("OLI-", np.strings.zfill((rows + 1).astype(fmt.STR), 9)),
        "opportunity_id": deals.opportunity_id[opp],
        "product_code": np.array([p[0] for p in products], dtype=fmt.STR)[deals.line_product[rows]],
        "product_family": np.array([p[1] for p in products], dtype=fmt.STR)[deals.line_product[rows]],
        "quantity": fmt.integers(deals.line_quantity[rows]),
        "unit_price": fmt.money(deals.line_unit[rows], digits),
        "total_price": fmt.money(deals.line_total[rows], digits),
        "last_modified_at": fmt.timestamps(deals.modified_second[opp]),
    }


def _partners(
    rng: np.random.Generator, wf: Workforce, close: np.ndarray, taken: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """A random AE/AM rep employed on each close date and not already on the deal."""
    n_reps = len(wf.deal_reps)
    pick = rng.integers(0, n_reps, len(close))

    def bad(candidate: np.ndarray) -> np.ndarray:
        clash = np.zeros(len(candidate), dtype=bool)
        for other in taken:
            clash |= candidate == other
        return clash | ~wf.employed_on(wf.deal_reps[candidate], close)

    for _ in range(60):
        wrong = bad(pick)
        if not wrong.any():
            break
        pick[wrong] = rng.integers(0, n_reps, int(wrong.sum()))
    return pick, ~bad(pick)


def splits_table(rng: np.random.Generator, wf: Workforce, deals: Deals, eligible: np.ndarray) -> dict[str, np.ndarray]:
    """Revenue splits on ~15% of the eligible won deals (50/50, 60/40 or 33.33/33.33/33.34,
    the owner first) and a few Overlay rows that move no credit."""
    chosen = np.flatnonzero(eligible & (rng.random(deals.size) < SPLIT_SHARE))
    owner = deals.owner_rep[chosen]
    close = deals.close_day[chosen]
    three_way = rng.random(len(chosen)) < 0.2
    second, ok2 = _partners(rng, wf, close, [owner])
    third, ok3 = _partners(rng, wf, close, [owner, second])
    keep = ok2 & (ok3 | ~three_way)
    chosen, owner, second, third, three_way = chosen[keep], owner[keep], second[keep], third[keep], three_way[keep]
    sixty = rng.random(len(chosen)) < 0.5
    # Percent in hundredths: 5000 = 50.00.
    first_pct = np.where(three_way, 3333, np.where(sixty, 6000, 5000))
    second_pct = np.where(three_way, 3333, np.where(sixty, 4000, 5000))
    t = np.flatnonzero(three_way)

    overlay = np.flatnonzero(eligible & (rng.random(deals.size) < OVERLAY_SHARE))
    overlay_manager = wf.manager[wf.deal_reps[deals.owner_rep[overlay]]]
    overlay = overlay[overlay_manager >= 0]
    overlay_manager = overlay_manager[overlay_manager >= 0]

    opp = np.concatenate([chosen, chosen, chosen[t], overlay])
    seq = np.concatenate([np.zeros(len(chosen)), np.ones(len(chosen)), np.full(len(t), 2), np.full(len(overlay), 3)])
    user = np.concatenate(
        [
            wf.user_id[wf.deal_reps[owner]],
            wf.user_id[wf.deal_reps[second]],
            wf.user_id[wf.deal_reps[third[t]]],
            wf.user_id[overlay_manager],
        ]
    )
    pct = np.concatenate([first_pct, second_pct, np.full(len(t), 3334), np.full(len(overlay), 10000)])
    split_type = np.array(["Revenue"] * (2 * len(chosen) + len(t)) + ["Overlay"] * len(overlay), dtype=fmt.STR)
    order = np.lexsort((seq, opp))
    opp, user, pct, split_type = opp[order], user[order], pct[order], split_type[order]
    return {
        "split_id": np.strings.add("SPL-", np.strings.zfill((np.arange(len(opp)) + 1).astype(fmt.STR), 8)),
        "opportunity_id": deals.opportunity_id[opp],
        "split_owner_user_id": user,
        "split_percent": fmt.fixed(pct, 2),
        "split_type": split_type,
        "last_modified_at": fmt.timestamps(deals.modified_second[opp]),
    }
