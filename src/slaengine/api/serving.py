"""uvicorn's server with its main loop woken once a second, not ten times (issue 23).

uvicorn's ``Server.main_loop`` sleeps 0.1 s at a time between its ticks: ten wake-ups a second,
for ever, in a process with nothing to do (the tick refreshes the ``Date`` header once a second
and looks whether a signal asked it to stop). ``QuietServer`` ticks once a second — the header is
as fresh as before — and a stop asked for by SIGINT/SIGTERM (uvicorn's ``handle_exit``) wakes the
loop at once, so stopping is not slower. ``slaengine serve`` runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import FrameType

import uvicorn

#: Seconds between two ticks of the main loop (uvicorn's own: 0.1).
TICK = 1.0


class QuietServer(uvicorn.Server):
    """uvicorn's ``Server``, ticking every ``TICK`` seconds and woken at once by a stop."""

    _stopping: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        if self.should_exit:
            self._stopping.set()
        # uvicorn's tick counts tenths of a second (the header is refreshed when it is a
        # multiple of ten): each of these ticks is a whole second.
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 10) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), TICK)
            should_exit = await self.on_tick(counter)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed
                loop.call_soon_threadsafe(stopping.set)
