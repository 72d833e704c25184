"""How fast a command answers (issue 23): ``python bench/run.py --sections startup``.

Each command is run as a user runs it (the installed ``slaengine``, a fresh process every time),
``runs`` times; the figure is the median wall-clock time beside the 0.2 s target, with the
median CPU time (user + system, the child's own, from ``wait4``) and the machine's load average
while it ran, since the machine is shared. The contract comes from the cache of validated
contracts (contract/cache.py), as on any run after a file's first; ``without_cache`` times
``replay`` and ``contract validate`` with the cache off. Two floors put the figures in context:
the bare interpreter (``python -c pass``) and the interpreter importing typer (the CLI layer),
which no command of a typer application can go below.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import synth

#: Issue 23: `slaengine -h`, `replay` of a 10-event file and `contract validate`.
TARGET_SECONDS = 0.2


def _timed(argv: list[str], runs: int, extra: dict[str, str] | None = None) -> dict[str, Any]:
    # As a user runs it: compiled bytecode cached (a first run writes it; an environment with
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start, ~0.1 s), and
    # the contract in the cache of validated contracts (the same first run writes it).
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment.update(extra or {})
    subprocess.run(argv, env=environment, capture_output=True, check=False)
    walls, cpus = [], []
    load_before = os.getloadavg()[0]
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
        )
        _, status, usage = os.wait4(child.pid, 0)
        walls.append(time.perf_counter() - started)
        cpus.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    return {
        "runs": runs,
        "median_seconds": round(statistics.median(walls), 3),
        "least_seconds": round(min(walls), 3),
        "median_cpu_seconds": round(statistics.median(cpus), 3),
        "load_average_1min": round((load_before + os.getloadavg()[0]) / 2, 2),
    }


def startup_section(slaengine: str, contract: Path, work: Path, runs: int) -> dict[str, Any]:
    """The three commands of issue 23 and the two floors, each ``runs`` times."""
    ten = work / "ten.jsonl"
    synth.write_jsonl(synth.stream(10), ten)
    commands = {
        "help": [slaengine, "-h"],
        "replay_10_events": [slaengine, "replay", str(contract), str(ten), "--as-of",
                             "2026-03-03T00:00:00+08:00", "--format", "json"],
        "contract_validate": [slaengine, "contract", "validate", str(contract)],
    }  # fmt: skip
    floors = {
        "python": [sys.executable, "-c", "pass"],
        "python_import_typer": [sys.executable, "-c", "import typer"],
    }
    figures: dict[str, Any] = {
        "target_seconds": TARGET_SECONDS,
        "commands": {},
        "without_cache": {},
        "floors": {},
    }
    for name, argv in commands.items():
        print(f"[bench] start-up: {name}, {runs} runs", file=sys.stderr, flush=True)
        timed = _timed(argv, runs)
        timed["met"] = timed["median_seconds"] <= TARGET_SECONDS
        figures["commands"][name] = timed
    # The same commands validating the contract every time (SLAENGINE_NO_CACHE): what a first
    # run on a file, or a user who turned the cache off, waits.
    for name in ("replay_10_events", "contract_validate"):
        figures["without_cache"][name] = _timed(commands[name], runs, {"SLAENGINE_NO_CACHE": "1"})
    for name, argv in floors.items():
        figures["floors"][name] = _timed(argv, runs)
    ten.unlink()
    return figures
