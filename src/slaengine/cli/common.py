"""What every command shares: error reporting without tracebacks, time options, consoles."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from slaengine.cli.inputs import Input as Input  # the commands import these from here
from slaengine.cli.inputs import as_of_time, events_from_file
from slaengine.cli.inputs import open_events as open_events
from slaengine.cli.inputs import read_events as read_events
from slaengine.cli.inputs import rejection_digest as rejection_digest
from slaengine.cli.inputs import write_json as write_json
from slaengine.cli.plain import USER_ERRORS, report_error
from slaengine.cli.plain import NothingDone as NothingDone  # the commands import these from here
from slaengine.cli.plain import err as err
from slaengine.cli.plain import out as out
from slaengine.clock import Clock, SystemClock
from slaengine.contract import Contract
from slaengine.errors import SlaError

if TYPE_CHECKING:
    pass

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
    return as_of_time(value, contract, CLOCK)


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
        return events_from_file(contract, events_file)
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
