"""Confirming a billing statement, and telling whether it changed since.

A party (the supplier, or the customer) confirms the statement of a period as a document: the
PDF rendered at a given ``as_of`` in a language. The confirmation keeps who, when, from where,
the document's SHA-256 and a snapshot of the statement's lines (amount, provisional, waived, by
line id) and totals; its audit record (``statement_confirmed``) is written in the same
transaction. Later, the statement of the same period is compared with each snapshot: a late
event that changes a line, a waiver, a withdrawn breach, shows as the lines that differ
(``differences``), and the document says so (slaengine.penalties.pdf).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select

from slaengine.audit import trail
from slaengine.audit.records import StatementConfirmation
from slaengine.errors import SlaError
from slaengine.penalties.pdf import Recorded
from slaengine.penalties.statement import Statement
from slaengine.penalties.words import amount_text
from slaengine.store import Store

PARTIES = ("supplier", "customer")


def document_hash(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def snapshot(statement: Statement) -> dict[str, Any]:
    """What a confirmation keeps of the statement: each line by id, and the totals."""
    lines = {
        line.id: {
            "amount": amount_text(line.amount) if line.amount is not None else None,
            "provisional": line.provisional,
            "waived": line.waived,
        }
        for line in statement.charges.lines()
    }
    totals = statement.totals()
    return {
        "lines": lines,
        "totals": {
            "penalties": amount_text(totals.penalties),
            "compensation": amount_text(totals.compensation),
            "chargeable": amount_text(totals.chargeable),
        },
    }


def _describe(line: dict[str, Any] | None, lang: str) -> str:
    if line is None:
        return "removed"
    text = line["amount"] or "—"
    flags = []
    if line["provisional"]:
        flags.append("暂计" if lang == "zh" else "provisional")
    if line["waived"]:
        flags.append("已豁免" if lang == "zh" else "waived")
    return f"{text} ({', '.join(flags)})" if flags else text


def differences(then: dict[str, Any], now: dict[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """The lines that differ between two snapshots: (line id, as confirmed, now); a line that
    is new reads ``added`` as confirmed, one gone reads ``removed`` now."""
    before, after = then["lines"], now["lines"]
    found = []
    for line_id in sorted(set(before) | set(after)):
        old, new = before.get(line_id), after.get(line_id)
        if old == new:
            continue
        found.append(
            (
                line_id,
                "added" if old is None else _describe(old, lang),
                _describe(new, lang),
            )
        )
    return found


def confirm(
    store: Store,
    statement: Statement,
    document: bytes,
    lang: str,
    actor: trail.Actor,
    party: str,
) -> StatementConfirmation:
    """Record ``actor``'s confirmation of ``statement`` as ``document`` (one transaction, with
    its audit record)."""
    if party not in PARTIES:
        raise SlaError(f"--party: {party!r} is not one of {', '.join(PARTIES)}")
    digest = document_hash(document)
    now = store.clock.now()
    contract = statement.contract.id
    kept = snapshot(statement)
    with store.write() as session:
        record = trail.append(
            session,
            actor,
            "statement_confirmed",
            now,
            contract=contract,
            subject=f"statement {statement.window.label}",
            details={
                "period": statement.window.label,
                "party": party,
                "as_of": statement.as_of,
                "lang": lang,
                "document_sha256": digest,
                "totals": kept["totals"],
                "complete": statement.complete,
            },
        )
        row = StatementConfirmation(
            contract=contract,
            period=statement.window.label,
            as_of=statement.as_of,
            lang=lang,
            document_sha256=digest,
            lines=orjson.dumps(kept, option=orjson.OPT_SORT_KEYS).decode(),
            who=actor.who,
            party=party,
            via=actor.via,
            origin=actor.origin,
            confirmed_at=now,
            audit_seq=record.seq,
        )
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


@dataclass(frozen=True, slots=True)
class Standing:
    """A confirmation and what changed since, as the CLI and the console show it."""

    row: StatementConfirmation
    differences: list[tuple[str, str, str]]

    @property
    def changed(self) -> bool:
        return bool(self.differences)

    def to_json(self) -> dict[str, Any]:
        return {
            "who": self.row.who,
            "party": self.row.party,
            "confirmed_at": self.row.confirmed_at.isoformat(),
            "as_of": self.row.as_of.isoformat(),
            "lang": self.row.lang,
            "document_sha256": self.row.document_sha256,
            "changed": self.changed,
            "differences": [
                {"line": line, "confirmed": then, "now": now}
                for line, then, now in self.differences
            ],
        }


def any_confirmed(store: Store, contract: str, period: str) -> bool:
    """Whether any party confirmed the statement of ``contract`` for ``period``."""
    with store.sessions() as session:
        found = session.scalar(
            select(StatementConfirmation.id)
            .where(
                StatementConfirmation.contract == contract,
                StatementConfirmation.period == period,
            )
            .limit(1)
        )
    return found is not None


def standing(store: Store, statement: Statement, lang: str) -> list[Standing]:
    """Every confirmation of ``statement``'s contract and period, oldest first, each with the
    lines that differ now."""
    with store.sessions() as session:
        rows = list(
            session.scalars(
                select(StatementConfirmation)
                .where(
                    StatementConfirmation.contract == statement.contract.id,
                    StatementConfirmation.period == statement.window.label,
                )
                .order_by(StatementConfirmation.id)
            )
        )
        session.expunge_all()
    now = snapshot(statement)
    return [Standing(row, differences(orjson.loads(row.lines), now, lang)) for row in rows]


def recorded(standings: list[Standing], zone: ZoneInfo) -> list[Recorded]:
    """The confirmations as the PDF shows them (times in the contract's zone)."""
    return [
        Recorded(
            each.row.who,
            each.row.party,
            _local(each.row.confirmed_at, zone),
            each.row.document_sha256,
            each.differences,
        )
        for each in standings
    ]


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z")
