"""`commissions`: the command line for the data team, finance and ops.

commissions run                     the nightly DAG through Airflow on demo data (make run)
commissions generate --out DIR      demo source exports
commissions load / validate / dbt / export   one stage at a time, outside Airflow
commissions period status|approve   the pay periods' close: their state; approve one for export
commissions explain --employee ID --period YYYY-MM   how one payout was derived, line by line
commissions bench --scale medium    stage timings at a scale (make bench)
commissions plans validate|publish  check the plan files in plans/ and load them into the warehouse
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import redirect_stdout
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from commissions import warehouse
    from commissions.local_airflow import DagRunOutcome

os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

log = logging.getLogger("commissions")


def _quiet_libraries() -> None:
    for noisy in ("great_expectations", "pgserver", "airflow", "cosmos", "dbt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _resolve_quietly() -> warehouse.Warehouse:
    """The warehouse, for a command whose stdout is its answer (a URL, an explanation).

    Resolving it may import Airflow (to look for its `warehouse` connection) and start the
    embedded server; Airflow's logging then prints warnings on stdout: they go to stderr.
    """
    from commissions import warehouse

    with redirect_stdout(sys.stderr):
        return warehouse.resolve()


def cmd_generate(args: argparse.Namespace) -> int:
    from commissions_tools.demo.generate import generate

    summary = generate(
        Path(args.out),
        reps=args.reps,
        months=args.months,
        seed=args.seed,
        end_month=args.end_month,
        dirty_share=args.dirty_share,
    )
    print(summary.render())
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from commissions import load, pipeline, warehouse
    from commissions.config import paths

    systems = ["crm", "billing", "hr"] if args.system == "all" else [args.system]
    batch_id = args.batch_id or f"manual_{date.today():%Y%m%d}"
    wh, landing = warehouse.resolve(), paths().landing
    failed = False
    for system in systems:
        try:
            loaded = pipeline.load_system(wh, system, batch_id, landing=landing, archive=not args.keep_files)
            for result in loaded.files:
                print(f"{result.table:40} {result.status:24} rows={result.rows_in_file} new={result.rows_inserted}")
        except load.LoadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from commissions import pipeline, warehouse
    from commissions.quality.gate import QualityGateBlocked

    wh = warehouse.resolve()
    try:
        result = pipeline.run_gate(wh, args.label)
    except QualityGateBlocked as exc:
        print(f"blocked: {exc}", file=sys.stderr)
        if args.data_docs and exc.result:
            _data_docs(wh, exc.result.gate_run_id)
        return 2
    print(result.summary())
    if args.data_docs:
        _data_docs(wh, result.gate_run_id)
    return 0


def _data_docs(wh: warehouse.Warehouse, gate_run_id: str) -> None:
    """GX Data Docs of the data the gate just judged: rendered on request, outside the gate."""
    from commissions.quality.gx_run import build_data_docs

    index = build_data_docs(wh, gate_run_id)
    print(f"data docs: {index}" if index else "data docs: GX rendered no index")


def cmd_dbt(args: argparse.Namespace) -> int:
    from commissions import pipeline, warehouse
    from commissions.dbt_runner import DbtError
    from commissions.plans import plans_dir
    from commissions.plans.loader import PlanError

    wh = warehouse.resolve()
    # dbt reads the plans from the warehouse: publish the plan files it is run with.
    try:
        pipeline.publish_plans(wh, plans_dir())
    except PlanError as exc:
        print(f"error: {exc}\nnothing was published; dbt not run", file=sys.stderr)
        return 1
    try:
        pipeline.run_models(wh, args.dbt_args or ["build"])
    except DbtError as exc:
        print(f"dbt failed: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import getpass

    from commissions import pipeline
    from commissions.close.lifecycle import PeriodStateError
    from commissions.config import paths
    from commissions.export.payroll import ExportError
    from commissions.periods import PeriodError

    wh = _resolve_quietly()
    pipeline.prepare_warehouse(wh)
    try:
        exported = pipeline.export_payroll(
            wh, args.period, payroll_dir=paths().payroll_exports, by=f"{getpass.getuser()} (commissions export)"
        )
    except (ExportError, PeriodStateError, PeriodError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(exported.summary())
    print(f"manifest: {exported.manifest_path}")
    return 0


class _Progress:
    """One line per task as it finishes. The dbt model and test tasks report on the one dbt
    build and finish together right after it: they are counted, and only failures listed."""

    MARKS: ClassVar[dict[str, str]] = {
        "success": "ok",
        "failed": "FAILED",
        "upstream_failed": "not run",
        "skipped": "skipped",
    }

    def __init__(self) -> None:
        self.dbt_reported = 0
        self.dbt_summarised = False

    def __call__(self, finished: list, unfinished: set[str]) -> None:
        for t in finished:
            is_node = t.is_dbt and "producer_watcher" not in t.task_id
            if is_node and t.state == "success":
                self.dbt_reported += 1
                continue
            if is_node and t.state == "upstream_failed":
                continue
            took = f"{t.seconds:6.1f}s" if t.seconds is not None else " " * 7
            name = "dbt build (dbt.dbt_producer_watcher)" if t.task_id == "dbt.dbt_producer_watcher" else t.task_id
            print(f"  {took}  {self.MARKS.get(t.state, t.state):8} {name}", flush=True)
        dbt_pending = any(task_id.startswith("dbt.") for task_id in unfinished)
        if self.dbt_reported and not dbt_pending and not self.dbt_summarised:
            self.dbt_summarised = True
            print(f"  {'':7}  {'ok':8} {self.dbt_reported} dbt model, seed and test tasks", flush=True)


def _print_failure(outcome: DagRunOutcome) -> None:
    print(f"\nthe run failed (exit {outcome.returncode}); full log: {outcome.log_path}", file=sys.stderr)
    messages = {f.task_id: f.message for f in outcome.task_failures}
    failed = outcome.failed_tasks
    if failed:
        print("failed tasks:", file=sys.stderr)
    for task in failed:
        print(f"  {task.task_id} (try {task.try_number})", file=sys.stderr)
        for line in (messages.get(task.task_id) or "").strip().splitlines()[:30]:
            print(f"      {line}", file=sys.stderr)
    if outcome.dbt_failures:
        print("dbt models and tests that failed (run_results.json):", file=sys.stderr)
        for failure in outcome.dbt_failures:
            print(f"  - {failure.describe()}", file=sys.stderr)
    not_run = [t.task_id for t in outcome.tasks if t.state == "upstream_failed" and not t.is_dbt]
    if not_run:
        print(f"not run because of it: {', '.join(sorted(not_run))}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from commissions import warehouse
    from commissions.config import paths
    from commissions.first_run import prepare_run
    from commissions.local_airflow import DAG_ID, run_dag
    from commissions.run_lock import RunLockHeld, hold_run_lock
    from commissions.run_summary import render_run_summary
    from commissions.tasks import resolve_period

    p = paths()
    wh = warehouse.resolve()
    print(f"warehouse: {wh.describe()}")
    period = resolve_period(args.period, date.today())
    logical_date = date.today().isoformat()
    try:
        with hold_run_lock(wh, f"{period} at {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"):
            for line in prepare_run(
                wh,
                p.landing,
                reps=args.reps,
                months=args.months,
                seed=args.seed,
                end_month=args.period,
                dirty_share=args.dirty_share,
            ):
                print(line)
            print(f"running DAG {DAG_ID} through Airflow for pay period {period}; tasks as they finish:", flush=True)
            if args.approve_by:
                print(f"the period is approved unattended in this run, as {args.approve_by!r}, once calculated")
            elif args.ask_finance:
                print("approve_period waits for finance's answer (Required actions, or the HITL API of an api-server)")
            outcome = run_dag(
                wh,
                logical_date,
                period,
                on_progress=_Progress(),
                approved_by=args.approve_by,
                ask_finance=args.ask_finance,
            )
    except RunLockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Airflow log of this run: {outcome.log_path}")
    if not outcome.succeeded:
        _print_failure(outcome)
        return 1
    print(render_run_summary(wh, period, outcome.log_path, run_id=outcome.batch_id))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from commissions.explain import ExplainError, console, explain_payout, payout_renderables
    from commissions.periods import parse_period

    try:
        period = f"{parse_period(args.period):%Y-%m}"
        wh = _resolve_quietly()
        if sys.stdout.isatty():  # bold headings on a terminal; plain, stable text anywhere else
            console(color=True).print(*payout_renderables(args.employee, period, wh, exact=args.exact))
        else:
            print(explain_payout(args.employee, period, wh, exact=args.exact))
    except (ExplainError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from commissions_tools.bench import run_benchmark

    print(run_benchmark(args.scale, seed=args.seed, night=not args.no_night))
    return 0


def cmd_warehouse(args: argparse.Namespace) -> int:
    from commissions import warehouse

    if args.action == "url":
        wh = _resolve_quietly()
        print(wh.sqlalchemy_url if args.sqlalchemy else wh.url)
    elif args.action == "stop":
        stopped = warehouse.stop_embedded()
        print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def _add_run_parser(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run the nightly DAG through Airflow (demo data if landing is empty)")
    run.add_argument("--period", help="pay period YYYY-MM (default: latest closed month)")
    run.add_argument("--reps", type=int, default=40)
    run.add_argument("--months", type=int, default=12)
    run.add_argument("--seed", type=int, default=42)
    run.add_argument("--dirty-share", type=float, default=0.005)
    run.add_argument(
        "--approve-by",
        metavar="NAME",
        help="approve the calculated period unattended as NAME, so the run exports it (make run: 'make run (demo)'); "
        "default: it waits for finance (commissions period approve)",
    )
    run.add_argument(
        "--ask-finance",
        action="store_true",
        help="without --approve-by: approve_period waits for finance's Approve/Reject in the Airflow UI "
        "(an `airflow api-server` on this run's Airflow home answers it); default: nobody is asked",
    )
    run.set_defaults(func=cmd_run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commissions", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write demo CRM, billing and HR exports")
    gen.add_argument("--out", required=True, help="landing folder to write crm/, billing/, hr/ into")
    gen.add_argument("--reps", type=int, default=40)
    gen.add_argument("--months", type=int, default=12)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--end-month", help="last month of the window, YYYY-MM (default: latest closed month)")
    gen.add_argument(
        "--dirty-share",
        type=float,
        default=0.005,
        help="share of opportunities with injected data problems (default 0.005)",
    )
    gen.set_defaults(func=cmd_generate)

    ld = sub.add_parser("load", help="load landing files into raw tables (COPY)")
    ld.add_argument("--system", choices=["crm", "billing", "hr", "all"], default="all")
    ld.add_argument("--batch-id")
    ld.add_argument("--keep-files", action="store_true", help="do not move loaded files to the archive")
    ld.set_defaults(func=cmd_load)

    val = sub.add_parser("validate", help="run the data-quality gate")
    val.add_argument("--label", default="manual")
    val.add_argument(
        "--data-docs",
        action="store_true",
        help="then render GX Data Docs (var/data_docs/) of the same data; not part of the nightly gate",
    )
    val.set_defaults(func=cmd_validate)

    dbt = sub.add_parser("dbt", help="run dbt against the resolved warehouse, e.g. commissions dbt build")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)

    exp = sub.add_parser("export", help="write the payroll file of a pay period")
    exp.add_argument("--period", required=True, help="YYYY-MM")
    exp.set_defaults(func=cmd_export)

    _add_run_parser(sub)

    explain = sub.add_parser("explain", help="print how one person's payout for a period was derived")
    explain.add_argument("--employee", required=True, help="HR employee id")
    explain.add_argument("--period", required=True, help="pay period YYYY-MM")
    explain.add_argument(
        "--exact",
        action="store_true",
        help="every digit the marts keep (default: amounts to the cent, rates to 4 digits)",
    )
    explain.set_defaults(func=cmd_explain)

    bench = sub.add_parser("bench", help="time each stage at a scale")
    bench.add_argument("--scale", default="small", help="small, medium, large, or REPSxMONTHS (e.g. 1000x24)")
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--no-night", action="store_true", help="time the full run only, without the night after it")
    bench.set_defaults(func=cmd_bench)

    wh = sub.add_parser("warehouse", help="the resolved warehouse: print its URL or stop the embedded server")
    wh.add_argument("action", choices=["url", "stop"])
    wh.add_argument(
        "--sqlalchemy",
        action="store_true",
        help="url: the postgresql+psycopg2:// form (default: the libpq one, for psql)",
    )
    wh.set_defaults(func=cmd_warehouse)

    from commissions.close.cli import register as register_period
    from commissions.plans.cli import register as register_plans

    register_plans(sub)
    register_period(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not args.verbose:
        _quiet_libraries()
    command: Callable[[argparse.Namespace], int] = args.func
    return command(args)


if __name__ == "__main__":
    sys.exit(main())
