"""What `commissions run` starts from: the landing files, what the warehouse already holds, or demo data.

Demo exports are generated only on a first run: an empty landing folder *and* a
warehouse that has never loaded anything (no file in the load ledger
raw_meta.loaded_files, no row in any raw table). Once anything is loaded, a run with
an empty landing folder re-computes from what is loaded: a second demo on top of the
first would repeat every record under new batch stamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from commissions import warehouse
from commissions.contracts import SOURCE_TABLES


@dataclass(frozen=True)
class WarehouseLoads:
    """What the warehouse has loaded so far: files in the load ledger and raw tables with rows."""

    files: int
    latest_batch: str | None
    tables_with_rows: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return self.files == 0 and not self.tables_with_rows


def warehouse_loads(wh: warehouse.Warehouse) -> WarehouseLoads:
    """Read the load ledger and the raw tables; a warehouse never loaded has neither."""
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('raw_meta.loaded_files') is not null")
        (has_ledger,) = warehouse.one_row(cur)
        files: int = 0
        latest_batch: str | None = None
        if has_ledger:
            cur.execute("select count(*), (array_agg(batch_id order by loaded_at desc))[1] from raw_meta.loaded_files")
            files, latest_batch = warehouse.one_row(cur)
        with_rows: list[str] = []
        for table in SOURCE_TABLES:
            cur.execute("select to_regclass(%s) is not null", (table.qualified_name,))
            (exists,) = warehouse.one_row(cur)
            if exists:
                cur.execute(f"select exists (select 1 from {table.qualified_name})")
                if warehouse.one_row(cur)[0]:
                    with_rows.append(table.qualified_name)
    return WarehouseLoads(files=files, latest_batch=latest_batch, tables_with_rows=tuple(with_rows))


def landing_files(landing: Path) -> list[Path]:
    """The export files waiting in the landing folder (one folder per source system)."""
    return sorted(path for path in landing.glob("*/*.*") if path.is_file())


def prepare_run(
    wh: warehouse.Warehouse,
    landing: Path,
    *,
    reps: int,
    months: int,
    seed: int,
    end_month: str | None,
    dirty_share: float,
) -> list[str]:
    """Decide what the run starts from, generating the demo on a first run; return what to print.

    The first line says which case applies: files in landing, an empty landing folder on
    a warehouse that holds data, or a first run on an empty one (then the demo's summary follows).
    """
    waiting = landing_files(landing)
    if waiting:
        return [f"landing folder {landing}: {len(waiting)} files to load on top of what the warehouse holds"]
    loads = warehouse_loads(wh)
    if not loads.empty:
        held = f"{loads.files} files loaded, latest batch {loads.latest_batch}" if loads.files else "raw rows"
        return [
            f"landing folder {landing} is empty and the warehouse already holds data ({held}): "
            "re-computing from what is loaded, no demo data generated"
        ]
    from commissions_tools.demo.generate import generate

    summary = generate(landing, reps=reps, months=months, seed=seed, end_month=end_month, dirty_share=dirty_share)
    return [
        f"first run: landing folder {landing} and the warehouse are empty: generated demo exports "
        f"({reps} reps x {months} months, seed {seed})",
        summary.render(),
    ]
