"""`commissions run` generates demo data only on a first run: an empty landing folder on a
warehouse that has never loaded anything. Afterwards it re-computes from what is loaded."""

from __future__ import annotations

from pathlib import Path

from commissions import pipeline, warehouse
from commissions.first_run import prepare_run, warehouse_loads

SMALL = {"reps": 3, "months": 1, "seed": 3, "end_month": "2026-09", "dirty_share": 0.0}


def test_the_demo_is_generated_once_then_the_run_recomputes_from_the_warehouse(
    db: warehouse.Warehouse, isolated_home: Path
) -> None:
    landing = isolated_home / "landing"
    assert warehouse_loads(db).empty
    said = prepare_run(db, landing, **SMALL)
    assert said[0].startswith(f"first run: landing folder {landing} and the warehouse are empty: generated demo")
    assert (landing / "crm" / "opportunities.csv").exists()

    said = prepare_run(db, landing, **SMALL)
    assert said == [
        f"landing folder {landing}: {len(list(landing.glob('*/*.*')))} files to load on top of what the warehouse holds"
    ]

    for system in ("crm", "billing", "hr"):
        pipeline.load_system(db, system, "first", landing=landing)  # archives the files: landing is empty again
    assert not list(landing.glob("*/*.*"))
    loads = warehouse_loads(db)
    assert not loads.empty and loads.latest_batch == "first" and "raw_crm.opportunities" in loads.tables_with_rows

    said = prepare_run(db, landing, **SMALL)
    assert len(said) == 1 and "already holds data" in said[0] and "no demo data generated" in said[0], said
    assert not list(landing.glob("*/*.*")), "no second demo on top of the first"
