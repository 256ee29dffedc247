"""One run at a time per warehouse: a PostgreSQL advisory lock held by `commissions run`.

Two runs writing the same warehouse at once would interleave loads, gates and builds, and
the second would fail somewhere in the middle with no reason given. The lock is a session
advisory lock on a connection that lives as long as the run, named after the run
(`application_name`), so a second run fails at once with a message naming the run that
holds it and since when; a run that dies releases it with its connection, so a crash
never leaves the warehouse locked. Inside Airflow the DAG's `max_active_runs=1` keeps
scheduled runs apart; the loader also takes a lock per raw table (load.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

from commissions import warehouse

#: The advisory lock's key: one per warehouse database ('comm' in ASCII).
RUN_LOCK_KEY = 0x636F6D6D
APPLICATION_PREFIX = "commissions run "


class RunLockHeld(RuntimeError):
    """Another run holds the warehouse."""


@contextmanager
def hold_run_lock(wh: warehouse.Warehouse, run_label: str) -> Iterator[None]:
    """Hold the warehouse's run lock for the block, or raise RunLockHeld naming the holder."""
    conn = psycopg2.connect(wh.libpq_dsn, application_name=(APPLICATION_PREFIX + run_label)[:63])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK_KEY,))
            (acquired,) = warehouse.one_row(cur)
            if not acquired:
                raise RunLockHeld(_holder_message(cur, wh))
        try:
            yield
        finally:
            with conn.cursor() as cur:
                cur.execute("select pg_advisory_unlock(%s)", (RUN_LOCK_KEY,))
    finally:
        conn.close()


def _holder_message(cur: psycopg2.extensions.cursor, wh: warehouse.Warehouse) -> str:
    # a bigint advisory key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits)
    cur.execute(
        "select activity.application_name, activity.backend_start, activity.pid "
        "from pg_locks as locks inner join pg_stat_activity as activity using (pid) "
        "where locks.locktype = 'advisory' and locks.granted and locks.objsubid = 1 "
        "and locks.classid = 0 and locks.objid = %s and locks.database = "
        "(select oid from pg_database where datname = current_database())",
        (RUN_LOCK_KEY,),
    )
    holder = cur.fetchone()
    if holder is None:
        return f"another run holds the warehouse {wh.describe()} (it ended as this one asked: try again)"
    name, since, pid = holder
    run = name.removeprefix(APPLICATION_PREFIX) if name.startswith(APPLICATION_PREFIX) else name or "unnamed"
    return (
        f"another run holds the warehouse {wh.describe()}: run {run!r}, started {since:%Y-%m-%d %H:%M:%S %Z} "
        f"(server process {pid}). Wait for it to end; a run that died has released the lock with its "
        "connection, so a lock that stays held is a run still going."
    )
