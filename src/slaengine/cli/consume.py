"""``slaengine consume URL``: events from NATS JetStream into the store (slaengine.bus).

A thin shell: the consumer (slaengine.bus.jetstream) stores each batch through the same intake
as ``slaengine ingest`` and acks it; the tickets it touched are judged by this process's judge
lane — the due pass of ``serve`` (slaengine.scheduler), in a thread of its own, woken after each
commit and sharing the dirty tickets with every other ``consume`` and ``serve`` process on the
store. Its alerts wait in the store's outbox for a ``serve`` to deliver them. This module reads
the options, stops cleanly on SIGINT/SIGTERM (the batch in hand is finished and acked first;
the pass in hand finished), with ``--drain`` judges what it stored before it exits, and prints
what was done.
"""

from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from slaengine.cli import common
from slaengine.cli.common import DEFAULT_DB, Db, err, friendly, out
from slaengine.cli.service import LogLevel

if TYPE_CHECKING:
    from slaengine.bus.jetstream import ConsumeTotals, JetStreamConsumer


def consume(
    url: Annotated[
        str, typer.Argument(metavar="URL", help="the NATS server, e.g. nats://127.0.0.1:4222")
    ],
    db: Db = DEFAULT_DB,
    stream: Annotated[
        str, typer.Option(help="JetStream stream (created for --subject if missing)")
    ] = "SLAENGINE",
    subject: Annotated[
        str, typer.Option(help="subject the events are published on (wildcards allowed)")
    ] = "slaengine.events.>",
    durable: Annotated[
        str,
        typer.Option(help="durable consumer name; processes with the same name share the work"),
    ] = "slaengine",
    batch: Annotated[int, typer.Option(help="messages stored per transaction")] = 1000,
    ack_wait: Annotated[
        float, typer.Option(help="seconds before an unacked message is delivered again")
    ] = 60.0,
    drain: Annotated[
        bool,
        typer.Option(
            "--drain",
            help="stop when no message is left (and what was stored is judged) instead of waiting",
        ),
    ] = False,
    judge: Annotated[
        bool,
        typer.Option(
            "--judge/--no-judge",
            help="run a judge lane (the due pass) in this process (default), or leave the "
            "stored tickets dirty and due for the due pass of serve or another consume",
        ),
    ] = True,
    sweep: Annotated[
        float, typer.Option(help="seconds between safety-net sweeps of the judge lane")
    ] = 30.0,
    log_level: LogLevel = "info",
) -> None:
    """Take events from NATS JetStream into a store.

    A durable consumer: each message is acked only once its event is committed, and a
    redelivery is a duplicate. The tickets are judged by the process's own due pass."""
    from slaengine.bus.jetstream import JetStreamConsumer, settings_of
    from slaengine.errors import SlaError
    from slaengine.scheduler import DueScheduler
    from slaengine.service import LiveService
    from slaengine.store import Store

    if sweep <= 0:
        raise SlaError(f"--sweep {sweep}: give a number of seconds greater than 0")
    settings = settings_of(
        url=url,
        stream=stream,
        subject=subject,
        durable=durable,
        batch=batch,
        ack_wait=ack_wait,
        drain=drain,
    )
    logging.basicConfig(
        level=getattr(logging, log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    store = Store.open(db, common.CLOCK)
    service = LiveService(store)
    lane = DueScheduler(service, sweep_seconds=sweep)
    try:
        consumer = JetStreamConsumer(service, settings)
        err.print(
            f"slaengine consuming {subject} from stream {stream} at {url} as {durable!r}, "
            f"store {store.engine.url!r}",
            highlight=False,
            markup=False,
        )
        import asyncio  # here: only consume needs an event loop (start-up of the others)

        if judge:
            lane.start()
        totals = asyncio.run(_run(consumer))
        lane.shutdown()  # the pass in hand is finished
        if drain and judge:
            # What was stored is judged before the exit (a ticket another process holds is
            # being judged by it).
            service.run_due()
    finally:
        lane.shutdown()
        store.close()
    out.print(
        f"{totals.messages} message(s): {totals.accepted} event(s) stored, "
        f"{totals.duplicates} duplicate(s) ignored, {totals.rejected} rejected"
        + (
            f" ({totals.already_rejected} redelivered message(s) already on record as rejected)"
            if totals.already_rejected
            else ""
        )
        + f"; {service.judged.tickets} ticket evaluation(s), {service.judged.alerts} alert(s) "
        "queued"
    )
    for item in totals.rejections:
        err.print(
            f"message {item.line}: {item.error}", highlight=False, markup=False, soft_wrap=True
        )


async def _run(consumer: JetStreamConsumer) -> ConsumeTotals:
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for which in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(which, stop.set)
    return await consumer.run(stop)


def register(app: typer.Typer) -> None:
    app.command("consume")(friendly(consume))
