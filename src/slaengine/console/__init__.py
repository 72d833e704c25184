"""The web console: the live service's board, alerts, tickets, money, compliance, warranty
and contracts, in a browser, served by ``slaengine serve`` on its own port.

Theory of operation
-------------------
Pages are rendered on the server (Jinja2 templates in ``templates/``) from the store and the
pure core, so a page is complete HTML without any script; one small script of our own
(``static/console.js``, no library) adds the live countdowns and swaps in a fresh copy of the
page when the store changes (live.py: server-sent events). Everything the browser loads comes
from this package (``/assets``); nothing from a CDN. Who may see and do what is the permission
table's (slaengine.access), asked by each page's ``requires`` (api/access.py): a page lists only
the contracts the caller sees, a contract they do not see is "not found", an action their roles
do not allow is refused (403).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from slaengine.api.access import Hidden, Refused
from slaengine.api.auth import Auth, NotSignedIn
from slaengine.console import (
    alerts,
    audit,
    board,
    compliance,
    contract,
    disputes,
    money,
    signin,
    tickets,
    users,
    warranty,
)
from slaengine.console.live import ChangeFeed
from slaengine.console.page import Console, NoContract
from slaengine.console.reports import Reports
from slaengine.service.live import LiveService
from slaengine.store import Store

HERE = Path(__file__).parent


def mount_console(app: FastAPI, store: Store, service: LiveService, auth: Auth) -> None:
    """Add the console's pages, its live feed and its assets to ``app``."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    # A path segment: an id quoted whole ("/", "?", "#", spaces and quotes included).
    env.filters["seg"] = lambda value: quote(str(value), safe="")
    app.mount("/assets", StaticFiles(directory=HERE / "static"), name="console-assets")
    console = Console(store, service, auth, env, ChangeFeed(store), Reports(store))
    router = APIRouter(include_in_schema=False)
    pages = (signin, board, alerts, tickets, money, disputes, compliance, warranty, contract,
             audit, users)  # fmt: skip
    for page in pages:
        page.add_routes(router, console)
    app.include_router(router)

    @app.exception_handler(NoContract)
    def no_contract_yet(_request: Request, exc: NoContract) -> Response:
        return console.render(exc.page, "message.html", text=exc.page.t("no_contract"))

    @app.exception_handler(Hidden)
    def hidden(request: Request, _exc: Hidden) -> Response:
        p = console.page(request)
        return console.render(p, "message.html", status_code=404, text=p.t("not_found"))

    @app.exception_handler(Refused)
    def refused(request: Request, _exc: Refused) -> Response:
        p = console.page(request)
        return console.render(p, "message.html", status_code=403, text=p.t("forbidden"))

    @app.exception_handler(NotSignedIn)
    def sign_in_first(request: Request, _exc: NotSignedIn) -> Response:
        if request.url.path == "/live":
            return Response("sign in first", status_code=401)
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
