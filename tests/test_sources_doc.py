"""docs/sources.md documents every contract file and column, and nothing the contracts lack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commissions.contracts import LINEAGE_COLUMNS, SOURCE_TABLES, SourceTable

DOC = Path(__file__).resolve().parents[1] / "docs" / "sources.md"
HEADING = re.compile(r"^### (?P<system>\w+)/(?P<file>\S+)\s*$")


def _sections() -> dict[str, list[list[str]]]:
    """'crm/opportunities.csv' -> the cells of each row of the table under that heading."""
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            current = sections.setdefault(f"{heading['system']}/{heading['file']}", [])
        elif line.startswith("#"):
            current = None
        elif current is not None and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] != "column" and not set(cells[0]) <= set("-: "):
                current.append(cells)
    return sections


def test_every_contract_file_has_a_section_and_no_other() -> None:
    assert set(_sections()) == {f"{t.system}/{t.file_name}" for t in SOURCE_TABLES}


@pytest.mark.parametrize("table", SOURCE_TABLES, ids=lambda t: f"{t.system}.{t.name}")
def test_section_lists_exactly_the_contract_columns(table: SourceTable) -> None:
    rows = _sections()[f"{table.system}/{table.file_name}"]
    assert [r[0] for r in rows] == table.column_names
    for cells in rows:
        column = table.column(cells[0])
        name, pg_type, nullable, key = cells[:4]
        assert pg_type == column.pg_type, name
        assert nullable == ("yes" if column.nullable else "no"), name
        assert ("PK" in key) == (name in table.primary_key), name
        assert ("version" in key) == (name == table.version_column), name
        assert cells[4], f"{name} has no meaning"


def test_lineage_columns_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, _ in LINEAGE_COLUMNS:
        assert f"`{name}`" in text
