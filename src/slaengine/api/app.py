"""The HTTP API of the live service (FastAPI): a thin shell over LiveService and the store.

Events go in (one, or a batch) and are answered only once stored; tickets, breaches, alerts
and contracts come out. Every route but ``/health`` and the OpenAPI docs (``/docs``, served
from the package: they work offline) requires a token when one is configured (api/auth.py: a
viewer token reads, the operator token also posts events and acknowledges; a named user does
what their roles per contract allow, each route's rule from the permission table through
api/access.py ``requires``); ``slaengine serve``
refuses to listen beyond loopback without one. ``create_api`` builds this app; the service a
user runs is ``slaengine.server.create_app``, which also mounts the web console (console/) at
``/``.

Transaction boundaries are the service's and the store's: each posting request is one
``ingest`` without judging (one transaction; a single event's shared with the requests arriving
with it, slaengine.service.group_commit), answered at its commit, its tickets judged by the due
pass right after; each reading request is one read session. Errors have one body shape
(slaengine.api.problems); a store that cannot be reached is a 503 with ``Retry-After``. Times
are RFC 3339 in the contract's time zone everywhere.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from slaengine import __version__
from slaengine.alerts.outbox import OutboxDelivery
from slaengine.api.access import Access
from slaengine.api.auth import SESSION_SECONDS, Auth
from slaengine.api.docs import offline_docs
from slaengine.api.problems import BodyLimits, Problem, responses
from slaengine.api.problems import install as install_problems
from slaengine.api.routes.alerts import alerts_router
from slaengine.api.routes.audit import audit_router
from slaengine.api.routes.breaches import breaches_router
from slaengine.api.routes.contracts import contracts_router
from slaengine.api.routes.disputes import disputes_router
from slaengine.api.routes.events import events_router
from slaengine.api.routes.health import StoreHealth, health_router
from slaengine.api.schemas import EventIn
from slaengine.api.security import Guard, Guarding
from slaengine.api.sessions import SessionStore
from slaengine.api.views import Zones
from slaengine.audit import trail
from slaengine.clock import Clock
from slaengine.service.live import LiveService
from slaengine.store import Store
from slaengine.store.users import UserStore


def _guard_answers(schema: dict[str, Any]) -> None:
    """Every operation, whenever its route was added (the audit trail's, the webhooks mounted
    after ``create_api``), documents what the Guard may answer before it runs: 400 (a NUL in
    the path or query) and 429 (too many failed authentications; api/security.py)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", Problem.model_json_schema())
    for code, said in responses(400, 429).items():
        answer = {
            "description": said["description"],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault(str(code), answer)


#: What every text parameter of a path or query may hold: anything but NUL (a 400 before any
#: route runs; PostgreSQL cannot keep one).
_NO_NUL = "^[^\\u0000]*$"


def _no_nul_in_parameters(schema: dict[str, Any]) -> None:
    """Say in the OpenAPI document what the edge refuses: a NUL in a text parameter."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                found = parameter.get("schema", {})
                for option in [found, *found.get("anyOf", [])]:
                    if option.get("type") == "string" and "pattern" not in option:
                        option["pattern"] = _NO_NUL


def create_api(
    store: Store,
    clock: Clock | None = None,
    *,
    token: str | None = None,
    service: LiveService | None = None,
    delivery: OutboxDelivery | None = None,
    limits: BodyLimits | None = None,
    auth: Auth | None = None,
    guarding: Guarding | None = None,
) -> FastAPI:
    """The API over ``store`` (slaengine.server.create_app adds the console) with ``clock``
    (default: the store's); ``auth`` says which tokens are accepted and what each may do
    (``token`` alone: one operator token, required as ``Authorization: Bearer``). ``service``:
    the live service the scheduler and the outbox listen to (``slaengine serve`` passes its
    own); by default one is made here. ``delivery``: the outbox delivery whose endpoints
    ``/health`` reports. ``limits``: how much one request may carry; ``guarding``: the edge's
    other settings (api/security.py)."""
    service = service or LiveService(store, clock)
    limits = limits or BodyLimits()
    zones = Zones(store)
    store_health = StoreHealth()

    auth = auth or Auth(operator=token, clock=service.clock)
    if auth.sessions is None:
        auth = replace(auth, sessions=SessionStore(store, auth.clock, SESSION_SECONDS))
    if auth.users is None:
        auth = replace(auth, users=UserStore(store))

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="slaengine",
        version=__version__,
        description=(
            "The live SLA service: post ticket events as they happen; deadlines that pass with "
            "no event become breaches and alerts. Every error answers "
            '`{"status": "rejected" | "unavailable" | "error", "error": "<reason>"}`.'
        ),
    )
    install_problems(app, store_health.down)
    app.state.access = Access(store, auth)  # every route's rule (api/access.py requires)
    app.state.limits = limits
    app.add_middleware(Guard, limits=limits, guarding=guarding)
    offline_docs(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )  # fmt: skip
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            event_schema = EventIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(event_schema.pop("$defs", {}))
            components["EventIn"] = event_schema
            _no_nul_in_parameters(schema)
            _guard_answers(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    # the routes, one router per resource (api/routes/); a new resource is one line here
    app.include_router(health_router(store, service, auth, store_health, delivery))
    app.include_router(events_router(service, auth, limits))
    app.include_router(contracts_router(store, service, auth, zones))
    app.include_router(breaches_router(store, service.clock, auth, zones))
    app.include_router(alerts_router(store, service, auth, zones))
    app.state.audit_sign_ins = trail.SignIns(store)  # sign-ins recorded (slaengine.audit)
    app.include_router(audit_router(store, auth))
    app.include_router(disputes_router(store, service, auth))
    # what the layers above build on this app (slaengine.server mounts the console with them)
    app.state.service = service
    app.state.auth = auth
    return app
