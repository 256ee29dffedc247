"""`make bench SCALE=...`: generate data at a scale, run each stage, print seconds per stage.

Runs the stages in this process, outside Airflow, so the numbers are the work itself
and not scheduler overhead. Uses its own database `bench_<scale>` on the resolved
warehouse (dropped and recreated) and its own landing folder under var/bench/, so it
never touches the data of `make run`.
"""

from __future__ import annotations

import multiprocessing
import re
import resource
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from commissions import pipeline, warehouse
from commissions.config import paths

if TYPE_CHECKING:
    from commissions_tools.demo.night import NightSummary

T = TypeVar("T")

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


def _timed(stages: list[Stage], name: str, work: Callable[[], Any], describe: Callable[[Any], str]) -> Any:
    start = time.perf_counter()
    result = work()
    stages.append(Stage(name, time.perf_counter() - start, describe(result)))
    return result


def _floor_copy(db: warehouse.Warehouse, landing: Path) -> int:
    """PostgreSQL's floor for the same data: COPY every landing file into an unlogged table.

    CSV files go into tables typed by their contract; a JSON-lines file goes line by line
    into a one-column jsonb table (COPY cannot parse JSON objects into columns). No checks,
    no history, no lineage: the least any loader of these files has to do.
    """
    from commissions.contracts import SOURCE_TABLES

    rows = 0
    with warehouse.connect(db) as conn, conn.cursor() as cur:
        cur.execute("drop schema if exists bench_floor cascade; create schema bench_floor")
        for table in SOURCE_TABLES:
            path = landing / table.system / table.file_name
            if not path.exists():
                continue
            name = f"bench_floor.{table.system}_{table.name}"
            with path.open("rb") as fh:
                if table.file_format == "csv":
                    columns = ", ".join(f"{c.name} {c.pg_type}" for c in table.columns)
                    cur.execute(f"create unlogged table {name} ({columns})")
                    cur.copy_expert(f"copy {name} from stdin with (format csv, header true)", fh)
                else:
                    cur.execute(f"create unlogged table {name} (record jsonb)")
                    # text format with an escape-free delimiter and quote: one line, one value
                    cur.copy_expert(f"copy {name} from stdin with (format csv, delimiter e'\\x01', quote e'\\x02')", fh)
            rows += cur.rowcount
    return rows


#: The one aggregate of the floor: credited bookings to rep x month (revenue splits, else
#: the owner), through the CRM user to the HR employee.
FLOOR_AGGREGATE = """
    create unlogged table bench_floor.credited_bookings as
    select users.employee_number as employee_id,
           date_trunc('month', deals.close_date) as period_start,
           deals.currency,
           sum(deals.amount * coalesce(splits.split_percent, 100) * 0.01) as bookings
    from bench_floor.crm_opportunities as deals
    left join bench_floor.crm_opportunity_splits as splits
        on splits.opportunity_id = deals.opportunity_id and splits.split_type = 'Revenue'
    inner join bench_floor.crm_users as users
        on users.user_id = coalesce(splits.split_owner_user_id, deals.owner_user_id)
    where deals.stage = 'Closed Won'
    group by 1, 2, 3
"""


def _floor_aggregate(db: warehouse.Warehouse) -> int:
    with warehouse.connect(db) as conn, conn.cursor() as cur:
        cur.execute(FLOOR_AGGREGATE)
        return cur.rowcount


def _describe(run: pipeline.PipelineRun, stage: str) -> str:
    """What one stage of the run did, for the bench's table."""
    if stage.startswith("load "):
        loaded = next(s for s in run.loads if stage == f"load {s.system}")
        return f"{loaded.rows_inserted:,} rows COPYed"
    if stage == "validate":
        return f"{run.gate.status}, {run.gate.quarantined_rows:,} rows quarantined"
    if stage == "publish plans":
        return f"{len(run.plans.plan_ids)} plans"
    if stage == "dbt build":
        return ", ".join(f"{n} {status}" for status, n in sorted(run.dbt.statuses.items()))
    if stage == "export" and run.export:
        return f"{run.export.row_count} payroll lines for {run.export.period}"
    return ""


def gate_ratio(gate_seconds: float, load_seconds: float) -> str:
    """The gate against the load it checks (issue 11's target: at most 2x)."""
    ratio = gate_seconds / load_seconds if load_seconds else float("inf")
    verdict = "within" if ratio <= 2 else "over"
    return f"gate / load {gate_seconds:.1f} s / {load_seconds:.1f} s = {ratio:.2f}x ({verdict} the 2x target)"


def _share(part: float, whole: float | None) -> str:
    return f"{100 * part / whole:.0f} %" if whole else ""


def _in_child(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run the demo's generators in a child process: they hold whole tables in memory, and the
    peak memory the bench reports is the pipeline's, which must stay flat as the scale grows."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args, **kwargs).result()


def _night(
    db: warehouse.Warehouse, landing: Path, workdir: Path, seed: int
) -> tuple[pipeline.PipelineRun, NightSummary]:
    """The next night after the full run: one day's delta export, through the same recipe
    (issue 11's target: at most 10 % of the full run). No payroll file: that month is open."""
    from commissions.plans import plans_dir
    from commissions_tools.demo.night import generate_night

    night = _in_child(generate_night, landing, workdir / "night", seed=seed)
    run = pipeline.run_all(db, batch_id="bench-night", landing=workdir / "night", plans_dir=plans_dir(), archive=False)
    return run, night


def run_benchmark(scale: str, seed: int = 7, *, night: bool = True) -> str:
    """The floor, the full run stage by stage and, unless `night` is False, the night after
    it; a table of seconds and ratios. Without the night, the database is left as the full
    run made it (to compare its marts with another version's)."""
    from commissions.plans import plans_dir
    from commissions_tools.demo.generate import generate

    reps, months = parse_scale(scale)
    label = scale if scale in SCALES else f"{reps}x{months}"
    workdir = paths().home / "bench" / label
    shutil.rmtree(workdir, ignore_errors=True)
    landing = workdir / "landing"
    db = warehouse.recreate_database(warehouse.resolve(), f"bench_{label}")
    stages: list[Stage] = []

    summary = _timed(
        stages,
        "generate",
        lambda: _in_child(generate, landing, reps=reps, months=months, seed=seed),
        lambda s: f"{sum(s.rows.values()):,} rows in {len(s.rows)} files",
    )
    floor: list[Stage] = []
    _timed(floor, "floor: COPY into unlogged tables", lambda: _floor_copy(db, landing), lambda n: f"{n:,} rows")
    _timed(floor, "floor: credited bookings by rep x month", lambda: _floor_aggregate(db), lambda n: f"{n:,} rows")
    floor_seconds = sum(s.seconds for s in floor)
    # The same recipe as the nightly DAG and the tests, stage by stage in this process.
    run = pipeline.run_all(
        db,
        batch_id="bench",
        landing=landing,
        plans_dir=plans_dir(),
        period=summary.params["end_month"],
        payroll_dir=workdir / "exports",
        approved_by="bench (unattended)",  # its own database: the period is closed and exported
        archive=False,
    )
    stages += [Stage(name, seconds, _describe(run, name)) for name, seconds in run.seconds.items()]

    # a failed night must not lose the full run's figures: it is reported in their place
    night_run: pipeline.PipelineRun | None = None
    night_summary: NightSummary | None = None
    night_error = ""
    try:
        if night:
            night_run, night_summary = _night(db, landing, workdir, seed)
    except Exception as exc:
        night_error = str(exc)

    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        "",
        f"benchmark {label}: {reps} reps x {months} months, seed {seed}, on {db.describe()}",
        "",
        "| source table | rows |",
        "|---|---:|",
    ]
    rows += [f"| {name} | {count:,} |" for name, count in summary.rows.items()]
    run_seconds = sum(s.seconds for s in stages if s.name != "generate")
    rows += ["", "| stage | seconds | x floor | what |", "|---|---:|---:|---|"]
    rows += [f"| {s.name} | {s.seconds:.1f} | | {s.detail} |" for s in floor]
    rows.append(f"| floor | {floor_seconds:.1f} | 1.0 | PostgreSQL's own floor for the same files |")
    rows += [f"| {s.name} | {s.seconds:.1f} | {s.seconds / floor_seconds:.1f} | {s.detail} |" for s in stages]
    rows.append(f"| run (all but generate) | {run_seconds:.1f} | {run_seconds / floor_seconds:.1f} | |")
    if not night:
        rows += ["", "night after the full run: not run (--no-night)"]
    elif night_run is None or night_summary is None:
        rows += ["", f"night after the full run: failed: {night_error}"]
    else:
        night_seconds = sum(night_run.seconds.values())
        rows += [
            "",
            f"night of {night_summary.day}: {night_summary.won} deals won and {night_summary.corrected} corrected "
            f"(crm/opportunities.csv only), run after the full run on the same database:",
            "",
            "| night stage | seconds | % of the full run's stage |",
            "|---|---:|---:|",
        ]
        rows += [f"| {name} | {t:.1f} | {_share(t, run.seconds.get(name))} |" for name, t in night_run.seconds.items()]
        rows.append(f"| night (all stages) | {night_seconds:.1f} | {_share(night_seconds, run_seconds)} |")
    load_seconds = sum(seconds for name, seconds in run.seconds.items() if name.startswith("load "))
    rows += [
        "",
        f"peak memory of the pipeline (this process): {peak_self:,.0f} MiB; the demo generators ran in a child "
        "process and PostgreSQL's own memory is not included",
        f"gate: {run.gate.gate_run_id}; {gate_ratio(run.seconds['validate'], load_seconds)}",
    ]
    return "\n".join(rows)
