"""Under overload, answer 503 with Retry-After at once instead of letting requests time out.

When the oldest API request in progress has waited longer than ``max_wait``,
this process is behind: a new request would wait as long for its turn, and
its client may give up first (wrk after 2 s, proxies and browsers soon after)
with its work wasted. So while that lasts, a new request is refused before any
work is done, with a Retry-After a client can honour. Below
``MIN_IN_PROGRESS`` requests in progress nothing is refused: a few slow
requests are not an overload. (The oldest request's age, not a rate estimate:
a burst after a quiet spell is served if it is served in time.)

Progress streams and downloads last as long as the client reads; they are
never refused here (streams have their own limit), and neither are /healthz,
/readyz and /metrics, which an orchestrator must reach most when it is busy.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from aivideo.api.errors import error_response

MIN_IN_PROGRESS = 100
_LONG_LIVED = ("/progress", "/file", ".jpg", ".vtt", ".srt", ".json")


def is_sheddable(path: str) -> bool:
    """An API request that answers at once (not a stream or download, not a probe)."""
    return path.startswith("/v1/") and not path.endswith(_LONG_LIVED)


class LoadSheddingMiddleware:
    def __init__(self, app: ASGIApp, max_wait: float) -> None:
        self.app = app
        self.max_wait = max_wait
        # When each request in progress started, oldest first (OrderedDict: the
        # first item is found in O(1) however many were removed before it).
        self._started: OrderedDict[int, float] = OrderedDict()
        self._next_number = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_wait or not is_sheddable(scope["path"]):
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        if len(self._started) >= MIN_IN_PROGRESS:
            waited = now - next(iter(self._started.values()))
            if waited > self.max_wait:
                await self._busy(waited)(scope, receive, send)
                return
        number, self._next_number = self._next_number, self._next_number + 1
        self._started[number] = now
        try:
            await self.app(scope, receive, send)
        finally:
            del self._started[number]

    def _busy(self, waited: float) -> JSONResponse:
        # Not logged: under overload that would be thousands of lines a second
        # (the request metrics count them, by status).
        message = (
            f"the server is busy: {len(self._started)} requests are in progress, the "
            f"oldest for {waited:.1f} s; try again in a moment"
        )
        retry_after = str(max(1, math.ceil(waited)))
        return error_response(503, "server_busy", message, {"Retry-After": retry_after})
