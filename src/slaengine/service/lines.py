"""Penalty and compensation lines as stored rows: what the report computes, kept up to date.

Theory of operation
-------------------
The store keeps one row per line id (the penalty and compensation lines of the pure core's
report). Syncing makes the stored rows of one ticket (or the contract's lines of no ticket: a
missed obligation period, an event clause on a contract-wide event) equal to the computed ones:
changed rows are updated, rows no longer computed (their breach was withdrawn) deleted, unchanged
rows left alone. A clock's line is linked to its breach by its clock's ``row_key`` (commitment,
cycle, start_key: slaengine.service.row_keys), which the line carries. When the contract has
versions in force one after another (an amendment loaded with a later ``--effective`` date, or
one effective before the first version), each line is priced under the version in force when
its breach began, as replay prices it (slaengine.contract.versions).

Transaction boundary: none of its own; it writes into the caller's session, in the transaction
that recorded the clocks and breaches the lines name. A batch of tickets (slaengine.service.
clock_rows) collects its new lines as plain rows (``added``) and inserts them all in one
statement without the ORM (``insert_lines``); changed and withdrawn lines, rare, go through the
ORM objects that were read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from slaengine.evaluate import Context
from slaengine.findings import Findings
from slaengine.penalties import Charges, charge
from slaengine.penalties.lines import CLOCK, COMPENSATION, Line
from slaengine.penalties.words import amount_text
from slaengine.service.judging import Judged
from slaengine.service.row_keys import RowKey
from slaengine.store import Store
from slaengine.store.bulk import insert_rows
from slaengine.store.models import Breach, PenaltyLine

LINES = cast(Table, PenaltyLine.__table__)


def money_lines(charges: Charges) -> list[Line]:
    """The penalty and compensation lines (the ones the store keeps)."""
    return [*charges.penalties, *charges.compensation]


def ticket_charges(judged: Judged, now: datetime, amended: Sequence[Context] = ()) -> Charges:
    """What the ticket's findings cost, priced on their own: its clocks and events, and only
    the clauses whose lines can name a ticket (``charge(..., tickets_only=True)``). The
    contract's obligation periods and fee or measure periods are the duties pass's
    (slaengine.service.duties): judged on one ticket's events they would be phantoms.
    ``amended``: the versions in force one after another (oldest first), when there are
    several: each line is priced under the one in force when its breach began, as replay does."""
    findings = Findings(
        amended[-1].contract if amended else judged.context.contract,
        now,
        judged.clocks,
        [judged.summary],
        [],
        judged.wide.excused,
        judged.applied,
        versions=[context.contract for context in amended],
    )
    return charge(findings, tickets_only=True)


def store_ticket_lines(
    store: Store,
    session: Session,
    judged: Judged,
    contract: str,
    ticket: str,
    now: datetime,
    breaches: Mapping[RowKey, Breach],
    stored: list[PenaltyLine],
    added: list[dict[str, Any]] | None = None,
) -> None:
    """The ticket's penalty and compensation lines (``ticket_charges``): each priced under the
    contract version in force when its breach began (``Store.versions_in_force``). ``added``:
    where new lines go as plain rows (see ``sync_lines``)."""
    charges = ticket_charges(judged, now, store.versions_in_force(session, contract))

    def breach_of(line: Line) -> Breach | None:
        if line.source != CLOCK or line.commitment is None or line.cycle is None:
            return None
        return breaches.get((line.commitment, line.cycle, line.start_key))  # its clock's row_key

    lines = [line for line in money_lines(charges) if line.ticket == ticket]
    sync_lines(session, contract, ticket, lines, breach_of, now, stored, added)


def sync_lines(
    session: Session,
    contract: str,
    ticket: str | None,
    lines: list[Line],
    breach_of: Callable[[Line], Breach | None],
    now: datetime,
    rows: list[PenaltyLine] | None = None,
    added: list[dict[str, Any]] | None = None,
) -> None:
    """Make the stored lines of ``ticket`` (None: the contract's lines of no ticket) those
    of ``lines``: one row per line id, changed rows updated, rows no longer computed (their
    breach was withdrawn) deleted. ``rows``: the stored lines, when already read. ``added``:
    new lines are appended there as plain rows, for the caller to insert (``insert_lines``),
    instead of being added to the session as ORM objects."""
    if rows is None:
        owner = PenaltyLine.ticket == ticket if ticket is not None else PenaltyLine.ticket.is_(None)
        rows = list(
            session.scalars(select(PenaltyLine).where(PenaltyLine.contract == contract, owner))
        )
    stored = {line.line_id: line for line in rows}
    for line in lines:
        body = json.dumps(line.to_stored(), ensure_ascii=False, default=str)
        breach = breach_of(line)
        breach_id = breach.id if breach is not None else None
        record = stored.pop(line.id, None)
        if record is not None and record.body == body and record.breach_id == breach_id:
            continue
        values = {
            "ticket": ticket,
            "section": "compensation" if line.section == COMPENSATION else "penalties",
            "source": line.source,
            "clause": line.clause,
            "commitment": line.commitment,
            "obligation": line.obligation,
            "asset": line.asset,
            "breach_id": breach_id,
            "amount": None if line.amount is None else amount_text(line.amount),
            "provisional": line.provisional,
            "body": body,
            "computed_at": now,
        }
        if record is None and added is not None:
            added.append({"contract": contract, "line_id": line.id, **values})
            continue
        if record is None:
            record = PenaltyLine(contract=contract, line_id=line.id)
            session.add(record)
        for name, value in values.items():
            setattr(record, name, value)
    for gone in stored.values():
        session.delete(gone)


def insert_lines(session: Session, added: list[dict[str, Any]]) -> None:
    """Insert the new lines a batch collected (``sync_lines``'s ``added``) in one statement,
    without the ORM (slaengine.store.bulk). By contract (in the order collected within one):
    on PostgreSQL the first row of a contract locks its change counter to the commit (migration
    0012's row trigger), so two batches over the same contracts lock them in the same order."""
    insert_rows(session, LINES, sorted(added, key=_contract_of))


def _contract_of(row: dict[str, Any]) -> str:
    return str(row["contract"])
