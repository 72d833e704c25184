"""The audit trail's tables: the records, and the one head row every append locks.

``audit_records`` is append-only: each record carries the hash of the one before it
(slaengine.audit.trail explains the chain); nothing in slaengine updates or deletes a row.
``audit_head`` holds one row (id 1): the number and hash of the newest record. Locking it is
how an append is serialised on PostgreSQL (two writers never fork the chain), and it names the
chain's end, so removing the newest records is detected like removing any other.

``statement_confirmations`` keeps each confirmation of a billing statement (slaengine.audit.
confirmations): who, when, the document's SHA-256, and the lines as they stood, so that a
statement changed after it was confirmed says which lines changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slaengine.store.models import Base, BigId, Int64
from slaengine.store.types import UtcDateTime


class AuditRecord(Base):
    __tablename__ = "audit_records"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_audit_seq"),
        Index("ix_audit_contract", "contract", "seq"),
        Index("ix_audit_kind", "kind", "seq"),
        Index("ix_audit_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: 1, 2, 3, ... with no gap: the record's place in the chain (ids may skip on PostgreSQL
    #: when a transaction rolls back; ``seq`` is taken under the head row's lock).
    seq: Mapped[int] = mapped_column(Int64)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: What happened: ``acknowledged``, ``waiver``, ``contract_loaded``, ``contract_amended``,
    #: ``rejudge``, ``signed_in``, ``sign_in_failed``, ``statement_confirmed``.
    kind: Mapped[str] = mapped_column(String(40))
    #: Who: the name given (``--by``, the acknowledgement's ``by``) or the role signed in.
    who: Mapped[str] = mapped_column(String(200))
    #: Through what: ``http``, ``console``, ``cli`` or ``intake`` (events of a stream).
    via: Mapped[str] = mapped_column(String(20))
    #: From where: the client's address (http, console), ``user@host`` (cli), the events'
    #: source (intake: ``api``, a file name, ``nats:...``).
    origin: Mapped[str] = mapped_column(String(300))
    contract: Mapped[str | None] = mapped_column(String(200))
    #: What it was done to, in a word: ``alert 12``, ``version 2``, ``2026-10``.
    subject: Mapped[str | None] = mapped_column(String(500))
    #: Further facts, as canonical JSON (sorted keys, no spaces).
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Int64)
    hash: Mapped[str] = mapped_column(String(64))


class StatementConfirmation(Base):
    __tablename__ = "statement_confirmations"
    __table_args__ = (Index("ix_confirmations_period", "contract", "period", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contract: Mapped[str] = mapped_column(String(200))
    #: The billing period's label (``2026-10``, or ``2026-10-01..2026-10-15``).
    period: Mapped[str] = mapped_column(String(100))
    #: The evaluation time of the document confirmed (rendering again with it reproduces it).
    as_of: Mapped[datetime] = mapped_column(UtcDateTime)
    lang: Mapped[str] = mapped_column(String(10))
    #: SHA-256 of the PDF document confirmed (hex).
    document_sha256: Mapped[str] = mapped_column(String(64))
    #: The statement's lines and totals as confirmed (JSON): what a later change is told from.
    lines: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    #: ``supplier`` or ``customer``: whose confirmation it is.
    party: Mapped[str] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(300))
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: The audit record written with it.
    audit_seq: Mapped[int] = mapped_column(Int64)
