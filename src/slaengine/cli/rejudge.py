"""``slaengine rejudge``: judge a contract's tickets again, on demand, in the background.

A new contract version re-judges the contract's open tickets by itself; a closed ticket keeps the
judgement of the version it was judged under until it gets a new event. This command marks the
tickets (``Store.mark_for_rejudge``: open ones, closed ones with ``--closed``, ``--since`` a day)
and returns at once: the due pass of a running ``slaengine serve`` (or ``consume``) works
through them in the background, after the deadlines due, and ``GET /health`` shows
``tickets_waiting`` going down. Nothing is judged in this process.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from slaengine.cli import common
from slaengine.cli.common import DEFAULT_DB, Db, friendly, out, require_store
from slaengine.errors import SlaError


def rejudge(
    contract: Annotated[
        str, typer.Option("--contract", help="the contract id (as loaded)", show_default=False)
    ],
    closed: Annotated[
        bool,
        typer.Option("--closed", help="closed tickets too (default: the open ones only)"),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="only tickets with a clock started on or after this day, YYYY-MM-DD "
            "(the contract's time zone)",
        ),
    ] = None,
    db: Db = DEFAULT_DB,
) -> None:
    """Judge a contract's tickets again, in the background.

    Marks them to be judged again under the version in effect for each by the running service
    (its due pass); progress in GET /health (tickets_waiting)."""
    from slaengine.store import Store

    day: date | None = None
    if since is not None:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise SlaError(f"--since {since!r}: write a date like 2026-03-01") from None
    require_store(db)
    store = Store.open(db, common.CLOCK)
    try:
        marked = store.mark_for_rejudge(contract, closed, day)
    finally:
        store.close()
    if marked is None:
        raise SlaError(
            f"--contract {contract!r}: not loaded in this store "
            "(slaengine contract load FILE --db URL)"
        )
    which = "open and closed" if closed else "open"
    after = f" with a clock started since {day.isoformat()}" if day is not None else ""
    out.print(
        f"{marked} {which} ticket(s) of contract {contract}{after} marked for re-judging; "
        "a running `slaengine serve`, `judge` or `consume` judges them in the background "
        "(GET /health: tickets_waiting)",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("rejudge")(friendly(rejudge))
