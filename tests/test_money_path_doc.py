"""README, docs/architecture.md and docs/plans.md draw the same money path, naming the models as they are.

The diagram is the first code block that starts with "landing files" in each document; a model
renamed, added or moved to another step folder without the diagram following fails here.
"""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "dbt_project" / "models"


def _diagram(document: str) -> str:
    text = (REPO / document).read_text()
    match = re.search(r"```\n(landing files ─►.*?)```\n", text, re.S)
    assert match, f"{document}: no money-path diagram (a code block starting 'landing files ─►')"
    return match.group(1)


def test_readme_architecture_and_plans_draw_the_same_money_path() -> None:
    assert _diagram("README.md") == _diagram("docs/architecture.md") == _diagram("docs/plans.md")


def test_the_diagram_names_every_intermediate_model_under_its_step_folder() -> None:
    diagram = _diagram("README.md")
    steps: dict[str, set[str]] = {}
    step = None
    for line in diagram.splitlines():
        folder = re.match(r"\s+(\d_[a-z]+)\s", line)
        if folder:
            step = folder.group(1)
        elif not line.startswith(" " * 16):
            step = None
        if step:
            steps.setdefault(step, set()).update(re.findall(r"\bint_[a-z_]+\b", line))
    on_disk = {
        folder.name: {model.stem for model in folder.glob("*.sql")}
        for folder in (MODELS / "intermediate").iterdir()
        if folder.is_dir()
    }
    assert steps == on_disk


def test_every_model_the_diagram_names_exists() -> None:
    models = {model.stem for model in MODELS.rglob("*.sql")}
    named = set(re.findall(r"\b(?:stg|int|fct|dim|rpt|ops)_[a-z_]+\b", _diagram("README.md")))
    assert named - models == set()
