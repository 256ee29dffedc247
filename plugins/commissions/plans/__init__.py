"""Compensation plans as code: YAML files in `plans/`, validated, published to the `plans` schema.

schema.py   what a plan file may say and the rules it must keep (pydantic models)
loader.py   read and validate a folder of plan files; every problem with file and field path
tables.py   publish validated plans to the warehouse in one transaction, with a ledger row
cli.py      `commissions plans validate|publish`

dbt owns the maths; this package only checks and publishes the plan terms.
"""

from __future__ import annotations

import os
from pathlib import Path

from commissions.config import paths


def plans_dir() -> Path:
    """The plan folder: `COMMISSIONS_PLANS_DIR`, else `plans/` at the repository root."""
    return Path(os.environ.get("COMMISSIONS_PLANS_DIR", paths().repo_root / "plans"))
