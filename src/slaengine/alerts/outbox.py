"""Delivering the outbox: every queued alert reaches its channel, once, however long it is down.

Theory of operation
-------------------
The live service writes an alert and one outbox row per channel in the same transaction as the
breach that caused it (slaengine.service.raising); the row is unique per (alert, channel) and the
alert per (key, contact), so nothing can be queued twice. This module only drains the rows.

Rows are grouped by *endpoint*: the SMTP relay for e-mail, the URL for a webhook, the log. Each
endpoint has its own worker thread(s) (``threads`` per endpoint) and its own circuit breaker
(slaengine.alerts.breaker), so a relay that accepts TCP and never answers holds up its own
alerts only, never a webhook's or another relay's. A dispatcher thread finds the endpoints of
the pending rows and starts their workers. A worker repeats:

1. *claim*: a short transaction picks the endpoint's pending row with the earliest
   ``next_attempt_at`` that has come (on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two workers
   never pick the same row) and pushes ``next_attempt_at`` one lease ahead — no transaction is
   held open across the network;
2. *send*: the channel built from the spec stored on the row delivers it within the channel's
   timeouts; it returns only once the receiver accepted (``DeliveryError`` otherwise);
3. *record*: accepted → ``sent`` (it is never picked again); refused → the error is kept and the
   row's next attempt is due after an exponential back-off (1 s, 2 s, 4 s, ... up to 5 minutes),
   so a failing alert never stands in front of newer ones. After a few failures in a row the
   endpoint is parked; when it answers again its waiting rows are made due at once.

Workers are woken, not polled, for what this process queues: the live service calls ``wake()``
after every commit that wrote alerts. Rows another process queued (a ``consume`` or ``ingest``
process, another worker) are found after the commit that queued them: the store's watch
(slaengine.store.watch) notices it within 0.25 s without reading the store and wakes the
dispatcher and every worker, whose look is an index range of ``ix_outbox_due``. A worker with a
row waiting for a later attempt (a back-off, a lease, a parked endpoint) looks again at that
time, at most ``idle_wait`` (0.25 s) later; with nothing pending the dispatcher and the workers
sleep until woken, or ``quiet_wait`` (30 s) as a safety net: an idle process reads nothing.

An endpoint that is *off* (e-mail with no SMTP relay configured) is said once at start; its rows
are held, not tried, until a restart with the relay configured sends them.

A process killed between 2 and 3 leaves the row pending; once the lease ends it is sent again.
That is the one case of a repeat. Every delivery carries the alert's stable id
(``Alert.stable_id``: the webhook's ``Idempotency-Key`` header, the e-mail's Message-ID), so a
receiver can drop it. Nothing is ever dropped by the sender: a row stays pending until a channel
accepts it.

Channels are built once per distinct spec (the JSON stored on the row) and reused, so a webhook
keeps its HTTP client and connections between alerts; ``stop()`` closes them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select, update

from slaengine.alerts.breaker import Breaker
from slaengine.alerts.channels import ChannelSpec, build_channel, channel_endpoint, channel_off
from slaengine.alerts.model import Alert, Channel, ChannelSettings, DeliveryError
from slaengine.clock import Clock
from slaengine.store import Store
from slaengine.store.models import PENDING, SENT, OutboxRow, StoredAlert

logger = logging.getLogger("slaengine.outbox")

_SPECS: TypeAdapter[ChannelSpec] = TypeAdapter(ChannelSpec)

#: Seconds between looks while the store cannot be reached.
_AWAY_WAIT = 0.25
#: Seconds a dispatcher or a worker with nothing pending sleeps unless woken (a safety net: the
#: process's own alerts and the store's watch wake them).
QUIET_WAIT = 30.0


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int, base: float = 1.0, ceiling: float = 300.0) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2*base, 4*base, ... ceiling."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


@dataclass
class _Endpoint:
    """One endpoint's state: the specs that deliver to it, its breaker, its workers."""

    name: str
    breaker: Breaker
    #: Why it cannot deliver at all (e-mail without a relay), or None.
    off: str | None
    specs: set[str]
    wake: threading.Event
    threads: list[threading.Thread]


class OutboxDelivery:
    """Drains the outbox to the channels; ``start()`` runs it in threads, ``wake()`` hurries it."""

    def __init__(
        self,
        store: Store,
        clock: Clock | None = None,
        settings: ChannelSettings | None = None,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        idle_wait: float = 0.25,
        threads: int = 1,
        park_after: int = 3,
        park_ceiling: float = 60.0,
        quiet_wait: float = QUIET_WAIT,
    ) -> None:
        self.store = store
        self.clock = clock or store.clock
        self.settings = settings or ChannelSettings.from_env()
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.idle_wait = idle_wait
        self.quiet_wait = quiet_wait
        #: Looks at the outbox by the threads (tests and benchmarks count them: none while idle).
        self.looks = 0
        self.park_after = park_after
        self.park_ceiling = park_ceiling
        # smtplib's timeout bounds each step (connect, greeting, each command): a send can take
        # a few of them. The lease must outlast the slowest send, or a row could be sent twice.
        slowest = max(
            self.settings.smtp_timeout_seconds * 6, self.settings.webhook_timeout_seconds * 3
        )
        self.lease = timedelta(seconds=slowest + 5)
        self.threads = threads
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dispatcher: threading.Thread | None = None
        #: Channels by the spec JSON of their rows, shared by the threads (see the module doc).
        self._channels: dict[str, Channel] = {}
        self._channels_lock = threading.Lock()
        self._endpoints: dict[str, _Endpoint] = {}
        self._by_spec: dict[str, _Endpoint] = {}
        self._endpoints_lock = threading.Lock()
        #: Rows claimed by this process and not yet recorded (``_hurry`` leaves them alone).
        self._in_flight: set[int] = set()

    def channel(self, spec_json: str) -> Channel:
        """The channel for a row's spec, built on first use and kept until ``stop()``."""
        with self._channels_lock:
            found = self._channels.get(spec_json)
            if found is None:
                found = build_channel(_SPECS.validate_json(spec_json), self.settings)
                self._channels[spec_json] = found
            return found

    def close_channels(self) -> None:
        """Close every channel built so far (their HTTP clients); later sends build anew."""
        with self._channels_lock:
            channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            close = getattr(channel, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:  # closing must not stop the shutdown
                    logger.exception("closing channel %r failed", channel)

    # -- endpoints ---------------------------------------------------------------------------

    def _endpoint(self, spec_json: str) -> _Endpoint:
        """The endpoint a row's spec delivers to (made on first sight)."""
        with self._endpoints_lock:
            found = self._by_spec.get(spec_json)
            if found is not None:
                return found
            spec = _SPECS.validate_json(spec_json)
            name = channel_endpoint(spec, self.settings)
            found = self._endpoints.get(name)
            if found is None:
                breaker = Breaker(name, self.park_after, ceiling=self.park_ceiling)
                off = channel_off(spec, self.settings)
                found = _Endpoint(name, breaker, off, set(), threading.Event(), [])
                self._endpoints[name] = found
                if off is not None:
                    logger.warning("alert endpoint %s is off: %s; its alerts are held", name, off)
            found.specs.add(spec_json)
            self._by_spec[spec_json] = found
            return found

    def discover(self) -> list[_Endpoint]:
        """Learn the endpoints of every pending row; the endpoints known."""
        with self.store.sessions() as session:
            specs = list(
                session.scalars(
                    select(OutboxRow.spec).where(OutboxRow.status == PENDING).distinct()
                )
            )
        for spec in specs:
            self._endpoint(spec)
        with self._endpoints_lock:
            return list(self._endpoints.values())

    def health(self) -> list[dict[str, Any]]:
        """Each endpoint's state (ok, parked or off), for /health."""
        with self._endpoints_lock:
            endpoints = list(self._endpoints.values())
        states = []
        for endpoint in endpoints:
            state = endpoint.breaker.state()
            if endpoint.off is not None:
                state.update(state="off", last_error=endpoint.off)
            states.append(state)
        return sorted(states, key=lambda state: str(state["endpoint"]))

    # -- one pass ----------------------------------------------------------------------------

    def deliver_due(self, endpoint: str | None = None) -> DeliveryReport:
        """Try every row that is due now, once each: of ``endpoint`` only, or of every endpoint
        that is neither off nor parked (one after the other, in this thread)."""
        report = DeliveryReport()
        now = self.clock.now()
        with self._endpoints_lock:
            found = self._endpoints.get(endpoint) if endpoint is not None else None
        # An endpoint's worker knows its specs (the dispatcher adds new ones, then wakes it).
        known = [found] if found is not None else self.discover()
        # A claimed row is pushed a lease past ``now``, so each row is tried once per pass.
        while not self._stop.is_set():
            specs = {
                spec
                for found in known
                if (endpoint is None or found.name == endpoint)
                and found.off is None
                and found.breaker.allows(self.clock.now())
                for spec in found.specs
            }
            if not specs:
                return report
            claimed = self._claim(now, specs)
            if claimed is None:
                return report
            row_id, spec_json, lang, payload, attempts = claimed
            target = self._endpoint(spec_json)
            error: str | None = None
            with self._endpoints_lock:
                self._in_flight.add(row_id)
            try:
                alert = Alert.model_validate_json(payload)
                self.channel(spec_json).send(alert, lang)
            except DeliveryError as exc:
                error = str(exc)
            except Exception as exc:  # a bug must not stop the loop: keep it and retry later
                logger.exception("delivering outbox row %s failed", row_id)
                error = f"{type(exc).__name__}: {exc}"
            try:
                self._record(row_id, attempts + 1, error)
            finally:
                with self._endpoints_lock:
                    self._in_flight.discard(row_id)
            if error is None:
                was_parked = target.breaker.parked_until is not None
                target.breaker.succeeded()
                if was_parked:
                    self._hurry(target)
                report.sent += 1
            else:
                target.breaker.failed(self.clock.now(), error)
                report.failed += 1
        return report

    def _claim(self, now: datetime, specs: set[str]) -> tuple[int, str, str, str, int] | None:
        with self.store.write(urgent=True) as session:
            query = (
                select(OutboxRow)
                .where(
                    OutboxRow.status == PENDING,
                    OutboxRow.next_attempt_at <= now,
                    OutboxRow.spec.in_(sorted(specs)),
                )
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(1)
            )
            if self.store.is_postgres:
                query = query.with_for_update(skip_locked=True)
            row = session.scalars(query).first()
            if row is None:
                return None
            alert = session.get(StoredAlert, row.alert_id)
            assert alert is not None  # a foreign key
            row.next_attempt_at = self.clock.now() + self.lease
            return row.id, row.spec, alert.lang, alert.payload, row.attempts

    def _record(self, row_id: int, attempts: int, error: str | None) -> None:
        now = self.clock.now()
        with self.store.write(urgent=True) as session:
            row = session.get(OutboxRow, row_id)
            if row is None or row.status == SENT:
                return
            row.attempts = attempts
            if error is None:
                row.status = SENT
                row.sent_at = now
                row.last_error = None
            else:
                row.last_error = error
                row.next_attempt_at = now + backoff(attempts, self.base_delay, self.max_delay)

    def _hurry(self, endpoint: _Endpoint) -> None:
        """The endpoint is back: its rows waiting out a back-off are due now (not the rows
        being sent by this process; another process's rows are under their lease, see
        docs/reliability.md)."""
        now = self.clock.now()
        with self._endpoints_lock:
            busy = sorted(self._in_flight)
        with self.store.write(urgent=True) as session:
            session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.status == PENDING,
                    OutboxRow.spec.in_(sorted(endpoint.specs)),
                    OutboxRow.next_attempt_at > now,
                    OutboxRow.attempts > 0,
                    OutboxRow.id.not_in(busy),
                )
                .values(next_attempt_at=now)
            )

    def next_attempt(self, specs: set[str] | None = None) -> datetime | None:
        with self.store.sessions() as session:
            query = select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status == PENDING)
            if specs is not None:
                query = query.where(OutboxRow.spec.in_(sorted(specs)))
            found: datetime | None = session.scalar(query)
            return found

    # -- the threads -------------------------------------------------------------------------

    def wake(self) -> None:
        """New alerts are queued: the dispatcher and every endpoint look now."""
        self._wake.set()
        with self._endpoints_lock:
            for endpoint in self._endpoints.values():
                endpoint.wake.set()

    def start(self) -> None:
        """Start the dispatcher; it starts ``threads`` workers per endpoint as they appear."""
        if self._dispatcher is not None:
            return
        self._dispatcher = threading.Thread(
            target=self._dispatch, name="slaengine-outbox", daemon=True
        )
        # Subscribed before the dispatcher's first look: a row another process queues after
        # that look is then a change the watch reports (subscribing after could take the
        # commit into its baseline, and the row would wait for the 30 s safety net).
        self.store.watch.subscribe(self.wake)  # rows other processes queue
        self._dispatcher.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads (if started) and close the channels."""
        self._stop.set()
        if self._dispatcher is not None:
            self.store.watch.unsubscribe(self.wake)
        self.wake()
        threads = [self._dispatcher] if self._dispatcher is not None else []
        with self._endpoints_lock:
            for endpoint in self._endpoints.values():
                threads.extend(endpoint.threads)
        for thread in threads:
            thread.join(timeout)
        self._dispatcher = None
        self.close_channels()

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            try:
                self.looks += 1
                for endpoint in self.discover():
                    if endpoint.off is None and not endpoint.threads:
                        self._start_workers(endpoint)
                    endpoint.wake.set()
                wait = self.quiet_wait
            except Exception:  # the database is away: look again soon, to catch up at once
                logger.debug("outbox: finding endpoints failed", exc_info=True)
                wait = _AWAY_WAIT
            self._wake.wait(wait)
            self._wake.clear()

    def _start_workers(self, endpoint: _Endpoint) -> None:
        for number in range(self.threads):
            thread = threading.Thread(
                target=self._work,
                args=(endpoint,),
                name=f"slaengine-outbox-{endpoint.name}-{number}",
                daemon=True,
            )
            endpoint.threads.append(thread)
            thread.start()

    def _work(self, endpoint: _Endpoint) -> None:
        while not self._stop.is_set():
            wait = self.quiet_wait
            try:
                self.looks += 1
                if endpoint.breaker.allows(self.clock.now()):
                    self.deliver_due(endpoint.name)
                upcoming = self.next_attempt(set(endpoint.specs))
                parked = endpoint.breaker.parked_until
                if parked is not None:
                    upcoming = parked if upcoming is None else max(upcoming, parked)
                if upcoming is not None:
                    seconds = (upcoming - self.clock.now()).total_seconds()
                    wait = min(self.idle_wait, max(seconds, 0.0))
            except Exception:  # the database is away: look again soon, to catch up at once
                logger.debug("outbox: delivery pass of %s failed", endpoint.name, exc_info=True)
                wait = _AWAY_WAIT
            endpoint.wake.wait(wait)
            endpoint.wake.clear()
