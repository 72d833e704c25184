"""Disputes: a supplier contests a penalty or compensation line; the contract manager decides.

Theory of operation
-------------------
A dispute names one stored line (``penalty_lines``: the API's ``/penalties`` ``id``) and keeps
a stable reference to it (``slaengine.penalties.disputes.line_reference``: contract, clause,
ticket, commitment, cycle and the start's own key, or the obligation period, the event, the
fee period), the line as it stood when filed, a reason, and its evidence files. It is
``open`` until decided, then ``accepted`` or ``rejected``; a line has at most one open dispute
(``open_key`` holds the reference while open, NULL after: a unique constraint on
``(contract, open_key)``, which both databases keep for non-NULL values only).

Evidence files are kept in the store (``dispute_evidence.content``), so every ``serve``
process of one PostgreSQL store serves them. Each file is at most ``FILE_BYTES``, a dispute's
files together at most ``TOTAL_BYTES`` (413 past either), and the content must be a PDF, PNG,
JPEG or plain UTF-8 text, told by its bytes (``sniff``), not by its name or declared type
(415 otherwise).

Accepting waives the line through the ordinary waiver rules: a ``breach_waived`` event
(``slaengine.penalties.disputes.waiver_attrs``) is stored through ``Store.add_events`` with the
dispute's decision and its audit record **in the same transaction** (``also``) — for a cost
claim's line one for each breach of its ticket charged under the clause (``_also_waived``); its
ticket is marked for judging, and every total (the stored lines, the money page, the statement,
the PDF) follows as for any other waiver. Rejecting changes no money. Every step — filing, evidence
added, accepting, rejecting — appends an audit record in the transaction that does it.

Transaction boundaries: each function that writes is one transaction of its own; the readers
take the caller's session.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from slaengine.audit import trail
from slaengine.errors import SlaError
from slaengine.penalties.disputes import (
    ACCEPTED,
    OPEN,
    REJECTED,
    STATES,
    DisputeMark,
    event_fields,
    line_reference,
    waiver_attrs,
)
from slaengine.penalties.lines import CLOCK, PERIOD, Line
from slaengine.penalties.words import amount_text
from slaengine.store.models import WITHDRAWN, Base, BigId, Breach, Int64, PenaltyLine
from slaengine.store.repository import AddResult, Store
from slaengine.store.types import UtcDateTime

#: The largest evidence file (bytes).
#: Why a cap adjustment (``cap/...``) is refused: it is no charge of its own.
CAP_NOT_DISPUTED = (
    "a cap adjustment is not disputed on its own: it follows the lines it cuts (contest one of "
    "them; an accepted dispute waives that line, which leaves the caps, and the adjustment "
    "shrinks with it)"
)
FILE_BYTES = 5 * 1024 * 1024
#: The most a dispute's evidence files may hold together (bytes).
TOTAL_BYTES = 20 * 1024 * 1024
#: The most evidence files a dispute may have.
MOST_FILES = 10
#: What an evidence file may be, told by its content.
MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain")
#: The longest reason (characters).
REASON_CHARS = 4000


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (
        UniqueConstraint("contract", "open_key", name="uq_disputes_open_line"),
        Index("ix_disputes_contract", "contract", "state", "id"),
        Index("ix_disputes_ticket", "contract", "ticket"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract: Mapped[str] = mapped_column(String(200))
    #: The line's stable reference (``line_reference``).
    reference: Mapped[str] = mapped_column(String(1000))
    #: ``reference`` while the dispute is open, NULL once decided: one open dispute per line.
    open_key: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    #: The line's id when it was filed (``/penalties``'s ``id``).
    line_id: Mapped[str] = mapped_column(String(1000))
    section: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    clause: Mapped[str] = mapped_column(String(200))
    ticket: Mapped[str | None] = mapped_column(String(200), nullable=True)
    commitment: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cycle: Mapped[int | None] = mapped_column(Integer, nullable=True)
    start_key: Mapped[str] = mapped_column(String(200), default="")
    obligation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    asset: Mapped[str | None] = mapped_column(String(200), nullable=True)
    period_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    event: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: When the line is billed (which statement it belongs to).
    billed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The line's amount when it was filed (text, two decimals).
    amount: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: The line as it stood when filed (``Line.to_stored`` JSON).
    line: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_via: Mapped[str] = mapped_column(String(20))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: ``open``, ``accepted`` or ``rejected``.
    state: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The ``breach_waived`` event an accepted dispute stored.
    waiver_event: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DisputeEvidence(Base):
    __tablename__ = "dispute_evidence"
    __table_args__ = (Index("ix_dispute_evidence_dispute", "dispute_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dispute_id: Mapped[int] = mapped_column(Int64, ForeignKey("disputes.id"))
    #: The file's name as sent, cleaned (no path, no control characters).
    name: Mapped[str] = mapped_column(String(200))
    #: The type its content showed (``MEDIA_TYPES``), whatever the sender declared.
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Int64)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DisputeError(SlaError):
    """A dispute request the store refuses; ``status`` is the HTTP answer it maps to (404 no
    such line or dispute, 409 a conflict of state, 413 too large, 415 a file type not taken,
    422 bad input). ``field`` names what was wrong."""

    def __init__(self, status: int, error: str, field: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field


@dataclass(frozen=True, slots=True)
class Upload:
    """An evidence file as received: its name and bytes (the declared type is not trusted)."""

    name: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The type ``data`` is by its content: PDF, PNG, JPEG or plain UTF-8 text; None when none
    of them (a text file may not hold NUL or other control characters but tab, line ends and
    form feed)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if not text.strip():
        return None
    if any((ord(c) < 32 and c not in "\t\n\r\f") or c == "\x7f" for c in text):
        return None
    return "text/plain"


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/<>:|?*]')


def clean_name(name: str) -> str:
    """A file name safe to show and to offer for download: the last part of any path, no
    control characters or quotes, at most 200 characters; ``evidence`` when nothing is left."""
    last = re.split(r"[\\/]", name or "")[-1]
    text = _UNSAFE.sub("_", unicodedata.normalize("NFC", last)).strip(" .")
    return text[:200] or "evidence"


def _checked_uploads(
    uploads: list[Upload], already_files: int, already_bytes: int
) -> list[tuple[str, str, bytes]]:
    """(name, type, bytes) of each upload; DisputeError 413/415/422 naming the file."""
    if already_files + len(uploads) > MOST_FILES:
        raise DisputeError(
            413,
            f"evidence: {already_files + len(uploads)} files, at most {MOST_FILES} per dispute",
            "evidence",
        )
    total = already_bytes
    checked = []
    for upload in uploads:
        name = clean_name(upload.name)
        size = len(upload.data)
        if size > FILE_BYTES:
            raise DisputeError(
                413, f"evidence {name!r}: {size:,} bytes, at most {FILE_BYTES:,} per file",
                "evidence",
            )  # fmt: skip
        if size == 0:
            raise DisputeError(422, f"evidence {name!r}: the file is empty", "evidence")
        total += size
        if total > TOTAL_BYTES:
            raise DisputeError(
                413,
                f"evidence {name!r}: the dispute's files would hold {total:,} bytes, at most "
                f"{TOTAL_BYTES:,} together",
                "evidence",
            )
        media = sniff(upload.data)
        if media is None:
            raise DisputeError(
                415,
                f"evidence {name!r}: its content is not a PDF, PNG, JPEG or plain UTF-8 text "
                "file (the type is told by the bytes, not the name)",
                "evidence",
            )
        checked.append((name, media, upload.data))
    return checked


def _text(value: str | None, field: str, longest: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DisputeError(422, f"{field}: required, say it in words", field)
    if "\x00" in text:
        raise DisputeError(422, f"{field}: a NUL character is not allowed", field)
    if len(text) > longest:
        raise DisputeError(422, f"{field}: {len(text):,} characters, at most {longest:,}", field)
    return text


def _add_evidence(
    session: Session, dispute: Dispute, files: list[tuple[str, str, bytes]], who: str, at: datetime
) -> list[DisputeEvidence]:
    import hashlib

    rows = [
        DisputeEvidence(
            dispute_id=dispute.id,
            name=name,
            media_type=media,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            added_by=who[:200],
            added_at=at,
        )
        for name, media, data in files
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _evidence_details(rows: list[DisputeEvidence]) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "name": r.name, "type": r.media_type, "size": r.size, "sha256": r.sha256}
        for r in rows
    ]


def file_dispute(
    store: Store,
    contract: str,
    line_id: str,
    reason: str,
    actor: trail.Actor,
    uploads: list[Upload] | None = None,
) -> Dispute:
    """Contest the stored line ``line_id`` of ``contract`` (one transaction with its evidence
    and its audit record ``dispute_filed``)."""
    reason = _text(reason, "reason", REASON_CHARS)
    line_id = _text(line_id, "line", 1000)
    files = _checked_uploads(uploads or [], 0, 0)
    if line_id.startswith("cap/"):
        raise DisputeError(422, f"line {line_id!r}: {CAP_NOT_DISPUTED}", "line")
    now = store.clock.now()
    with store.sessions() as session:
        stored = session.scalar(
            select(PenaltyLine.id).where(
                PenaltyLine.contract == contract, PenaltyLine.line_id == line_id
            )
        )
    # a line of a clause priced per period of the whole contract is not stored: judged now
    period_line = None if stored is not None else _period_line(store, contract, line_id, now)
    try:
        with store.write() as session:
            row = session.scalar(
                select(PenaltyLine).where(
                    PenaltyLine.contract == contract, PenaltyLine.line_id == line_id
                )
            )
            if row is None and period_line is None:
                raise DisputeError(
                    404, f"line: no line {line_id!r} of contract {contract!r} is stored", "line"
                )
            if row is not None:
                line = Line.from_json(json.loads(row.body))
                body, amount = row.body, row.amount
            else:
                assert period_line is not None
                line = period_line
                body = json.dumps(line.to_stored(), ensure_ascii=False)
                amount = amount_text(line.amount) if line.amount is not None else None
            if line.clause is None:
                raise DisputeError(422, f"line {line_id!r}: {CAP_NOT_DISPUTED}", "line")
            if line.amount is None:
                raise DisputeError(422, f"line {line_id!r}: carries no amount to contest", "line")
            if line.waived:
                raise DisputeError(
                    409, f"line {line_id!r}: already waived ({line.waiver_reason})", "line"
                )
            reference = line_reference(line)
            already = session.scalar(
                select(Dispute.id).where(
                    Dispute.contract == contract, Dispute.open_key == reference
                )
            )
            if already is not None:
                raise DisputeError(
                    409, f"line {line_id!r}: dispute {already} is open already", "line"
                )
            dispute = Dispute(
                contract=contract,
                reference=reference,
                open_key=reference,
                line_id=line.id,
                section=line.section,
                source=line.source,
                clause=line.clause,
                ticket=line.ticket,
                commitment=line.commitment,
                cycle=line.cycle,
                start_key=line.start_key,
                obligation=line.obligation,
                asset=line.asset,
                period_start=line.period_start,
                event=line.event,
                billed_at=line.billed_at,
                amount=amount,
                line=body,
                reason=reason,
                filed_by=actor.who[:200],
                filed_via=actor.via[:20],
                filed_at=now,
                state=OPEN,
            )
            session.add(dispute)
            session.flush()
            evidence = _add_evidence(session, dispute, files, actor.who, now)
            trail.append(
                session,
                actor,
                "dispute_filed",
                now,
                contract=contract,
                subject=f"dispute {dispute.id} line {line.id}",
                details={
                    "dispute": dispute.id,
                    "line": line.id,
                    "reference": reference,
                    "amount": amount,
                    "reason": reason,
                    "evidence": _evidence_details(evidence),
                },
            )
            session.expunge(dispute)
    except IntegrityError:  # another request opened one for the same line at the same moment
        raise DisputeError(409, f"line {line_id!r}: a dispute is open already", "line") from None
    return dispute


def add_evidence(
    store: Store, dispute_id: int, actor: trail.Actor, uploads: list[Upload]
) -> list[DisputeEvidence]:
    """Add evidence files to an open dispute (one transaction, with its audit record
    ``dispute_evidence_added``)."""
    if not uploads:
        raise DisputeError(422, "evidence: no file sent", "evidence")
    now = store.clock.now()
    with store.write() as session:
        dispute = session.get(Dispute, dispute_id, with_for_update=True)
        if dispute is None:
            raise DisputeError(404, f"no dispute {dispute_id}")
        if dispute.state != OPEN:
            raise DisputeError(409, f"dispute {dispute_id} is {dispute.state}: evidence closed")
        kept = session.execute(
            select(DisputeEvidence.size).where(DisputeEvidence.dispute_id == dispute_id)
        ).all()
        files = _checked_uploads(uploads, len(kept), sum(size for (size,) in kept))
        rows = _add_evidence(session, dispute, files, actor.who, now)
        trail.append(
            session,
            actor,
            "dispute_evidence_added",
            now,
            contract=dispute.contract,
            subject=f"dispute {dispute.id}",
            details={"dispute": dispute.id, "evidence": _evidence_details(rows)},
        )
        for row in rows:
            session.expunge(row)
    return rows


@dataclass(frozen=True, slots=True)
class Decision:
    """What deciding did: the dispute as it now stands and, when accepted, the ticket the
    waiver marked for judging (None: a line of no ticket, judged by the duties pass)."""

    dispute: Dispute
    tickets: set[tuple[str, str]]
    contract_wide: bool


def decide(
    store: Store, dispute_id: int, accept: bool, reason: str, actor: trail.Actor
) -> Decision:
    """Accept (the line is waived: module doc) or reject an open dispute, with a reason (one
    transaction, with its audit record ``dispute_accepted`` or ``dispute_rejected``)."""
    reason = _text(reason, "reason", REASON_CHARS)
    now = store.clock.now()
    if not accept:
        with store.write() as session:
            dispute = _open_for_decision(session, dispute_id)
            _decided(dispute, REJECTED, reason, actor, now)
            trail.append(
                session,
                actor,
                "dispute_rejected",
                now,
                contract=dispute.contract,
                subject=f"dispute {dispute.id} line {dispute.line_id}",
                details={"dispute": dispute.id, "line": dispute.line_id, "reason": reason},
            )
            session.flush()
            session.expunge(dispute)
        return Decision(dispute, set(), False)
    with store.sessions() as session:
        dispute = _open_for_decision(session, dispute_id)
        line = current_line(session, dispute)
    if line is None and dispute.source == PERIOD:  # not stored: the contract judged now
        line = _period_line(store, dispute.contract, dispute.reference, now)
    if line is None:
        raise DisputeError(
            409,
            f"dispute {dispute_id}: its line {dispute.line_id} is no longer charged (the breach "
            "was withdrawn); reject the dispute, saying so",
        )
    waiver_id = f"dispute-{dispute_id}-accepted"
    with store.sessions() as session:
        covered = [waiver_attrs(line), *_also_waived(store, session, dispute.contract, line)]
    events = [
        {
            "id": waiver_id if n == 0 else f"{waiver_id}-{n + 1}",
            "contract": dispute.contract,
            "type": "breach_waived",
            "at": now.isoformat(),
            **event_fields(line),
            "attrs": {
                **attrs,
                "reason": f"dispute {dispute_id} accepted: {reason}",
                "by": actor.who,
                "dispute": dispute_id,
            },
        }
        for n, attrs in enumerate(covered)
    ]
    decided: list[Dispute] = []

    def finish(session: Session, added: AddResult) -> None:
        if added.rejected:
            raise DisputeError(422, f"the waiver was refused: {added.rejected[0].error}")
        if len(added.accepted) < len(events):  # stored already by a decision a moment ago
            raise DisputeError(409, f"dispute {dispute_id} was decided already")
        row = _open_for_decision(session, dispute_id)
        _decided(row, ACCEPTED, reason, actor, now)
        row.waiver_event = waiver_id
        trail.append(
            session,
            actor,
            "dispute_accepted",
            now,
            contract=row.contract,
            subject=f"dispute {row.id} line {line.id}",
            details={
                "dispute": row.id,
                "line": line.id,
                "reason": reason,
                "waiver_event": waiver_id,
                "amount": row.amount,
            },
        )
        session.flush()
        session.expunge(row)
        decided.append(row)

    added = store.add_events(list(enumerate(events)), f"dispute:{dispute_id}", also=finish)
    return Decision(decided[0], added.tickets, line.ticket is None)


def _also_waived(store: Store, session: Session, contract: str, line: Line) -> list[dict[str, Any]]:
    """The further waivers a cost claim's line needs: a claim is owed while any breach of its
    ticket charged under the clause stands (penalties/kinds/costs.py picks one that is not
    waived), so the clause is waived for each other breach of the ticket whose commitment
    carries it. Any other line: none."""
    if line.kind != "costs" or line.source != CLOCK or line.ticket is None:
        return []
    carrying = {
        commitment.id
        for row in store.versions(session, contract)
        for commitment in store.context(row).contract.commitments
        if line.clause in commitment.clauses
    }
    found = []
    for commitment, cycle, occurrence in session.execute(
        select(Breach.commitment, Breach.cycle, Breach.occurrence)
        .where(
            Breach.kind == "clock",
            Breach.ticket == line.ticket,
            Breach.status != WITHDRAWN,
            Breach.contract == contract,
        )
        .order_by(Breach.id)
    ):
        if commitment not in carrying:
            continue
        if (commitment, cycle, occurrence) == (line.commitment, line.cycle, line.occurrence):
            continue
        attrs: dict[str, Any] = {"commitment": commitment, "cycle": cycle, "clause": line.clause}
        if occurrence:
            attrs["occurrence"] = occurrence
        found.append(attrs)
    return found


def _open_for_decision(session: Session, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id, with_for_update=True, populate_existing=True)
    if dispute is None:
        raise DisputeError(404, f"no dispute {dispute_id}")
    if dispute.state != OPEN:
        raise DisputeError(
            409, f"dispute {dispute_id} was {dispute.state} already by {dispute.decided_by}"
        )
    return dispute


def _decided(dispute: Dispute, state: str, reason: str, actor: trail.Actor, now: datetime) -> None:
    dispute.state = state
    dispute.open_key = None
    dispute.decided_by = actor.who[:200]
    dispute.decided_at = now
    dispute.decision_reason = reason


#: The clause kinds priced per period of the whole contract (their lines are not stored).
PERIOD_KINDS = frozenset({"measure_credit", "service_credit"})


def _period_line(store: Store, contract: str, reference: str, now: datetime) -> Line | None:
    """The line ``reference`` of a clause priced per period of the whole contract (a
    ``measure_credit`` or ``service_credit`` line: the live service does not store them) as it
    stands at ``now``: the contract's stored events judged under its newest version, as
    ``slaengine statement --db`` and the console's money page judge them. None when there is no
    such line (or the reference names no period line)."""
    from slaengine.evaluate import evaluate

    if "/" not in reference:
        return None
    with store.sessions() as session:
        rows = store.versions(session, contract)
        if not rows:
            return None
        context = store.context(rows[-1])
    # only a clause priced per period has such lines: a made-up id of any other clause is
    # answered without judging the whole contract
    named = reference.split("/", 1)[0]
    if not any(
        clause.id == named and clause.kind in PERIOD_KINDS for clause in context.contract.clauses
    ):
        return None
    report = evaluate(context, store.contract_events(contract), now)
    for line in report.charges.lines():
        if line.source == PERIOD and line_reference(line) == reference:
            return line
    return None


def current_line(session: Session, dispute: Dispute) -> Line | None:
    """The stored line the dispute refers to as it stands now (found by its reference, which
    survives re-judging), or None when it is no longer charged."""
    query = select(PenaltyLine.body).where(
        PenaltyLine.contract == dispute.contract, PenaltyLine.clause == dispute.clause
    )
    if dispute.ticket is not None:
        query = query.where(PenaltyLine.ticket == dispute.ticket)
    else:
        query = query.where(PenaltyLine.ticket.is_(None))
    for (body,) in session.execute(query):
        line = Line.from_json(json.loads(body))
        if line_reference(line) == dispute.reference:
            return line
    return None


# -- reading --------------------------------------------------------------------------------


def get(session: Session, dispute_id: int) -> Dispute | None:
    return session.get(Dispute, dispute_id)


def listed(
    session: Session,
    contract: str | None = None,
    state: str | None = None,
    ticket: str | None = None,
    limit: int = 500,
    within: Collection[str] | None = None,
) -> list[Dispute]:
    """Disputes, newest first, narrowed to a contract, a state, a ticket and (``within``, None:
    every contract) the contracts a caller sees — in the query, before the limit."""
    if state is not None and state not in STATES:
        raise DisputeError(422, f"state: {state!r} is not one of {', '.join(STATES)}", "state")
    query = select(Dispute)
    if contract is not None:
        query = query.where(Dispute.contract == contract)
    if state is not None:
        query = query.where(Dispute.state == state)
    if ticket is not None:
        query = query.where(Dispute.ticket == ticket)
    if within is not None:
        query = query.where(Dispute.contract.in_(sorted(within)))
    return list(session.scalars(query.order_by(Dispute.id.desc()).limit(limit)))


def open_count(session: Session, contract: str) -> int:
    """How many disputes of ``contract`` are open (counted in the query, however many)."""
    query = select(func.count()).select_from(Dispute)
    return session.scalar(query.where(Dispute.contract == contract, Dispute.state == OPEN)) or 0


def evidence_of(session: Session, dispute_ids: list[int]) -> dict[int, list[DisputeEvidence]]:
    """The evidence files' descriptions (not their content) of each dispute, oldest first."""
    found: dict[int, list[DisputeEvidence]] = {ident: [] for ident in dispute_ids}
    if not dispute_ids:
        return found
    columns = (
        DisputeEvidence.id, DisputeEvidence.dispute_id, DisputeEvidence.name,
        DisputeEvidence.media_type, DisputeEvidence.size, DisputeEvidence.sha256,
        DisputeEvidence.added_by, DisputeEvidence.added_at,
    )  # fmt: skip
    rows = session.execute(
        select(*columns)
        .where(DisputeEvidence.dispute_id.in_(dispute_ids))
        .order_by(DisputeEvidence.id)
    )
    for row in rows:
        found[row.dispute_id].append(
            DisputeEvidence(
                id=row.id,
                dispute_id=row.dispute_id,
                name=row.name,
                media_type=row.media_type,
                size=row.size,
                sha256=row.sha256,
                content=b"",
                added_by=row.added_by,
                added_at=row.added_at,
            )
        )
    return found


def evidence_file(session: Session, dispute_id: int, evidence_id: int) -> DisputeEvidence | None:
    """One evidence file with its content (None: no such file of that dispute)."""
    row = session.get(DisputeEvidence, evidence_id)
    return row if row is not None and row.dispute_id == dispute_id else None


def mark_of(dispute: Dispute) -> DisputeMark:
    return DisputeMark(
        number=dispute.id,
        state=dispute.state,
        reason=dispute.reason,
        filed_by=dispute.filed_by,
        filed_at=dispute.filed_at,
        decided_by=dispute.decided_by,
        decided_at=dispute.decided_at,
        decision_reason=dispute.decision_reason,
    )


def mark_as_of(dispute: Dispute, as_of: datetime | None) -> DisputeMark | None:
    """The dispute as it stood at ``as_of`` (None: now): not filed yet (None), open (decided
    after it), or decided."""
    if as_of is None:
        return mark_of(dispute)
    if dispute.filed_at > as_of:
        return None
    if dispute.decided_at is not None and dispute.decided_at > as_of:
        return DisputeMark(
            number=dispute.id,
            state=OPEN,
            reason=dispute.reason,
            filed_by=dispute.filed_by,
            filed_at=dispute.filed_at,
        )
    return mark_of(dispute)


def marks(
    session: Session,
    contract: str,
    references: set[str] | None = None,
    as_of: datetime | None = None,
) -> dict[str, DisputeMark]:
    """The dispute of each disputed line of ``contract`` by reference: its open one, else the
    latest decided. ``references``: only these lines. ``as_of``: each dispute as it stood then
    (one filed later left out, one decided later still open; ``statement --as-of``)."""
    query = select(Dispute).where(Dispute.contract == contract).order_by(Dispute.id)
    found: dict[str, DisputeMark] = {}
    for dispute in session.scalars(query):
        if references is not None and dispute.reference not in references:
            continue
        kept = found.get(dispute.reference)
        if kept is not None and kept.state == OPEN:
            continue
        mark = mark_as_of(dispute, as_of)
        if mark is not None:
            found[dispute.reference] = mark
    return found


def reference_of_row(row: PenaltyLine) -> str:
    """The stable reference of a stored line."""
    return line_reference(Line.from_json(json.loads(row.body)))


def marks_of_rows(session: Session, rows: list[PenaltyLine]) -> dict[int, DisputeMark]:
    """The dispute of each stored line that has one, by the row's id (one read per contract
    with disputes; none for a contract without)."""
    contracts = {row.contract for row in rows}
    if not contracts:
        return {}
    disputed = set(
        session.scalars(select(Dispute.contract).where(Dispute.contract.in_(contracts)).distinct())
    )
    found: dict[int, DisputeMark] = {}
    for contract in disputed:
        mine = [row for row in rows if row.contract == contract]
        by_reference = marks(session, contract)
        for row in mine:
            mark = by_reference.get(reference_of_row(row))
            if mark is not None:
                found[row.id] = mark
    return found


def marks_of_store(
    store: Store, contract: str, as_of: datetime | None = None
) -> dict[str, DisputeMark]:
    """``marks`` of ``contract``, as they stand now or at ``as_of``."""
    with store.sessions() as session:
        return marks(session, contract, as_of=as_of)


def evidence_json(row: DisputeEvidence) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "added_by": row.added_by,
        "added_at": row.added_at.isoformat(),
        "url": f"/disputes/{row.dispute_id}/evidence/{row.id}",
    }


def dispute_json(row: Dispute, evidence: list[DisputeEvidence]) -> dict[str, Any]:
    """A dispute as the API and ``slaengine dispute show -f json`` give it."""
    return {
        "id": row.id,
        "contract": row.contract,
        "state": row.state,
        "line": row.line_id,
        "reference": row.reference,
        "section": row.section,
        "source": row.source,
        "clause": row.clause,
        "ticket": row.ticket,
        "commitment": row.commitment,
        "cycle": row.cycle,
        "obligation": row.obligation,
        "asset": row.asset,
        "period_start": row.period_start.isoformat() if row.period_start else None,
        "event": row.event,
        "billed_at": row.billed_at.isoformat(),
        "amount": row.amount,
        "reason": row.reason,
        "filed_by": row.filed_by,
        "filed_via": row.filed_via,
        "filed_at": row.filed_at.isoformat(),
        "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decision_reason": row.decision_reason,
        "waiver_event": row.waiver_event,
        "evidence": [evidence_json(item) for item in evidence],
    }
