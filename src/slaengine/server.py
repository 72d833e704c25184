"""The service a user runs: the HTTP API with the web console mounted at ``/``.

The composition root of the live service's web side. ``slaengine.api.create_api`` builds the
API (the edge, the routers of ``api/routes/``); the console (``slaengine.console``) sits above
the API — it reads the API's sign-in, roles and views — so the one place that joins the two is
here, above both (docs/architecture.md). ``slaengine serve`` and the tests build their app with
``create_app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slaengine.api import create_api
from slaengine.console import mount_console

if TYPE_CHECKING:
    from fastapi import FastAPI

    from slaengine.alerts.outbox import OutboxDelivery
    from slaengine.api.auth import Auth
    from slaengine.api.problems import BodyLimits
    from slaengine.api.security import Guarding
    from slaengine.clock import Clock
    from slaengine.service.live import LiveService
    from slaengine.store import Store


def create_app(
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
    """The API and the console over ``store``; the arguments are ``create_api``'s
    (slaengine.api.app), which says what each means."""
    app = create_api(
        store, clock, token=token, service=service, delivery=delivery, limits=limits,
        auth=auth, guarding=guarding,
    )  # fmt: skip
    mount_console(app, store, app.state.service, app.state.auth)
    return app
