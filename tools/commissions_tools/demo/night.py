"""One night's CRM export after a demo window: the deals won and the deals corrected that day.

    summary = generate_night(Path("var/landing"), Path("var/night"), seed=7)

reads the opportunities of a generated landing folder (demo.generate) and writes, under
`out_dir/crm/opportunities.csv`, what a CRM's incremental export the night after the
window's last day holds:
- the deals won that day: as many as the window won on an average day, each a copy of a
  won deal of the window (same owner, account, currency, type) under a new id, closed
  on the window's last day (a day the window has quotas and FX rates for, so the night's
  deals are paid, not held; the month after the window has neither);
- the deals corrected that day: `changed_share` of the window's won deals with their
  amount changed by up to 10 % either way and stamped as modified that night.

Nothing else is in it, as in a real delta export: the loader keeps every earlier version
and the current state is the latest. Used by `make bench` to measure a night after a full
run (issue 11: the incremental night). The same arguments give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from commissions import contracts
from commissions_tools.demo.generate import GENERATION_FILE

WON = "Closed Won"


@dataclass(frozen=True)
class NightSummary:
    day: date
    won: int
    corrected: int
    out_file: Path


def _corrected_amount(amount: str, rng: random.Random) -> str:
    """The amount moved by -10 % to +10 %, in the same number of decimal places."""
    places = len(amount.partition(".")[2])
    factor = Decimal(rng.randint(900, 1100)) / 1000
    return str((Decimal(amount) * factor).quantize(Decimal(1).scaleb(-places)))


def _is_clean_won(row: dict[str, str]) -> bool:
    """A won deal the gate passes: the night's copies and corrections must not be quarantined."""
    amount = row["amount"]
    return row["stage"] == WON and bool(row["currency"]) and bool(amount) and not amount.startswith("-")


def generate_night(landing: Path, out_dir: Path, *, seed: int = 7, changed_share: float = 0.0004) -> NightSummary:
    table = contracts.table("crm.opportunities")
    params = json.loads((landing / GENERATION_FILE).read_text(encoding="utf-8"))["params"]
    window_start = date.fromisoformat(params["window_start"])
    day = date.fromisoformat(params["window_end"])
    with (landing / table.system / table.file_name).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or ())
        rows = list(reader)

    rng = random.Random(seed)
    ids = Counter(row["opportunity_id"] for row in rows)
    # a deal exported twice is a spoilt record the gate holds back: leave it as it is
    won = [row for row in rows if _is_clean_won(row) and ids[row["opportunity_id"]] == 1]
    won_per_day = max(1, round(len(won) / ((day - window_start).days + 1)))
    next_number = 1 + max(int(i.rpartition("-")[2]) for i in ids if i.rpartition("-")[2].isdigit())
    # the night's export: after every timestamp of the window's files (the last are stamped
    # early on the day after the window)
    stamp = f"{(day + timedelta(days=1)).isoformat()}T03:00:00+00:00"
    contract_start = (day.replace(day=1) + timedelta(days=32)).replace(day=1)

    night: list[dict[str, str]] = []
    for template in rng.sample(won, won_per_day):
        deal_id = f"OPP-{next_number:08d}"
        next_number += 1
        night.append(
            template
            | {
                "opportunity_id": deal_id,
                "opportunity_name": f"{template['opportunity_name']} ({deal_id})",
                "close_date": day.isoformat(),
                "contract_start_date": contract_start.isoformat(),
                "created_at": f"{day.isoformat()}T08:00:00+00:00",
                "last_modified_at": stamp,
            }
        )
    corrected = rng.sample(won, max(1, round(len(won) * changed_share)))
    night += [row | {"amount": _corrected_amount(row["amount"], rng), "last_modified_at": stamp} for row in corrected]

    out_file = out_dir / table.system / table.file_name
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with out_file.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(night)
    return NightSummary(day=day, won=won_per_day, corrected=len(corrected), out_file=out_file)
