"""What every command shares: error reporting without tracebacks, time options, consoles."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import orjson
import typer
from rich.markup import escape

from slaengine.cli.plain import USER_ERRORS, report_error
from slaengine.cli.plain import NothingDone as NothingDone  # the commands import these from here
from slaengine.cli.plain import err as err
from slaengine.cli.plain import out as out
from slaengine.clock import Clock, SystemClock
from slaengine.contract import Contract
from slaengine.errors import EventError, SlaError
from slaengine.events import Event, Intake, Rejected, parse_time

if TYPE_CHECKING:
    from slaengine.store.repository import LaterVersions

#: The injectable clock of the CLI ("now" for --as-of defaults); tests travel with freezegun.
CLOCK: Clock = SystemClock()

P = ParamSpec("P")
R = TypeVar("R")


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn user-facing errors into a clear message and an exit code, never a traceback.

    Exit codes, the same for every command: 0 done; 1 ran but did nothing useful
    (``NothingDone``); 2 bad input (a file, an option, a contract)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise typer.Exit(report_error(exc)) from None

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
    stream, size = open_events(path)
    intake = Intake(contract)
    show = progress and size is not None and size > 2_000_000 and err.is_terminal
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
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("read", total=size)
            intake.read(stream, lambda done: bar.update(task, completed=done))
    return intake


#: The store of `contract load`, `ingest` and `serve` when no --db or SLAENGINE_DB is given.
DEFAULT_DB = "sqlite:///slaengine.db"

#: The environment variable naming the store, read by every command that has ``--db``.
DB_ENV = "SLAENGINE_DB"

#: ``--db``: the store, for every command that works on one.
Db = Annotated[
    str,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="the store: a SQLite file path or URL, or postgresql+psycopg://user@host/db",
    ),
]

# Arguments are named the same way in every command: an upper-case noun (CONTRACT, EVENTS,
# CSV), which the usage line shows as {REQUIRED} or [OPTIONAL].

#: ``CONTRACT``: the contract file every command that judges events starts from.
ContractArgument = Annotated[
    Path,
    typer.Argument(metavar="CONTRACT", help="contract file (YAML)", show_default=False),
]

#: ``EVENTS`` when a command can read them from a store instead (``--db``).
EventsArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="EVENTS",
        help="JSON Lines file of ticket events; - reads standard input",
        show_default=False,
    ),
]

#: ``--db``: read the events from the live service's store instead of a file.
#: ``--format`` of the commands that write a table or a JSON document.
Format = Annotated[str, typer.Option("--format", "-f", help="table or json")]


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        raise typer.BadParameter(f"--format must be one of {', '.join(allowed)}, not {fmt!r}")


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"Read the events from the live service's store (SQLite file or URL, PostgreSQL "
        f"URL) instead of EVENTS. Without EVENTS and --db, ${DB_ENV} is used.",
        show_default=False,
    ),
]


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
            err.print(
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


def load_input(contract: Contract, events_file: str | None, db: str | None) -> Input:
    """Events from a JSON Lines file (``-`` = standard input) or from the live service's store
    (``--db``, else ``$SLAENGINE_DB`` when no file is given)."""
    if events_file is not None and db is not None:
        raise SlaError(
            "give the events either as EVENTS (a JSON Lines file, - for standard input) or with "
            "--db URL (the live service's store), one of the two"
        )
    if events_file is None and db is None:
        db = os.environ.get(DB_ENV) or None
        if db is None:
            raise SlaError(
                "no events given: name a JSON Lines file (- for standard input), or the live "
                f"service's store with --db URL (or set {DB_ENV})"
            )
    if events_file is not None:
        intake = read_events(events_file, contract)
        source = "standard input" if events_file == "-" else events_file
        return Input(intake.events, intake.rejected, intake.duplicates, source)
    from slaengine.store import Store

    assert db is not None
    require_store(db)
    store = Store.open(db, CLOCK)
    try:
        return Input(
            store.contract_events(contract.id),
            [],
            source=f"store {db}",
            versions=store.later_versions(contract),
        )
    finally:
        store.close()


def require_store(db: str) -> None:
    """Reading (or marking) never creates a store: a typo in a SQLite path must not look like
    an empty store."""
    from sqlalchemy.engine import make_url

    from slaengine.store.repository import database_url

    url = make_url(database_url(db))
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        raise SlaError(f"--db {db}: no such store (the SQLite file {url.database} does not exist)")


def write_json(document: Any) -> None:
    """A JSON document on standard output, in one write (orjson: a million-clock report is
    written in a fraction of a second); indented only for a person at a terminal."""
    option = orjson.OPT_APPEND_NEWLINE
    if sys.stdout.isatty():
        option |= orjson.OPT_INDENT_2
    sys.stdout.flush()
    sys.stdout.buffer.write(orjson.dumps(document, option=option))
    sys.stdout.buffer.flush()
