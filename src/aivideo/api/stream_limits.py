"""How many progress streams one user may hold open in this process.

A stream reads nothing of its own after it opens: the process's progress
watcher (aivideo.jobs.progress_watch) reads every followed video once a
second, 500 to a query, and hears live progress in between. What a stream
holds, for up to AIVIDEO_STREAM_MAX_SECONDS, is a socket, two small tasks (its
own, and one waiting for the client to leave) and a mailbox in that watcher:
cheap each, but a client that opens hundreds (a page reloaded in a loop, a
script that never closes them) would take them from everyone else. The API's
load shedding does not count streams (api.middleware.load_shedding); this is
their limit.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request

from aivideo.api.dependencies import CurrentUser
from aivideo.core.errors import TooManyStreams


class OpenStreams:
    """The open streams of each user, against a cap of ``per_user``."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._open: Counter[str] = Counter()

    @contextlib.contextmanager
    def slot(self, user_id: str) -> Iterator[None]:
        """Hold one of the user's places while the block runs; TooManyStreams if none is free."""
        if self._open[user_id] >= self.per_user:
            raise TooManyStreams(
                f"you have {self._open[user_id]} progress streams open, the most one user may "
                "have: close one first (to watch many videos, poll POST /v1/videos/batch-get)",
                retry_after=5,
            )
        self._open[user_id] += 1
        try:
            yield
        finally:
            self._open[user_id] -= 1
            if not self._open[user_id]:
                del self._open[user_id]


async def _stream_slot(request: Request, user: CurrentUser) -> AsyncIterator[None]:
    # A dependency, so the 429 comes before the stream's 200 header; it ends
    # after the response, that is when the stream has ended or the client left.
    streams: OpenStreams = request.app.state.open_streams
    with streams.slot(user.id):
        yield


StreamSlot = Annotated[None, Depends(_stream_slot)]
