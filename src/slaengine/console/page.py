"""What every console page shares: the signed-in request (``Page``, which templates read) and
the service it shows (``Console``: the store, the live service, the tokens, the templates).

Every page answers in the request's language (words.py), needs a signed-in caller (api/auth.py;
without one the browser is sent to ``/login``) and declares its access rule (api/access.py
``requires``, the permission table of slaengine.access), and shows times in the contract's
time zone. A page lists only the contracts the caller sees (``Page.contracts``). The routes
live in one module per page (board, alerts, tickets, money, compliance, warranty, contract,
audit, users, signin), each adding itself with ``add_routes(router, console)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from slaengine.access import NOBODY_ASKED, Principal
from slaengine.alerts.messages import human_duration
from slaengine.api.access import Hidden
from slaengine.api.auth import OPERATOR, VIEWER, Auth, Role
from slaengine.console.live import ChangeFeed
from slaengine.console.reports import Reports, newest_contracts
from slaengine.console.words import LANG_COOKIE, WORDS, Lang, lang_of, word
from slaengine.errors import SlaError
from slaengine.evaluate import Context
from slaengine.penalties import Window
from slaengine.penalties.words import amount_text
from slaengine.service.live import LiveService
from slaengine.store import Store


@dataclass
class Page:
    """What every page's template gets besides its own data."""

    request: Request
    lang: Lang
    role: Role
    auth_required: bool
    contracts: dict[str, Context]
    signed_in: bool = True
    #: Who is asking (a shared token's role, or a named user with their roles).
    principal: Principal = NOBODY_ASKED

    def t(self, key: str) -> str:
        return word(key, self.lang)

    def zone(self, contract: str | None) -> ZoneInfo:
        context = self.contracts.get(contract or "")
        return ZoneInfo(context.contract.timezone if context else "UTC")

    def when(self, value: datetime | str | None, contract: str | None = None) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.astimezone(self.zone(contract)).strftime("%Y-%m-%d %H:%M:%S")

    def span(self, seconds: int | None) -> str:
        if seconds is None:
            return "—"
        return human_duration(int(seconds), self.lang)

    def name(self, contract: str, commitment: str | None) -> str:
        context = self.contracts.get(contract)
        if context is None or commitment is None:
            return commitment or ""
        for c in context.contract.commitments:
            if c.id == commitment and c.name is not None:
                return c.name.get(self.lang)
        return commitment

    def late_ticks(self, contract: str, commitment: str) -> bool:
        """Whether an open breach's lateness grows with the wall clock, so the page may tick
        it on between refreshes: not where it counts the calendar's working time only
        (``lateness: calendar``), which the server's figure alone knows."""
        context = self.contracts.get(contract)
        if context is None:
            return True
        return all(
            c.lateness != "calendar" for c in context.contract.commitments if c.id == commitment
        )

    def severity(self, contract: str, severity: str | None) -> str:
        context = self.contracts.get(contract)
        if context is None or severity is None:
            return severity or "—"
        text = context.contract.severities.get(severity)
        return text.get(self.lang) if text is not None else severity

    def url(self, path: str, **params: Any) -> str:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{path}?{urlencode(clean)}" if clean else path

    def switch(self, lang: str) -> str:
        params = dict(self.request.query_params)
        params["lang"] = lang
        return self.url(self.request.url.path, **params)

    @property
    def operator(self) -> bool:
        return self.role == OPERATOR

    def may(self, action: str, contract: str | None = None) -> bool:
        """Whether the caller may take ``action`` (on ``contract``): what a page offers."""
        return self.principal.may(action, contract)

    @property
    def who(self) -> str:
        """The caller in words, for the page's header."""
        if self.principal.is_user:
            return f"{self.principal.name} ({self.principal.role_words(self.lang)})"
        return self.t(self.role)


class NoContract(Exception):
    """No contract is loaded yet: the console answers with a page that says so (mounted in
    ``mount_console``), in the language of ``page``."""

    def __init__(self, page: Page) -> None:
        super().__init__("no contract is loaded")
        self.page = page


@dataclass
class Console:
    store: Store
    service: LiveService
    auth: Auth
    env: Environment
    feed: ChangeFeed
    reports: Reports

    @property
    def now(self) -> Callable[[], datetime]:
        return self.service.clock.now

    def page(self, request: Request) -> Page:
        """The signed-in request; raises NotSignedIn (answered with /login, see __init__)."""
        lang, _ = lang_of(request)
        who = self.auth.principal_of(request)
        shown = visible_contracts(newest_contracts(self.store), who.visible())
        role: Role = OPERATOR if who.almighty else VIEWER
        return Page(request, lang, role, self.auth.required, shown, principal=who)

    def render(self, p: Page, template: str, status_code: int = 200, **data: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(p=p, t=p.t, words=WORDS, **data)
        response = HTMLResponse(html, status_code=status_code)
        remember_lang(p.request, response)
        return response

    def chosen(self, p: Page, contract: str | None) -> Context:
        """The contract asked for (``?contract=``), else the caller's first one; NoContract when
        the caller sees none. A contract asked for that is not loaded, or that the caller does
        not see, is the console's "not found" page (``Hidden``): the same 404 either way, so
        ids do not leak."""
        if contract:
            if contract not in p.contracts:
                raise Hidden(f"contract {contract!r} is not loaded")
            return p.contracts[contract]
        if not p.contracts:
            raise NoContract(p)
        return next(iter(p.contracts.values()))

    def period(self, context: Context, text: str | None, now: datetime) -> Window:
        """The month ``text`` (``2026-10``), else the current month in the contract's zone."""
        if text:
            try:
                return Window.month(context.contract, text)
            except SlaError as exc:
                raise HTTPException(422, detail=f"period: {exc}") from None
            except (ValueError, OverflowError):  # 0000-01, 9999-12: a month no calendar has
                raise HTTPException(
                    422, detail=f"period: {text[:20]!r} is not a month; write it like 2026-10"
                ) from None
        local = now.astimezone(ZoneInfo(context.contract.timezone))
        return Window.month(context.contract, f"{local.year:04d}-{local.month:02d}")


def visible_contracts(
    contracts: dict[str, Context], seen: frozenset[str] | None
) -> dict[str, Context]:
    """``contracts`` narrowed to those the caller sees (None: all)."""
    if seen is None:
        return contracts
    return {cid: context for cid, context in contracts.items() if cid in seen}


def money_text(value: Decimal | str | None) -> str:
    if value is None:
        return "—"
    return amount_text(Decimal(value))


def local_path(target: str) -> str:
    """Only a path on this server may follow a sign-in or an acknowledgement (no open
    redirect to another site)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def remember_lang(request: Request, response: Response) -> None:
    lang, chosen = lang_of(request)
    if chosen:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True, path="/"
        )


def months_of(context: Context, now: datetime) -> list[str]:
    """Months from now back to acceptance (at most 24; 24 when the contract names no acceptance
    date), newest first, as ``2026-10``."""
    local = now.astimezone(ZoneInfo(context.contract.timezone)).date().replace(day=1)
    accepted = context.contract.accepted_on
    first = accepted.replace(day=1) if accepted is not None else date.min
    months: list[str] = []
    day = local
    while day >= first and len(months) < 24:
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = day - relativedelta(months=1)
    return months or [f"{local.year:04d}-{local.month:02d}"]
