"""Live updates: tell open pages that the store changed, over server-sent events.

Theory of operation
-------------------
Whatever changes what a page shows is written to the store, by this process or another one
(``slaengine ingest``, a second worker): a new event (``events.seq``), a clock judged again
(``clocks.updated_at`` — the scheduler rewrites a clock the moment its deadline passes), an
alert raised, acknowledged or escalated. ``ChangeFeed.mark()`` reads those few maxima; it is
read at most every ``POLL_SECONDS`` however many browsers listen (one shared answer), so the
cost does not grow with viewers. ``/live`` streams one ``change`` event whenever the mark
moves; the page's script then fetches itself again and swaps the content in place (no reload).
A stream ends after ``STREAM_SECONDS`` (the browser reconnects at once), so a server that is
shutting down is never held open by a forgotten tab.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator

from anyio import to_thread
from fastapi import Request
from sqlalchemy import func, select

from slaengine.store import Store
from slaengine.store.models import StoredAlert, StoredClock, StoredEvent

POLL_SECONDS = 0.4
STREAM_SECONDS = 55.0


class ChangeFeed:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._read_at = 0.0
        self._mark = ""

    def mark(self) -> str:
        """A text that changes whenever the store changes in a way a page shows."""
        with self._lock:
            if time.monotonic() - self._read_at < POLL_SECONDS:
                return self._mark
            with self.store.sessions() as session:
                seq = session.scalar(select(func.max(StoredEvent.seq)))
                clocks = session.scalar(select(func.max(StoredClock.updated_at)))
                alerts = session.execute(
                    select(
                        func.max(StoredAlert.id),
                        func.max(StoredAlert.acknowledged_at),
                        func.max(StoredAlert.escalated_at),
                    )
                ).one()
            self._mark = "|".join(str(x) for x in (seq, clocks, *alerts))
            self._read_at = time.monotonic()
            return self._mark

    async def stream(self, request: Request) -> AsyncIterator[str]:
        """The event stream of one page: ``change`` each time the mark moves."""
        yield "retry: 1000\n\n"
        last = await to_thread.run_sync(self.mark)
        ends = time.monotonic() + STREAM_SECONDS
        beat = time.monotonic()
        while time.monotonic() < ends:
            await asyncio.sleep(POLL_SECONDS)
            if await request.is_disconnected():
                return
            mark = await to_thread.run_sync(self.mark)
            if mark != last:
                last = mark
                yield f"event: change\ndata: {mark}\n\n"
            elif time.monotonic() - beat > 15:
                beat = time.monotonic()
                yield ": still here\n\n"
