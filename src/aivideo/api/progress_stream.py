"""``GET /v1/videos/{id}/progress``: a video's progress as Server-Sent Events.

Three kinds of event: ``progress`` (status, stage, percent), ``log`` (a line
of the video's event log) and, last, ``done`` (the final video); or, when the
stream has been open for ``AIVIDEO_STREAM_MAX_SECONDS``, ``reconnect``: no
stream holds a connection for ever, and a client that connects again with
``Last-Event-ID`` goes on where it was.

A stream reads its video once, when it opens; from then on it waits for news
from the process's :class:`~aivideo.jobs.progress_watch.ProgressWatcher`,
which follows every streamed video for all their streams: live progress from
the workers, and the database every second (the log lines, and the end even
if a live message was lost).
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
import weakref
from collections.abc import AsyncGenerator
from typing import Annotated, Any

from fastapi import Header
from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from aivideo.core.errors import InvalidInput
from aivideo.jobs.live import LiveEvents
from aivideo.jobs.progress_reads import Ended, LogLine, News, Progress
from aivideo.jobs.progress_watch import ProgressWatcher
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import video_public

PING_SECONDS = 15.0  # as FastAPI's own event streams: a comment after this long a silence

# The stream's items in the OpenAPI document, as FastAPI describes its own event streams.
EVENT_STREAM_DOCS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/event-stream": {
                "itemSchema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "string"},
                        "event": {"type": "string"},
                        "id": {"type": "string"},
                        "retry": {"type": "integer", "minimum": 0},
                    },
                }
            }
        }
    }
}


def log_position(
    last_event_id: Annotated[
        str | None,
        Header(description="Reconnecting: the id of the last `log` event received."),
    ] = None,
) -> int:
    """The log line a reconnecting client last received (its ``Last-Event-ID``); 0: none.

    A dependency of the route, so a bad header is a 422 before the stream starts.
    """
    if last_event_id is None:
        return 0
    if not last_event_id.isdecimal() or len(last_event_id) > 18:
        raise InvalidInput(
            f"Last-Event-ID {last_event_id[:40]!r} is not the id of an event of this stream "
            "(a whole number): send the `id` of the last `log` event received, or no header"
        )
    return int(last_event_id)


def _reconnect(max_seconds: float) -> bytes:
    message = (
        f"this stream has been open for {max_seconds:g} s, the longest a stream may last: "
        "connect again (with Last-Event-ID) to go on following the video"
    )
    # ``retry``: an EventSource connects again after a second, not its default 3.
    return _event("reconnect", {"message": message}, retry=1000)


def _event(kind: str, data: dict[str, Any], **fields: Any) -> bytes:
    return format_sse_event(event=kind, data_str=json.dumps(data), **fields)


# Each event is encoded once for all the streams of its video: with thousands
# of streams, encoding per stream is what would take the time.
@functools.lru_cache(maxsize=4096)
def _progress(progress: Progress) -> bytes:
    data = {"status": progress.status, "stage": progress.stage, "percent": progress.percent}
    return _event("progress", data)


@functools.lru_cache(maxsize=4096)
def _log(line: LogLine) -> bytes:
    data = {"kind": line.kind, "message": line.message, "at": line.at.isoformat()}
    return _event("log", data, id=str(line.id))


@functools.lru_cache(maxsize=256)
def _done(ended: Ended) -> bytes:
    video = ended.video
    if video is None:
        return _event("done", {"status": "deleted", "video": None})
    public = video_public(video).model_dump(mode="json")
    return _event("done", {"status": video.status, "video": public})


class _Stream:
    """What one stream has sent: the last log line and the last progress."""

    def __init__(self, after_event_id: int) -> None:
        self.last_event_id = after_event_id
        self.last_progress: Progress | None = None

    def events(self, news: News) -> list[bytes]:
        """The news this stream has not sent: a late message older than what was sent is not."""
        events = []
        for line in news.lines:
            if line.id > self.last_event_id:
                self.last_event_id = line.id
                events.append(_log(line))
        progress = news.progress
        if progress is not None and progress != self.last_progress:
            if not progress.is_behind(self.last_progress):
                self.last_progress = progress
                events.append(_progress(progress))
        if news.ended is not None:
            events.append(_done(news.ended))
        return events


def watcher_of(resources: Resources, live: LiveEvents) -> ProgressWatcher:
    """The process's one watcher, made for its first stream.

    Kept by the process's resources, and only while they live: the watcher
    holds no reference to them. It runs a task only while streams are open,
    so there is nothing to close.
    """
    watcher = _watchers.get(resources)
    if watcher is None:
        watcher = _watchers[resources] = ProgressWatcher(resources.sessions, live)
    return watcher


_watchers: weakref.WeakKeyDictionary[Resources, ProgressWatcher] = weakref.WeakKeyDictionary()


async def progress_events(
    resources: Resources,
    live: LiveEvents,
    video_id: str,
    *,
    max_seconds: float,
    after_event_id: int = 0,
) -> AsyncGenerator[bytes, None]:
    """The stream's events, encoded, from the log line after ``after_event_id`` on."""
    stream = _Stream(after_event_id)
    ends_at = time.monotonic() + max_seconds
    watcher = watcher_of(resources, live)
    async with watcher.watch(video_id) as watch:
        # Watching first, read second: nothing can happen unseen in between.
        news = await watcher.read(video_id, after_event_id)
        while True:
            if news.is_empty and time.monotonic() < ends_at:
                yield KEEPALIVE_COMMENT  # quiet for a while: proxies must not close it
            for event in stream.events(news):
                yield event
            if news.ended is not None:
                return
            if time.monotonic() >= ends_at:
                yield _reconnect(max_seconds)
                return
            news = await watch.next(wake_by=min(ends_at, time.monotonic() + PING_SECONDS))


class EventStream(StreamingResponse):
    """Server-Sent Events written by the request's own task, which sleeps between events.

    FastAPI's generator routes and Starlette's StreamingResponse run four
    more tasks per stream, with their channels and cancel scopes: measured
    with bench/stream_bench.py, 385 objects and 75 KB a stream, against 180
    and 35 KB here. With 10 000 streams open those are millions of objects,
    and the garbage collector stops the process for seconds to walk them.
    Here one small task per stream waits for the client to leave, and ends
    the stream then.
    """

    media_type = "text/event-stream"

    def __init__(self, events: AsyncGenerator[bytes, None], status_code: int = 200) -> None:
        # As FastAPI sends them: no caching, and no buffering by nginx.
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        super().__init__(events, status_code, headers)
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The first event before the header: a stream that cannot start (its first
        # read failed) is answered with that error (503), not a 200 cut short.
        first = await anext(self.events, None)
        start = {"type": "http.response.start", "status": self.status_code}
        until_gone = asyncio.timeout(None)  # made to expire when the client leaves
        try:
            await send({**start, "headers": self.raw_headers})
            async with until_gone:
                gone = asyncio.create_task(_until_disconnected(receive, until_gone))
                try:
                    await self._send_events(send, first)
                finally:
                    gone.cancel()
        except TimeoutError:
            if not until_gone.expired():
                raise  # not ours: a timeout within the stream
        finally:
            await self.events.aclose()

    async def _send_events(self, send: Send, first: bytes | None) -> None:
        if first is not None:
            await send({"type": "http.response.body", "body": first, "more_body": True})
            async for chunk in self.events:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnected(receive: Receive, until_gone: asyncio.Timeout) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass  # the request's body, which a stream does not read
    until_gone.reschedule(asyncio.get_running_loop().time())  # ends the stream's block now
