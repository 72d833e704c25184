"""What a command reads and writes without typer: the events of a JSON Lines file (or standard
input), the ``--as-of`` time, a JSON document on standard output.

Theory of operation: cli/common.py adds typer's option types and the store to these, and
re-exports them for the commands; cli/entry.py's plain path for ``replay`` (issue 23: start-up)
uses them directly, so the typer and the plain runs read, judge and write with the same code.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from slaengine.cli.plain import NothingDone
from slaengine.clock import Clock
from slaengine.contract import Contract
from slaengine.errors import EventError, SlaError
from slaengine.events import Event, Intake, Rejected, parse_time

if TYPE_CHECKING:
    from rich.console import Console

    from slaengine.store.repository import LaterVersions


def _err() -> Console:
    """The stderr console, made when first needed (cli/plain.py)."""
    from slaengine.cli.plain import err

    return err


def as_of_time(value: str | None, contract: Contract | None, clock: Clock) -> datetime:
    """``--as-of``: an RFC 3339 time with offset; default now (from ``clock``), in the
    contract's zone when there is a contract."""
    if value is None:
        now = clock.now()
        return now.astimezone(_zone(contract)) if contract else now
    try:
        return parse_time(value, "--as-of")
    except EventError as exc:
        raise SlaError(str(exc)) from None


def _zone(contract: Contract) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(contract.timezone)


def open_events(path: str) -> tuple[IO[bytes], int | None]:
    """Open a JSON Lines file (``-`` = standard input) as bytes, with its size for progress.

    Bytes, not text: a line that is not UTF-8 must be one rejected line, not a crash."""
    if path == "-":
        return sys.stdin.buffer, None
    file = Path(path)
    if file.is_dir():
        raise SlaError(f"{path}: is a directory; give a JSON Lines file (or - for standard input)")
    if not file.is_file():
        raise SlaError(f"{path}: no such events file")
    return file.open("rb"), file.stat().st_size


def read_events(path: str, contract: Contract, progress: bool = True) -> Intake:
    """Read a JSON Lines stream through the intake, with a progress bar on stderr."""
    stream, size = open_events(path)
    intake = Intake(contract)
    show = progress and size is not None and size > 2_000_000 and _err().is_terminal
    with stream:
        if not show:
            intake.read(stream)
            return intake
        # Imported only for the bar (rich's tables and live display: ~0.04 s of start-up).
        from rich.progress import BarColumn, Progress, TextColumn, TransferSpeedColumn

        with Progress(
            TextColumn("reading events"),
            BarColumn(),
            TransferSpeedColumn(),
            console=_err(),
            transient=True,
        ) as bar:
            task = bar.add_task("read", total=size)
            intake.read(stream, lambda done: bar.update(task, completed=done))
    return intake


@dataclass
class Input:
    """What a command judges: accepted events, rejected input and the duplicates skipped."""

    events: list[Event]
    rejected: list[Rejected]
    duplicates: int = 0
    #: Where the events came from, in words (``events.jsonl``, ``standard input``, a store).
    source: str = ""
    #: Read from a store: its versions of the contract that amend the file given (replay and
    #: statement use them as the live service does; slaengine.cli.amendments).
    versions: LaterVersions | None = None

    def summary(self) -> str:
        """``311 events read from x.jsonl: 307 accepted, 4 rejected, 0 duplicates``."""
        read = len(self.events) + len(self.rejected) + self.duplicates
        return (
            f"{read} event(s) read from {self.source}: {len(self.events)} accepted, "
            f"{len(self.rejected)} rejected, {self.duplicates} duplicate(s)"
        )

    def check_useful(self, contract: Contract) -> None:
        """Refuse to judge a stream where every event was rejected (a 22,653-row table of
        clocks that never started helps nobody). A stream with no events at all is judged: a
        month where nothing happened owes nothing, the commonest statement there is; a note
        on stderr says so, in case the source was the wrong one."""
        if self.events:
            return
        if not self.rejected:
            hint = (
                " (is the store the right one, and were the events ingested?)"
                if self.source.startswith("store")
                else " (did the command before the pipe fail?)"
                if self.source == "standard input"
                else ""
            )
            from rich.markup import escape

            _err().print(
                escape(
                    f"note: no events for contract {contract.id} in {self.source}: judged as a "
                    f"time where nothing happened (only missed periods can cost){hint}"
                ),
                soft_wrap=True,
            )
            return
        raise NothingDone(
            f"none of the {len(self.rejected)} event(s) in {self.source} was accepted; "
            f"the reasons:\n{rejection_digest(self.rejected)}"
        )


def rejection_digest(rejected: list[Rejected], shown: int = 5) -> str:
    """The most common rejection reasons, each with its count and first line."""
    groups: dict[str, list[Rejected]] = {}
    for item in rejected:
        groups.setdefault(item.error, []).append(item)
    ranked = sorted(groups.items(), key=lambda pair: -len(pair[1]))
    lines = [
        f"  {len(items)} × {error} (first at line {items[0].line})"
        for error, items in ranked[:shown]
    ]
    if len(ranked) > shown:
        lines.append(f"  ... and {len(ranked) - shown} other reason(s)")
    return "\n".join(lines)


def events_from_file(contract: Contract, events_file: str) -> Input:
    """The events of a JSON Lines file (``-`` = standard input) through the intake."""
    intake = read_events(events_file, contract)
    source = "standard input" if events_file == "-" else events_file
    return Input(intake.events, intake.rejected, intake.duplicates, source)


def write_json(document: Any) -> None:
    """A JSON document on standard output, in one write (orjson: a million-clock report is
    written in a fraction of a second); indented only for a person at a terminal."""
    option = orjson.OPT_APPEND_NEWLINE
    if sys.stdout.isatty():
        option |= orjson.OPT_INDENT_2
    sys.stdout.flush()
    sys.stdout.buffer.write(orjson.dumps(document, option=option))
    sys.stdout.buffer.flush()
