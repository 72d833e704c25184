"""One error body for every route, and the request-body edge (size limits, any content type).

Theory of operation
-------------------
Every answer that is not a success has the body ``{"status": ..., "error": "<reason>"}`` —
``rejected`` for a bad request (4xx), ``unavailable`` when the store cannot be reached (503, with
``Retry-After``), ``error`` for a fault of the service itself (500) — plus, where it helps, the
fields that locate the problem (``field``, ``index``, ``id``). FastAPI's own errors (validation,
unknown route, wrong method) are rewritten into that shape by the handlers installed here, so a
client parses one shape whatever went wrong.

Event bodies are read here rather than by FastAPI: the body is JSON whatever ``Content-Type``
says (``curl -d`` sends ``application/x-www-form-urlencoded``), it is read at most up to the
limit (413 past it, before it is decoded) and malformed JSON is a 400 naming line and column.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from slaengine.store.limits import storable

logger = logging.getLogger("slaengine.api")

#: Seconds a client is asked to wait when the store is unreachable.
RETRY_AFTER = 2


class Problem(BaseModel):
    """The body of every answer that is not a success."""

    status: str
    error: str
    field: str | None = None


class BadBody(Exception):
    """A request body the service will not read; ``status`` 400 or 413."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


@dataclass(frozen=True)
class BodyLimits:
    """How much one request may carry (``slaengine serve --max-...``)."""

    event_bytes: int = 1_000_000
    batch_bytes: int = 10_000_000
    batch_events: int = 1_000
    #: Sign-in, sign-out and the console's forms: a token, a name (``--max-form-bytes``).
    form_bytes: int = 8_192
    #: Longest wait for the next piece of a request body (``--body-timeout``); then 408.
    body_seconds: float = 10.0
    #: A dispute's evidence upload (multipart, api/routes/disputes.py): its files (at most 20 MiB
    #: together, ``slaengine.store.disputes.TOTAL_BYTES``) and its fields.
    upload_bytes: int = 20 * 1024 * 1024 + 256 * 1024


class Answer(JSONResponse):
    """A JSON answer that can always be written: a value that echoes what a client sent (an
    event id holding a lone surrogate, which the intake refuses) is written with ``\\u``
    escapes rather than failing to encode as UTF-8 (a 500 in place of the 4xx)."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


def problem(status: int, error: str, **located: Any) -> JSONResponse:
    """The error answer; text the client sent (an id with a lone surrogate or a NUL) is quoted
    escaped, so the answer can always be written."""
    kind = "unavailable" if status == 503 else "error" if status >= 500 else "rejected"
    body = {
        "status": kind,
        "error": storable(error),
        **{
            k: storable(v) if isinstance(v, str) else v for k, v in located.items() if v is not None
        },
    }
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else None
    return Answer(body, status_code=status, headers=headers)


#: What ``json_body(..., optional=True)`` gives for an empty body (JSON ``null`` is a value).
NO_BODY = object()


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The request body as sent, read at most up to ``limit`` bytes (``BadBody`` 413 past it,
    before anything is decoded): a webhook's signature is checked over these bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BadBody(413, f"body: {int(declared):,} bytes, at most {limit:,} per {what}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadBody(413, f"body: more than {limit:,} bytes, at most {limit:,} per {what}")
        chunks.append(chunk)
    return b"".join(chunks)


async def form_body(request: Request, what: str) -> dict[str, list[str]]:
    """A console form (``application/x-www-form-urlencoded``), at most ``BodyLimits.form_bytes``
    (413 past it)."""
    limits = getattr(request.app.state, "limits", None) or BodyLimits()
    raw = await read_body(request, limits.form_bytes, what)
    return parse_qs(raw.decode("utf-8", "replace"), max_num_fields=50)


def decode_json(raw: bytes, what: str, optional: bool = False) -> Any:
    """A body as JSON; ``BadBody`` 400 saying why not (not UTF-8, empty, malformed - naming line
    and column -, nested too deeply). An empty body is ``NO_BODY`` if ``optional``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadBody(400, f"body: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        if optional:
            return NO_BODY
        raise BadBody(400, f"body: empty; send {what} as JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBody(
            400, f"body: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise BadBody(400, "body: JSON nested too deeply") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise BadBody(400, f"body: not valid JSON: {exc}") from None
    return data


async def json_body(request: Request, limit: int, what: str, optional: bool = False) -> Any:
    """The request body decoded as JSON, whatever its Content-Type; ``BadBody`` past ``limit``
    bytes (413) or when it is not JSON (400). An empty body is a 400, or ``NO_BODY`` if
    ``optional``."""
    return decode_json(await read_body(request, limit, what), what, optional)


#: The largest body of a small JSON request (an acknowledgement, a re-judge).
SMALL_BODY = 64_000

_M = TypeVar("_M", bound=BaseModel)


async def optional_body(request: Request, model: type[_M], what: str) -> _M | None:
    """A small, optional JSON body read whatever its Content-Type, as the events' bodies are
    (``curl -d`` sends form-encoded): None when there is none, 400 when it is not JSON, 422
    naming the field when it does not fit ``model``."""
    data = await json_body(request, SMALL_BODY, what, optional=True)
    if data is NO_BODY:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None


def model_body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of a route that reads ``model`` with ``optional_body``."""
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI, store_down: Any) -> None:
    """Install the handlers that give every error the one shape. ``store_down(exc)`` is called
    when the store could not be reached (``/health`` reports it)."""

    @app.exception_handler(BadBody)
    async def _bad_body(request: Request, exc: BadBody) -> JSONResponse:
        return problem(exc.status, exc.error, field="body")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = _location(tuple(first.get("loc", ())))
        return problem(422, f"{where}: {first.get('msg')}", field=where)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(DBAPIError)
    async def _store(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or _unreachable(exc):
            store_down(exc)  # what the database said goes to the log, not to the caller
            return problem(503, "the store cannot be reached; try again")
        log_fault(f"the store refused {request.method} {request.url.path}", exc)
        return problem(500, "the store refused the request; see the service log")

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log_fault(f"{request.method} {request.url.path} failed", exc)
        return problem(500, f"internal error ({type(exc).__name__}); see the service log")


def _unreachable(exc: DBAPIError) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


#: Places in the code whose fault's traceback was logged already (``log_fault``).
_LOGGED: set[tuple[str, str, int]] = set()
#: Longest text of a request or an error put in a log line.
LOG_TEXT = 200


def cut(text: str) -> str:
    """``text`` short enough for a log line, on one line."""
    flat = text.replace("\r", " ").replace("\n", " ")
    return flat if len(flat) <= LOG_TEXT else flat[:LOG_TEXT] + "…"


def log_fault(what: str, exc: BaseException) -> None:
    """One log line for a fault of the service, a few hundred bytes at most; its traceback only
    the first time its place in the code fails (no request can fill the log by repeating it)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    place = (type(exc).__name__, last.filename if last else "", (last.lineno or 0) if last else 0)
    line = f"{cut(what)}: {type(exc).__name__}: {cut(_first_line(exc))}"
    if place in _LOGGED:
        logger.error("%s (traceback logged before)", line)
        return
    if len(_LOGGED) < 1000:
        _LOGGED.add(place)
    logger.error("%s", line, exc_info=exc)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:300]


#: The error answers a route declares (OpenAPI), by status.
def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "The body is not JSON (line and column given), or a NUL (%00) in the path or query.",
        401: "Missing or wrong bearer token.",
        403: "Not allowed: the viewer token may only read; a user's roles on the contract do "
        "not allow this action (docs/people.md).",
        404: "No such contract, ticket or alert (or one of a contract the caller holds no role "
        "on: it answers the same).",
        409: "A different event was already accepted under this id.",
        413: "The body is over the limit (bytes or events per request).",
        422: "A bad event or parameter; `error` names the field and why.",
        429: "Too many wrong tokens from this address; `Retry-After` says when to try again.",
        500: "A fault of the service itself (logged).",
        503: "The store cannot be reached; `Retry-After` says when to try again.",
    }
    return {status: {"model": Problem, "description": text[status]} for status in statuses}
