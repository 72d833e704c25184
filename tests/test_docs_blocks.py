"""The docs' commands work as written, like the README's (tests/test_readme.py), on a fresh copy.

Every ``sh`` block of docs/*.md is run with bash in a copy of the project, page by page (one test
per page, each on a copy of its own, so the pages run side by side on the suite's workers), in
the page's order, unless it is marked ``<!-- docs-test: skip (why) -->``: a synopsis with
placeholders, a server, a bus or a host elsewhere, the real help-desk log, minutes of
benchmarks. A page whose commands read the demo's store (``slaengine-demo.db``, what the docs'
``--db`` examples name) gets a copy where the README's ``slaengine demo`` has run. Output
examples are ``text`` blocks, not ``sh``. The skips are pinned by page, so a new one is a
visible decision.

One thing is substituted, as the README test substitutes the install step: the benchmark
blocks of docs/benchmarks.md run at ``bench/run.py --quick``'s sizes (``SHRUNK``: 2,000 events
instead of 300,000, 3 start-ups instead of 21) — the same commands and options, in seconds
instead of minutes. Each substitution is pinned: it must find what it replaces.
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
    "benchmarks.md": 19,
    "console.md": 2,
    "disputes.md": 1,
    "import.md": 1,
    "penalties.md": 1,
    "people.md": 1,
    "security.md": 1,
    "service.md": 6,
    "warranty.md": 1,
}
#: The pages with blocks that run (pinned: a page with new runnable blocks is added here).
PAGES = [
    "audit.md",
    "benchmarks.md",
    "contracts.md",
    "disputes.md",
    "drafting.md",
    "import.md",
    "people.md",
    "replay.md",
    "security.md",
]
#: Sizes of docs/benchmarks.md's blocks that are run smaller (those of ``bench/run.py --quick``).
SHRUNK = {"--startup-runs 21": "--startup-runs 3", "--events 300000": "--events 2000"}
#: What a page's commands must leave behind (beyond their exit codes).
WRITES = {"audit.md": "out/audit-2026-10.csv", "drafting.md": "HT-2026-017.yaml",
          "import.md": "sample.jsonl", "people.md": "out/acme.token",
          "replay.md": "report.json"}  # fmt: skip


def doc_blocks(text: str) -> list[tuple[str, str | None]]:
    """Each ``sh`` block with the reason it is skipped (None: it runs)."""
    found = []
    for match in BLOCK.finditer(text):
        marker = SKIP.match(match.group(1) or "")
        found.append((match.group(2), marker.group(1) if marker else None))
    return found


def shrunk(text: str) -> str:
    for size, smaller in SHRUNK.items():
        text = text.replace(size, smaller)
    return text


def test_the_docs_blocks_are_run_or_skipped_as_pinned() -> None:
    skipped: dict[str, int] = {}
    ran = []
    for page in sorted((REPO / "docs").glob("*.md")):
        for _, why in doc_blocks(page.read_text(encoding="utf-8")):
            if why is None:
                ran.append(page.name)
            else:
                skipped[page.name] = skipped.get(page.name, 0) + 1
    assert skipped == SKIPPED
    assert sorted(set(ran)) == PAGES
    benchmarks = doc_blocks((REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8"))
    run = "".join(text for text, why in benchmarks if why is None)
    assert all(size in run for size in SHRUNK), "a substitution finds nothing to replace"
    assert "300000" not in shrunk(run) and " 21" not in shrunk(run)


@pytest.mark.timeout(600)  # a page's commands, one after another, on a shared machine
@pytest.mark.parametrize("page", PAGES)
def test_a_docs_pages_commands_run_on_a_fresh_copy(page: str, tmp_path: Path) -> None:
    project = tmp_path / "slaengine"
    project.mkdir()
    fresh_copy(project)
    provide_venv(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLAENGINE_", "VIRTUAL_ENV"))}
    path = [part for part in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in part + "/"]
    env["PATH"] = os.pathsep.join([str(project / ".venv" / "bin"), *path])
    blocks = [
        text
        for text, why in doc_blocks((project / "docs" / page).read_text(encoding="utf-8"))
        if why is None
    ]
    assert blocks
    if any("slaengine-demo.db" in text for text in blocks):
        demo = subprocess.run(
            ["slaengine", "demo"], cwd=project, env=env, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        assert demo.returncode == 0, demo.stderr
    for text in blocks:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", shrunk(text)],
            cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (
            f"{page}:\n{text}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    if page in WRITES:
        assert (project / WRITES[page]).stat().st_size > 0
