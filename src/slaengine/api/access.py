"""Every route's access rule: one dependency per route that asks the permission table.

Theory of operation
-------------------
A route declares what it does with one dependency, ``requires(action, contract=…)``: the
action is a key of slaengine.access ``PERMISSIONS``; ``contract`` says where the route's
contract comes from — its path (``path("contract")``), its query when given
(``query("contract")``: a console page's ``?contract=``), or the row an id in its path names
(``row(StoredAlert, "alert_id", "no alert {}")``: the alert's contract). The dependency finds
the caller (api/auth.py ``Auth.principal_of``: 401 without one), resolves the contract, and

- answers **404** when the caller holds no role on that contract — with the very words the
  route says for an id that does not exist, so a guessed id tells nothing;
- answers **403** when the caller sees the contract but may not take the action on it;
- otherwise lets the route run, with the caller on ``request.state.principal``
  (``current(request)``): list routes narrow what they list to ``visible(request)``.

A route that proves its caller another way (``POST /events`` checks in its body, for speed;
``/health`` shows more to a signed-in caller; the webhooks take their source's signature)
declares it with ``openapi_extra={"x-access": …}`` or the ``public(…)`` dependency. The test
tests/test_people_routes.py walks every route of the app, API and console, and fails on one
that declares nothing: a new route cannot forget its rule.

The console's pages pass ``page=True``: no caller is a redirect to ``/login``
(``NotSignedIn``), a hidden contract the console's "not found" page (``Hidden``) and a
refusal its "only … may do this" page (``Refused``), in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from slaengine.access import Principal, rule
from slaengine.api.auth import Auth, NotSignedIn, _bearer
from slaengine.audit.trail import Actor, client_address, http_actor
from slaengine.store import Store

#: Routes that are not APIRoutes and need no caller: the OpenAPI document, the console's and
#: the API docs' assets.
PUBLIC_PATHS = frozenset({"/openapi.json", "/assets", "/docs-assets"})


class Hidden(Exception):
    """A console page about a contract the caller does not see (answered as "not found")."""


class Refused(Exception):
    """A console page the caller sees but may not use (answered with 403)."""

    def __init__(self, action: str) -> None:
        super().__init__(action)
        self.action = action


@dataclass(frozen=True, slots=True)
class Access:
    """What the rules need at request time (``create_api`` puts one on ``app.state.access``)."""

    store: Store
    auth: Auth


#: Where a route's contract comes from: (request, session) -> (contract or None when the id is
#: unknown, the route's own "not found" words for it).
Resolver = Callable[[Request, Session], tuple[str | None, str]]


def path(name: str = "contract", missing: str = "contract {!r} is not loaded") -> Resolver:
    """The contract is the path parameter ``name``; ``missing``: the route's 404 words."""

    def resolve(request: Request, _session: Session) -> tuple[str | None, str]:
        value = str(request.path_params.get(name, ""))
        return value, missing.format(value)

    resolve.needs_store = False  # type: ignore[attr-defined]
    return resolve


def query(name: str = "contract", missing: str = "contract {!r} is not loaded") -> Resolver:
    """The contract is the query parameter ``name`` when it is given (a console page's
    ``?contract=``); absent, the route picks one of the caller's contracts itself and the rule
    is checked as for a list. ``missing``: the 404 words."""

    def resolve(request: Request, _session: Session) -> tuple[str | None, str]:
        value = request.query_params.get(name)
        if not value:
            return None, ""
        return value, missing.format(value)

    resolve.needs_store = False  # type: ignore[attr-defined]
    resolve.optional = True  # type: ignore[attr-defined]
    return resolve


def row(model: Any, name: str, missing: str) -> Resolver:
    """The contract of the ``model`` row whose id is the path parameter ``name`` (its
    ``contract`` column); ``missing``: the route's 404 words, ``{}`` the id."""

    def resolve(request: Request, session: Session) -> tuple[str | None, str]:
        raw = request.path_params.get(name)
        words = missing.format(raw)
        try:
            ident = int(str(raw))
        except ValueError:
            return None, words
        found = session.get(model, ident)
        return (str(found.contract) if found is not None else None), words

    resolve.needs_store = True  # type: ignore[attr-defined]
    return resolve


def requires(action: str, contract: Resolver | None = None, *, page: bool = False) -> Any:
    """The dependency of a route that takes ``action`` (module doc). Use it as
    ``dependencies=[requires("dispute.file", path("contract"))]``."""
    rule(action)  # an action the table does not have fails here, at start-up

    # async, like Auth.reader: a shared token is a string compare, a session or a user's token
    # one indexed read (as the sessions always were); a row's contract is read in a worker
    async def check(
        request: Request,
        _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    ) -> Principal:
        access: Access = request.app.state.access
        try:
            who = access.auth.principal_of(request)
        except NotSignedIn:
            if page:
                raise
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="missing or wrong bearer token (send Authorization: Bearer <token>)",
                headers={"WWW-Authenticate": "Bearer"},
            ) from None
        where: str | None = None
        if contract is not None and not who.everywhere:
            if getattr(contract, "needs_store", True):
                where, missing = await run_in_threadpool(_resolve, access.store, contract, request)
            else:
                where, missing = contract(request, None)  # type: ignore[arg-type]
            # an unknown id answers as a hidden one: 404 either way, before any 403
            if where is None and getattr(contract, "optional", False):
                pass  # not named (``query``): the route shows one the caller sees
            elif where is None or not who.sees(where):
                if page:
                    raise Hidden(missing)
                raise HTTPException(status.HTTP_404_NOT_FOUND, detail=missing)
        if not who.may(action, where):
            if page:
                raise Refused(action)
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=refusal(who, action))
        return who

    check.__access__ = action  # type: ignore[attr-defined]
    return Depends(check)


def _resolve(store: Store, contract: Resolver, request: Request) -> tuple[str | None, str]:
    with store.sessions() as session:
        return contract(request, session)


def public(why: str) -> Any:
    """The dependency of a route anyone may call (``why``: how it is protected instead)."""

    async def anyone() -> None:
        return None

    anyone.__access__ = f"public: {why}"  # type: ignore[attr-defined]
    return Depends(anyone)


def refusal(who: Principal, action: str) -> str:
    """Why ``who`` may not take ``action``, in words."""
    found = rule(action)
    roles = sorted(found.roles | {"administrator", "operator"})
    return (
        f"{action}: {found.en} — needs one of the roles {', '.join(roles)} "
        f"on the contract ({who.name} holds {who.role_words('en')})"
    )


def current(request: Request) -> Principal:
    """The caller ``requires`` found (``request.state.principal``)."""
    found = getattr(request.state, "principal", None)
    if not isinstance(found, Principal):
        raise RuntimeError(f"{request.url.path}: no access rule ran before the route")
    return found


def visible(request: Request, action: str = "contract.read") -> frozenset[str] | None:
    """The contracts the caller may take ``action`` on (None: every contract): what a list
    route narrows its rows to."""
    return current(request).where(action)


def actor(request: Request, by: str | None, via: str = "http") -> Actor:
    """Who acts, for the audit trail: a named user by their name (whatever ``by`` says), a
    shared token by the name it gave (``by``), else its role."""
    who = current(request)
    if who.is_user:
        return Actor(who.name, via, client_address(request), "user")
    return http_actor(request, by, who.name, via)


def narrowed(query: Any, column: Any, request: Request, action: str = "contract.read") -> Any:
    """``query`` narrowed to the rows of ``column``'s contracts the caller may ``action`` on."""
    within = visible(request, action)
    return query if within is None else query.where(column.in_(sorted(within)))


def not_loaded(contract: str) -> str:
    """What the store says of an event of a contract it does not have (store/repository.py):
    an event of a contract the caller does not see is answered with the same words."""
    return (
        f"contract: {contract!r} is not loaded in this store "
        "(load it first: slaengine contract load FILE --db URL)"
    )


#: What the viewer token is told when it tries to write (as before people and roles).
VIEWER_READS = (
    "the viewer token may only read: use the operator token to post events or acknowledge alerts"
)


def may_post(who: Principal) -> str | None:
    """Why ``who`` may post no event at all (403), or None."""
    if who.may("events.post") or who.may("breach.waive"):
        return None
    return VIEWER_READS if who.kind == "token" else refusal(who, "events.post")


def event_refusal(who: Principal, data: Any) -> tuple[int, str] | None:
    """Whether ``who`` may post the event ``data``: None, or the status and the words. An event
    of a contract ``who`` does not see reads like one of a contract that is not loaded (422);
    one they see but may not post to (a ``breach_waived`` event needs ``breach.waive``) is a
    403. An event without a text ``contract`` is left to the store's own check."""
    if who.almighty or not isinstance(data, dict):
        return None
    contract = data.get("contract")
    if not isinstance(contract, str):
        return None
    action = "breach.waive" if data.get("type") == "breach_waived" else "events.post"
    if not who.sees(contract):
        return 422, not_loaded(contract)
    if not who.may(action, contract):
        return 403, refusal(who, action)
    return None


def signed(who: Principal, data: Any) -> Any:
    """``data`` as ``who`` posts it: a named user's waiver (``breach_waived``) is granted under
    their name (``attrs.by``, which the audit trail records as who waived), whatever it said."""
    if not who.is_user or not isinstance(data, dict) or data.get("type") != "breach_waived":
        return data
    attrs = data.get("attrs")
    if attrs is not None and not isinstance(attrs, dict):
        return data  # the store rejects it with its own words
    return {**data, "attrs": {**(attrs or {}), "by": who.name}}


def hook_refusal(who: Principal, contract: str) -> tuple[int, str] | None:
    """Whether ``who`` (a bearer token's caller) may post a webhook's events, which are all for
    ``contract`` (its mapping's): None when they may (``events.post`` on it: the operator
    token, an administrator, the contract's manager); 404 when they do not see the contract
    (the webhook answers as for a name that is not mounted, so it tells nothing); else 403
    and why."""
    if who.may("events.post", contract):
        return None
    if not who.sees(contract):
        return 404, ""
    return 403, VIEWER_READS if who.kind == "token" else refusal(who, "events.post")
