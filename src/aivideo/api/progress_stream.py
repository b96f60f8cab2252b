"""``GET /v1/videos/{id}/progress``: a video's progress as Server-Sent Events.

Three kinds of event: ``progress`` (status, stage, percent), ``log`` (a line
of the video's event log) and, last, ``done`` (the final video); or, when the
stream has been open for ``AIVIDEO_STREAM_MAX_SECONDS``, ``reconnect``: no
stream holds a connection for ever, and a client that connects again with
``Last-Event-ID`` goes on where it was. Progress
arrives live from the workers (Redis pub/sub, or in process); the database is
read every second as well, which carries the log lines and makes sure a lost
live message never leaves a stream waiting for an end that already happened.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Header
from fastapi.sse import ServerSentEvent

from aivideo.core.errors import InvalidInput
from aivideo.core.status import FINAL_STATUSES, VideoStatus
from aivideo.db import repository
from aivideo.db.models import Video
from aivideo.jobs.live import LiveEvents
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import video_public

POLL_SECONDS = 1.0
FINAL = frozenset(status.value for status in FINAL_STATUSES)


def _progress(status: str, stage: str | None, percent: int) -> ServerSentEvent:
    return ServerSentEvent(
        event="progress", data={"status": status, "stage": stage, "percent": percent}
    )


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


def _reconnect(max_seconds: float) -> ServerSentEvent:
    message = (
        f"this stream has been open for {max_seconds:g} s, the longest a stream may last: "
        "connect again (with Last-Event-ID) to go on following the video"
    )
    # ``retry``: an EventSource connects again after a second, not its default 3.
    return ServerSentEvent(event="reconnect", data={"message": message}, retry=1000)


class _Stream:
    def __init__(self, resources: Resources, video_id: str, after_event_id: int) -> None:
        self.resources = resources
        self.video_id = video_id
        self.last_event_id = after_event_id
        self.last_progress: tuple[str, str | None, int] | None = None

    def progress_if_new(self, status: str, stage: str | None, percent: int) -> list[Any]:
        """An event if this is news; a late live message older than what was sent is not."""
        state = (status, stage, percent)
        last = self.last_progress
        if last is not None and (state == last or (status == last[0] and percent < last[2])):
            return []
        self.last_progress = state
        return [_progress(*state)]

    async def read(self) -> tuple[Video | None, list[ServerSentEvent]]:
        """The video as stored now, and the log lines and progress not sent yet."""
        async with self.resources.sessions() as session:
            video = await session.get(Video, self.video_id)
            log = await repository.list_events(
                session, self.video_id, limit=200, after_id=self.last_event_id
            )
        events: list[ServerSentEvent] = []
        for line in log:
            self.last_event_id = line.id
            events.append(
                ServerSentEvent(
                    event="log",
                    id=str(line.id),
                    data={
                        "kind": line.kind,
                        "message": line.message,
                        "at": line.created_at.isoformat(),
                    },
                )  # fmt: skip
            )
        if video is not None:
            events += self.progress_if_new(video.status, video.stage, video.progress)
        return video, events


async def progress_events(
    resources: Resources,
    live: LiveEvents,
    video_id: str,
    *,
    max_seconds: float,
    after_event_id: int = 0,
) -> AsyncIterator[ServerSentEvent]:
    """The stream's events, from the log line after ``after_event_id`` on."""
    stream = _Stream(resources, video_id, after_event_id)
    ends_at = time.monotonic() + max_seconds
    async with live.subscribe(video_id) as subscription:
        # Subscribed first, read second: nothing can happen unseen in between.
        while True:
            if time.monotonic() >= ends_at:
                yield _reconnect(max_seconds)
                return
            video, events = await stream.read()
            for event in events:
                yield event
            if video is None:
                yield ServerSentEvent(event="done", data={"status": "deleted", "video": None})
                return
            if VideoStatus(video.status).is_final:
                yield ServerSentEvent(
                    event="done",
                    data={
                        "status": video.status,
                        "video": video_public(video).model_dump(mode="json"),
                    },
                )
                return
            # Live progress until the next look at the database.
            deadline = min(time.monotonic() + POLL_SECONDS, ends_at)
            while (remaining := deadline - time.monotonic()) > 0:
                pushed = await subscription.next(remaining)
                if pushed is None or pushed.status in FINAL:
                    break  # a final status is read from the database at once
                for event in stream.progress_if_new(
                    pushed.status,
                    pushed.stage or video.stage,
                    video.progress if pushed.percent is None else pushed.percent,
                ):
                    yield event
