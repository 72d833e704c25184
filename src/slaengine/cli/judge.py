"""``slaengine judge``: the judge lane in a process of its own, beside ``serve --no-judge``.

A thin shell: the same live service and scheduler as ``slaengine serve`` (slaengine.service,
slaengine.scheduler) — the due pass, the re-judge lane, escalations and the contract duties —
with no HTTP. Several judge workers (and ``serve``/``consume`` processes with a judge lane) on one
PostgreSQL share the work through the due pass's ``SKIP LOCKED`` claims.

Wake-ups: on PostgreSQL the transaction that stores events notifies ``slaengine_due``; this
process listens (slaengine.store.wakeups) and starts its due pass at once. On SQLite the
scheduler's own look at the store's earliest due time finds the work (slaengine.scheduler), and
the ``--sweep`` is the safety net either way.

Alerts: written to the store's outbox by the pass that decided them, and delivered from this
process too (the outbox's claims make each go out once, whichever process sends it), so one
``serve --no-judge`` and one ``judge`` are a complete deployment. The process stops cleanly on
SIGINT/SIGTERM: the pass in hand is finished, the delivery stopped.
"""

from __future__ import annotations

import signal
import threading

import typer

from slaengine.cli import common
from slaengine.cli.common import DEFAULT_DB, Db, err, friendly, out
from slaengine.cli.service import (
    AlertHistory,
    DeliveryThreads,
    LogLevel,
    Sweep,
    alert_delivery,
    setup_logging,
)


def judge(
    db: Db = DEFAULT_DB,
    sweep: Sweep = 30.0,
    delivery_threads: DeliveryThreads = 1,
    alert_history: AlertHistory = False,
    log_level: LogLevel = "info",
) -> None:
    """Judge what falls due in a store, beside serve --no-judge.

    Runs the due pass (new events, deadlines), re-judging, escalations and contract duties, and
    delivers the alerts they raise. Stops on Ctrl-C or SIGTERM."""
    from slaengine.errors import SlaError
    from slaengine.scheduler import DueScheduler
    from slaengine.service import LiveService
    from slaengine.store import Store
    from slaengine.store.wakeups import Listener

    if sweep <= 0:
        raise SlaError(f"--sweep {sweep}: give a number of seconds greater than 0")
    if delivery_threads < 1:
        raise SlaError(f"--delivery-threads {delivery_threads}: give 1 or more")
    # A judge works beside the serve that made the store: a mistyped SQLite path must not start
    # a judge over a new, empty store that nobody writes to.
    common.require_store(db)
    setup_logging(log_level)
    store = Store.open(db, common.CLOCK)
    service = LiveService(store)
    delivery = alert_delivery(service, delivery_threads, alert_history)
    lane = DueScheduler(service, sweep_seconds=sweep)
    listener = None
    if store.is_postgres:
        with store.sessions() as session:
            channel = store.wake_channel(session)
        listener = Listener(store.engine, channel, lane.due_now, service.duties_now)
    stop = threading.Event()
    for which in (signal.SIGINT, signal.SIGTERM):
        signal.signal(which, lambda *_: stop.set())
    try:
        if listener is not None:
            try:
                listener.start()
            except Exception as exc:
                raise SlaError(
                    f"cannot listen for {listener.channel} on the store: {exc}"
                ) from None
        delivery.start()
        lane.start()
        err.print(
            f"slaengine judging store {store.engine.url!r}: due pass, re-judging, escalations, "
            "contract duties, alert delivery; woken by "
            + (
                f"NOTIFY {listener.channel}"
                if listener is not None
                else "the scheduler's look at the store"
            )
            + f", sweep every {sweep:g} s",
            highlight=False,
            markup=False,
        )
        while not stop.wait(1.0):  # woken by the signal handlers
            pass
    finally:
        if listener is not None:
            listener.stop()
        lane.shutdown()  # the pass in hand is finished
        delivery.stop()
        store.close()
    out.print(
        f"{service.passes} due pass(es): {service.judged.tickets} ticket evaluation(s), "
        f"{service.judged.alerts} alert(s) queued"
    )


def register(app: typer.Typer) -> None:
    app.command("judge")(friendly(judge))
