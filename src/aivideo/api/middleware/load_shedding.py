"""Under overload, answer 503 with Retry-After soon instead of letting requests time out.

Two signs that this process is behind, either of which refuses a new request
before any work is done, with a Retry-After a client can honour:

- ``max_in_progress`` API requests are in progress already. A hard cap, far
  above what a healthy process holds (each one is a task, its memory, maybe a
  wait for the database pool), and below uvicorn's own limit of connections:
  uvicorn's 503 comes before the app runs, with no Retry-After and no message
  (:func:`most_in_progress`).
- The oldest API request in progress has waited longer than ``max_wait``: a
  new request would wait as long for its turn, and its client may give up
  first (wrk after 2 s, proxies and browsers soon after) with its work wasted.
  Below ``MIN_IN_PROGRESS`` requests in progress this never refuses: a few slow
  requests are not an overload. (The oldest request's age, not a rate
  estimate: a burst after a quiet spell is served if it is served in time.)

A refusal is sent after a pause (``REFUSAL_DELAY``), not at once. Clients that
ignore Retry-After and ask again at once (wrk; many a retry loop) otherwise
made refusals most of the loop's work: with 1 000 of them on POST, 2 000
refusals a second, which slowed the requests let in, which made them older,
which refused more: 1 100 creates served in 16 s, against 10 700 with the
pause (bench/api_bench.py's load, max_wait 1 s). A waiting refusal costs a
timer and its connection.

Progress streams and downloads last as long as the client reads; they are
neither counted nor refused here (streams have their own limit, per user), so
10 000 open streams leave every place to the API's requests. Nor are /healthz,
/readyz and /metrics, which an orchestrator must reach most when it is busy.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from aivideo.api.errors import error_response

MIN_IN_PROGRESS = 100
REFUSAL_DELAY = 0.5  # seconds; a client that asks again at once is refused twice a second
_LONG_LIVED = ("/progress", "/file", ".jpg", ".vtt", ".srt", ".json")


def is_sheddable(path: str) -> bool:
    """An API request that answers at once (not a stream or download, not a probe)."""
    return path.startswith("/v1/") and not path.endswith(_LONG_LIVED)


def most_in_progress(max_requests: int, connection_limit: int) -> int:
    """AIVIDEO_SERVE_MAX_REQUESTS, kept under 90% of uvicorn's limit of connections.

    uvicorn counts every connection (streams, downloads, idle keep-alives, this
    request's own) against its limit: ours must be reached well before it for
    a client to be told when to come back.
    """
    return max(1, min(max_requests, connection_limit * 9 // 10))


class LoadSheddingMiddleware:
    def __init__(self, app: ASGIApp, max_wait: float, max_in_progress: int) -> None:
        self.app = app
        self.max_wait = max_wait
        self.max_in_progress = max_in_progress
        # When each request in progress started, oldest first (OrderedDict: the
        # first item is found in O(1) however many were removed before it).
        self._started: OrderedDict[int, float] = OrderedDict()
        self._next_number = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_sheddable(scope["path"]):
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        refusal = self._refusal(now)
        if refusal is not None:
            await asyncio.sleep(REFUSAL_DELAY)
            await refusal(scope, receive, send)
            return
        number, self._next_number = self._next_number, self._next_number + 1
        self._started[number] = now
        try:
            await self.app(scope, receive, send)
        finally:
            del self._started[number]

    def _refusal(self, now: float) -> JSONResponse | None:
        in_progress = len(self._started)
        if in_progress >= self.max_in_progress:
            # They answer in milliseconds each: a place is free again within a second.
            return _busy(f"{in_progress} requests are in progress, the most it takes at once", 1)
        if self.max_wait and in_progress >= MIN_IN_PROGRESS:
            waited = now - next(iter(self._started.values()))
            if waited > self.max_wait:
                return _busy(
                    f"{in_progress} requests are in progress, the oldest for {waited:.1f} s",
                    math.ceil(waited),
                )
        return None


def _busy(why: str, retry_after: int) -> JSONResponse:
    # Not logged: under overload that would be thousands of lines a second
    # (the request metrics count them, by status).
    message = f"the server is busy: {why}; try again in a moment"
    return error_response(503, "server_busy", message, {"Retry-After": str(max(1, retry_after))})
