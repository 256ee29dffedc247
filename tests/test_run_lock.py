"""Runs and loads at once on the same warehouse (issue 13, item 6), on the real embedded
PostgreSQL: a second run fails at once naming the run that holds the lock; a run that dies
releases it; two loads of the same file at once load it once."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_load import USERS_HEADER, _rows, _write

from commissions import load
from commissions.run_lock import RunLockHeld, hold_run_lock


def test_a_second_run_fails_naming_the_run_that_holds_the_warehouse(db) -> None:
    with hold_run_lock(db, "2026-11 at 2026-12-08T01:00:00Z"):
        with pytest.raises(RunLockHeld) as held, hold_run_lock(db, "2026-11 at 2026-12-08T01:05:00Z"):
            pytest.fail("two runs held the warehouse at once")
        message = str(held.value)
        assert "run '2026-11 at 2026-12-08T01:00:00Z', started" in message, message
        assert "Wait for it to end" in message
    # released with the block: the next run goes
    with hold_run_lock(db, "2026-11 at 2026-12-08T01:10:00Z"):
        pass


def test_a_run_that_dies_releases_the_lock(db) -> None:
    """A killed process holds nothing: the lock goes with its connection."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from commissions import warehouse\n"
            "from commissions.run_lock import hold_run_lock\n"
            f"wh = warehouse.parse_url({db.url!r})\n"
            "with hold_run_lock(wh, 'doomed'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLockHeld, match="run 'doomed'"), hold_run_lock(db, "second"):
            pass
    finally:
        holder.kill()
        holder.wait()
    for _ in range(50):  # the server notices the closed connection within moments
        try:
            with hold_run_lock(db, "after the crash"):
                return
        except RunLockHeld:
            threading.Event().wait(0.1)
    pytest.fail("the dead run's lock was never released")


def test_two_loads_of_the_same_file_at_once_load_it_once(db, isolated_home, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    rows = "".join(f"U{i},E{i},P {i},p{i}@x.com,AE,true,2026-01-01T00:00:00Z\n" for i in range(1, 2001))
    _write(landing, "crm", "users.csv", USERS_HEADER + rows)
    outcomes: list[object] = []

    def one_load(batch: str) -> None:
        try:
            outcomes.append(load.load_system("crm", batch, landing=landing, wh=db))
        except Exception as exc:
            outcomes.append(exc)

    loads = [threading.Thread(target=one_load, args=(batch,)) for batch in ("b1", "b2")]
    for thread in loads:
        thread.start()
    for thread in loads:
        thread.join()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    statuses = sorted(r.status for result in outcomes for r in result if r.table == "raw_crm.users")  # type: ignore[attr-defined]
    assert statuses == ["loaded", "missing"]
    assert _rows(db, "select count(*), count(distinct user_id) from raw_crm.users") == [(2000, 2000)]
