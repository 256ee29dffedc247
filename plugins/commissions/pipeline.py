"""The recipe: landing files -> raw (per source system) -> gate -> plans -> dbt -> period close
(calculated, approved) -> ledger and payroll file.

Every caller runs the stages through these functions: the DAG's task bodies
(`commissions.tasks`, which adds only Airflow's no-retry failures), the CLI's one-stage
commands, the bench and the tests. Each stage takes the warehouse and the folders it
reads or writes explicitly and returns what it did; none of them resolves a warehouse
or a folder of its own accord. `run_all` runs them in order in this process (the
bench, the scenario tests); the nightly DAG runs the same stages as tasks, with dbt
as one Cosmos task per model.

A stage fails with the exception of its family, which names what to fix:
`load.LoadError` (a file does not match its contract), `QualityGateBlocked` (a blocking
data problem; everything is recorded first), `PlanError` (an invalid plan file, nothing
published), `DbtError` (the failing nodes), `PeriodStateError` (a period not in the state
the step needs: approving one not calculated; `PeriodNotApproved`, also an `ExportError`,
exporting one not approved), `ExportError` (no payroll mart to export).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from commissions import load, warehouse
from commissions.close.lifecycle import PIPELINE
from commissions.contracts import SYSTEMS
from commissions.raw_schema import ensure_warehouse_objects

if TYPE_CHECKING:
    # Imported where used: the DAG file imports this module (through tasks) at every parse,
    # and the gate, plans and dbt modules pull in pydantic, YAML and more.
    from commissions.close.lifecycle import Calculation, Transition
    from commissions.dbt_runner import DbtRun
    from commissions.export.payroll import PayrollExport
    from commissions.plans.tables import PlanPublication
    from commissions.quality.gate import GateResult

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class SystemLoad:
    """The landing files of one source system, as the loader left them."""

    system: str
    files: tuple[load.FileLoad, ...]

    @property
    def rows_inserted(self) -> int:
        return sum(f.rows_inserted for f in self.files)


def prepare_warehouse(wh: warehouse.Warehouse) -> None:
    """Create the schemas and tables the stages write to (raw, load ledger, dq, close); idempotent."""
    with warehouse.connect(wh) as conn:
        ensure_warehouse_objects(conn)


def load_system(
    wh: warehouse.Warehouse, system: str, batch_id: str, *, landing: Path, archive: bool = True
) -> SystemLoad:
    """COPY every file of `landing/<system>/` into raw, stamped with `batch_id`; loaded files
    move to the archive unless `archive` is false. Raises load.LoadError naming each bad file."""
    return SystemLoad(system, tuple(load.load_system(system, batch_id, landing=landing, archive=archive, wh=wh)))


def run_gate(wh: warehouse.Warehouse, run_label: str) -> GateResult:
    """Validate every raw table, record results and quarantine; raises QualityGateBlocked."""
    from commissions.quality import gate

    return gate.run_gate(wh, run_label=run_label)


def publish_plans(wh: warehouse.Warehouse, plans_dir: Path) -> PlanPublication:
    """Validate every plan file of `plans_dir` and publish them for dbt; raises PlanError."""
    from commissions.plans.tables import publish_folder

    return publish_folder(plans_dir, wh)


def run_models(wh: warehouse.Warehouse, dbt_args: Sequence[str] = ("build",)) -> DbtRun:
    """`dbt <dbt_args>` on `wh`; raises DbtError. The default, `build` with no selection, is the
    nightly build: dbt's default selector (dbt_project/selectors.yml) builds every seed and
    model and runs its data tests, not the unit tests, which `make test` runs."""
    from commissions.dbt_runner import run_dbt

    return run_dbt(dbt_args, wh=wh)


def record_calculation(wh: warehouse.Warehouse, period: str, *, run_id: str | None) -> Calculation:
    """After a successful dbt build: the run's period is calculated, with its totals; a calculated or
    approved period whose lines changed is calculated again (an approval of it is void)."""
    from commissions.close.lifecycle import record_calculation

    return record_calculation(wh, period, run_id=run_id)


def approve_period(wh: warehouse.Warehouse, period: str, by: str, *, run_id: str | None = None) -> Transition:
    """Approve a calculated period's figures (the unattended path; finance's is `commissions period
    approve`); raises PeriodStateError for a period in any other state."""
    from commissions.close.lifecycle import approve

    return approve(wh, period, by, run_id=run_id)


def export_payroll(
    wh: warehouse.Warehouse, period: str, *, payroll_dir: Path, by: str, run_id: str | None = None
) -> PayrollExport:
    """Book an approved period in the ledger and write `payroll_dir/<period>/payroll_<period>.csv` and
    its manifest from it; an exported period's file is reproduced from the ledger. Raises
    PeriodNotApproved (an ExportError) for a period not approved, ExportError otherwise."""
    from commissions.close.ledger import export_period

    return export_period(wh, period, out_dir=payroll_dir, by=by, run_id=run_id)


@dataclass(frozen=True)
class PipelineRun:
    """What `run_all` did, stage by stage, and the seconds each stage took (in run order)."""

    loads: tuple[SystemLoad, ...]
    gate: GateResult
    plans: PlanPublication
    dbt: DbtRun
    calculation: Calculation | None
    export: PayrollExport | None
    seconds: dict[str, float]


def _timed(seconds: dict[str, float], stage: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    seconds[stage] = time.perf_counter() - start
    log.info("%s: %.1f s", stage, seconds[stage])
    return result


def run_all(
    wh: warehouse.Warehouse,
    *,
    batch_id: str,
    landing: Path,
    plans_dir: Path,
    period: str | None = None,
    payroll_dir: Path | None = None,
    approved_by: str | None = None,
    archive: bool = True,
) -> PipelineRun:
    """Run every stage in order in this process: load each system, gate, publish plans, dbt build,
    and, given a `period` and a `payroll_dir`, the period close: the period is calculated, approved
    as `approved_by` (unattended) when that names someone and the period is calculated, and exported
    (or, exported before, reproduced from the ledger). Stops at the first stage that fails, an
    export refused for a period not approved included."""
    if (period is None) != (payroll_dir is None):
        raise ValueError("the export needs both a period and a payroll folder (or neither, to skip it)")
    seconds: dict[str, float] = {}
    loads = tuple(
        _timed(seconds, f"load {system}", partial(load_system, wh, system, batch_id, landing=landing, archive=archive))
        for system in SYSTEMS
    )
    gate = _timed(seconds, "validate", partial(run_gate, wh, batch_id))
    plans = _timed(seconds, "publish plans", partial(publish_plans, wh, plans_dir))
    dbt = _timed(seconds, "dbt build", partial(run_models, wh))
    calculation, exported = None, None
    if period is not None and payroll_dir is not None:
        calculation = _timed(seconds, "period close", partial(record_calculation, wh, period, run_id=batch_id))
        if approved_by and calculation.state == "calculated":
            approve_period(wh, period, approved_by, run_id=batch_id)
        exported = _timed(
            seconds,
            "export",
            partial(export_payroll, wh, period, payroll_dir=payroll_dir, by=PIPELINE, run_id=batch_id),
        )
    return PipelineRun(loads, gate, plans, dbt, calculation, exported, seconds)
