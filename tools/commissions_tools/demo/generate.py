"""Demo source exports: a sales organisation's CRM, billing and HR files, per contracts.py.

    summary = generate(Path("var/landing"), reps=40, months=12, seed=42)

writes crm/*.csv, billing/*.jsonl and hr/* under the folder, exactly as a customer's
exports would arrive (see docs/sources.md), plus _generation.json with the parameters
and row counts. The same arguments always give byte-identical files: every random
draw comes from one numpy generator seeded with `seed`, and every timestamp is
derived from the window, never from the clock.

The world: AEs and AMs who carry a monthly bookings quota in their pay currency,
SDRs and managers who do not; people who join and leave during the window, change
role (AE <-> AM) or manager on the 1st of a month; deals in six currencies with
splits, re-exported older versions, line items, invoices, payments and credit
notes; a few manual adjustments a month from compensation operations. `dirty_share`
of the opportunities are spoilt on purpose (duplicated id,
unknown owner, missing currency, negative amount) and listed in `dirty_records`
with their file line, so the quality gate can be checked against them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from commissions import contracts
from commissions.periods import latest_closed_month, parse_period
from commissions_tools.demo import formats as fmt
from commissions_tools.demo.activities import activities_table, sdr_quotas_table
from commissions_tools.demo.adjustments import adjustments_table
from commissions_tools.demo.billing import billing_tables
from commissions_tools.demo.deals import (
    DIRTY_KINDS,
    WON,
    build_deals,
    choose_dirty,
    line_items_table,
    opportunities_table,
    splits_table,
)
from commissions_tools.demo.leaves import leaves_table
from commissions_tools.demo.mbo import mbo_scores_table
from commissions_tools.demo.people import (
    build_accounts,
    build_fx,
    build_workforce,
    employees_table,
    fx_table,
    quotas_table,
    users_table,
)
from commissions_tools.demo.specialists import add_specialists, specialist_units_quotas_table
from commissions_tools.demo.window import Window

GENERATION_FILE = "_generation.json"


@dataclass
class GenerationSummary:
    params: dict
    #: Rows written per file, keyed 'system.table' in contracts.SOURCE_TABLES order.
    rows: dict[str, int]
    #: Spoilt records: {"kind", "table", "key", "line"} (line 1 is the header).
    dirty_records: list[dict] = field(default_factory=list)
    out_dir: Path | None = None

    def render(self) -> str:
        p = self.params
        lines = [
            f"demo exports: {p['reps']} reps x {p['months']} months "
            f"({p['window_start']} to {p['window_end']}), seed {p['seed']}",
            "",
            f"{'file':34} {'rows':>11}",
        ]
        for name, count in self.rows.items():
            t = contracts.table(name)
            lines.append(f"{t.system + '/' + t.file_name:34} {count:>11,}")
        lines.append(f"{'total':34} {sum(self.rows.values()):>11,}")
        lines.append("")
        by_kind = Counter(r["kind"] for r in self.dirty_records)
        if by_kind:
            kinds = ", ".join(f"{kind} {by_kind[kind]}" for kind in DIRTY_KINDS if by_kind[kind])
            lines.append(f"dirty records (dirty_share {p['dirty_share']}): {kinds}")
        else:
            lines.append("dirty records: none")
        if self.out_dir is not None:
            lines.append(f"written to {self.out_dir}")
        return "\n".join(lines)


def _resolve_end_month(end_month: str | None) -> str:
    if end_month is None:
        return latest_closed_month(date.today())
    parse_period(end_month)  # raises PeriodError naming the bad value
    return end_month.strip()


def generate(
    out_dir: Path,
    *,
    reps: int = 40,
    months: int = 12,
    seed: int = 42,
    end_month: str | None = None,
    dirty_share: float = 0.005,
) -> GenerationSummary:
    """Write the demo exports under out_dir and say what was written."""
    if not 0 <= dirty_share < 1:
        raise ValueError(f"dirty_share must be in [0, 1), got {dirty_share}")
    out_dir = Path(out_dir)
    window = Window.ending(_resolve_end_month(end_month), months)
    rng = np.random.default_rng(seed)

    fx = build_fx(rng, window)
    wf = add_specialists(seed, window, build_workforce(rng, window, reps, seed=seed))
    accounts = build_accounts(rng, window, wf)
    deals = build_deals(rng, window, wf, accounts, fx)
    dirty = choose_dirty(rng, deals, dirty_share)
    clean = np.ones(deals.size, dtype=bool)
    clean[dirty.new_deals] = False
    won = clean & (deals.stage == WON)
    opportunities, dirty_records = opportunities_table(rng, wf, accounts, deals, dirty)

    tables = {
        contracts.CRM_USERS: users_table(rng, window, wf),
        contracts.CRM_ACCOUNTS: accounts.table,
        contracts.CRM_OPPORTUNITIES: opportunities,
        contracts.CRM_OPPORTUNITY_LINE_ITEMS: line_items_table(deals, clean),
        contracts.CRM_OPPORTUNITY_SPLITS: splits_table(rng, wf, deals, won),
        contracts.CRM_ACTIVITIES: activities_table(seed, window, wf, accounts=accounts, deals=deals, clean=clean),
    }
    billing = billing_tables(rng, window, deals, accounts, won)
    tables[contracts.BILLING_INVOICES] = billing["invoices"]
    tables[contracts.BILLING_INVOICE_LINES] = billing["invoice_lines"]
    tables[contracts.BILLING_PAYMENTS] = billing["payments"]
    tables[contracts.BILLING_CREDIT_NOTES] = billing["credit_notes"]
    tables[contracts.HR_EMPLOYEES] = employees_table(rng, window, wf)
    tables[contracts.HR_JOB_HISTORY] = wf.jobs
    quota_tables = (
        quotas_table(window, wf, fx),
        sdr_quotas_table(seed, window, wf),
        specialist_units_quotas_table(window, wf),
    )
    tables[contracts.HR_QUOTAS] = {k: np.concatenate([t[k] for t in quota_tables]) for k in quota_tables[0]}
    tables[contracts.HR_LEAVES] = leaves_table(seed, window, wf)
    tables[contracts.HR_MBO_SCORES] = mbo_scores_table(seed, window, wf)
    tables[contracts.HR_FX_RATES] = fx_table(window, fx)
    tables[contracts.HR_COMMISSION_ADJUSTMENTS] = adjustments_table(seed, window, wf, fx)

    rows = {f"{t.system}.{t.name}": fmt.write_table(out_dir, t, tables[t]) for t in contracts.SOURCE_TABLES}
    params = {
        "reps": reps,
        "months": months,
        "seed": seed,
        "end_month": window.end_month,
        "dirty_share": dirty_share,
        "window_start": str(fmt.dates(np.array([window.start_day]))[0]),
        "window_end": str(fmt.dates(np.array([window.end_day]))[0]),
    }
    summary = GenerationSummary(params=params, rows=rows, dirty_records=dirty_records, out_dir=out_dir)
    (out_dir / GENERATION_FILE).write_text(
        json.dumps(
            {
                "params": params,
                "rows": rows,
                "dirty_records": {k: sum(r["kind"] == k for r in dirty_records) for k in DIRTY_KINDS},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return summary
