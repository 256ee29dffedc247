"""`make bench SCALE=...`: generate data at a scale, run each stage, print seconds per stage.

Runs the stages in this process, outside Airflow, so the numbers are the work itself
and not scheduler overhead. Uses its own database `bench_<scale>` on the resolved
warehouse (dropped and recreated) and its own landing folder under var/bench/, so it
never touches the data of `make run`.
"""

from __future__ import annotations

import re
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.extensions

from commissions import warehouse
from commissions.config import paths

SCALES = {"small": (40, 12), "medium": (200, 24), "large": (1000, 24)}


@dataclass
class Stage:
    name: str
    seconds: float
    detail: str


def parse_scale(scale: str) -> tuple[int, int]:
    if scale in SCALES:
        return SCALES[scale]
    match = re.fullmatch(r"(\d+)x(\d+)", scale)
    if not match:
        raise ValueError(f"scale {scale!r}: use small, medium, large or REPSxMONTHS such as 1000x24")
    return int(match[1]), int(match[2])


def _fresh_database(admin: warehouse.Warehouse, name: str) -> warehouse.Warehouse:
    conn = psycopg2.connect(admin.libpq_dsn)
    try:
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
    finally:
        conn.close()
    return warehouse.ensure_database(admin, name)


def _timed(stages: list[Stage], name: str, work: Callable[[], Any], describe: Callable[[Any], str]) -> Any:
    start = time.perf_counter()
    result = work()
    stages.append(Stage(name, time.perf_counter() - start, describe(result)))
    return result


def run_benchmark(scale: str, seed: int = 7) -> str:
    from commissions import load
    from commissions.dbt_runner import run_dbt
    from commissions.demo.generate import generate
    from commissions.export.payroll import export_period
    from commissions.plans.tables import publish_folder
    from commissions.quality.gate import run_gate

    reps, months = parse_scale(scale)
    label = scale if scale in SCALES else f"{reps}x{months}"
    workdir = paths().home / "bench" / label
    shutil.rmtree(workdir, ignore_errors=True)
    landing = workdir / "landing"
    db = _fresh_database(warehouse.resolve(), f"bench_{label}")
    stages: list[Stage] = []

    summary = _timed(
        stages,
        "generate",
        lambda: generate(landing, reps=reps, months=months, seed=seed),
        lambda s: f"{sum(s.rows.values()):,} rows in {len(s.rows)} files",
    )
    for system in ("crm", "billing", "hr"):
        _timed(
            stages,
            f"load {system}",
            lambda system=system: load.load_system(system, "bench", landing=landing, archive=False, wh=db),
            lambda r: f"{sum(f.rows_inserted for f in r):,} rows COPYed",
        )
    gate = _timed(
        stages,
        "validate",
        lambda: run_gate(db, run_label="bench"),
        lambda g: f"{g.status}, {g.quarantined_rows:,} rows quarantined",
    )
    _timed(stages, "publish plans", lambda: publish_folder(wh=db), lambda p: f"{len(p.plan_ids)} plans")
    _timed(stages, "dbt build", lambda: run_dbt(["build"], wh=db), lambda _: "models, seeds, tests")
    end_month = summary.params["end_month"]
    _timed(
        stages,
        "export",
        lambda: export_period(end_month, wh=db, out_dir=workdir / "exports"),
        lambda e: f"{e.row_count} payroll lines for {e.period}",
    )

    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        "",
        f"benchmark {label}: {reps} reps x {months} months, seed {seed}, on {db.describe()}",
        "",
        "| source table | rows |",
        "|---|---:|",
    ]
    rows += [f"| {name} | {count:,} |" for name, count in summary.rows.items()]
    rows += ["", "| stage | seconds | what |", "|---|---:|---|"]
    rows += [f"| {s.name} | {s.seconds:.1f} | {s.detail} |" for s in stages]
    rows.append(f"| total | {sum(s.seconds for s in stages):.1f} | |")
    rows += [
        "",
        f"peak memory of this process: {peak_self:,.0f} MiB (PostgreSQL's own memory is not included)",
        f"gate: {gate.gate_run_id}",
    ]
    return "\n".join(rows)
