"""Watching the event loop: how late does a timer fire?

A task sleeps for a fixed interval again and again; any time beyond the
interval is time the loop could not run it, because something was blocking
it (a synchronous call, CPU work on the loop). Exported as a histogram and a
maximum: this is how "nothing blocks the loop" is watched in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aivideo.observability.metrics import EVENT_LOOP_LAG_MAX_SECONDS, EVENT_LOOP_LAG_SECONDS

logger = logging.getLogger(__name__)

INTERVAL = 0.1  # seconds between two wake-ups
WARN_AFTER = 0.25  # a lag this long is logged, with its size


_longest = 0.0  # of this process, across monitors


class LoopLagMonitor:
    def __init__(self, interval: float = INTERVAL) -> None:
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="event-loop lag monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        global _longest
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            lag = max(loop.time() - expected, 0.0)
            EVENT_LOOP_LAG_SECONDS.observe(lag)
            if lag > _longest:
                _longest = lag
                EVENT_LOOP_LAG_MAX_SECONDS.set(lag)
            if lag > WARN_AFTER:
                logger.warning("the event loop was blocked for %.0f ms", lag * 1000)
