"""The code style the project holds itself to (ruff and mypy, configured in pyproject.toml, and
sqlfluff on the dbt models, configured in .sqlfluff) is part of the suite, so a change that breaks
it fails `make test` rather than waiting for someone to run `make lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUFF = str(Path(sys.executable).with_name("ruff"))
MYPY = str(Path(sys.executable).with_name("mypy"))
SQLFLUFF = str(Path(sys.executable).with_name("sqlfluff"))
TARGETS = ["plugins", "tools", "dags", "tests"]
# The models and the singular tests; macros are Jinja that the models render (.sqlfluff loads them).
SQL_TARGETS = ["dbt_project/models", "dbt_project/tests"]


def test_ruff_check_is_clean() -> None:
    proc = subprocess.run([RUFF, "check", *TARGETS], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean() -> None:
    proc = subprocess.run([RUFF, "format", "--check", *TARGETS], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    """mypy on the packages named in pyproject's [tool.mypy]: the pipeline and the tools."""
    proc = subprocess.run([MYPY], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sqlfluff_is_clean() -> None:
    """sqlfluff on the models and singular tests, rendered by its jinja templater (no database)."""
    proc = subprocess.run(
        [SQLFLUFF, "lint", *SQL_TARGETS, "--processes", "2", "--disable-progress-bar", "--nocolor"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
