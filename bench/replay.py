"""The ``replay`` section: replay end to end on a synthetic stream (bench/synth.py) and on the
real help-desk log, timed per stage, against the raw throughput of durable_rules on the same
rule set, the hand-written floors (bench/floor.py, bench/floor_priced.py), ``slaengine replay``
as a subprocess and its start-up; ``--profile`` adds where the replay spends its time.

Run from bench/run.py (``--sections replay``)."""

from __future__ import annotations

import cProfile
import gc
import json
import os
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from durable.engine import MessageNotHandledException

import floor
import floor_priced
import synth
from harness import REPO, SLAENGINE, TENDER, profile_json, rounded, say
from slaengine.bundled import helpdesk_missing
from slaengine.contract import Contract
from slaengine.evaluate import Context
from slaengine.events import Intake
from slaengine.mapping import import_csv, load_mapping
from slaengine.replay import cyclic_gc_paused, write_report

HELPDESK_MAPPING = REPO / "mappings" / "helpdesk.yaml"


@dataclass
class Replay:
    events: int
    accepted: int
    duplicates: int
    rejected: int
    clocks: int
    counts: dict[str, int]
    #: Per stage: wall-clock seconds and CPU seconds of this process.
    stages: dict[str, float]
    cpu: dict[str, float]
    #: Per clause, the replay's penalty lines of breached clocks: [lines, amount before the
    #: yearly cap] (to compare with bench/floor_priced.py's).
    clock_lines: dict[str, list[Any]] | None = None

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())

    def to_json(self) -> dict[str, Any]:
        total = self.seconds
        return {
            "events": self.events,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "clocks": self.clocks,
            "seconds": rounded(total),
            "cpu_seconds": rounded(self.cpu_seconds),
            "events_per_second": round(self.events / total) if total else None,
            "stages_seconds": {name: rounded(value) for name, value in self.stages.items()},
            "stages_cpu_seconds": {name: rounded(value) for name, value in self.cpu.items()},
            "core_events_per_second": round(self.events / self.stages["report"])
            if self.stages["report"]
            else None,
        }


class Stopwatch:
    """Wall-clock and CPU time of consecutive stages."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.restart()

    def restart(self) -> None:
        """The next lap starts now (what happened since the last one is not counted)."""
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[name], self.cpu[name] = wall - self._wall, cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def replay_file(contract: Contract, path: Path, as_of: datetime | None = None) -> Replay:
    """What ``slaengine replay CONTRACT EVENTS --format json`` does, stage by stage: ``read``
    (decode and validate every line), ``report`` (judge ticket by ticket, writing the clocks as
    they are judged, then price and write the rest), the document going to /dev/null."""
    gc.collect()
    watch = Stopwatch()
    with cyclic_gc_paused():
        intake = Intake(contract)
        lines = 0
        with path.open("rb") as stream:
            for number, text in enumerate(stream, start=1):
                intake.offer_line(text, number)
                lines = number
        watch.lap("read")
        when = as_of or max(event.at for event in intake.events)
        with open(os.devnull, "wb") as sink:
            report = write_report(
                sink, Context(contract), intake.events, when, intake.rejected, intake.duplicates
            )
        watch.lap("report")
    counts = report.clock_counts or {}
    by_clause: dict[str, list[Any]] = {}
    for line in report.charges.penalties:  # priced already: the document's tail needed them
        if line.source == "clock" and line.amount is not None and line.clause is not None:
            entry = by_clause.setdefault(line.clause, [0, Decimal(0)])
            entry[0] += 1
            entry[1] += line.amount
    return Replay(
        lines,
        len(intake.events),
        intake.duplicates,
        len(intake.rejected),
        sum(counts.values()),
        dict(sorted(counts.items())),
        watch.wall,
        watch.cpu,
        {clause: [n, str(total)] for clause, (n, total) in sorted(by_clause.items())},
    )


def floors(contract: Contract, path: Path, as_of: datetime) -> dict[str, Any]:
    """The two floors of bench/floor.py on the same file, in this process: parse + sort, and a
    hand-written evaluator of the tender's clocks (with orjson output to /dev/null); and the
    independent one of bench/floor_priced.py, which also prices the breached clocks."""
    office = Context(contract).calendars["office"]
    result: dict[str, Any] = {}
    with cyclic_gc_paused():
        gc.collect()
        watch = Stopwatch()
        floor.parse_sort(path)
        watch.lap("parse_sort")
        gc.collect()
        watch.restart()
        with open(os.devnull, "wb") as sink:
            counts = floor.evaluate(path, as_of, office, sink)
        watch.lap("evaluate")
        gc.collect()
        watch.restart()
        with open(os.devnull, "wb") as sink:
            priced_counts, priced_lines = floor_priced.evaluate(path, as_of, office, sink)
        watch.lap("evaluate_priced")
    for name in ("parse_sort", "evaluate", "evaluate_priced"):
        result[name] = {
            "seconds": rounded(watch.wall[name]),
            "cpu_seconds": rounded(watch.cpu[name]),
        }
    result["evaluate"]["clocks_by_status"] = dict(sorted(counts.items()))
    result["evaluate_priced"]["clocks_by_status"] = dict(sorted(priced_counts.items()))
    result["evaluate_priced"]["clock_lines"] = priced_lines
    return result


def replay_cli(contract_file: Path, path: Path, as_of: datetime) -> dict[str, Any]:
    """``slaengine replay --format json`` as a subprocess: wall time, CPU and peak RSS (the
    child's own figures, from wait4)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        child = subprocess.Popen(
            [SLAENGINE, "replay", str(contract_file), str(path), "--as-of", as_of.isoformat(),
             "--format", "json"],
            stdout=sink,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"slaengine replay exited with {child.returncode}")
    return {
        "seconds": rounded(wall),
        "cpu_seconds": rounded(usage.ru_utime + usage.ru_stime),
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # KiB on Linux
    }


def startup(contract_file: Path, work: Path, runs: int = 5) -> dict[str, Any]:
    """``slaengine replay`` on a 10-event file, start to exit: the median wall-clock time and
    CPU time (user + system, the child's own, from wait4) of ``runs``."""
    path = work / "ten.jsonl"
    synth.write_jsonl(synth.stream(10), path)
    times, cpu = [], []
    # bytecode cached, as an installed package runs (bench/startup.py says why)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(
            [SLAENGINE, "replay", str(contract_file), str(path), "--as-of",
             "2026-03-03T00:00:00+08:00", "--format", "json"],
            stdout=subprocess.DEVNULL, env=environment,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        times.append(time.perf_counter() - started)
        cpu.append(usage.ru_utime + usage.ru_stime)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("slaengine replay of 10 events failed")
    path.unlink()
    return {
        "events": 10,
        "runs": runs,
        "median_seconds": rounded(sorted(times)[runs // 2]),
        "median_cpu_seconds": rounded(sorted(cpu)[runs // 2]),
    }


def raw_durable(contract: Contract, path: Path) -> dict[str, Any]:
    """durable_rules posting the same events to the same compiled rule set, one post each.

    The events are decoded before the clock starts, and posted as they are in the file less
    ``id`` (durable_rules reserves it as its own message id). An event no rule matches is
    answered with MessageNotHandledException: that is the engine's answer, and counted.
    """
    matcher = Context(contract).matcher
    facts = []
    with path.open(encoding="utf-8") as stream:
        for text in stream:
            data = json.loads(text)
            data.pop("id", None)
            facts.append(data)
    unhandled = 0
    gc.collect()
    started = time.perf_counter()
    for fact in facts:
        try:
            matcher.post_raw(fact)
        except MessageNotHandledException:
            unhandled += 1
    seconds = time.perf_counter() - started
    return {
        "events": len(facts),
        "not_handled": unhandled,
        "seconds": rounded(seconds),
        "events_per_second": round(len(facts) / seconds) if seconds else None,
    }


def compare(
    replay: Replay, raw: dict[str, Any], floor_figures: dict[str, Any] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"replay": replay.to_json(), "raw_durable_rules": raw}
    if floor_figures is not None:
        data["floor"] = floor_figures
        evaluator = floor_figures["evaluate"]
        data["same_clocks_as_floor"] = evaluator["clocks_by_status"] == replay.counts
        if evaluator["cpu_seconds"]:
            data["ratio_replay_to_floor_cpu"] = rounded(
                replay.cpu_seconds / evaluator["cpu_seconds"], 2
            )
            data["ratio_replay_to_floor_wall"] = rounded(replay.seconds / evaluator["seconds"], 2)
            data["ratio_replay_to_parse_sort_cpu"] = rounded(
                replay.cpu_seconds / floor_figures["parse_sort"]["cpu_seconds"], 2
            )
        priced = floor_figures["evaluate_priced"]
        data["same_clocks_as_priced_floor"] = priced["clocks_by_status"] == replay.counts
        data["same_clock_lines_as_priced_floor"] = priced["clock_lines"] == replay.clock_lines
        if priced["cpu_seconds"]:
            data["ratio_replay_to_priced_floor_cpu"] = rounded(
                replay.cpu_seconds / priced["cpu_seconds"], 2
            )
    raw_rate = raw["events_per_second"]
    if raw_rate:
        end_to_end = data["replay"]["events_per_second"] / raw_rate
        core = data["replay"]["core_events_per_second"] / raw_rate
        data["ratio_replay_to_raw"] = rounded(end_to_end)
        data["ratio_core_to_raw"] = rounded(core)
    return data


def replay_synthetic(
    contract: Contract, events: int, work: Path, repeat: int = 1
) -> dict[str, Any]:
    path = work / f"synthetic-{events}.jsonl"
    started = time.perf_counter()
    written = synth.write_jsonl(synth.stream(events), path)
    generated = time.perf_counter() - started
    # After the last event of the stream: every clock judged, open ones against a fixed time.
    as_of = synth_as_of(path)
    say(f"replaying {written:,} synthetic events (slaengine replay as a subprocess first)")
    cli = replay_cli(TENDER, path, as_of)
    say("  in this process: the replay, the floors, raw durable_rules ...")
    # On a shared machine the CPU time of a run varies with what else runs: --repeat N takes
    # the replay and the floor N times, interleaved, and keeps the least CPU of each.
    runs = [
        (replay_file(contract, path, as_of), floors(contract, path, as_of)) for _ in range(repeat)
    ]
    replay = min((run for run, _ in runs), key=lambda run: run.cpu_seconds)
    floor_figures = min((f for _, f in runs), key=lambda f: float(f["evaluate"]["cpu_seconds"]))
    floor_figures["evaluate_priced"] = min(
        (f["evaluate_priced"] for _, f in runs), key=lambda f: float(f["cpu_seconds"])
    )
    data = compare(replay, raw_durable(contract, path), floor_figures)
    data["repeat"] = repeat
    cli["events_per_second"] = round(written / cli["seconds"]) if cli["seconds"] else None
    # On a loaded machine the wall clock also counts the waits for a core; CPU time does not.
    cli["events_per_cpu_second"] = (
        round(written / cli["cpu_seconds"]) if cli["cpu_seconds"] else None
    )
    cli["peak_rss_bytes_per_event"] = round(cli["peak_rss_bytes"] / written)
    data["cli"] = cli
    data["as_of"] = as_of.isoformat()
    data["generate_seconds"] = rounded(generated)
    data["file_bytes"] = path.stat().st_size
    say(
        f"  replay ÷ floor (CPU) {data.get('ratio_replay_to_floor_cpu')}; "
        f"{cli['events_per_second']:,} events/s end to end; "
        f"peak RSS {cli['peak_rss_bytes_per_event']} B/event"
    )
    path.unlink()
    return data


def synth_as_of(path: Path) -> datetime:
    """A day after the latest ``at`` of a JSON Lines file."""
    latest = max(datetime.fromisoformat(orjson.loads(line)["at"]) for line in path.open("rb"))
    return (latest + timedelta(days=1)).replace(microsecond=0)


def replay_helpdesk(
    contract: Contract, csv_path: Path | None, limit: int | None, work: Path
) -> Any:
    reason = helpdesk_missing(csv_path)
    if reason is not None or csv_path is None:
        return {"skipped": reason}
    started = time.perf_counter()
    result = import_csv(csv_path, load_mapping(HELPDESK_MAPPING), contract.id)
    imported = time.perf_counter() - started
    events = result.events if limit is None else result.events[:limit]
    path = work / "helpdesk.jsonl"
    synth.write_jsonl(events, path)
    say(f"replaying {len(events):,} help-desk events")
    data = compare(replay_file(contract, path), raw_durable(contract, path))
    data["source"] = str(csv_path)
    data["rows"] = result.rows
    data["import_seconds"] = rounded(imported)
    if limit is not None and limit < len(result.events):
        data["note"] = f"the first {limit:,} of {len(result.events):,} imported events (--quick)"
    path.unlink()
    return data


def profile_replay(contract: Contract, events: int, work: Path, top: int = 15) -> dict[str, Any]:
    """Where the end-to-end replay spends its time: cProfile, functions by own time."""
    path = work / "profile.jsonl"
    synth.write_jsonl(synth.stream(events), path)
    profiler = cProfile.Profile()
    profiler.enable()
    replay_file(contract, path)
    profiler.disable()
    path.unlink()
    return {"events": events, **profile_json(profiler, top)}
