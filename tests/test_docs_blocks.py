"""The docs' commands work as written, like the README's (tests/test_readme.py), on a fresh copy.

Every ``sh`` block of docs/*.md is run with bash in a copy of the project where the README's
demo has run (``slaengine demo``: its store ``slaengine-demo.db`` is what the docs' ``--db``
examples read), unless it is marked ``<!-- docs-test: skip (why) -->``: a synopsis with
placeholders, a server, a bus or a host elsewhere, the real help-desk log, minutes of
benchmarks. Output examples are ``text`` blocks, not ``sh``. The skips are pinned by page, so a
new one is a visible decision.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.test_readme import fresh_copy, provide_venv

REPO = Path(__file__).resolve().parents[1]
#: A block, indented or not (inside a list), with the marker on the line before it.
BLOCK = re.compile(r"(?:(<!--[^\n]*-->)\n[ \t]*)?```sh\n(.*?)```", re.S)
SKIP = re.compile(r"<!-- docs-test: skip \((.+?)\) -->")
#: How many blocks each page has that are not run (pinned: a new skip is a visible decision).
SKIPPED = {
    "audit.md": 2,
    "backtest.md": 3,
    "benchmarks.md": 12,
    "console.md": 2,
    "import.md": 1,
    "penalties.md": 1,
    "security.md": 1,
    "service.md": 6,
    "warranty.md": 1,
}


def doc_blocks(text: str) -> list[tuple[str, str | None]]:
    """Each ``sh`` block with the reason it is skipped (None: it runs)."""
    found = []
    for match in BLOCK.finditer(text):
        marker = SKIP.match(match.group(1) or "")
        found.append((match.group(2), marker.group(1) if marker else None))
    return found


@pytest.mark.timeout(900)  # every docs page's commands, one after another, on a shared machine
def test_the_docs_commands_run_on_a_fresh_copy(tmp_path: Path) -> None:
    project = tmp_path / "slaengine"
    project.mkdir()
    fresh_copy(project)
    provide_venv(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLAENGINE_", "VIRTUAL_ENV"))}
    path = [part for part in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in part + "/"]
    env["PATH"] = os.pathsep.join([str(project / ".venv" / "bin"), *path])
    demo = subprocess.run(
        ["slaengine", "demo"], cwd=project, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    skipped: dict[str, int] = {}
    ran = []
    for page in sorted((project / "docs").glob("*.md")):
        for text, why in doc_blocks(page.read_text(encoding="utf-8")):
            if why is not None:
                skipped[page.name] = skipped.get(page.name, 0) + 1
                continue
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", text],
                cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
            assert result.returncode == 0, (
                f"{page.name}:\n{text}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
            ran.append(page.name)
    assert skipped == SKIPPED
    assert sorted(set(ran)) == [
        "audit.md",
        "benchmarks.md",
        "contracts.md",
        "drafting.md",
        "import.md",
        "replay.md",
        "security.md",
    ]
    assert (project / "report.json").stat().st_size > 0  # replay.md's report, written
