"""``slaengine contract load``, ``slaengine ingest`` and ``slaengine serve``: the live service.

Each is a thin shell: the store (slaengine.store) keeps contracts and events, the live service
(slaengine.service) evaluates what they mean, the scheduler and the outbox act on it over time.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import socket
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from slaengine.cli import common
from slaengine.cli.common import (
    DEFAULT_DB,
    ContractArgument,
    Db,
    NothingDone,
    err,
    friendly,
    open_events,
    out,
    rejection_digest,
)
from slaengine.contract import Contract, parse_contract
from slaengine.errors import SlaError

if TYPE_CHECKING:
    from slaengine.alerts.outbox import OutboxDelivery
    from slaengine.events import Event
    from slaengine.service import LiveService
    from slaengine.store import AddResult, LoadResult, Store

#: The options ``serve`` and ``judge`` share (and ``consume`` its ``--log-level``).
Sweep = Annotated[float, typer.Option(help="seconds between safety-net sweeps of what is due")]
DeliveryThreads = Annotated[
    int,
    typer.Option(
        help="threads sending alerts per endpoint (each SMTP relay and webhook URL has its "
        "own; each alert goes out once either way)"
    ),
]
AlertHistory = Annotated[
    bool,
    typer.Option(
        "--alert-history",
        help="also alert for breaches and missed periods that ended before this service "
        "took over the store (default: recorded, not alerted)",
    ),
]
LogLevel = Annotated[str, typer.Option(help="debug, info, warning or error")]

#: Lines stored per transaction by ``ingest`` (each commit waits for the server's flush).
_CHUNK = 5000
#: Worker processes ``ingest`` parses and judges a PostgreSQL history in (slaengine.service
#: history and intake): one a core, at least two, at most eight.
_PROCESSES = min(max(os.cpu_count() or 2, 2), 8)
#: Rejected lines ``ingest`` lists one by one; beyond them, a digest of the reasons.
_LISTED = 20


def _open(db: str) -> Store:
    # Imported here: SQLAlchemy and Alembic cost a quarter of a second that replay never needs.
    from slaengine.store import Store

    return Store.open(db, common.CLOCK)


def _load(store: Store, file: Path, effective: date | None) -> LoadResult:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SlaError(f"{file}: no such contract file") from None
    result = store.load_contract(text, file, effective)
    contract = parse_contract(text, file)
    _say_loaded(result)
    version = result.version
    undated = effective is None and contract.effective_from is None
    if result.changed and version.version > 1 and undated:
        out.print(
            f"note: {file} has no effective_from and no --effective was given: version "
            f"{version.version} is in force from today, {version.effective_from}; to date an "
            "amendment otherwise, write effective_from in the file (a changed file is a new "
            "version)\n"
            f"说明: {file} 未写 effective_from，也未给 --effective："
            f"第{version.version}版自今天（{version.effective_from}）起生效",
            highlight=False,
        )
    _say_backdated(result, contract)
    _say_not_live(file, contract)
    return result


def _say_backdated(result: LoadResult, contract: Contract) -> None:
    """An amendment that took effect before today re-prices lines already stored: say so."""
    version = result.version
    today = common.CLOCK.now().astimezone(ZoneInfo(contract.timezone)).date()
    if not result.changed or version.version < 2 or version.effective_from >= today:
        return
    out.print(
        f"note: version {version.version} took effect on {version.effective_from}, before "
        "today: the running service judges again every ticket with a deadline since then "
        "(closed ones included) and re-prices its penalty lines under the version in force "
        "when each breach began\n"
        f"说明: 第{version.version}版自{version.effective_from}起生效，早于今天："
        "运行中的服务将重新评估此后有截止时间的所有工单（含已关闭工单），"
        "并按违约开始时有效的版本重新计算违约金"
    )


def _say_not_live(file: Path, contract: Contract) -> None:
    """What of the contract the live service does not compute (docs/service.md, "What the live
    service judges"): period measures and the clauses priced on a period's figure."""
    periodic = [c.id for c in contract.clauses if c.kind in ("service_credit", "measure_credit")]
    if not (contract.measures or periodic):
        return
    named = ", ".join([*(m.id for m in contract.measures), *periodic])
    out.print(
        f"note: {file}: {named}: period figures (measures, service and measure credits) are "
        "not computed by the live service; `slaengine statement --db` and `replay --db` "
        "compute them from the store\n"
        f"说明: {file}: {named}: 按期间计算的指标及服务抵扣不在实时服务中计算，"
        "请用 `slaengine statement --db` 或 `replay --db` 从存储中计算"
    )


def _say_loaded(result: LoadResult) -> None:
    version = result.version
    if result.changed:
        out.print(
            f"[green]loaded[/]: contract {version.contract} as version {version.version} "
            f"(fingerprint {version.fingerprint}), effective from {version.effective_from}"
        )
    else:
        out.print(
            f"unchanged: contract {version.contract} is already version {version.version} "
            f"(fingerprint {version.fingerprint}); nothing to do"
        )


def contract_load(
    file: ContractArgument,
    db: Db = DEFAULT_DB,
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            help="date the new version takes effect, YYYY-MM-DD (default: the file's "
            "effective_from; else, for a contract's first version, its accepted_on; else "
            "today in the contract's time zone)",
        ),
    ] = None,
) -> None:
    """Store a contract file as a new version. An unchanged file is a no-op."""
    when = None
    if effective is not None:
        try:
            when = date.fromisoformat(effective)
        except ValueError:
            raise SlaError(f"--effective {effective!r}: write a date like 2026-03-01") from None
    store = _open(db)
    try:
        _load(store, file, when)
    finally:
        store.close()


#: Events stored by one ``ingest`` after which PostgreSQL's statistics are refreshed at once.
ANALYZE_AFTER = 10_000


def ingest(
    events: Annotated[
        str,
        typer.Argument(
            metavar="EVENTS",
            help="JSON Lines file of ticket events; - reads standard input",
            show_default=False,
        ),
    ],
    db: Db = DEFAULT_DB,
    judge: Annotated[
        bool,
        typer.Option(
            "--judge/--no-judge",
            help="evaluate the touched tickets after storing (default), or leave them dirty "
            "and due for the due pass of a running serve or consume",
        ),
    ] = True,
) -> None:
    """Store ticket events and evaluate their tickets. Idempotent: an event sent again is a
    no-op."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from slaengine.service import LiveService
    from slaengine.service.history import store_history

    store = _open(db)
    with store.write() as session:
        loaded = bool(store.versions(session))
    service = LiveService(store)
    stream, size = open_events(events)
    accepted = duplicates = 0
    rejected = []
    tickets: set[tuple[str, str]] = set()
    #: The events stored, by ticket: judged from memory, not read back (service.history_events).
    known: dict[tuple[str, str], list[Event]] = {}
    source = "stdin" if events == "-" else Path(events).name
    try:
        with (
            stream,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal,
            ) as bar,
        ):
            reading = bar.add_task("storing events (bytes)", total=size)

            def stored(added: AddResult, read: int) -> None:
                nonlocal accepted, duplicates
                accepted += len(added.accepted)
                duplicates += added.duplicates
                rejected.extend(added.rejected)
                tickets.update(added.tickets)
                if judge:
                    for event in added.accepted:
                        if event.ticket is not None:
                            known.setdefault((event.contract, event.ticket), []).append(event)
                bar.advance(reading, read)

            # parsed by worker processes while this one stores, on PostgreSQL (service.history)
            store_history(store, enumerate(stream, start=1), source, _CHUNK, stored, _PROCESSES)
            if accepted >= ANALYZE_AFTER:
                store.refresh_statistics()  # a bulk load: the planner's view of it, at once
            evaluating = bar.add_task("evaluating tickets", total=len(tickets))
            alerts = 0
            if judge:  # the due pass's batches, two at a time on PostgreSQL (see intake)
                alerts = service.judge_history(
                    tickets, lambda done: bar.advance(evaluating, done), known, _PROCESSES
                )
    finally:
        store.close()
    out.print(
        f"{accepted} event(s) stored, {duplicates} duplicate(s) ignored, "
        f"{len(rejected)} rejected; "
        + (
            f"{len(tickets)} ticket(s) evaluated, {alerts} alert(s) queued by this process "
            "(a running serve, judge or consume may have judged some first)"
            if judge
            else f"{len(tickets)} ticket(s) left to the due pass of serve, judge or consume "
            "(--no-judge)"
        )
    )
    for item in rejected[:_LISTED]:
        err.print(f"line {item.line}: {item.error}", highlight=False, markup=False, soft_wrap=True)
    if len(rejected) > _LISTED:
        err.print(f"... {len(rejected) - _LISTED} more rejected line(s); the reasons:")
        err.print(rejection_digest(rejected), highlight=False, markup=False, soft_wrap=True)
    if accepted == 0 and duplicates == 0:
        if not loaded:
            raise NothingDone(
                f"the store {db} holds no contract, so no event could be stored: load one first "
                f"(slaengine contract load CONTRACT --db {db})"
            )
        raise NothingDone(
            f"nothing stored: {source} held no events"
            if not rejected
            else f"nothing stored: all {len(rejected)} event(s) of {source} were rejected"
        )


#: The shortest token ``serve`` takes beyond loopback, and how to make a good one.
MIN_TOKEN = 32
#: ``--max-upload-bytes``' default: ``BodyLimits.upload_bytes`` (not imported here: the CLI starts
#: without FastAPI), 20 MiB of evidence files and 256 KiB of fields.
UPLOAD_BYTES = 20 * 1024 * 1024 + 256 * 1024
MAKE_TOKEN = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"  # noqa: S105 (a command)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    db: Db = DEFAULT_DB,
    contract: Annotated[
        list[Path] | None,
        typer.Option("--contract", help="contract file(s) to load (as with 'contract load')"),
    ] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="SLAENGINE_API_TOKEN",
            help="operator token: reads, posts events, acknowledges (needed beyond loopback)",
        ),
    ] = None,
    viewer_token: Annotated[
        str | None,
        typer.Option(
            envvar="SLAENGINE_VIEWER_TOKEN",
            help="viewer token: may read the API and the console, not change anything",
        ),
    ] = None,
    sweep: Sweep = 30.0,
    delivery_threads: DeliveryThreads = 1,
    alert_history: AlertHistory = False,
    max_event_bytes: Annotated[
        int, typer.Option(help="largest body of POST /events (bytes; 413 beyond)")
    ] = 1_000_000,
    max_batch_bytes: Annotated[
        int, typer.Option(help="largest body of POST /events/batch (bytes; 413 beyond)")
    ] = 10_000_000,
    max_batch_events: Annotated[
        int, typer.Option(help="most events in one POST /events/batch (413 beyond)")
    ] = 1_000,
    max_form_bytes: Annotated[
        int,
        typer.Option(help="largest body of /login, /logout and the console's forms (bytes)"),
    ] = 8_192,
    max_upload_bytes: Annotated[
        int,
        typer.Option(
            help="largest body of a dispute's evidence upload: POST /disputes, "
            "POST /disputes/{id}/evidence, the console's dispute form (bytes; 413 beyond)"
        ),
    ] = UPLOAD_BYTES,
    body_timeout: Annotated[
        float,
        typer.Option(help="seconds a request head or body may stall before it is dropped (408)"),
    ] = 10.0,
    session_hours: Annotated[
        float, typer.Option(help="hours a console sign-in lasts (then sign in again)")
    ] = 12.0,
    auth_failures: Annotated[
        int,
        typer.Option(
            help="failed sign-ins or wrong tokens a client address may make at once; they come "
            "back at this many a minute (then 429 with Retry-After)"
        ),
    ] = 10,
    trust_proxy: Annotated[
        str | None,
        typer.Option(
            envvar="SLAENGINE_TRUST_PROXY",
            help="address(es) of the TLS proxy in front, comma-separated: its X-Forwarded-Proto, "
            "-For and -Host are believed (default: none is)",
        ),
    ] = None,
    judge: Annotated[
        bool,
        typer.Option(
            "--judge/--no-judge",
            help="run the judge lane (the due pass, re-judging, contract duties) in this process "
            "(default), or leave it to 'slaengine judge' processes on the same store",
        ),
    ] = True,
    hook: Annotated[
        list[str] | None,
        typer.Option(
            "--hook",
            envvar="SLAENGINE_HOOKS",
            metavar="NAME=MAPPING",
            help="NAME=MAPPING.yaml: take a helpdesk's own webhook at POST /hooks/NAME "
            "(repeatable; SLAENGINE_HOOKS holds several, separated by spaces; docs/connectors.md)",
        ),
    ] = None,
    log_level: LogLevel = "info",
) -> None:
    """Run the HTTP API and the deadline scheduler. Alerts go out as deadlines pass."""
    import uvicorn

    from slaengine.api.auth import Auth
    from slaengine.api.http_protocol import bounded
    from slaengine.api.problems import BodyLimits
    from slaengine.api.security import Guarding, origin_of
    from slaengine.api.serving import QuietServer
    from slaengine.api.sessions import SessionStore
    from slaengine.scheduler import DueScheduler
    from slaengine.server import create_app
    from slaengine.service import LiveService

    if not token and not _loopback(host):
        raise SlaError(
            f"refusing to listen on {host} without an API token: anyone who can reach it could "
            "post events and acknowledge alerts. Give --token (or set SLAENGINE_API_TOKEN), or "
            "listen on 127.0.0.1"
        )
    if not _loopback(host):
        for name, given in (("--token", token), ("--viewer-token", viewer_token)):
            if given and len(given) < MIN_TOKEN:
                raise SlaError(
                    f"{name}: {len(given)} characters; beyond loopback a token needs at least "
                    f"{MIN_TOKEN} (make one with: {MAKE_TOKEN})"
                )
    try:
        auth = Auth(operator=token or None, viewer=viewer_token or None)
    except ValueError as exc:
        raise SlaError(f"--viewer-token: {exc}") from None
    if body_timeout <= 0 or session_hours <= 0:
        raise SlaError("--body-timeout and --session-hours: give a number greater than 0")
    if auth_failures < 1:
        raise SlaError(f"--auth-failures {auth_failures}: give 1 or more")
    if sweep <= 0:
        raise SlaError(f"--sweep {sweep}: give a number of seconds greater than 0")
    if delivery_threads < 1:
        raise SlaError(f"--delivery-threads {delivery_threads}: give 1 or more")
    for name, value in (
        ("--max-event-bytes", max_event_bytes),
        ("--max-batch-bytes", max_batch_bytes),
        ("--max-batch-events", max_batch_events),
        ("--max-form-bytes", max_form_bytes),
        ("--max-upload-bytes", max_upload_bytes),
    ):
        if value < 1:
            raise SlaError(f"{name} {value}: give 1 or more")
    from slaengine.api.hooks import load_hooks, mount_hooks, parse_hook_options

    hooks = load_hooks(parse_hook_options(hook or []))
    # The port first: a second serve on a busy port stops here, before the store is touched.
    listening = _listen(host, port)
    setup_logging(log_level)
    store = _open(db)
    for file in contract or []:
        _say_loaded(_load(store, file, None))
    service = LiveService(store)
    service.judge_elsewhere = not judge
    delivery = alert_delivery(service, delivery_threads, alert_history)
    scheduler = DueScheduler(service, sweep_seconds=sweep) if judge else None
    limits = BodyLimits(
        max_event_bytes,
        max_batch_bytes,
        max_batch_events,
        max_form_bytes,
        body_timeout,
        upload_bytes=max_upload_bytes,
    )
    auth = replace(auth, sessions=SessionStore(store, auth.clock, int(session_hours * 3600)))
    public = origin_of(os.environ.get("SLAENGINE_PUBLIC_URL", ""))
    guarding = Guarding(
        trust_proxy=bool(trust_proxy),
        origins=frozenset([public] if public else []),
        auth_failures=auth_failures,
    )
    app = create_app(
        store, service=service, delivery=delivery, limits=limits, auth=auth, guarding=guarding
    )
    mount_hooks(app, service, auth, hooks, limits)
    delivery.start()
    if scheduler is not None:
        scheduler.start()
    err.print(
        f"slaengine serving on http://{host}:{port} (docs: /docs), store {store.engine.url!r}"
        + ("" if judge else "; no judge lane here (--no-judge): run 'slaengine judge' beside it"),
        highlight=False,
        markup=False,
    )
    try:
        # A console tab holds a live stream open; do not wait for it forever on shutdown.
        # The access log is the Guard's (each line cut short); X-Forwarded-* only from
        # --trust-proxy.
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level.lower(),
            timeout_graceful_shutdown=3,
            access_log=False,
            http=bounded(body_timeout),  # request heads bounded in size and time
            proxy_headers=bool(trust_proxy),
            forwarded_allow_ips=trust_proxy or None,
            server_header=False,
        )
        server = QuietServer(config)  # ticks once a second, not ten times (issue 23)
        server.run(sockets=[listening])
        if not server.started:
            raise SlaError(f"the server on {host}:{port} did not start: see the log above")
    finally:
        listening.close()
        if scheduler is not None:
            scheduler.shutdown()
        delivery.stop()
        store.close()


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening; a port already taken is an error naming it
    (exit 2), said before anything else happens."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        hint = (
            f"another program (perhaps another slaengine serve) is listening on port {port}: "
            "stop it, or give --port another number"
            if exc.errno == errno.EADDRINUSE
            else "give --host an address of this machine and --port a free port"
        )
        raise SlaError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; {hint}") from None
    sock.set_inheritable(True)
    return sock


def setup_logging(log_level: str) -> None:
    """The service commands' log lines, on standard error."""
    logging.basicConfig(
        level=getattr(logging, log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def alert_delivery(service: LiveService, threads: int, alert_history: bool) -> OutboxDelivery:
    """What ``serve`` and ``judge`` share: history quieted unless ``--alert-history`` (said on
    standard error), and the outbox delivery, woken by the process's own alerts (not started)."""
    from slaengine.alerts.model import ChannelSettings
    from slaengine.alerts.outbox import OutboxDelivery

    if not alert_history and not service.judge_elsewhere:
        horizon = service.quiet_history()
        err.print(
            f"history: breaches and missed periods that ended before {horizon.isoformat()} are "
            "recorded, not alerted (--alert-history to alert them)",
            highlight=False,
            markup=False,
        )
    settings = ChannelSettings.from_env()
    if not settings.smtp_configured:
        err.print(
            "e-mail alerts: off (no SLAENGINE_SMTP_HOST); they are kept in the outbox and sent "
            "once a relay is configured",
            highlight=False,
            markup=False,
        )
    delivery = OutboxDelivery(service.store, settings=settings, threads=threads)
    service.on_alerts.append(delivery.wake)
    return delivery


def register(app: typer.Typer) -> None:
    app.command("ingest")(friendly(ingest))
    app.command("serve")(friendly(serve))


def register_contract(contract_app: typer.Typer) -> None:
    contract_app.command("load")(friendly(contract_load))
