"""The ``backtest`` section: peak RSS of ``slaengine backtest`` (streamed) against the back-test
built from the whole report, on synthetic streams of ``--backtest-events`` sizes, each in a
child process of its own.

Run from bench/run.py (``--sections backtest``)."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import synth
from harness import SLAENGINE, TENDER, rounded, say

#: section: ``events`` only reads the history (what every back-test holds to begin with),
#: ``whole`` summarises the whole report (the back-test before it streamed), ``streamed`` is
#: ``run_backtest`` (what ``slaengine backtest`` runs).
_BACKTEST_CHILD = """
import sys
from slaengine.backtest import history_end, run_backtest, summarize
from slaengine.contract import load_contract
from slaengine.evaluate import evaluate
from slaengine.events import read_jsonl
from slaengine.replay import cyclic_gc_paused
mode, contract = sys.argv[1], load_contract(sys.argv[2])
with cyclic_gc_paused(), open(sys.argv[3], "rb") as lines:
    intake = read_jsonl(lines, contract)
    if mode == "whole":
        summary = summarize(evaluate(contract, intake.events, history_end(intake.events)))
        sys.stdout.write(str(len(summary.to_json())))
    elif mode == "streamed":
        result = run_backtest(contract, intake.events)
        sys.stdout.write(str(len(result.to_json())))
"""


def peak_rss_so_far(pid: int) -> int | None:
    """The high-water mark of a running process's resident memory (VmHWM, from /proc)."""
    path = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in path.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def child_usage(command: list[str]) -> dict[str, Any]:
    """A subprocess's wall time, CPU (from wait4) and peak RSS. The peak is the child's own
    high-water mark, read from /proc until it exits: wait4's ``ru_maxrss`` would count this
    process's memory too, which a child inherits at fork on Linux (here larger than a small
    child's own)."""
    started = time.perf_counter()
    peak = 0
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(command, stdout=sink)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, peak_rss_so_far(child.pid) or 0)
            time.sleep(0.01)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{shlex.join(command[:3])} ... exited with {code}")
    return {
        "seconds": rounded(wall),
        "cpu_seconds": rounded(usage.ru_utime + usage.ru_stime),
        "peak_rss_bytes": peak,
    }


def backtest_memory(work: Path, sizes: Sequence[int]) -> dict[str, Any]:
    """Peak RSS of back-tests on synthetic streams of each size: ``slaengine backtest --format
    json`` (``cli``), and in children that import only the core (so they share one baseline):
    reading the history alone (``events_only``), the back-test built from the whole report
    (``whole_report``), the streamed one (``streamed``). What a back-test holds beyond the
    history it read is its peak less ``events_only``'s; streamed, that is the totals, the ticket
    summaries and what pricing needs, not the clocks of closed tickets."""
    kinds = ("events_only", "whole_report", "streamed", "cli")
    modes = {"events_only": "events", "whole_report": "whole", "streamed": "streamed"}
    runs: list[dict[str, Any]] = []
    for events in sizes:
        path = work / f"backtest-{events}.jsonl"
        written = synth.write_jsonl(synth.stream(events), path)
        say(f"back-test of {written:,} synthetic events: read only, whole report, streamed, CLI")
        run: dict[str, Any] = {"events": written}
        for kind in kinds:
            if kind == "cli":
                command = [SLAENGINE, "backtest", str(TENDER), str(path), "--format", "json"]
            else:
                command = [sys.executable, "-c", _BACKTEST_CHILD, modes[kind], str(TENDER)]
                command.append(str(path))
            run[kind] = child_usage(command)
            run[kind]["peak_rss_bytes_per_event"] = round(run[kind]["peak_rss_bytes"] / written)
        for kind in ("whole_report", "streamed"):
            beyond = run[kind]["peak_rss_bytes"] - run["events_only"]["peak_rss_bytes"]
            run[kind]["beyond_events_bytes_per_event"] = round(beyond / written)
        runs.append(run)
        path.unlink()
    data: dict[str, Any] = {"runs": runs}
    if len(runs) >= 2:
        first, last = runs[0], runs[-1]
        more = last["events"] - first["events"]
        for kind in kinds:
            growth = last[kind]["peak_rss_bytes"] - first[kind]["peak_rss_bytes"]
            data[f"{kind}_growth_bytes_per_event"] = round(growth / more)
        say(
            "  growth per event of history: "
            + ", ".join(f"{kind} {data[f'{kind}_growth_bytes_per_event']} B" for kind in kinds)
        )
    return data
