"""What the service's edge (slaengine.api.security.Guard) costs a request, in microseconds.

``python bench/guard.py`` drives one ASGI ``POST /events`` (a 300-byte JSON body, a bearer
token) through the Guard around an application that only reads the body and answers 201, and
through that application alone, the same number of times in one event loop; prints JSON: the
CPU microseconds per request of each and the difference (the Guard's own cost: the NUL and
origin checks, the timed body reads, the security headers, the access-log line).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import MutableMapping
from typing import Any

from slaengine.api.security import Guard

BODY = json.dumps(
    {
        "id": "E-000001",
        "contract": "HT-2026-017",
        "ticket": "HD-2026-000001",
        "type": "reported",
        "at": "2026-03-02T09:00:00+08:00",
        "severity": "major",
        "asset": "SN-00001",
        "attrs": {"channel": "phone", "note": "x" * 120},
    }
).encode()
HEADERS = [
    (b"host", b"127.0.0.1:8080"),
    (b"authorization", b"Bearer " + b"k" * 43),
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def endpoint(
    scope: MutableMapping[str, Any], receive: Any, send: Any
) -> None:  # reads the body, answers 201
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b'{"status":"accepted"}'})


async def drive(app: Any, count: int) -> float:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/events",
        "query_string": b"",
        "headers": HEADERS,
        "scheme": "http",
        "client": ("127.0.0.1", 50000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(_message: MutableMapping[str, Any]) -> None:
        return None

    started = time.process_time()
    for _ in range(count):
        await app(dict(scope), receive, send)
    return (time.process_time() - started) / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    logging.getLogger("slaengine.access").setLevel(logging.INFO)
    logging.getLogger("slaengine.access").addHandler(logging.NullHandler())
    logging.getLogger("slaengine.access").propagate = False
    guarded = Guard(endpoint)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(drive(endpoint, 2000))  # warm up
    loop.run_until_complete(drive(guarded, 2000))
    bare = min(loop.run_until_complete(drive(endpoint, count)) for _ in range(3))
    with_guard = min(loop.run_until_complete(drive(guarded, count)) for _ in range(3))
    print(
        json.dumps(
            {
                "requests": count,
                "bare_us_per_request": round(bare, 2),
                "guarded_us_per_request": round(with_guard, 2),
                "guard_us_per_request": round(with_guard - bare, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
