"""The audit trail: who did what, when and from where, in records that cannot be quietly edited.

Theory of operation
-------------------
Every action a person takes on the store — acknowledging an alert, waiving a breach, loading or
amending a contract, asking for a re-judge, confirming a statement, signing in (or failing to)
— appends one record **in the same transaction as the action**: the action and its record
commit together or not at all. Records are numbered ``seq`` 1, 2, 3, ... without gaps, and each
carries ``prev_hash``, the hash of the record before it (64 zeros for the first), and ``hash``:

    hash = SHA-256( canonical(record) )

where ``canonical`` is the UTF-8 JSON of the record's fields (``seq``, ``at`` in UTC with
microseconds, ``kind``, ``who``, ``via``, ``origin``, ``contract``, ``subject``, ``details`` as
stored, ``prev_hash``) with sorted keys and no spaces (``canonical_bytes``). The one row of
``audit_head`` names the newest record's ``seq`` and hash.

``verify`` walks the chain: a record whose content no longer gives its hash was **altered**; a
record whose ``prev_hash`` is not its predecessor's hash, or a gap in ``seq``, means records were
**removed** (or one was replaced); records missing after the newest one the head names were
removed from the end. Someone with write access to the database can still rewrite the whole
chain from the altered record on: to catch that, keep the head ``verify`` prints somewhere else
(send it to the other party with the monthly statement) and check it later with
``verify --anchor SEQ:HASH`` (docs/audit.md).

Appending locks the head row (``SELECT ... FOR UPDATE``) before reading it: on PostgreSQL two
transactions appending at once take turns, so the chain never forks; on SQLite the store's
``BEGIN IMMEDIATE`` already lets one writer in at a time. The append is the last thing a
transaction does, so the lock is held only until its commit, and every transaction takes it
after its other locks (no two transactions wait for each other in a circle).
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import socket
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from slaengine.audit.records import AuditHead, AuditRecord

if TYPE_CHECKING:
    from fastapi import Request

    from slaengine.events import Event
    from slaengine.store import Store

_log = logging.getLogger(__name__)

#: The ``prev_hash`` of the first record.
GENESIS = "0" * 64
#: The kinds of record slaengine writes.
KINDS = (
    "acknowledged",
    "waiver",
    "contract_loaded",
    "contract_amended",
    "rejudge",
    "signed_in",
    "sign_in_failed",
    "statement_confirmed",
    "dispute_filed",
    "dispute_evidence_added",
    "dispute_accepted",
    "dispute_rejected",
    # people (slaengine.store.users)
    "user_created",
    "user_disabled",
    "user_enabled",
    "password_changed",
    "role_granted",
    "role_revoked",
    "token_issued",
    "token_revoked",
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, through what, from where."""

    who: str
    #: ``http``, ``console``, ``cli`` or ``intake``.
    via: str
    #: The client's address, ``user@host``, or the events' source.
    origin: str
    #: The role the caller proved (``operator``, ``viewer``), when there is one.
    role: str | None = None


def cli_actor(who: str | None = None) -> Actor:
    """A command run by someone on this machine: the OS user (``--by`` names a person)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (a bare container)
        user = "unknown"
    return Actor(who or user, "cli", f"{user}@{socket.gethostname()}")


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy, the proxy's; uvicorn's
    ``--forwarded-allow-ips`` makes it the client's)."""
    client = request.client
    return client.host if client is not None else "unknown"


def http_actor(request: Request, who: str | None, role: str | None, via: str = "http") -> Actor:
    """A request: the name it gave (``by``), else its role; from the client's address."""
    name = (who or "").strip() or (role or "anonymous")
    return Actor(name[:200], via, client_address(request), role)


def canonical_bytes(
    seq: int,
    at: datetime,
    kind: str,
    who: str,
    via: str,
    origin: str,
    contract: str | None,
    subject: str | None,
    details: str,
    prev_hash: str,
) -> bytes:
    """The bytes a record's hash is taken over (module doc)."""
    return orjson.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "kind": kind,
            "who": who,
            "via": via,
            "origin": origin,
            "contract": contract,
            "subject": subject,
            "details": details,
            "prev_hash": prev_hash,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def record_hash(row: Any) -> str:
    """The hash ``row``'s content gives (equal to ``row.hash`` unless it was altered); ``row``
    is an ``AuditRecord`` or a result row of its columns."""
    fields = (row.seq, row.at, row.kind, row.who, row.via, row.origin, row.contract)
    content = canonical_bytes(*fields, row.subject, row.details, row.prev_hash)
    return hashlib.sha256(content).hexdigest()


def details_text(details: dict[str, Any] | None) -> str:
    return orjson.dumps(details or {}, option=orjson.OPT_SORT_KEYS, default=str).decode()


def append(
    session: Session,
    actor: Actor,
    kind: str,
    at: datetime,
    *,
    contract: str | None = None,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append a record in ``session``'s transaction (module doc: the last thing it does)."""
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:  # the migration inserts it; a hand-emptied table is rebuilt from the
        last = session.scalars(  # newest record (verify says the head had gone)
            select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)
        ).first()
        head = AuditHead(id=1, seq=last.seq if last else 0, hash=last.hash if last else GENESIS)
        session.add(head)
    more = dict(details or {})
    if actor.role is not None:
        more.setdefault("role", actor.role)
    row = AuditRecord(
        seq=head.seq + 1,
        at=at,
        kind=kind,
        who=actor.who[:200],
        via=actor.via[:20],
        origin=actor.origin[:300],
        contract=contract,
        subject=subject[:500] if subject is not None else None,
        details=details_text(more),
        prev_hash=head.hash,
        hash="",
    )
    row.hash = record_hash(row)
    session.add(row)
    head.seq, head.hash = row.seq, row.hash
    session.flush()
    return row


# -- what the store records -------------------------------------------------------------------


def record_waivers(session: Session, accepted: Sequence[Event], source: str, at: datetime) -> None:
    """A record for each ``breach_waived`` event stored in this intake transaction: the waiver
    names who granted it (``attrs.by``) and why; ``origin`` is where the event came from."""
    for event in accepted:
        if event.type != "breach_waived":
            continue
        attrs = event.attrs
        named = {
            key: attrs[key]
            for key in ("reason", "commitment", "cycle", "occurrence", "start", "obligation",
                        "clause", "period_start", "event")
            if attrs.get(key) is not None
        }  # fmt: skip
        append(
            session,
            Actor(str(attrs.get("by") or "unknown"), "intake", source),
            "waiver",
            at,
            contract=event.contract,
            subject=f"event {event.id}" + (f" ticket {event.ticket}" if event.ticket else ""),
            details={"event": event.id, "ticket": event.ticket, "at": event.at, **named},
        )


class SignIns:
    """Records sign-ins and failed sign-ins, in a transaction of their own.

    A failed attempt writes at most one record per client address every ``quiet`` seconds; the
    attempts in between are counted into the next record's ``details.repeated`` (so a flood of
    wrong tokens costs one write per address per window, not one per request)."""

    def __init__(self, store: Store, quiet: float = 10.0) -> None:
        self.store = store
        self.quiet = quiet
        self._lock = threading.Lock()
        #: address -> (when the last record was written, attempts since).
        self._failed: dict[str, tuple[datetime, int]] = {}

    def record(self, request: Request, ok: bool, who: str | None, how: str, via: str) -> None:
        address = client_address(request)
        now = self.store.clock.now()
        repeated = 0
        if not ok:
            with self._lock:
                last, since = self._failed.get(address, (datetime.min.replace(tzinfo=UTC), 0))
                if (now - last).total_seconds() < self.quiet:
                    self._failed[address] = (last, since + 1)
                    return
                self._failed[address] = (now, 0)
                if len(self._failed) > 10_000:  # forget the oldest addresses
                    for stale in sorted(self._failed, key=lambda k: self._failed[k][0])[:5_000]:
                        del self._failed[stale]
                repeated = since
        details: dict[str, Any] = {"how": how, "path": request.url.path}
        if repeated:
            details["repeated"] = repeated
        actor = Actor(who or "unknown", via, address, who if ok else None)
        with self.store.write() as session:
            append(
                session,
                actor,
                "signed_in" if ok else "sign_in_failed",
                now,
                details=details,
            )


def sign_in(request: Request, ok: bool, who: str | None = None, how: str = "token") -> None:
    """Record a sign-in (``ok``) or a failed one, from any route of the app: the one call
    console/signin.py and api/auth.py make (the trail is ``request.app.state.audit_sign_ins``,
    set by ``create_api``, slaengine.api.app; an app without it records nothing)."""
    recorder = getattr(request.app.state, "audit_sign_ins", None)
    if recorder is None:
        return
    via = "console" if request.url.path in ("/login", "/logout") else "http"
    if ok:  # a sign-in the trail cannot record does not happen (the error answers it)
        recorder.record(request, ok, who, how, via)
        return
    try:
        recorder.record(request, ok, who, how, via)
    except Exception:  # the attempt is refused either way; the store's trouble is logged
        _log.exception("could not record a failed sign-in from %s", client_address(request))


# -- reading and verifying ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    contract: str | None = None
    kind: str | None = None
    who: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: Only the records of these contracts (None: every record, those of no contract too): what
    #: a person who may read some contracts' trails sees.
    within: frozenset[str] | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.contract is not None:
            query = query.where(AuditRecord.contract == self.contract)
        if self.within is not None:
            query = query.where(AuditRecord.contract.in_(sorted(self.within)))
        if self.kind is not None:
            query = query.where(AuditRecord.kind == self.kind)
        if self.who is not None:
            query = query.where(AuditRecord.who == self.who)
        if self.since is not None:
            query = query.where(AuditRecord.at >= self.since)
        if self.until is not None:
            query = query.where(AuditRecord.at < self.until)
        return query


def records(
    session: Session, filters: Filters, limit: int | None = None, newest_first: bool = False
) -> list[AuditRecord]:
    order = AuditRecord.seq.desc() if newest_first else AuditRecord.seq
    query = filters.apply(select(AuditRecord)).order_by(order)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def record_json(row: AuditRecord) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at.isoformat(),
        "kind": row.kind,
        "who": row.who,
        "via": row.via,
        "origin": row.origin,
        "contract": row.contract,
        "subject": row.subject,
        "details": orjson.loads(row.details) if row.details else {},
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


#: The columns of an export (CSV) in order.
COLUMNS = ("seq", "at", "kind", "who", "via", "origin", "contract", "subject", "details",
           "prev_hash", "hash")  # fmt: skip


def csv_rows(rows: Iterable[AuditRecord]) -> Iterator[list[str]]:
    yield list(COLUMNS)
    for row in rows:
        yield [
            str(row.seq), row.at.isoformat(), row.kind, row.who, row.via, row.origin,
            row.contract or "", row.subject or "", row.details, row.prev_hash, row.hash,
        ]  # fmt: skip


@dataclass
class Verdict:
    """What ``verify`` found: ``problems`` empty means the chain is whole."""

    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.checked,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "problems": self.problems,
        }


def verify(session: Session, anchors: Sequence[tuple[int, str]] = ()) -> Verdict:
    """Walk the whole chain (module doc); each anchor (seq, hash) must still be in it."""
    verdict = Verdict()
    expected_seq, prev = 1, GENESIS
    last_seq, last_hash = 0, GENESIS
    kept: dict[int, str] = {}
    wanted = {seq for seq, _ in anchors}
    # plain rows of the table's columns, read in batches: no ORM objects for a long chain
    columns = AuditRecord.__table__.columns
    rows = session.execute(
        select(*columns).order_by(AuditRecord.seq).execution_options(yield_per=5000)
    )
    for row in rows:
        verdict.checked += 1
        if row.seq != expected_seq:
            missing = (
                f"record {expected_seq}"
                if row.seq == expected_seq + 1
                else f"records {expected_seq}..{row.seq - 1}"
            )
            verdict.problems.append(
                f"{missing} removed: the chain goes from {last_seq} to {row.seq}"
            )
        elif row.prev_hash != prev:
            verdict.problems.append(
                f"record {row.seq}: the record before it ({row.seq - 1}) is not the one it was "
                "written after (altered and re-hashed, or replaced)"
            )
        if record_hash(row) != row.hash:
            verdict.problems.append(
                f"record {row.seq} ({row.kind}, {row.at.isoformat()}): altered — its content "
                "no longer gives its hash"
            )
        if row.seq in wanted:
            kept[row.seq] = row.hash
        expected_seq, prev = row.seq + 1, row.hash
        last_seq, last_hash = row.seq, row.hash
    head = session.get(AuditHead, 1)
    if head is None:
        verdict.problems.append(
            "the head row (audit_head) is missing: records removed from the end cannot be told"
        )
    else:
        if head.seq > last_seq:
            gone = (
                f"record {head.seq}"
                if head.seq == last_seq + 1
                else (f"records {last_seq + 1}..{head.seq}")
            )
            verdict.problems.append(
                f"{gone} removed from the end: the head names record {head.seq}, the newest "
                f"left is {last_seq}"
            )
        elif head.seq == last_seq and head.hash != last_hash:
            verdict.problems.append(
                f"record {last_seq}: not the newest record written (the head's hash differs)"
            )
        elif head.seq < last_seq:
            verdict.problems.append(
                f"records {head.seq + 1}..{last_seq} were added outside slaengine (the head "
                f"names record {head.seq})"
            )
    for seq, value in anchors:
        if seq not in kept:
            verdict.problems.append(f"anchor {seq}: no record {seq} in the chain")
        elif kept[seq] != value:
            verdict.problems.append(
                f"anchor {seq}: record {seq} now has hash {kept[seq]}, not {value}: the chain "
                "was rewritten from there on"
            )
    verdict.head_seq, verdict.head_hash = last_seq, last_hash
    return verdict


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as ``verify`` prints the head."""
    seq, _, value = text.partition(":")
    value = value.strip().lower()
    hexadecimal = len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    if not seq.strip().isdigit() or not hexadecimal:
        raise ValueError(f"--anchor {text!r}: write it as SEQ:HASH, e.g. 42:{'ab' * 32}")
    return int(seq), value
