"""Progress streams that open together start a few at a time, some in each turn of the loop.

asyncio accepts every waiting connection in one turn of the event loop (up to
the listen backlog, 2 048), so a client that opens thousands of streams at once
(a dashboard of many videos reloaded, a script) has them all start together:
measured with bench/stream_bench.py, turns of the loop that ran 4 000 stream
starts and took up to 1.3 s, and stalls of the loop of 1.4-3.5 s, while a plain
GET waited behind them. Here at most ``per_turn`` streams start in a turn; the
others wait in line, oldest first, and are let in turn by turn, so the API's
own requests are served between (the longest stall while 10 000 opened: 0.8-0.95 s,
the garbage collector's full passes over their objects).

Only streams wait: they last minutes, and a start later by a few turns is
nothing to them. Every other request goes straight on.
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.types import ASGIApp, Receive, Scope, Send

# A stream's start costs the loop about 1 ms (10 000 took ~12 s of the server's CPU to
# open in bench/stream_bench.py, the collector's share included): ~0.1 s of a turn.
STARTS_PER_TURN = 100


def is_progress_stream(path: str) -> bool:
    """``GET /v1/videos/{id}/progress``, or another route's path ending the same way."""
    return path.startswith("/v1/videos/") and path.endswith("/progress")


class StreamAdmissionMiddleware:
    def __init__(self, app: ASGIApp, per_turn: int = STARTS_PER_TURN) -> None:
        self.app = app
        self.per_turn = per_turn
        self._started = 0  # streams let in since the last turn began
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._turn_watched = False  # a callback will run at the next turn

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_progress_stream(scope["path"]):
            await self._admission()
        await self.app(scope, receive, send)

    async def _admission(self) -> None:
        self._watch_the_next_turn()
        if not self._waiting and self._started < self.per_turn:
            self._started += 1
            return
        admitted = asyncio.get_running_loop().create_future()
        self._waiting.append(admitted)
        await admitted  # cancelled (the server stopping): it is skipped when its turn comes

    def _watch_the_next_turn(self) -> None:
        if not self._turn_watched:
            self._turn_watched = True
            asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        """A new turn: let in the oldest waiting streams, up to ``per_turn``."""
        self._turn_watched = False
        self._started = 0
        while self._waiting and self._started < self.per_turn:
            admitted = self._waiting.popleft()
            if not admitted.done():
                admitted.set_result(None)
                self._started += 1
        if self._waiting or self._started:
            self._watch_the_next_turn()  # and when none are let in, the count is back at 0
