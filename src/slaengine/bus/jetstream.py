"""Events from NATS JetStream: a durable pull consumer feeding the store's intake.

Theory of operation
-------------------
A ticketing system publishes each change as one message — one event, the JSON object of
docs/reference.md section 2 — on a subject a JetStream stream captures. ``JetStreamConsumer`` pulls
the messages in batches through a *durable* consumer (its position is kept by the NATS server, not
here) and handles each batch in three steps:

1. **store** — ``Store.add_events``, one transaction, exactly as ``slaengine ingest`` stores a
   chunk of a file: each message's stream sequence number is its "line", the source is
   ``nats:<stream>``; a bad message (not JSON, not an event, an unknown contract, a conflicting
   duplicate, an empty body) is kept in the store's rejected list with its reason. Storing marks
   the touched tickets ``dirty`` and due now;
2. **ack** — every message of the batch, good or bad, and only after that commit (JetStream's
   ordinary ack: a message to the server, no reply awaited, all of a batch sent in one flush);
   meanwhile the next batch is already being fetched (one batch stored at a time, so batches
   commit in stream order);
3. **wake the judge lane** — ``LiveService.stored``: the process's due pass (``slaengine consume``
   runs one, slaengine.scheduler, as ``serve`` does) claims the dirty tickets in batches right
   after. The consumer itself never evaluates a ticket: it stores as fast as the store takes
   events, and judging, which costs far more per ticket, keeps pace in its own thread (and in
   every other ``consume`` and ``serve`` process on the store, which share the dirty tickets
   through ``SKIP LOCKED`` claims).

What a crash at each point leaves behind, and why nothing is lost or counted twice:

* before the commit: nothing was stored or acked; JetStream delivers the messages again once
  ``ack_wait`` has passed (to this process when it restarts, or to another sharing the consumer);
* between the commit and the ack: the messages come again (``num_delivered`` > 1). Their events
  are duplicates under their idempotency key (a no-op), and a message whose rejection is already
  on record (same source, stream sequence and body) is acked without being recorded again;
* between the ack and the evaluation: the tickets stay ``dirty`` and due now (storing marked
  them), so the next due pass of any ``consume`` or ``serve`` process evaluates them.

A batch whose transaction fails is retried message by message, so one message the store cannot
take does not hold up the others; a message that fails alone is rejected with the error and
acked, never redelivered forever. When the database itself is down every message fails and the
consumer stops with the error, acking nothing (the messages stay in the stream for the next
run). Several ``consume`` processes with the same durable name share the consumer: JetStream
gives each message to one of them, and to another if it is not acked within ``ack_wait``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from slaengine.errors import SlaError
from slaengine.events import Rejected

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js.client import JetStreamContext

    from slaengine.service import LiveService
    from slaengine.store import AddResult

logger = logging.getLogger("slaengine.bus")

#: Why an empty message is rejected (a blank line in a file is skipped; a message was sent).
EMPTY_MESSAGE = "empty message: a message carries one event, a JSON object"


class BusError(SlaError):
    """The bus cannot be reached or used; the message says which server, stream or consumer."""


@dataclass(frozen=True, slots=True)
class JetStreamSettings:
    """Where the events come from (``slaengine consume`` options)."""

    url: str = "nats://127.0.0.1:4222"
    stream: str = "SLAENGINE"
    subject: str = "slaengine.events.>"
    durable: str = "slaengine"
    #: Messages fetched (and stored in one transaction) at a time.
    batch: int = 1000
    #: Seconds JetStream waits for an ack before it delivers a message again.
    ack_wait: float = 60.0
    #: Stop once the consumer has nothing left (no pending and no unacked messages).
    drain: bool = False


@dataclass
class ConsumeTotals:
    """What a run of the consumer did."""

    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    #: Redelivered messages already on record as rejected (acked, not recorded again).
    already_rejected: int = 0
    #: Tickets the stored events touched (left to the judge lane, dirty and due).
    tickets: int = 0
    rejections: list[Rejected] = field(default_factory=list)


class JetStreamConsumer:
    """A durable pull consumer whose batches go through the store's intake (see module doc)."""

    def __init__(self, service: LiveService, settings: JetStreamSettings) -> None:
        self.service = service
        self.settings = settings
        self.source = f"nats:{settings.stream}"
        self.totals = ConsumeTotals()
        #: Called after each batch is acked (progress output, tests).
        self.on_batch: list[Callable[[ConsumeTotals], None]] = []

    async def run(self, stop: asyncio.Event | None = None) -> ConsumeTotals:
        """Consume until ``stop`` is set (or, with ``drain``, until nothing is left)."""
        import nats
        from nats.errors import NoServersError
        from nats.errors import TimeoutError as NatsTimeout

        stop = stop or asyncio.Event()
        settings = self.settings
        try:
            connection = await nats.connect(
                settings.url,
                connect_timeout=5,
                max_reconnect_attempts=3,
                reconnect_time_wait=1,
                allow_reconnect=True,
                error_cb=_log_error,
            )
        except (OSError, NoServersError, NatsTimeout) as exc:
            reason = str(exc) or type(exc).__name__
            raise BusError(f"cannot reach NATS at {settings.url}: {reason}") from None
        try:
            context = connection.jetstream()
            await self._ensure_stream(context)
            subscription = await self._subscribe(context)
            # The batch being stored and acked while the next one is fetched (one at a time:
            # batches commit in stream order).
            storing: asyncio.Task[None] | None = None
            while not stop.is_set():
                try:
                    messages = await subscription.fetch(settings.batch, timeout=1.0)
                except (TimeoutError, NatsTimeout):
                    # No message within the second. nats-py says so with its own TimeoutError on
                    # one path and a bare asyncio.TimeoutError on another (a fetch whose deadline
                    # ran out between its two pull requests): both mean "nothing yet".
                    await self._settle(storing)
                    storing = None
                    if settings.drain and await self._drained(subscription):
                        break
                    continue
                await self._settle(storing)
                storing = asyncio.create_task(self._handle(messages, connection))
            await self._settle(storing)
        finally:
            await connection.close()
        return self.totals

    @staticmethod
    async def _settle(storing: asyncio.Task[None] | None) -> None:
        """Wait for the batch in hand (its error, a store that is down, stops the run)."""
        if storing is not None:
            await storing

    async def _ensure_stream(self, context: JetStreamContext) -> None:
        """Use the stream, or create it capturing the subject when there is none yet."""
        from nats.js.errors import NotFoundError

        settings = self.settings
        try:
            info = await context.stream_info(settings.stream)
        except NotFoundError:
            logger.info("creating stream %s for %s", settings.stream, settings.subject)
            await context.add_stream(name=settings.stream, subjects=[settings.subject])
            return
        except Exception as exc:  # JetStream not enabled, no permission: say which server
            raise BusError(f"NATS at {settings.url}: cannot use JetStream: {exc}") from None
        subjects = list(info.config.subjects or [])
        if not any(_covers(pattern, settings.subject) for pattern in subjects):
            raise BusError(
                f"--subject {settings.subject!r}: stream {settings.stream!r} does not capture it "
                f"(its subjects: {', '.join(subjects) or 'none'}); give one of them or a "
                "narrower subject"
            )

    async def _subscribe(self, context: JetStreamContext) -> JetStreamContext.PullSubscription:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        settings = self.settings
        config = ConsumerConfig(
            durable_name=settings.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=settings.ack_wait,
            # Unlimited: a message is only ever given up on by acking it (see module doc).
            max_deliver=-1,
            filter_subject=settings.subject,
            max_ack_pending=max(20_000, settings.batch * 4),
        )
        try:
            return await context.pull_subscribe(
                settings.subject, durable=settings.durable, stream=settings.stream, config=config
            )
        except Exception as exc:
            raise BusError(
                f"--durable {settings.durable!r} on stream {settings.stream!r}: {exc} (a durable "
                "consumer keeps the subject it was created with; use another --durable name "
                "for another subject)"
            ) from None

    @staticmethod
    async def _drained(subscription: JetStreamContext.PullSubscription) -> bool:
        info = await subscription.consumer_info()
        return info.num_pending == 0 and info.num_ack_pending == 0

    async def _handle(self, messages: list[Msg], connection: Any) -> None:
        """Steps 1, 2 and 3 of the module doc."""
        offered: list[tuple[int, bytes]] = []
        redelivered: list[int] = []
        for message in messages:
            meta = message.metadata
            offered.append((meta.sequence.stream, message.data))
            if meta.num_delivered > 1:
                redelivered.append(meta.sequence.stream)
        added = await asyncio.to_thread(self._store, offered, redelivered)
        for message in messages:
            await message.ack()
        await connection.flush()
        self.totals.messages += len(messages)
        self.totals.tickets += len(added.tickets)
        if added.tickets or added.marked or added.accepted:
            self.service.stored()
        for callback in self.on_batch:
            callback(self.totals)

    def _store(self, offered: list[tuple[int, bytes]], redelivered: list[int]) -> AddResult:
        """Step 1 of the module doc: the batch in one transaction, else message by message."""
        from slaengine.store import AddResult

        store = self.service.store
        if redelivered:
            # Same sequence and same body: this very message (a stream deleted and made anew
            # numbers its messages from 1 again, so the sequence alone is not enough).
            known = store.rejected_raw(self.source, redelivered)
            again = {
                line
                for line, data in offered
                if line in known and known[line] == data.decode("utf-8", "replace").strip()
            }
            if again:
                offered = [item for item in offered if item[0] not in again]
                self.totals.already_rejected += len(again)
        try:
            added = store.add_events(offered, self.source, raw=True, blank=EMPTY_MESSAGE)
        except Exception as exc:
            if len(offered) == 1:
                added = self._reject_alone(offered[0], exc)
            else:
                logger.exception("storing %d messages together failed; one by one", len(offered))
                added = AddResult()
                for item in offered:
                    try:
                        one = store.add_events([item], self.source, raw=True, blank=EMPTY_MESSAGE)
                    except Exception as alone:
                        one = self._reject_alone(item, alone)
                    added.accepted += one.accepted
                    added.duplicates += one.duplicates
                    added.rejected += one.rejected
                    added.tickets |= one.tickets
        self.totals.accepted += len(added.accepted)
        self.totals.duplicates += added.duplicates
        self.totals.rejected += len(added.rejected)
        self.totals.rejections += added.rejected
        return added

    def _reject_alone(self, item: tuple[int, bytes], exc: Exception) -> AddResult:
        """A message the store could not take on its own: rejected with the error, unless the
        database itself is unreachable (then nothing is acked and the error stops the run)."""
        if isinstance(exc, OperationalError):
            raise BusError(f"the store cannot be written: {exc.orig}") from None
        logger.error("message %d cannot be stored: %s", item[0], exc)
        reason = f"cannot be stored: {type(exc).__name__}: {exc}"
        return self.service.store.reject_item(item[0], item[1], reason, self.source)


async def _log_error(exc: Exception) -> None:
    """The client's connection errors as one log line (its default prints a traceback)."""
    logger.warning("NATS: %s", str(exc) or type(exc).__name__)


def _covers(pattern: str, subject: str) -> bool:
    """Whether NATS subject ``pattern`` (with ``*`` and ``>``) captures all of ``subject``."""
    want = pattern.split(".")
    have = subject.split(".")
    for index, token in enumerate(want):
        if token == ">":
            return len(have) > index
        if index >= len(have):
            return False
        if token != "*" and token != have[index]:
            return False
        if token == "*" and have[index] == ">":
            return False
    return len(want) == len(have)


def settings_of(**options: Any) -> JetStreamSettings:
    """Settings from command-line options, checked (errors name the option)."""
    settings = JetStreamSettings(**options)
    if not settings.url.startswith(("nats://", "tls://", "ws://", "wss://")):
        raise BusError(f"URL {settings.url!r}: give a NATS URL such as nats://127.0.0.1:4222")
    if settings.batch < 1:
        raise BusError(f"--batch {settings.batch}: give 1 or more")
    if settings.ack_wait <= 0:
        raise BusError(f"--ack-wait {settings.ack_wait}: give a number of seconds above 0")
    for name in ("stream", "durable"):
        value = getattr(settings, name)
        if not value or any(ch in value for ch in " .*>\t"):
            raise BusError(f"--{name} {value!r}: a name without spaces, dots, * or >")
    return settings
