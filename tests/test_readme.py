"""The README's commands work as written, on a fresh copy of the project with nothing beside it.

The project's files (``git ls-files``: what a clone has) are copied into an empty directory, and
every ``sh`` block of README.md is run there with bash, in order, as a new user would paste it.
Blocks marked ``<!-- readme-test: skip (why) -->`` are not run; the test pins which ones, so a
new skip is a visible decision. One thing is substituted: the install step (``python3.11 -m
venv .venv && .venv/bin/pip install -e .``) would build durable-rules from source and fetch
every dependency, minutes per run; instead the copy gets a ``.venv`` whose ``slaengine`` runs
the copy's own ``src`` with the dependencies already installed for this test run. Everything
after the install step runs verbatim, with no ``slaengine`` on PATH but the copy's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SKIP = re.compile(r"<!-- readme-test: skip \((.+?)\) -->")
#: The blocks that are not run, by the reason written above them.
SKIPPED = [
    "the whole test suite, which includes the test that runs this README",
    "minutes of benchmarks; tests/test_backtest.py runs bench/run.py --quick",
    "needs a running server and external hosts: db.example, smtp.example",
    "the developer's checks, the whole suite and CI itself",
]
#: A project file a command names (``examples/event.json``; not a URL's path).
PROJECT_FILE = re.compile(r"(?<![\w/.-])((?:contracts|examples|mappings|docs|bench)/[\w./-]+)")
#: The install step the test provides instead of running (see the module doc).
INSTALL = re.compile(r"python3\.11 -m venv \.venv && \.venv/bin/pip install -e \S+ && ")


def blocks(text: str) -> list[tuple[str, str | None]]:
    """Each ``sh`` block of the README with the reason it is skipped (None: it runs)."""
    found = []
    for match in re.finditer(r"(?:(<!--[^\n]*-->)\n)?```sh\n(.*?)```", text, re.S):
        marker = SKIP.match(match.group(1) or "")
        found.append((match.group(2), marker.group(1) if marker else None))
    return found


def fresh_copy(target: Path) -> None:
    """The project's files, as a clone has them (tracked, or new and not ignored)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO, capture_output=True, check=True, timeout=60,
        ).stdout.decode()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the README test copies the files git lists")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def provide_venv(project: Path) -> None:
    """``.venv`` with a ``slaengine`` that runs the copy's src (the install step's result)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")],
                   check=True, timeout=120)  # fmt: skip
    python = project / ".venv" / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    # The copy's src first, then the dependencies this test run has (not its slaengine: the
    # editable install's .pth files are not read from a plain path entry).
    deps = sysconfig.get_paths()["purelib"]
    Path(site, "slaengine-readme-test.pth").write_text(f"{project / 'src'}\n{deps}\n")
    script = project / ".venv" / "bin" / "slaengine"
    script.write_text(
        f"#!{python}\nimport sys\nfrom slaengine.cli.main import app\nsys.exit(app())\n"
    )
    script.chmod(0o755)


def test_the_readme_commands_run_on_a_fresh_copy(tmp_path: Path) -> None:
    project = tmp_path / "slaengine"
    project.mkdir()
    fresh_copy(project)
    assert not (project / ".venv").exists() and not (project.parent / "shared").exists()
    # A clone is a git checkout: what the commands leave behind must be where .gitignore says.
    git = ["git", "-c", "user.name=readme", "-c", "user.email=readme@example.invalid"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "clone"]):
        subprocess.run([*git, *step], cwd=project, check=True, capture_output=True, timeout=60)
    provide_venv(project)
    readme = blocks((project / "README.md").read_text(encoding="utf-8"))
    assert [why for _, why in readme if why is not None] == SKIPPED
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLAENGINE_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in part + "/"
    )
    ran = 0
    said = ""
    for text, why in readme:
        if why is not None:
            continue
        script = INSTALL.sub("", text)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (
            f"{text}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
        said += result.stdout
        ran += 1
    assert ran >= 2  # the demo and the first session
    # What the first session said it would make is there and right.
    report = json.loads((project / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["totals"]["penalties"] == "27140.00"
    assert (project / "out" / "2026-10.xlsx").stat().st_size > 0
    lines = (project / "out" / "2026-10-lines.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("contract,period,currency,date,") and len(lines) > 20
    assert (project / "out" / "helpdesk.jsonl").read_text(encoding="utf-8").count("\n") == 29
    assert (project / "slaengine-demo.db").is_file()
    # The what-if shows what a target is worth: a breach fewer, and one more (README's words).
    assert re.search(r"take-charge-1d .*1d → 3d .*│\s+-1 │.*│\s+-5\.00 │", said), said
    assert re.search(r"resolve-general-10d .*10d → 2d .*│\s+\+1 │.*│\s+\+25\.00 │", said), said
    # Nothing the session made is left untracked in the clone.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert status == "", status


def test_every_file_a_readme_command_names_ships() -> None:
    """Even in the blocks the test cannot run (a server, external hosts), every project file a
    command names is in the clone: ``contracts/…``, ``examples/…``, ``mappings/…``, ``docs/…``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split()  # fmt: skip
    named = set()
    for text, _ in blocks((REPO / "README.md").read_text(encoding="utf-8")):
        named |= set(PROJECT_FILE.findall(text))
    assert {"examples/amendment-2.yaml", "examples/event.json"} <= named
    assert sorted(name for name in named if name not in listed) == []
