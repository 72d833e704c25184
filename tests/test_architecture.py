"""The floor plan holds: docs/architecture.md places every package and module directly under
src/slaengine, the import contracts of pyproject.toml (import-linter) pass, and no benchmark
section imports bench/run.py back."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "slaengine"
DOC = REPO / "docs" / "architecture.md"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def rooms(package: Path = PACKAGE) -> set[str]:
    """Every package and module directly under src/slaengine, as the document names them."""
    names = set()
    for entry in package.iterdir():
        if entry.is_dir() and (entry / "__init__.py").exists():
            names.add(f"{entry.name}/")
        elif entry.suffix == ".py" and entry.name != "__init__.py":
            names.add(entry.name)
    return names


def placed() -> set[str]:
    """What the layer table of docs/architecture.md places: the `code` names in its rows."""
    table = DOC.read_text(encoding="utf-8").split("## The layers", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in table.splitlines():
        if row.startswith("|") and not row.startswith("|--"):
            cells = row.replace("\\|", "/").split("|")  # "\|" joins rooms within a cell
            names.update(re.findall(r"`([\w_]+(?:\.py|/))`", cells[2] if len(cells) > 2 else ""))
    return names


def test_every_room_is_placed_in_the_layer_table() -> None:
    missing = sorted(rooms() - placed())
    assert not missing, f"docs/architecture.md's layer table does not place {missing}"


def test_the_layer_table_names_no_room_that_is_gone() -> None:
    gone = sorted(placed() - rooms())
    assert not gone, f"docs/architecture.md's layer table names {gone}, not in src/slaengine"


def test_a_new_room_the_document_does_not_place_is_caught(tmp_path: Path) -> None:
    for name in ("__init__.py", "warranty.py", "newroom.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "contract").mkdir()
    (tmp_path / "contract" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "notes").mkdir()  # not a package: not a room
    assert rooms(tmp_path) == {"warranty.py", "newroom.py", "contract/"}
    assert rooms(tmp_path) - placed() == {"newroom.py"}


def test_the_import_contracts_pass() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path: Path) -> None:
    """The contract is not vacuous: the same contracts over a copy of the package with one
    upward arrow added (the contract language importing the CLI) fail, naming the arrow."""
    copy = tmp_path / "src"
    copy.mkdir()
    subprocess.run(["cp", "-r", str(PACKAGE), str(copy)], check=True)
    models = copy / "slaengine" / "contract" / "describe.py"
    models.write_text(
        models.read_text(encoding="utf-8") + "\nfrom slaengine.cli import render  # upward\n",
        encoding="utf-8",
    )
    config = tmp_path / "pyproject.toml"
    config.write_text((REPO / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0, result.stdout
    assert "slaengine.contract.describe -> slaengine.cli.render" in result.stdout


@pytest.mark.parametrize("section", sorted(p.name for p in (REPO / "bench").glob("*.py")))
def test_no_benchmark_section_imports_run_back(section: str) -> None:
    if section == "run.py":
        return
    tree = ast.parse((REPO / "bench" / section).read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert "run" not in imported, f"bench/{section} imports run.py (take it from harness.py)"
