"""The board: every running and paused clock and every open breach, most urgent first.

Theory of operation
-------------------
Read from the store's ``clocks`` rows, which the live service keeps in step with the core after
every evaluation (a new event, a deadline passing). Nothing is judged here: the page shows what
the service decided, and the live feed (live.py) makes the browser fetch it again when that
changes. Urgency: open breaches first, then clocks past their warning time, then the rest; each
group by deadline, then id. The list is paged (``PAGE_SIZE`` rows).

Each group is one query whose condition repeats, word for word, a partial index on ``clocks``
(migration 0003, store/models.py): open breaches and running-or-paused clocks are read from
those indexes in deadline order, so a page reads its 50 rows and never sorts or scans the
table; the groups' sizes are counts of index entries (the filtered columns are in the
indexes), and only the groups a page overlaps are read, from the page's offset within them.
The recently stopped clocks are the last entries of a third index. All reads of one page share
one read transaction.

The board's page (``/``) also counts the alerts waiting for acknowledgement. The asset of a
clock is its ticket's: the ``asset`` of the ticket's events (read for the rows of one page
only). The asset filter reads the (contract, ticket) pairs whose events name the asset once per
page and looks their clocks up in the unique index; that read goes over the events' bodies
(there is no index on the asset), so it grows with the number of events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, text, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from slaengine.api.access import requires, visible
from slaengine.clocks import BREACHED, MET, RUNNING
from slaengine.console.alerts import waiting_alerts
from slaengine.console.page import Console
from slaengine.identity import ticket_order
from slaengine.store import Store
from slaengine.store.models import (
    LIVE_CLOCK_SQL,
    OPEN_BREACH_CLOCK_SQL,
    STOPPED_CLOCK_SQL,
    StoredClock,
    StoredEvent,
)

PAGE_SIZE = 50
RECENT = 15


@dataclass(frozen=True, slots=True)
class Filters:
    contract: str | None = None
    commitment: str | None = None
    severity: str | None = None
    asset: str | None = None
    #: The contracts the caller sees (None: every one; api/access.py ``visible``).
    within: frozenset[str] | None = None

    @classmethod
    def of(cls, params: Any) -> Filters:
        def value(name: str) -> str | None:
            text = str(params.get(name) or "").strip()
            return text or None

        return cls(value("contract"), value("commitment"), value("severity"), value("asset"))

    def query(self) -> dict[str, str]:
        """The filters given, as query parameters (for the pager's links)."""
        pairs = {
            "contract": self.contract,
            "commitment": self.commitment,
            "severity": self.severity,
            "asset": self.asset,
        }
        return {k: v for k, v in pairs.items() if v}


@dataclass(frozen=True, slots=True)
class Row:
    clock: StoredClock
    asset: str | None
    #: open breach, past its warning time, or neither
    urgency: str


@dataclass(frozen=True, slots=True)
class Board:
    rows: list[Row]
    total: int
    page: int
    pages: int
    recent: list[Row]


def _asset_of_event(store: Store) -> ColumnElement[Any]:
    """The ``asset`` field of a stored event's JSON body, as SQL (SQLite or PostgreSQL)."""
    if store.is_postgres:
        from sqlalchemy import Text, cast
        from sqlalchemy.dialects.postgresql import JSONB

        field: ColumnElement[Any] = cast(StoredEvent.body, JSONB)["asset"].astext.cast(Text)
        return field
    extracted: ColumnElement[Any] = func.json_extract(StoredEvent.body, "$.asset")
    return extracted


#: An asset's tickets are looked up once per page and passed as a list up to this many (beyond
#: it, each query asks the events again).
ASSET_TICKETS_LISTED = 2_000

Tickets = list[tuple[str, str]] | None


def _asset_tickets(session: Session, store: Store, filters: Filters) -> Tickets:
    """The (contract, ticket) pairs of the filtered asset, read once for the whole page (None:
    no asset filter, or too many to list)."""
    if not filters.asset:
        return None
    pairs = _asset_pairs(store, filters).limit(ASSET_TICKETS_LISTED + 1)
    found = [(str(c), str(t)) for c, t in session.execute(pairs)]
    return found if len(found) <= ASSET_TICKETS_LISTED else None


def _asset_pairs(store: Store, filters: Filters) -> Select[str, str | None]:
    """The (contract, ticket) pairs whose events name the filtered asset, as a query."""
    tickets = select(StoredEvent.contract, StoredEvent.ticket).where(
        _asset_of_event(store) == filters.asset, StoredEvent.ticket.is_not(None)
    )
    if filters.contract:
        tickets = tickets.where(StoredEvent.contract == filters.contract)
    if filters.within is not None:
        tickets = tickets.where(StoredEvent.contract.in_(sorted(filters.within)))
    return tickets.distinct()


def _filtered(
    query: Select[Any], store: Store, filters: Filters, tickets: Tickets = None
) -> Select[Any]:
    """``query`` narrowed to the filters given (``tickets``: the asset's, when already read).
    On SQLite the compared columns are written
    ``column || ''``: without statistics (the store never runs ANALYZE) SQLite takes an
    equality on ``contract`` for selective and would read one whole contract through its unique
    index and sort it, instead of walking the board's index in order; the expression keeps it on
    that index (which holds these columns). PostgreSQL's planner has statistics."""

    def column(field: InstrumentedAttribute[Any]) -> ColumnElement[Any]:
        return field.expression if store.is_postgres else field.concat("")

    if filters.contract:
        query = query.where(column(StoredClock.contract) == filters.contract)
    if filters.within is not None:
        query = query.where(StoredClock.contract.in_(sorted(filters.within)))
    if filters.commitment:
        query = query.where(column(StoredClock.commitment) == filters.commitment)
    if filters.severity:
        query = query.where(column(StoredClock.severity) == filters.severity)
    if filters.asset:
        # (contract, ticket) pairs: the clocks of the asset's tickets are then looked up in the
        # unique index, not found by reading every running clock.
        pair = tuple_(StoredClock.contract, StoredClock.ticket)
        if tickets is None:
            query = query.where(pair.in_(_asset_pairs(store, filters)))
        elif tickets:
            query = query.where(pair.in_(tickets))
        else:
            query = query.where(false())
    return query


def assets_of(session: Session, clocks: list[StoredClock]) -> dict[tuple[str, str], str]:
    """The asset each clock's ticket concerns (the newest event that names one)."""
    found: dict[tuple[str, str], str] = {}
    wanted = {(c.contract, c.ticket) for c in clocks}
    for contract in {c for c, _ in wanted}:
        tickets = sorted(t for c, t in wanted if c == contract)
        for start in range(0, len(tickets), 500):
            rows = session.execute(
                select(StoredEvent.ticket, StoredEvent.body)
                .where(
                    StoredEvent.contract == contract,
                    StoredEvent.ticket.in_(tickets[start : start + 500]),
                )
                .order_by(StoredEvent.seq)
            )
            for ticket, body in rows:
                if ticket is None:
                    continue
                asset = json.loads(body).get("asset")
                if asset:
                    found[(contract, ticket)] = str(asset)
    return found


def _by_ids(session: Session, ids: list[int]) -> list[StoredClock]:
    """The clocks of ``ids``, in that order."""
    if not ids:
        return []
    rows = {c.id: c for c in session.scalars(select(StoredClock).where(StoredClock.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def _condition(sql: str) -> ColumnElement[bool]:
    return and_(text(sql))


def _groups(now: datetime) -> list[ColumnElement[bool]]:
    """The board's groups, most urgent first: open breaches, running or paused clocks past
    their warning time, the other running or paused clocks. The conditions repeat the words of
    the partial indexes of migration 0003, so each group is read from its index in deadline
    order."""
    live = _condition(LIVE_CLOCK_SQL)
    warned = and_(StoredClock.warn_at.is_not(None), StoredClock.warn_at <= now)
    rest = or_(StoredClock.warn_at.is_(None), StoredClock.warn_at > now)
    return [
        _condition(OPEN_BREACH_CLOCK_SQL),
        and_(live, warned),
        and_(live, rest),
    ]


def _count(
    session: Session, store: Store, filters: Filters, tickets: Tickets, where: ColumnElement[bool]
) -> int:
    query = select(func.count()).select_from(StoredClock).where(where)
    return int(session.scalar(_filtered(query, store, filters, tickets)) or 0)


def _page_ids(
    session: Session, store: Store, filters: Filters, tickets: Tickets, now: datetime, page: int
) -> tuple[list[int], int]:
    """The ids of one page (in the board's order) and how many clocks the board holds: the
    groups' sizes are counted, and only the groups the page overlaps are read, from the
    page's offset within them."""
    groups = _groups(now)
    breaches = _count(session, store, filters, tickets, groups[0])
    live = _count(session, store, filters, tickets, _condition(LIVE_CLOCK_SQL))
    warned = _count(session, store, filters, tickets, groups[1]) if live else 0
    sizes = [breaches, warned, live - warned]
    total = sum(sizes)
    page = min(max(1, page), max(1, -(-total // PAGE_SIZE)))
    skip, wanted = (page - 1) * PAGE_SIZE, PAGE_SIZE
    found: list[int] = []
    for where, size in zip(groups, sizes, strict=True):
        if wanted <= 0:
            break
        if skip >= size:
            skip -= size
            continue
        keys = _filtered(select(StoredClock.id).where(where), store, filters, tickets)
        ordered = keys.order_by(StoredClock.deadline, StoredClock.id)
        ids = list(session.scalars(ordered.offset(skip).limit(wanted)))
        found += ids
        wanted -= len(ids)
        skip = 0
    return found, total


def board(store: Store, filters: Filters, now: datetime, page: int = 1) -> Board:
    """One page of the board at ``now``, and the most recently stopped clocks."""
    with store.sessions() as session:
        tickets = _asset_tickets(session, store, filters)
        found, total = _page_ids(session, store, filters, tickets, now, page)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)
        clocks = _by_ids(session, found)
        stopped = _filtered(
            select(StoredClock.id).where(
                _condition(STOPPED_CLOCK_SQL), StoredClock.status.in_((MET, BREACHED))
            ),
            store,
            filters,
            tickets,
        ).order_by(StoredClock.stopped_at.desc(), StoredClock.id.desc())
        recent = _by_ids(session, list(session.scalars(stopped.limit(RECENT))))
        assets = assets_of(session, clocks + recent)
        session.expunge_all()

    def row(clock: StoredClock) -> Row:
        if clock.status == BREACHED and clock.stopped_at is None:
            level = "breach"
        elif clock.status == RUNNING and clock.warn_at is not None and clock.warn_at <= now:
            level = "warning"
        else:
            level = ""
        return Row(clock, assets.get((clock.contract, clock.ticket)), level)

    return Board([row(c) for c in _tickets_in_order(clocks)], total, page, pages,
                 [row(c) for c in recent])  # fmt: skip


def _tickets_in_order(clocks: list[StoredClock]) -> list[StoredClock]:
    """The page's clocks with those of one deadline in natural ticket order (H-2 before H-10:
    ``identity.ticket_order``, which SQL cannot sort by), the groups and deadlines kept."""
    ordered: list[StoredClock] = []
    for _, same in groupby(clocks, key=lambda clock: clock.deadline):
        ordered += sorted(same, key=lambda clock: ticket_order(clock.ticket))
    return ordered


def add_routes(router: APIRouter, console: Console) -> None:
    store = console.store
    page = console.page
    render = console.render
    now_of = console.now

    @router.get("/", dependencies=[requires("contract.read", page=True)])
    def board_page(request: Request, page_no: int = 1) -> HTMLResponse:
        p = page(request)
        within = visible(request)
        filters = replace(Filters.of(request.query_params), within=within)
        now = now_of()
        result = board(store, filters, now, page_no)
        return render(
            p,
            "board.html",
            board=result,
            filters=filters,
            now=now,
            unacked=unacknowledged(store, filters.contract, within),
        )


def unacknowledged(store: Store, contract: str | None, within: frozenset[str] | None = None) -> int:
    """How many alerts wait for acknowledgement (of one contract, or all; ``within``: of the
    contracts the caller sees)."""
    query = select(func.count()).select_from(waiting_alerts(contract, within).subquery())
    with store.sessions() as session:
        return int(session.scalar(query) or 0)
