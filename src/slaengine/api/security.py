"""The service's edge against a hostile network: one ASGI middleware every request passes.

Theory of operation
-------------------
``Guard`` wraps the whole application (API and console) and decides, before any route runs
and without reading a body, what no route should have to think about:

1. **Odd bytes.** A NUL in the path or the query (``%00``) is a 400 (PostgreSQL cannot hold
   one; SQLite answers the same, so the two stores agree).
2. **Bodies bounded.** ``Content-Length`` over the path's limit is a 413 before a byte of the
   body is read: ``BodyLimits.form_bytes`` for sign-in, sign-out and the console's forms,
   ``BodyLimits.upload_bytes`` for the paths that take a dispute's evidence files
   (``UPLOAD_PATHS``: the API's and the console's, each file then checked by its route),
   the batch limit for the rest (each JSON route then applies its own, api/problems.py). A
   chunked body is counted as it arrives and cut at the same limit.
3. **Reads timed.** Each wait for the next piece of a body lasts at most
   ``BodyLimits.body_seconds``; a body that stalls is answered 408 and its connection closed.
   A client that goes away mid-body is one DEBUG line. Every early answer closes the
   connection, so the rest of a refused body is never read.
4. **Cross-site requests refused.** A state-changing request (not GET/HEAD/OPTIONS) without a
   bearer token in ``Authorization`` is one a browser could have been made to send by another
   page (it carries the session cookie, or the service needs no token). If it says where it
   comes from (``Origin``, else ``Sec-Fetch-Site``) that must be this server — scheme, host
   *and port*: "same site" (another port of this host) is refused too. A bearer token is never
   sent by a browser on another page's behalf (no CORS is offered), so such requests pass. An
   API write authenticated by the cookie must be ``application/json``, which no plain HTML form
   can send.
5. **Guessing slowed.** Failed authentications (401) are counted per client address in a token
   bucket (``Throttle``); a client that has used its tries gets 429 with ``Retry-After`` for
   the next request that presents a token, a sign-in or a webhook delivery (a wrong webhook
   signature is a 401 like a wrong token), until the bucket refills. A request with
   a valid session cookie is never throttled, and one client's failures never slow another.
6. **Headers.** Every answer says ``X-Content-Type-Options: nosniff``, ``Referrer-Policy:
   same-origin`` (no address of a console page goes to another site), ``X-Frame-Options:
   DENY`` and a Content-Security-Policy with ``frame-ancestors 'none'`` (the console's pages a
   strict one: only this server's own script, styles and images); every answer but a static
   asset says ``Cache-Control: no-store``.
7. **The log stays small.** A fault of the service itself is a 500 with one log line; its
   traceback is logged the first time its place in the code fails, not on every repeat (so no
   request can fill the log). The access log line is cut to a few hundred bytes; the query
   values of a webhook's URL are written ``[hidden]`` (a ``query-token`` hook's secret).

The middleware reads no clock of the domain: the throttle measures elapsed time with
``time.monotonic`` (a wall-clock jump must not lift a throttle).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.requests import ClientDisconnect

from slaengine.api.problems import BodyLimits, cut, log_fault

logger = logging.getLogger("slaengine.api")
access = logging.getLogger("slaengine.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Paths whose bodies are forms a person types (a token, a name): ``BodyLimits.form_bytes``.
FORM_PATHS = ("/login", "/logout", "/console/")

#: The console's pages: this server's own script, styles and images only, never framed.
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: Everything else (JSON answers, the Swagger UI page with its inline script): never framed.
OTHER_CSP = "frame-ancestors 'none'"
_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with the
    # console's own forms, and the origin check could not tell them from a forged one.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
#: The access log line says the status as uvicorn's did: ``"GET /" 200 OK``.
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
#: Paths that take a dispute's evidence files (multipart, api/routes/disputes.py and the console's
#: dispute form): ``BodyLimits.upload_bytes`` instead of the form or event limits.
UPLOAD_PATHS = re.compile(r"^/(?:console/)?disputes(?:/[0-9]+/evidence)?/?$")
#: Webhooks (api/hooks.py): each delivery presents a proof, which a wrong one counts against.
HOOK_PATHS = ("/hooks/",)
#: A query's values (``?token=secret`` becomes ``?token=[hidden]``), the names kept.
_QUERY_VALUES = re.compile(r"([?&][^=&#]*=)[^&#]*")
#: Paths of static files, which may be cached.
STATIC_PATHS = ("/assets/", "/docs-assets/")


@dataclass(frozen=True)
class Guarding:
    """The edge's settings besides the body limits (``slaengine serve`` options)."""

    #: Believe the proxy in front: ``X-Forwarded-Host`` names this server's origin (uvicorn
    #: already takes the scheme and the client address from ``X-Forwarded-Proto``/``-For``).
    trust_proxy: bool = False
    #: Further origins this server is reached by (the origin of ``SLAENGINE_PUBLIC_URL``).
    origins: frozenset[str] = frozenset()
    #: Failed authentications a client may make at once; they come back at this many a minute.
    auth_failures: int = 10


class BodyTimeout(Exception):
    """The client stopped sending its body."""


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class Throttle:
    """A token bucket per client address: ``capacity`` failures at once, refilled at
    ``capacity`` a minute; at most ``clients`` addresses remembered (the oldest forgotten)."""

    def __init__(
        self,
        capacity: int,
        clients: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.rate = capacity / 60.0
        self.clients = clients
        self.monotonic = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, client: str, now: float) -> float:
        found = self._buckets.get(client)
        if found is None:
            return float(self.capacity)
        level, then = found
        return min(float(self.capacity), level + (now - then) * self.rate)

    def wait(self, client: str) -> int:
        """Seconds ``client`` must wait before its next try (0: it may try now)."""
        if client not in self._buckets:
            return 0
        level = self._level(client, self.monotonic())
        return 0 if level >= 1 else max(1, math.ceil((1 - level) / self.rate))

    def failed(self, client: str) -> None:
        now = self.monotonic()
        level = self._level(client, now) - 1
        self._buckets[client] = (max(level, 0.0), now)
        self._buckets.move_to_end(client)
        while len(self._buckets) > self.clients:
            self._buckets.popitem(last=False)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _origin(scheme: str, host: str) -> str:
    """``scheme://host[:port]`` with the scheme's default port left out."""
    host = host.strip().lower()
    for default in (":80",) if scheme == "http" else (":443",) if scheme == "https" else ():
        if host.endswith(default):
            host = host[: -len(default)]
    return f"{scheme}://{host}"


def origin_of(url: str) -> str | None:
    """The origin of a URL (``SLAENGINE_PUBLIC_URL``), None when it has none."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return _origin(parts.scheme.lower(), parts.netloc.rsplit("@", 1)[-1])


class Guard:
    """The ASGI middleware described at the top of this module."""

    def __init__(
        self,
        app: App,
        limits: BodyLimits | None = None,
        guarding: Guarding | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.app = app
        self.limits = limits or BodyLimits()
        self.guarding = guarding or Guarding()
        self.throttle = throttle or Throttle(self.guarding.auth_failures)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        client = (scope.get("client") or ("-", 0))[0]
        answered = {"started": False, "status": 0}

        async def early(status: int, error: str, **headers: str) -> None:
            await _problem(send_with_headers, status, error, headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["started"] = True
                answered["status"] = message["status"]
                message["headers"] = _with_security_headers(list(message.get("headers", [])), path)
            await send(message)

        try:
            refusal = self._refusal(scope, path, method)
            if refusal is not None:
                await early(*refusal)
                return
            # A webhook delivery always presents a proof (a signature, a token in the URL or
            # a bearer token): a wrong one is a guess at a secret like any other.
            credentials = _header(scope, b"authorization") is not None or (
                method == "POST" and (path == "/login" or path.startswith(HOOK_PATHS))
            )
            if credentials:
                wait = self.throttle.wait(client)
                if wait:
                    await early(
                        429,
                        "too many failed sign-ins or wrong tokens from this address; "
                        f"try again in {wait} s",
                        **{"Retry-After": str(wait)},
                    )
                    return
            limit = self._limit(path)
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await early(413, f"body: {int(declared):,} bytes, at most {limit:,} here")
                return
            await self.app(scope, self._timed(receive, limit), send_with_headers)
        except BodyTimeout:
            logger.info(
                "%s %s: the body stalled for %s s; dropped",
                method, cut(path), self.limits.body_seconds,
            )  # fmt: skip
            if not answered["started"]:
                await early(408, f"body: nothing arrived for {self.limits.body_seconds:g} s")
        except BodyTooLarge as exc:
            if not answered["started"]:
                await early(413, f"body: more than {exc.limit:,} bytes, at most {exc.limit:,} here")
        except ClientDisconnect:
            logger.debug("%s %s: the client went away before its body was read", method, cut(path))
        except Exception as exc:
            log_fault(f"{method} {path} failed", exc)
            if not answered["started"]:
                await early(500, f"internal error ({type(exc).__name__}); see the service log")
        finally:
            status = answered["status"]
            if status == 401 and path != "/live":
                self.throttle.failed(client)
            if status:
                access.info(
                    '%s "%s %s" %d %s',
                    client, method, cut(_logged_url(path, scope)), status, _PHRASES.get(status, ""),
                )  # fmt: skip

    def _refusal(self, scope: Scope, path: str, method: str) -> tuple[int, str] | None:
        """Why the request is refused before it reaches a route (status, error), or None."""
        query: bytes = scope.get("query_string", b"")
        if "\x00" in path or b"%00" in query or b"\x00" in query:
            return 400, "a NUL character (%00) in the path or the query is not allowed"
        if method in SAFE_METHODS or _bearer(scope):
            return None
        origin = _header(scope, b"origin")
        if origin is not None:
            if origin.lower() not in self._own_origins(scope):
                return 403, (
                    f"cross-site request refused: Origin {cut(origin)!s} is not this server; "
                    "a page on another site or port cannot act through your session"
                )
        else:
            site = _header(scope, b"sec-fetch-site")
            if site is not None and site.lower() not in ("same-origin", "none"):
                return 403, f"cross-site request refused (Sec-Fetch-Site: {cut(site)})"
        if not path.startswith(FORM_PATHS) and _has_session_cookie(scope):
            kind = (_header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()
            if kind != "application/json":
                return 415, (
                    "a write authenticated by the session cookie must be sent as "
                    "Content-Type: application/json (scripts: use Authorization: Bearer)"
                )
        return None

    def _own_origins(self, scope: Scope) -> set[str]:
        scheme = str(scope.get("scheme", "http"))
        hosts = [_header(scope, b"host") or ""]
        if self.guarding.trust_proxy:
            forwarded = _header(scope, b"x-forwarded-host")
            if forwarded:
                hosts.append(forwarded.split(",", 1)[0])
        return {_origin(scheme, host) for host in hosts if host} | set(self.guarding.origins)

    def _limit(self, path: str) -> int:
        if UPLOAD_PATHS.match(path):
            return self.limits.upload_bytes
        if path.startswith(FORM_PATHS):
            return self.limits.form_bytes
        return max(self.limits.batch_bytes, self.limits.event_bytes)

    def _timed(self, receive: Receive, limit: int) -> Receive:
        """``receive`` with each wait for the body timed and its size counted; once the body is
        complete, the calls pass through (a stream listening for the disconnect waits long)."""
        state = {"done": False, "size": 0}
        seconds = self.limits.body_seconds

        async def timed() -> Message:
            if state["done"]:
                return await receive()
            try:
                async with asyncio.timeout(seconds):  # no task of its own, unlike wait_for
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout from None
            if message["type"] == "http.request":
                state["size"] += len(message.get("body", b""))
                if state["size"] > limit:
                    raise BodyTooLarge(limit)
                if not message.get("more_body", False):
                    state["done"] = True
            else:
                state["done"] = True
            return message

        return timed


def _logged_url(path: str, scope: Scope) -> str:
    """The path and query as the access log writes them. A webhook's query values are hidden:
    the service must not write down the secret of a ``query-token`` hook (``?token=...``,
    whatever the name's spelling, ``?tok%65n=`` too); the names stay."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    if not query:
        return path
    url = f"{path}?{query}"
    return _QUERY_VALUES.sub(r"\1[hidden]", url) if path.startswith(HOOK_PATHS) else url


def _bearer(scope: Scope) -> bool:
    """Whether the request carries a bearer token, which a browser never adds by itself (it
    does add cached Basic credentials of a proxy: those prove nothing about the page)."""
    given = _header(scope, b"authorization")
    return given is not None and given[:7].lower() == "bearer "


def _has_session_cookie(scope: Scope) -> bool:
    cookie = _header(scope, b"cookie")
    return cookie is not None and "slaengine_session=" in cookie


def _with_security_headers(headers: list[tuple[bytes, bytes]], path: str) -> list[Any]:
    names = {name.lower() for name, _ in headers}
    added = [pair for pair in _COMMON if pair[0] not in names]
    if b"content-security-policy" not in names:
        html = any(
            name.lower() == b"content-type" and value.startswith(b"text/html")
            for name, value in headers
        )
        console = html and not path.startswith("/docs")
        added.append((b"content-security-policy", (CONSOLE_CSP if console else OTHER_CSP).encode()))
    if b"cache-control" not in names and not path.startswith(STATIC_PATHS):
        added.append((b"cache-control", b"no-store"))
    return headers + added


async def _problem(send: Send, status: int, error: str, headers: dict[str, str]) -> None:
    """The one error shape (api/problems.py), answered here, with the connection closed."""
    kind = "unavailable" if status == 503 else "error" if status >= 500 else "rejected"
    body = orjson.dumps({"status": kind, "error": error})
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((name.lower().encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def without_secrets(text: str) -> str:
    """``text`` with every URL cut to its scheme, host and port (``https://hooks.example/…``):
    no credentials, no path (a webhook's path is often its secret), no query."""

    def origin_only(found: re.Match[str]) -> str:
        parts = urlsplit(found.group(0))
        host = parts.hostname or ""
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            port = ""
        rest = "/…" if (parts.path not in ("", "/") or parts.query or parts.fragment) else ""
        return f"{parts.scheme}://{host}{port}{rest}"

    return _URL.sub(origin_only, text)
