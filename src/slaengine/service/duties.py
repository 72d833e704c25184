"""Contract duties: missed obligation periods, repeat-failure remedies and warranty reminders,
judged per contract.

Theory of operation
-------------------
Obligation periods are judged by slaengine.obligations, repeat-failure remedies (三包) by
slaengine.remedies and warranties by slaengine.warranty over the contract's duty events up to
``now`` — the few events duties depend on, kept in memory and brought up to date from what
arrived since the last pass (slaengine.service.duty_events), never read in full again. A
contract is judged when something it depends on arrived, or when the pass is due (a period
ends, a remedy's deadline comes, midnight comes); otherwise the pass costs one indexed read.

A breached period is stored as a breach (kind ``obligation``, once per period) with an
``obligation_missed`` alert. A remedy owed is judged by the core as an obligation period, and is
stored as one: a remedy not done by its deadline is a breach of kind ``obligation`` (ticket =
the asset, commitment = the remedy id, cycle = the remedy's number for that asset, identified
by ``start_key`` = the repair that made it owed, which a late repair does not change) with its
``obligation_missed`` alert and its clauses' lines. A period that a late event met after all is
withdrawn; each asset whose cover ends within ``warranty.remind_before`` gets one
``warranty_expiring`` alert per expiry date. The lines of no ticket (a missed period's or
remedy's penalty, an event clause on a contract-wide event; not the lines of a period's on-time
rate or measure, which need every ticket's clocks and events) are synced here too, each priced
under the version in force when its breach began (``Store.versions_in_force``), as replay
prices them.

The pass returns when it is next due: the earliest upcoming period end or remedy deadline, or
the next UTC midnight (warranty reminders are looked at daily).

A contract whose duties cannot be judged (an error in the core) is logged and looked at again
after ``DUTIES_RETRY``; the other contracts go on.

Transaction boundary: one transaction per contract. On PostgreSQL a transaction-scoped advisory
lock per contract lets several workers run the pass; a worker that does not get the lock skips
the contract (another one is on it).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from slaengine.evaluate import Context, Report, excused_intervals
from slaengine.events import Event
from slaengine.penalties.lines import OBLIGATION, PERIOD, Line
from slaengine.service.duty_events import DutyEvents
from slaengine.service.lines import money_lines, sync_lines
from slaengine.service.raising import Raiser
from slaengine.store import Store
from slaengine.store.models import CLOSED, WITHDRAWN, Breach

logger = logging.getLogger("slaengine.service")

#: After the duties of a contract could not be judged, the next try.
DUTIES_RETRY = timedelta(seconds=30)


def contract_duties(
    store: Store, raiser: Raiser, now: datetime, held: DutyEvents, due: bool
) -> tuple[int, datetime | None]:
    """Judge the duties of every contract whose duty events changed (or all, when ``due``) at
    ``now``; the alerts raised and when to look next (None: nothing judged, nothing changed)."""
    raised = 0
    upcoming: list[datetime] = []
    judged = False
    with store.sessions() as session:
        contracts = sorted({row.contract for row in store.versions(session)})
    for contract_id in contracts:
        try:
            found = _contract(store, raiser, contract_id, now, upcoming, held, due)
        except OperationalError:
            raise  # the database itself: the scheduler retries the pass
        except Exception:
            # One contract whose duties cannot be judged must not stop the others' (nor the
            # tickets' breach detection, which ran before): look again a little later.
            logger.exception(
                "judging the duties of contract %s failed; trying again in %s s",
                contract_id,
                DUTIES_RETRY.total_seconds(),
            )
            upcoming.append(now + DUTIES_RETRY)
            judged = True
            continue
        if found is not None:
            raised += found
            judged = True
    if not judged and not due:
        return raised, None
    return raised, min([*upcoming, upcoming_midnight(now)])


def _contract(
    store: Store,
    raiser: Raiser,
    contract_id: str,
    now: datetime,
    upcoming: list[datetime],
    held: DutyEvents,
    due: bool,
) -> int | None:
    """The alerts raised judging one contract's duties; None when it was not judged (nothing
    changed and nothing is due, or another worker is on it)."""
    with store.write(urgent=True) as session:
        version = store.version_in_effect(session, contract_id, None)
        if version is None:
            return None
        context = store.context(version)
        events, grew = held.read(session, context.contract, version.id, now)
        if not (grew or due):
            return None
        if store.is_postgres and not session.scalar(
            select(func.pg_try_advisory_xact_lock(lock_key(f"duties/{contract_id}")))
        ):
            return None  # another worker is on it
        applied = [event for event in events if event.at <= now]
        amended = store.versions_in_force(session, contract_id)
        return _duties_of(raiser, session, context, applied, now, upcoming, amended)


def _duties_of(
    raiser: Raiser,
    session: Session,
    context: Context,
    events: list[Event],
    now: datetime,
    upcoming: list[datetime],
    amended: list[Context],
) -> int:
    from slaengine.obligations import breached_periods, judge_obligations, next_period_end
    from slaengine.remedies import judge_remedies
    from slaengine.warranty import WarrantyBook, warranty_reminders

    contract = context.contract
    book = WarrantyBook.build(contract, events, context.matcher)
    periods = judge_obligations(book, events, now, context.matcher)
    excused = excused_intervals(events)
    if contract.remedies:
        # A remedy counts repairs in the order they happened (the duty events are held in
        # arrival order).
        periods += judge_remedies(
            contract,
            sorted(events, key=Event.sort_key),
            book,
            context.calendars,
            context.matcher,
            now,
            [(item.start, item.end) for item in excused],
        )
    following = next_period_end(periods, now)
    if following is not None:
        upcoming.append(following)
    raised = 0
    stored = {
        _duty_key(b.ticket, b.commitment, b.cycle, b.start_key): b
        for b in session.scalars(
            select(Breach).where(Breach.contract == contract.id, Breach.kind == "obligation")
        )
    }
    missed = set()
    for period in breached_periods(periods):
        asset = period.asset or ""
        key = _duty_key(asset, period.obligation, period.index, period.start_key)
        missed.add(key)
        breach = stored.get(key)
        if breach is None and period.start_key:
            # a remedy's breach stored under its number alone (a store downgraded below
            # migration 0004 and upgraded again) is this remedy's
            breach = stored.pop((asset, period.obligation, period.index), None)
            if breach is not None:
                breach.start_key = period.start_key
                stored[key] = breach
        fresh = breach is None or breach.status == WITHDRAWN
        if breach is None:
            breach = Breach(
                contract=contract.id,
                kind="obligation",
                ticket=asset,
                commitment=period.obligation,
                cycle=period.index,
                start_key=period.start_key,
                detected_at=now,
                revision=1,
            )
            session.add(breach)
        elif breach.status == WITHDRAWN:
            breach.revision += 1
            breach.detected_at = now
            breach.withdrawn_at = breach.withdrawn_reason = None
        breach.status = CLOSED
        breach.cycle = period.index  # a remedy's number for its asset: an earlier one may come late
        breach.deadline = period.period_end
        breach.late_by_seconds = 0
        breach.updated_at = now
        if fresh:
            session.flush()
            raised += raiser.raise_alert(
                session,
                contract,
                "obligation_missed",
                f"breach/{breach.id}/{breach.revision}/obligation_missed",
                now,
                breach=breach,
                details={
                    "period_start": period.period_start,
                    "period_end": period.period_end,
                    "required": period.required,
                    "done": period.done,
                },
            )
    for key, breach in stored.items():
        if key in missed or breach.status == WITHDRAWN:
            continue
        breach.status = WITHDRAWN
        breach.withdrawn_at = now
        breach.withdrawn_reason = "the period was met by an event that arrived late"
        breach.updated_at = now
        raised += raiser.raise_alert(
            session,
            contract,
            "withdrawn",
            f"breach/{breach.id}/{breach.revision}/withdrawn",
            now,
            breach=breach,
            details={"reason": breach.withdrawn_reason},
        )
    session.flush()  # new breaches get their ids
    by_period = {
        (b.ticket, b.commitment, b.deadline): b
        for b in session.scalars(
            select(Breach).where(Breach.contract == contract.id, Breach.kind == "obligation")
        )
    }

    def breach_of(line: Line) -> Breach | None:
        if line.source != OBLIGATION or line.obligation is None or line.period_end is None:
            return None
        return by_period.get((line.asset or "", line.obligation, line.period_end))

    report = Report(
        contract if not amended else amended[-1].contract,
        now,
        [],
        [],
        [],
        excused,
        events,
        periods,
        versions=[each.contract for each in amended],
    )
    # A period's line (an on-time rate, a measure's credit) needs every ticket's clocks and
    # events, which this pass does not read: statements and replay compute those, not the store.
    lines = [
        line
        for line in money_lines(report.charges)
        if line.ticket is None and line.source != PERIOD
    ]
    sync_lines(session, contract.id, None, lines, breach_of, now)
    for cover in warranty_reminders(book, now):
        raised += raiser.raise_alert(
            session,
            contract,
            "warranty_expiring",
            f"warranty/{contract.id}/{cover.asset}/{cover.expires.isoformat()}",
            now,
            asset=cover.asset,
            details={
                "expires": cover.expires,
                "time_left_seconds": int(
                    (
                        datetime.combine(cover.expires, time(), ZoneInfo(contract.timezone)) - now
                    ).total_seconds()
                ),
                "reason": cover.basis,
            },
        )
    return raised


def lock_key(name: str) -> int:
    """A stable 63-bit key for pg_try_advisory_xact_lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


def upcoming_midnight(now: datetime) -> datetime:
    """The next UTC midnight: warranty reminders are looked at (at least) daily."""
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)


def _duty_key(asset: str, duty: str, index: int, start_key: str) -> tuple[str, str, int | str]:
    """What identifies a missed period's breach: (asset, obligation, period index); a remedy's,
    (asset, remedy, the repair that made it owed) — its number for the asset changes when an
    earlier repair arrives late, the repair does not."""
    return asset, duty, start_key or index
