"""What every command shares: error reporting without tracebacks, time options, consoles."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Annotated, Any, ParamSpec, TypeVar

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from slaengine.clock import Clock, SystemClock
from slaengine.contract import Contract
from slaengine.errors import EventError, SlaError
from slaengine.events import Event, Intake, Rejected, parse_time

#: Tables and progress go to stderr when stdout carries data (JSON, CSV).
out = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

#: The injectable clock of the CLI ("now" for --as-of defaults); tests travel with freezegun.
CLOCK: Clock = SystemClock()

P = ParamSpec("P")
R = TypeVar("R")


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn user-facing errors into a clear message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SlaError as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def as_of_option(value: str | None, contract: Contract | None = None) -> datetime:
    """``--as-of``: an RFC 3339 time with offset; default now (from the injectable clock)."""
    if value is None:
        now = CLOCK.now()
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
    from rich.progress import BarColumn, Progress, TextColumn, TransferSpeedColumn

    stream, size = open_events(path)
    intake = Intake(contract)
    show = progress and size is not None and size > 2_000_000 and err.is_terminal
    with stream:
        if not show:
            intake.read(stream)
            return intake
        with Progress(
            TextColumn("reading events"),
            BarColumn(),
            TransferSpeedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("read", total=size)
            intake.read(stream, lambda done: bar.update(task, completed=done))
    return intake


#: The store of `contract load`, `ingest` and `serve` when no --db or SLAENGINE_DB is given.
DEFAULT_DB = "sqlite:///slaengine.db"

#: ``--db``: read the events from the live service's store instead of a file.
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="read the events from the live service's store (SQLite file/URL or PostgreSQL URL) "
        "instead of EVENTS",
    ),
]


@dataclass
class Input:
    """What a command judges: accepted events, rejected input and the duplicates skipped."""

    events: list[Event]
    rejected: list[Rejected]
    duplicates: int = 0


def load_input(contract: Contract, events_file: str | None, db: str | None) -> Input:
    """Events from a JSON Lines file (``-`` = standard input) or from the live service's store."""
    if (events_file is None) == (db is None):
        raise SlaError(
            "give the events either as EVENTS (a JSON Lines file, - for standard input) or with "
            "--db URL (the live service's store), one of the two"
        )
    if events_file is not None:
        intake = read_events(events_file, contract)
        return Input(intake.events, intake.rejected, intake.duplicates)
    from slaengine.store import Store

    assert db is not None
    store = Store.open(db, CLOCK)
    try:
        return Input(store.contract_events(contract.id), [])
    finally:
        store.close()


def write_json(document: Any) -> None:
    """A JSON document on standard output, in one write (orjson: a million-clock report is
    written in a fraction of a second); indented only for a person at a terminal."""
    option = orjson.OPT_APPEND_NEWLINE
    if sys.stdout.isatty():
        option |= orjson.OPT_INDENT_2
    sys.stdout.flush()
    sys.stdout.buffer.write(orjson.dumps(document, option=option))
    sys.stdout.buffer.flush()


def register_commands(app: typer.Typer) -> None:
    """Commands that live in their own modules (one file per command family)."""
    import importlib

    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"slaengine.cli.{name}")
        module.register(app)


#: Each module defines ``register(app)``; adding a command family never touches the others.
_COMMAND_MODULES: list[str] = [
    "warranty",
    "service",
    "statement",
    "importing",
    "backtest",
    "amendments",
]
