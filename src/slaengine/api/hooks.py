"""``POST /hooks/{name}``: a helpdesk's own webhook, mapped to events, stored like ``POST /events``.

Theory of operation
-------------------
``slaengine serve --hook NAME=MAPPING.yaml`` mounts one route per name (``mount_hooks``). A
delivery is read raw (the signature is over the bytes as sent; at most the service's event body
limit, 413 past it), authenticated, decoded, mapped (slaengine.mapping.webhook) and its events
offered one by one to the same door as ``POST /events``: the group commit
(``LiveService.post_one_async``), so they share its transactions, its idempotency (a redelivery
is a duplicate of what is stored), its durability (answered after the commit) and its judge lane.

Who may post: a bearer token that may post events for the hook's contract (``events.post``: the
operator token, an administrator's or the contract's manager's own token; a token that does not
see the contract gets the 404 of a webhook that is not mounted, one that sees it but may not post
a 403); otherwise the source's own proof, named by the mapping's ``auth`` - an HMAC of the raw
body (Zammad ``sha1=``, Jira ``sha256=``), GLPI's HMAC of body + timestamp with the timestamp
inside a replay window, a shared token in a header, or (for
senders that can set neither) in the URL. Secrets are read from the environment variable the
mapping names, once, when the service starts; they are compared with ``hmac.compare_digest``.

Answers: 201 when an event was stored; 200 when nothing new was (every event a duplicate - a
redelivery - or a payload that says nothing the mapping measures: ``events: 0`` and the reason);
401 for a missing or wrong proof; 400 for a body that is not JSON and 422 for a payload the
mapping cannot read (the path that was missing or unexpected in ``field``) - both kept in the
``rejected`` table with the raw body, like a rejected line; 409/422 when the intake refused an
event (the answer lists each event's outcome; refused events are kept by the intake).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
from collections.abc import Mapping as EnvMapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select

from slaengine.api.access import hook_refusal
from slaengine.api.auth import Auth
from slaengine.api.problems import (
    Answer,
    BadBody,
    BodyLimits,
    Problem,
    decode_json,
    problem,
    read_body,
    responses,
)
from slaengine.errors import SlaError
from slaengine.mapping.vocabulary import shown
from slaengine.mapping.webhook import (
    HookMapping,
    PayloadError,
    after_holds,
    load_hook_mapping,
    map_payload,
)
from slaengine.service.live import LiveService
from slaengine.store import limits as store_limits
from slaengine.store.models import RejectedInput, StoredEvent

logger = logging.getLogger("slaengine.api")

_DIGESTS = {"hmac-sha1": hashlib.sha1, "hmac-sha256": hashlib.sha256, "glpi": hashlib.sha256}


@dataclass(frozen=True)
class Hook:
    """One mounted webhook: its name, its mapping and the secret its mapping names."""

    name: str
    mapping: HookMapping
    secret: bytes | None


def parse_hook_options(values: list[str]) -> list[tuple[str, Path]]:
    """``NAME=MAPPING.yaml`` options (``--hook``, SLAENGINE_HOOKS) as (name, path) pairs."""
    pairs: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for value in values:
        if not value.strip():  # SLAENGINE_HOOKS="" mounts nothing
            continue
        name, sep, path = value.partition("=")
        name = name.strip()
        if not sep or not name or not path.strip():
            raise SlaError(f"--hook {value!r}: write NAME=MAPPING.yaml (e.g. zammad=zammad.yaml)")
        if not all(char.isalnum() or char in "-_" for char in name):
            raise SlaError(f"--hook {value!r}: a hook name is letters, digits, - and _")
        if name in seen:
            raise SlaError(f"--hook {name}: given twice")
        seen.add(name)
        pairs.append((name, Path(path.strip())))
    return pairs


def load_hooks(
    pairs: list[tuple[str, Path]], environ: EnvMapping[str, str] | None = None
) -> list[Hook]:
    """The hooks, their mappings read and their secrets found (SlaError naming what is wrong)."""
    env = os.environ if environ is None else environ
    hooks: list[Hook] = []
    for name, path in pairs:
        mapping = load_hook_mapping(path)
        secret: bytes | None = None
        if mapping.auth is not None:
            value = env.get(mapping.auth.secret_env)
            if not value:
                raise SlaError(
                    f"--hook {name}: {path} names secret_env {mapping.auth.secret_env}, which is "
                    "not set: set it to the secret configured in the sender (or remove 'auth:' "
                    "to accept only the operator's bearer token)"
                )
            secret = value.encode()
        hooks.append(Hook(name, mapping, secret))
    return hooks


def _proof_problem(hook: Hook, request: Request, raw: bytes, now: float) -> str | None:
    """Why the delivery's own proof fails (None: it holds)."""
    auth = hook.mapping.auth
    assert auth is not None and hook.secret is not None
    if auth.scheme == "query-token":
        given = request.query_params.get(auth.param)
        if given is None:
            return f"no ?{auth.param}= in the URL and no bearer token"
        ok = hmac.compare_digest(given.encode(), hook.secret)
        return None if ok else f"wrong ?{auth.param}="
    assert auth.header is not None
    given = request.headers.get(auth.header)
    if given is None:
        return f"no {auth.header} header and no bearer token"
    if auth.scheme == "token":
        ok = hmac.compare_digest(given.encode(), hook.secret)
        return None if ok else f"wrong {auth.header}"
    signed = raw
    if auth.scheme == "glpi":
        assert auth.timestamp_header is not None
        stamp = request.headers.get(auth.timestamp_header, "").strip()
        if not (stamp.isascii() and stamp.isdigit()):
            return f"no {auth.timestamp_header} header (Unix seconds)"
        if abs(now - int(stamp)) > auth.window_seconds:
            return (
                f"{auth.timestamp_header} {stamp} is outside the replay window ({auth.window} "
                "either side of now)"
            )
        signed = raw + stamp.encode()
    digest = hmac.new(hook.secret, signed, _DIGESTS[auth.scheme]).digest()
    expected = auth.prefix + (
        digest.hex() if auth.encoding == "hex" else base64.b64encode(digest).decode()
    )
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        return f"{auth.header} does not match the body (wrong secret, or the body was changed)"
    return None


def mount_hooks(
    app: FastAPI,
    service: LiveService,
    auth: Auth,
    hooks: list[Hook],
    limits: BodyLimits | None = None,
) -> None:
    """Mount ``POST /hooks/{name}`` for ``hooks`` on ``app`` (made by ``server.create_app``)."""
    app.openapi_schema = None  # drawn again, with this route
    limits = limits or BodyLimits()
    by_name = {hook.name: hook for hook in hooks}
    store = service.store
    # who a bearer token is: the app's own sign-in (with the store's named users), as for every
    # other route; ``auth`` when the app has none
    callers: Auth = getattr(app.state, "auth", None) or auth

    def unknown(name: str) -> JSONResponse:
        known = ", ".join(sorted(by_name)) or "none (slaengine serve --hook NAME=MAPPING)"
        return problem(404, f"no webhook {name!r}; mounted: {known}", field="name")

    def keep(hook: Hook, error: str, raw: bytes) -> None:
        """Keep a refused payload for inspection, like a rejected line (table ``rejected``);
        the same payload refused again (a helpdesk retrying it) is recorded once."""
        source = f"hook:{hook.name}"
        text = store_limits.storable(raw.decode("utf-8", "replace"))
        reason = store_limits.storable(error) or ""
        with store.write() as session:
            known = session.scalar(
                select(RejectedInput.id)
                .where(
                    RejectedInput.source == source,
                    RejectedInput.error == reason,
                    RejectedInput.raw == text,
                )
                .limit(1)
            )
            if known is not None:
                return
            session.add(
                RejectedInput(
                    contract=store_limits.storable(hook.mapping.contract, 200),
                    source=source,
                    line=None,
                    event_id=None,
                    ticket=None,
                    error=reason,
                    raw=text,
                    received_at=service.clock.now(),
                )
            )

    def unmet(
        hook: Hook, events: list[dict[str, Any]], after: dict[str, tuple[str, str]]
    ) -> dict[str, str]:
        """The ``after:`` events the ticket's stored history does not allow (a reopen of a
        ticket whose last resolved/reopened is not a resolved), each with why."""
        contract = hook.mapping.contract
        types = sorted({kind for pair in after.values() for kind in pair})
        histories: dict[str, list[tuple[datetime, int, str]]] = {}
        with store.sessions() as session:
            for ticket in sorted({e["ticket"] for e in events if e["id"] in after}):
                rows = session.execute(
                    select(StoredEvent.at, StoredEvent.seq, StoredEvent.type).where(
                        StoredEvent.contract == contract,
                        StoredEvent.ticket == ticket,
                        StoredEvent.type.in_(types),
                    )
                ).all()
                histories[ticket] = [(row[0], row[1], row[2]) for row in rows]
        dropped: dict[str, str] = {}
        for position, event in enumerate(events):
            history = histories.get(event["ticket"])
            if history is None:
                continue
            if event["id"] in after:
                want, own = after[event["id"]]
                at = datetime.fromisoformat(event["at"])
                if not after_holds(want, own, at, history):
                    dropped[event["id"]] = (
                        f"{own} at {event['at']} not stored: the ticket's last {want} or {own} "
                        f"before it is not a {want}"
                    )
                    continue
            # this payload's own events count for the ones after them
            history.append((datetime.fromisoformat(event["at"]), 2**62 + position, event["type"]))
        return dropped

    @app.post(
        "/hooks/{name}",
        tags=["events"],
        # the source's own signature, or a bearer token that may post events for the hook's
        # contract (checked below: api/access.py hook_refusal)
        openapi_extra={
            "x-access": "public: the source's signature, or a bearer token with events.post on "
            "the hook's contract"
        },
        responses={
            **responses(400, 401, 403, 404, 413, 422, 429, 503),
            200: {"description": "Nothing new: a redelivery, or nothing the mapping measures."},
            201: {"description": "Events stored."},
            404: {"model": Problem, "description": "No webhook of that name is mounted."},
        },
    )
    async def post_hook(name: str, request: Request) -> JSONResponse:
        """A helpdesk's own webhook (Zammad, Jira, GLPI, ServiceNow, or any JSON a mapping
        reads), mapped to events and stored like ``POST /events`` (docs/connectors.md)."""
        hook = by_name.get(name)
        if hook is None:
            return unknown(name)
        raw = await read_body(request, limits.event_bytes, "webhook")
        if request.headers.get("authorization") or hook.mapping.auth is None:
            who = callers.principal(request)  # 401 without a valid token
            barred = hook_refusal(who, hook.mapping.contract)
            if barred is not None and barred[0] == 404:
                return unknown(name)
            if barred is not None:
                raise HTTPException(barred[0], detail=barred[1])
        else:
            why = _proof_problem(hook, request, raw, service.clock.now().timestamp())
            if why is not None:
                return problem(401, f"webhook {name}: {why}", field="signature")
        try:
            data = decode_json(raw, "the webhook")
        except BadBody as exc:
            await run_in_threadpool(keep, hook, exc.error, raw)
            return problem(exc.status, exc.error, field="body")
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            mapped = map_payload(hook.mapping, data, headers)
        except PayloadError as exc:
            error = f"webhook {name}: {exc}"
            await run_in_threadpool(keep, hook, error, raw)
            return problem(422, error, field=exc.path)
        if len(mapped.events) > limits.batch_events:
            error = (
                f"webhook {name}: {len(mapped.events):,} events from one payload, at most "
                f"{limits.batch_events:,} (--max-batch-events)"
            )
            await run_in_threadpool(keep, hook, error, raw)
            return problem(413, error, field="body")
        if mapped.after:
            dropped = await run_in_threadpool(unmet, hook, mapped.events, mapped.after)
            mapped.events = [e for e in mapped.events if e["id"] not in dropped]
            mapped.notes.extend(dropped.values())
        if not mapped.events:
            return Answer(
                {"status": "nothing to store", "events": 0, "why": mapped.notes}, status_code=200
            )
        source = f"hook:{name}"
        outcomes = await asyncio.gather(
            *(service.post_one_async(event, source) for event in mapped.events)
        )
        listed: list[dict[str, Any]] = []
        stored = duplicates = 0
        refused: list[dict[str, Any]] = []
        for event, outcome in zip(mapped.events, outcomes, strict=True):
            item: dict[str, Any] = {"id": event["id"], "type": event["type"], "at": event["at"]}
            if outcome.rejected is not None:
                item["status"] = "rejected"
                item["error"] = outcome.rejected.error
                refused.append(item)
            elif outcome.accepted is None:
                item["status"] = "duplicate"
                duplicates += 1
            else:
                item["status"] = "accepted"
                stored += 1
            listed.append(item)
        body: dict[str, Any] = {
            "status": "accepted" if stored else "duplicate",
            "events": stored,
            "duplicates": duplicates,
            "rejected": len(refused),
            "outcomes": listed,
        }
        if mapped.notes:
            body["why"] = mapped.notes
        if refused:
            conflict = all("different content" in item["error"] for item in refused)
            first = refused[0]
            return problem(
                409 if conflict else 422,
                f"event {first['id'] if len(first['id']) <= 120 else shown(first['id'])}: "
                f"{first['error']}",
                id=first["id"],
                **{key: value for key, value in body.items() if key != "status"},
            )
        return Answer(body, status_code=201 if stored else 200)
