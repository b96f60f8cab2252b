"""A video's progress stream (``GET /v1/videos/{id}/progress``) as typed events.

The server sends ``progress``, ``log`` and, last, ``done``; a stream open for
too long ends with ``reconnect`` instead (``aivideo.api.progress_stream``).
:class:`StreamFollower` keeps what a client needs to go on across
connections (the last log line's id, for ``Last-Event-ID``) without doing any
I/O itself.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from httpx_sse import ServerSentEvent
from pydantic import BaseModel, ConfigDict

from aivideo.client.calls import Call, raise_for_error, video_path
from aivideo.core.status import VideoStatus
from aivideo.videos.schemas import VideoPublic

# After a dropped connection: how long to wait before connecting again.
RECONNECT_DELAY = 1.0


class ProgressEvent(BaseModel):
    """The video moved on: its status, its current stage and the overall percent."""

    model_config = ConfigDict(frozen=True)

    status: VideoStatus
    stage: str | None
    percent: int


class LogEvent(BaseModel):
    """A line of the video's log (as ``GET /v1/videos/{id}/events`` lists them)."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    message: str
    at: datetime


class DoneEvent(BaseModel):
    """The last event: the finished video, or ``deleted`` and no video."""

    model_config = ConfigDict(frozen=True)

    status: VideoStatus | Literal["deleted"]
    video: VideoPublic | None


StreamEvent = ProgressEvent | LogEvent | DoneEvent


class StreamFollower:
    """What the connections to one video's stream have received so far."""

    def __init__(self, video_id: str, after_event_id: int = 0) -> None:
        self.video_id = video_id
        self.last_event_id = after_event_id
        self.done: DoneEvent | None = None
        self._told_to_reconnect = False

    def call(self) -> Call[None]:
        """The next connection: it goes on after the last log line received."""
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if self.last_event_id:
            headers["Last-Event-ID"] = str(self.last_event_id)
        return Call("GET", video_path(self.video_id, "progress"), raise_for_error, headers=headers)

    def read(self, sse: ServerSentEvent) -> StreamEvent | None:
        """The event ``sse`` is; None for ``reconnect`` and kinds this client does not know."""
        if sse.event == "progress":
            return ProgressEvent.model_validate_json(sse.data)
        if sse.event == "log":
            line = LogEvent.model_validate({**json.loads(sse.data), "id": sse.id})
            self.last_event_id = line.id
            return line
        if sse.event == "done":
            self.done = DoneEvent.model_validate_json(sse.data)
            return self.done
        if sse.event == "reconnect":
            self._told_to_reconnect = True
        return None

    def reconnect_delay(self) -> float:
        """How long to wait before the next connection: none if the server asked for it."""
        delay = 0.0 if self._told_to_reconnect else RECONNECT_DELAY
        self._told_to_reconnect = False
        return delay
