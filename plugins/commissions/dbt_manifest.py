"""The dbt manifest the DAG is rendered from, built by `dbt parse` when the project is installed.

Cosmos renders one Airflow task per dbt model from `dbt_project/target/manifest.json`
(`LoadMode.DBT_MANIFEST`), so parsing the DAG reads a JSON file and never starts dbt.
The manifest is a build product of the files under `dbt_project/`: beside it we keep a
fingerprint of those files (and of the dbt version that parsed them). `check()` compares
the fingerprint with the files as they are now and raises `DbtManifestError` naming the
command that rebuilds it, so a changed model can never silently run the old graph.

Build or refresh it with `make manifest` (part of `make install`, `make run` and
`make test`) or `python -m commissions.dbt_manifest`; `commissions run` refreshes a
stale one before it starts Airflow.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from commissions.config import paths

#: What builds the manifest, for error messages.
BUILD_COMMAND = "make manifest  (or: .venv/bin/python -m commissions.dbt_manifest)"
#: Folders of dbt_project/ that are dbt's output or downloads, not sources.
_NOT_SOURCES = frozenset({"target", "logs", "dbt_packages"})


class DbtManifestError(RuntimeError):
    """The dbt manifest is missing or older than the dbt project; the message says how to rebuild it."""


def manifest_path() -> Path:
    return paths().dbt_project / "target" / "manifest.json"


def fingerprint_path() -> Path:
    return manifest_path().with_name("manifest.sources.sha256")


def _source_files(project: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(project):
        rel_root = Path(root).relative_to(project)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in _NOT_SOURCES]
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(Path(root) / n for n in names if not n.startswith(".") and not n.endswith(".pyc"))
    return sorted(files)


def sources_fingerprint() -> str:
    """sha256 over every dbt source file's path and content, and the installed dbt-core version."""
    project = paths().dbt_project
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for path in _source_files(project):
        digest.update(str(path.relative_to(project)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def problem() -> str | None:
    """Why the manifest cannot be used as it is (missing or stale), or None if it is current."""
    manifest, stamp = manifest_path(), fingerprint_path()
    if not manifest.exists():
        return f"dbt manifest {manifest} is missing"
    if not stamp.exists() or stamp.read_text(encoding="utf-8").strip() != sources_fingerprint():
        return f"dbt manifest {manifest} is older than the files in {paths().dbt_project}"
    return None


def check() -> Path:
    """The manifest's path if it matches dbt_project/ as it is now; else DbtManifestError."""
    reason = problem()
    if reason:
        raise DbtManifestError(f"{reason}; the DAG is rendered from it. Build it with: {BUILD_COMMAND}")
    return manifest_path()


def build() -> Path:
    """Run `dbt parse` into dbt_project/target and record the fingerprint of what it parsed."""
    project = paths().dbt_project
    target = manifest_path().parent
    fingerprint = sources_fingerprint()  # before parsing: an edit during the parse makes it stale
    env = dict(os.environ)
    env.update(
        {
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_USE_COLORS": "False",
            "DO_NOT_TRACK": "1",
        }
    )
    command = [
        _dbt_executable(),
        "parse",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(paths().dbt_profiles_dir),
    ]
    fingerprint_path().unlink(missing_ok=True)
    proc = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not manifest_path().exists():
        output = (proc.stdout + proc.stderr)[-4000:]
        raise DbtManifestError(f"`dbt parse` failed (exit {proc.returncode}); the manifest was not built:\n{output}")
    fingerprint_path().write_text(fingerprint + "\n", encoding="utf-8")
    return manifest_path()


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"


def ensure() -> Path:
    """The current manifest, rebuilt first if it is missing or stale."""
    return manifest_path() if problem() is None else build()


def node_count() -> dict[str, int]:
    """Nodes in the manifest by resource type (for messages and tests)."""
    data = json.loads(manifest_path().read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for node in [*data.get("nodes", {}).values(), *data.get("unit_tests", {}).values()]:
        counts[node["resource_type"]] = counts.get(node["resource_type"], 0) + 1
    return counts


def main() -> int:
    try:
        reason = problem()
        if reason is None:
            print(f"dbt manifest is current: {manifest_path()}")
            return 0
        print(f"{reason}: running dbt parse")
        print(f"dbt manifest built: {build()}")
    except DbtManifestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
