"""Delivering the outbox: every queued alert reaches its channel, once, however long it is down.

Theory of operation
-------------------
The live service writes an alert and one outbox row per channel in the same transaction as the
breach that caused it (slaengine.service.raising); the row is unique per (alert, channel) and the
alert per (key, contact), so nothing can be queued twice. This module only drains the rows:

1. *claim*: a short transaction picks a pending row whose ``next_attempt_at`` has come (on
   PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two workers never pick the same row) and pushes
   ``next_attempt_at`` one lease ahead — no transaction is held open across the network;
2. *send*: the channel built from the spec stored on the row delivers it; a channel returns only
   once the receiver accepted (``DeliveryError`` otherwise);
3. *record*: accepted → ``sent`` (it is never picked again); refused → the error is kept and the
   next attempt is due after an exponential back-off (1 s, 2 s, 4 s, ... up to 5 minutes).

A process killed between 2 and 3 leaves the row pending; once the lease ends it is sent again.
That is the one case of a repeat, and email channels give such a repeat the same Message-ID
(from ``details.alert_key``) so it is recognisable. Nothing is ever dropped: a row stays pending
until a channel accepts it.

Channels are built once per distinct spec (the JSON stored on the row) and reused by every
delivery thread, so a webhook keeps its HTTP client and connections between alerts; ``stop()``
closes them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import func, select

from slaengine.alerts.channels import ChannelSpec, build_channel
from slaengine.alerts.model import Alert, Channel, ChannelSettings, DeliveryError
from slaengine.clock import Clock
from slaengine.store import Store
from slaengine.store.models import PENDING, SENT, OutboxRow, StoredAlert

logger = logging.getLogger("slaengine.outbox")

_SPECS: TypeAdapter[ChannelSpec] = TypeAdapter(ChannelSpec)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def backoff(attempts: int, base: float = 1.0, ceiling: float = 300.0) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2*base, 4*base, ... ceiling."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), ceiling))


class OutboxDelivery:
    """Drains the outbox to the channels; ``start()`` runs it in threads, ``wake()`` hurries it."""

    def __init__(
        self,
        store: Store,
        clock: Clock | None = None,
        settings: ChannelSettings | None = None,
        base_delay: float = 1.0,
        max_delay: float = 300.0,
        idle_wait: float = 1.0,
        threads: int = 1,
    ) -> None:
        self.store = store
        self.clock = clock or store.clock
        self.settings = settings or ChannelSettings.from_env()
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.idle_wait = idle_wait
        lease = max(self.settings.smtp_timeout_seconds, self.settings.webhook_timeout_seconds)
        self.lease = timedelta(seconds=lease * 2 + 5)
        self.threads = threads
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        #: Channels by the spec JSON of their rows, shared by the threads (see the module doc).
        self._channels: dict[str, Channel] = {}
        self._channels_lock = threading.Lock()

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

    # -- one pass ----------------------------------------------------------------------------

    def deliver_due(self) -> DeliveryReport:
        """Try every row that is due now, once each."""
        report = DeliveryReport()
        now = self.clock.now()
        # A claimed row is pushed a lease past ``now``, so each row is tried once per pass.
        while not self._stop.is_set():
            claimed = self._claim(now)
            if claimed is None:
                return report
            row_id, channel_name, spec_json, lang, payload, attempts = claimed
            error: str | None = None
            try:
                alert = Alert.model_validate_json(payload)
                self.channel(spec_json).send(alert, lang)
            except DeliveryError as exc:
                error = str(exc)
            except Exception as exc:  # a bug must not stop the loop: keep it and retry later
                logger.exception("delivering outbox row %s failed", row_id)
                error = f"{type(exc).__name__}: {exc}"
            self._record(row_id, attempts + 1, error)
            if error is None:
                report.sent += 1
            else:
                report.failed += 1
                logger.warning("alert via %s not delivered (will retry): %s", channel_name, error)
        return report

    def _claim(self, now: datetime) -> tuple[int, str, str, str, str, int] | None:
        with self.store.write() as session:
            query = (
                select(OutboxRow)
                .where(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
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
            return row.id, row.channel, row.spec, alert.lang, alert.payload, row.attempts

    def _record(self, row_id: int, attempts: int, error: str | None) -> None:
        now = self.clock.now()
        with self.store.write() as session:
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

    def next_attempt(self) -> datetime | None:
        with self.store.sessions() as session:
            found: datetime | None = session.scalar(
                select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status == PENDING)
            )
            return found

    # -- the loop ----------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """Deliver in ``threads`` threads: a slow receiver does not hold up the others (each
        row is claimed by one thread only, see ``_claim``)."""
        if self._threads:
            return
        for number in range(self.threads):
            thread = threading.Thread(
                target=self._run, name=f"slaengine-outbox-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the threads (if started) and close the channels."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        self.close_channels()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
                upcoming = self.next_attempt()
            except Exception:  # the database was away a moment: try again shortly
                logger.exception("outbox delivery pass failed")
                upcoming = None
            wait = self.idle_wait
            if upcoming is not None:
                wait = min(wait, max((upcoming - self.clock.now()).total_seconds(), 0.0))
            self._wake.wait(wait)  # set() wakes every waiting thread
            self._wake.clear()
