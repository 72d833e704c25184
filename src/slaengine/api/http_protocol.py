"""uvicorn's HTTP protocol (httptools) with the request head bounded in size and in time.

The Guard (api/security.py) sees a request only once its head — request line and headers — is
complete, and uvicorn's httptools protocol sets no limit on either: a client could send headers
of many megabytes, or send half a request line and wait for ever. ``BoundedHttpTools`` counts
the bytes of each head — the pieces the parser hands over, and the chunks that leave a head
unfinished — and answers **431** past ``max_head_bytes`` (64 KB, four times what a browser
sends at most), so at most that and one read of the socket are ever held; it answers **408**
when a head is not complete ``head_seconds`` after it began (``serve --body-timeout``: one
option for every read); a new connection's first head is timed from the moment it opens.
Both close the connection. ``slaengine serve`` passes it to uvicorn as its ``http`` protocol.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

logger = logging.getLogger("slaengine.api")


class BoundedHttpTools(HttpToolsProtocol):
    """The request head at most ``max_head_bytes`` long and ``head_seconds`` slow."""

    max_head_bytes = 65_536
    head_seconds = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._head_parsed = 0
        self._too_big = False
        self._in_head = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._start_head()  # a connection that sends nothing is timed too

    def _start_head(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._head_parsed = 0
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._head_timer = self.loop.call_later(self.head_seconds, self._head_too_slow)

    def _end_head(self) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:
            self._start_head()

    def on_url(self, url: bytes) -> None:
        self._parsed(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed(len(name) + len(value))
        super().on_header(name, value)

    def _parsed(self, size: int) -> None:
        """Count a piece of the head the parser completed; stop the parse past the limit (the
        parser's error is answered by ``send_400_response``, here a 431)."""
        self._head_parsed += size
        if self._head_parsed > self.max_head_bytes:
            self._too_big = True
            raise ValueError("request head too large")

    def send_400_response(self, msg: str) -> None:
        if self._too_big:
            self._refuse(431, "Request Header Fields Too Large")
        else:
            super().send_400_response(msg)

    def on_headers_complete(self) -> None:
        self._end_head()
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Counted after parsing: a chunk that finished the head (and carries the body) is not.
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                logger.info("a request head over %s bytes; refused", f"{self.max_head_bytes:,}")
                self._refuse(431, "Request Header Fields Too Large")

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        super().connection_lost(exc)

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            logger.debug("a request head not complete after %s s; dropped", self.head_seconds)
            self._refuse(408, "Request Timeout")

    def _refuse(self, status: int, phrase: str) -> None:
        self._end_head()
        body = f'{{"status":"rejected","error":"{phrase.lower()}"}}'.encode()
        self.transport.write(
            f"HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        self.transport.close()


def bounded(head_seconds: float, max_head_bytes: int = 65_536) -> type[BoundedHttpTools]:
    """The protocol class with these limits (uvicorn makes one instance per connection)."""
    settings: dict[str, Any] = {"head_seconds": head_seconds, "max_head_bytes": max_head_bytes}
    return type("BoundedHttpTools", (BoundedHttpTools,), settings)
