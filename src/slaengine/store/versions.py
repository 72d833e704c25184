"""The contract versions a store keeps, and which one is in force when.

``load_contract`` keeps each changed contract file as the next version with its effective date;
an unchanged file is a no-op. A new version marks the contract's open tickets ``dirty`` (and the
closed ones whose clocks or breaches reach its effective day), so the due pass re-judges them in
the background (``/health`` shows how many are waiting); ``mark_for_rejudge`` does the same on
demand. Each appends its record to the audit trail (slaengine.audit.trail) in the same
transaction, as its last statement. The compiled contract of each version is kept per process
(``context``), the version rows for a second (``_cached_versions``).

Tables: ``contract_versions`` (written), ``tickets`` (marked ``dirty``), ``clocks`` and
``breaches`` (read: which tickets a new version reaches), ``audit_trail`` (appended).
Transactions: ``load_contract`` and ``mark_for_rejudge`` one write each; ``later_versions`` one
read; the others run in the caller's session.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from slaengine.audit import trail
from slaengine.contract import Contract, contract_fingerprint, parse_contract
from slaengine.contract.versions import default_effective
from slaengine.evaluate import Context
from slaengine.store.base import StoreBase
from slaengine.store.models import Breach, ContractVersion, StoredClock, Ticket

#: How long the versions of a contract are read from memory before the store is asked again.
_VERSIONS_TTL = 1.0


def _in_force_on(rows: list[ContractVersion], day: date) -> ContractVersion:
    """The one rule of which stored version is in force on ``day`` (``version_in_effect`` and
    ``versions_in_force`` both ask it): the newest version effective by then; before any is,
    the first stored."""
    in_effect = [row for row in rows if row.effective_from <= day]
    return in_effect[-1] if in_effect else rows[0]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A stored contract version, as the API and CLI show it."""

    contract: str
    version: int
    declared_version: int
    fingerprint: str
    effective_from: date
    loaded_at: datetime
    path: str

    def to_json(self) -> dict[str, Any]:
        return {
            "contract": self.contract,
            "version": self.version,
            "declared_version": self.declared_version,
            "fingerprint": self.fingerprint,
            "effective_from": self.effective_from.isoformat(),
            "loaded_at": self.loaded_at.isoformat(),
            "path": self.path,
        }

    @classmethod
    def of(cls, row: ContractVersion) -> VersionInfo:
        return cls(
            row.contract,
            row.version,
            row.declared_version,
            row.fingerprint,
            row.effective_from,
            row.loaded_at,
            row.path,
        )


@dataclass(frozen=True, slots=True)
class LoadResult:
    version: VersionInfo
    changed: bool


@dataclass(frozen=True, slots=True)
class LaterVersions:
    """The stored versions that amend a contract file (``Store.later_versions``)."""

    #: The stored version whose text is the file's (by fingerprint); None when it is not stored.
    matched: VersionInfo | None
    #: Every stored version of the contract, in the order they were loaded.
    stored: list[VersionInfo]
    #: The versions used as amendments, each with its contract dated with the store's
    #: effective day, in the order they come into force.
    used: list[tuple[VersionInfo, Contract]]


class ContractVersionsMixin(StoreBase):
    """The store's contract versions (see the module doc)."""

    def load_contract(
        self,
        text: str,
        path: Path,
        effective: date | None = None,
        actor: trail.Actor | None = None,
    ) -> LoadResult:
        """Keep the contract file ``text`` as a new version, unless it is unchanged; a new
        version is recorded in the audit trail as ``actor``'s (default: the OS user)."""
        contract = parse_contract(text, path)
        try:
            return self._keep_version(contract, text, path, effective, actor)
        except IntegrityError:
            # Another process stored a version at the same moment (two workers starting with
            # the same --contract): look again; it is most likely this very file.
            return self._keep_version(contract, text, path, effective, actor)

    def _keep_version(
        self,
        contract: Contract,
        text: str,
        path: Path,
        effective: date | None,
        actor: trail.Actor | None = None,
    ) -> LoadResult:
        fingerprint = contract_fingerprint(contract)
        now = self.clock.now()
        with self.write() as session:
            latest = session.scalars(
                select(ContractVersion)
                .where(ContractVersion.contract == contract.id)
                .order_by(ContractVersion.version.desc())
                .limit(1)
                .with_for_update()
            ).first()
            if latest is not None and latest.fingerprint == fingerprint:
                return LoadResult(VersionInfo.of(latest), changed=False)
            if effective is None:
                effective = default_effective(
                    contract,
                    first=latest is None,
                    today=now.astimezone(ZoneInfo(contract.timezone)).date(),
                )
            row = ContractVersion(
                contract=contract.id,
                version=(latest.version + 1) if latest is not None else 1,
                declared_version=contract.version,
                fingerprint=fingerprint,
                source=text,
                path=str(path),
                effective_from=effective,
                loaded_at=now,
            )
            session.add(row)
            session.flush()
            with self._contexts_lock:
                self._versions.clear()
            if latest is not None:
                # Tickets are evaluated under the version in effect for them, and each line is
                # priced under the version in force when its breach began. Judged again by the
                # due pass, in the background: the open ones (something still due), and every
                # ticket — closed ones included — with a clock or breach whose deadline is on or
                # after the day the new version takes effect (its lines may change price). A
                # closed ticket with nothing that late is judged when it is next evaluated (a
                # new event, a re-judge on demand).
                since = datetime.combine(effective, dt_time(0), ZoneInfo(contract.timezone))
                reached = select(StoredClock.ticket).where(
                    StoredClock.contract == contract.id, StoredClock.deadline >= since
                )
                breached = select(Breach.ticket).where(
                    Breach.contract == contract.id,
                    Breach.kind == "clock",
                    Breach.deadline >= since,
                )
                session.execute(
                    update(Ticket)
                    .where(
                        Ticket.contract == contract.id,
                        Ticket.next_due.is_not(None)
                        | Ticket.ticket.in_(reached)
                        | Ticket.ticket.in_(breached),
                    )
                    .values(dirty=True)
                )
            trail.append(
                session,
                actor or trail.cli_actor(),
                "contract_amended" if latest is not None else "contract_loaded",
                now,
                contract=contract.id,
                subject=f"version {row.version}",
                details={
                    "version": row.version,
                    "declared_version": row.declared_version,
                    "fingerprint": fingerprint,
                    "effective_from": effective,
                    "path": str(path),
                },
            )
            return LoadResult(VersionInfo.of(row), changed=True)

    def mark_for_rejudge(
        self,
        contract: str,
        closed: bool = False,
        since: date | None = None,
        actor: trail.Actor | None = None,
    ) -> int | None:
        """Mark the contract's tickets ``dirty`` for the due pass's background lane to judge
        again under the version in effect for each (a re-judge on demand, after a new version):
        the open ones (something still due), and with ``closed`` the closed ones too; with
        ``since``, only tickets with a clock started on or after that day (the contract's time
        zone). Their ``next_due`` is left alone, so deadlines keep their place. The number
        marked, or None when the contract is not loaded. One transaction, with its audit
        record (``actor``'s; default: the OS user)."""
        with self.write() as session:
            newest = self.version_in_effect(session, contract, None)
            if newest is None:
                return None
            query = update(Ticket).where(Ticket.contract == contract)
            if not closed:
                query = query.where(Ticket.next_due.is_not(None))
            if since is not None:
                zone = ZoneInfo(self.context(newest).contract.timezone)
                start = datetime(since.year, since.month, since.day, tzinfo=zone)
                started = select(StoredClock.ticket).where(
                    StoredClock.contract == contract, StoredClock.started_at >= start
                )
                query = query.where(Ticket.ticket.in_(started))
            marked = session.execute(
                query.values(dirty=True).execution_options(synchronize_session=False)
            )
            count = int(getattr(marked, "rowcount", 0) or 0)
            trail.append(
                session,
                actor or trail.cli_actor(),
                "rejudge",
                self.clock.now(),
                contract=contract,
                subject="closed and open tickets" if closed else "open tickets",
                details={"closed": closed, "since": since, "marked": count},
            )
            return count

    def versions(self, session: Session, contract: str | None = None) -> list[ContractVersion]:
        query = select(ContractVersion).order_by(ContractVersion.contract, ContractVersion.version)
        if contract is not None:
            query = query.where(ContractVersion.contract == contract)
        return list(session.scalars(query))

    def _cached_versions(self, session: Session, contract: str) -> list[ContractVersion]:
        """The contract's versions, read at most once a second: every ticket evaluation needs
        them, and a version another process stores is then seen within a second."""
        now = time.monotonic()
        with self._contexts_lock:
            cached = self._versions.get(contract)
        if cached is not None and now - cached[0] < _VERSIONS_TTL:
            return cached[1]
        rows = self.versions(session, contract)
        # Cached rows must not belong to ``session``: if it rolls back it would expire them,
        # and the next request reading them from the cache would fail (DetachedInstanceError).
        for row in rows:
            session.expunge(row)
        with self._contexts_lock:
            self._versions[contract] = (now, rows)
        return rows

    def forget_versions(self) -> None:
        """Read the contract versions afresh at their next use (a batch of tickets about to be
        judged: the version another process loaded a moment ago, and the tickets it marked for
        re-judging, must be seen together, not a second apart)."""
        with self._contexts_lock:
            self._versions.clear()

    def context(self, row: ContractVersion) -> Context:
        """The compiled contract of a stored version (compiled once per process)."""
        with self._contexts_lock:
            found = self._contexts.get(row.id)
            if found is None:
                found = Context(parse_contract(row.source, Path(row.path)))
                self._contexts[row.id] = found
            return found

    def versions_in_force(self, session: Session, contract: str) -> list[Context]:
        """The contexts of the contract's versions in the order they came into force, each
        dated with the day it did, for pricing each penalty line under the version in force
        when its breach began (slaengine.contract.versions); empty when one version governs
        throughout. Which version is in force on a day is ``version_in_effect``'s answer (the
        newest stored version effective by then); each context is the stored version's, its
        contract's ``effective_from`` and ``version`` set to that day and the store's number."""
        rows = self._cached_versions(session, contract)
        if len(rows) < 2:
            return []
        days = sorted({row.effective_from for row in rows})
        # Before the earliest effective day the first version is in force (``_in_force_on``),
        # even when a later version is the one effective earliest: dated the day before.
        chosen: list[tuple[date, ContractVersion]] = []
        for day in [days[0] - timedelta(days=1), *days]:
            row = _in_force_on(rows, day)
            if not chosen or chosen[-1][1].id != row.id:
                chosen.append((day, row))
        if len(chosen) < 2:
            return []
        return [self._dated_context(row, day) for day, row in chosen]

    def later_versions(self, contract: Contract) -> LaterVersions:
        """The stored versions that amend ``contract`` (a file given to replay or statement
        with ``--db``), for judging the stored events as the live service does.

        Those loaded after the stored version whose fingerprint is the file's (the last such);
        when the file was never stored, those effective after its effective date with a higher
        declared version (an edited copy of a stored version amends nothing). Of them, each
        effective day takes the version ``_in_force_on`` picks (the newest stored effective by
        then), so a version superseded before it took effect is left out. Each contract's
        ``effective_from`` is the stored one (an amendment loaded without a date is in force
        from the day it was loaded). One read transaction."""
        fingerprint = contract_fingerprint(contract)
        with self.sessions() as session:
            rows = self.versions(session, contract.id)
        matches = [i for i, row in enumerate(rows) if row.fingerprint == fingerprint]
        if matches:
            later = rows[matches[-1] + 1 :]
        else:
            later = [
                row
                for row in rows
                if row.effective_from > contract.effective
                and row.declared_version > contract.version
            ]
        chosen: list[ContractVersion] = []
        for day in sorted({row.effective_from for row in later}):
            row = _in_force_on(later, day)
            if not chosen or chosen[-1].id != row.id:
                chosen.append(row)
        used = [
            (
                VersionInfo.of(row),
                parse_contract(row.source, Path(row.path)).model_copy(
                    update={"effective_from": row.effective_from}
                ),
            )
            for row in chosen
        ]
        return LaterVersions(
            VersionInfo.of(rows[matches[-1]]) if matches else None,
            [VersionInfo.of(row) for row in rows],
            used,
        )

    def _dated_context(self, row: ContractVersion, day: date) -> Context:
        base = self.context(row)
        with self._contexts_lock:
            found = self._dated.get((row.id, day))
            if found is None:
                # The compiled rules and calendars are the version's own; only its dates differ.
                found = copy.copy(base)
                found.contract = base.contract.model_copy(
                    update={"effective_from": day, "version": row.version}
                )
                self._dated[(row.id, day)] = found
            return found

    def version_in_effect(
        self, session: Session, contract: str, on: datetime | None
    ) -> ContractVersion | None:
        """The version in effect at ``on`` (the latest effective by then; else the first);
        with ``on`` None, the newest version."""
        rows = self._cached_versions(session, contract)
        if not rows:
            return None
        if on is None:
            return rows[-1]
        zone = ZoneInfo(self.context(rows[-1]).contract.timezone)
        return _in_force_on(rows, on.astimezone(zone).date())
