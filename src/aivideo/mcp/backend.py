"""What the tools need from whoever makes the videos: this process, or a running API."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from mcp.server.mcpserver import Context

from aivideo.core.status import VideoStatus
from aivideo.jobs.live import Subscription
from aivideo.mcp.results import VideoFiles, VoiceList
from aivideo.videos.schemas import VideoCreate, VideoPublic


class FileTooLarge(Exception):
    """A file is larger than the caller wants to carry in one message."""

    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes")
        self.size = size


class VideoBackend(Protocol):
    """The videos of one user. Refusals are raised as ``AivideoError`` with the API's sentence."""

    async def create(self, request: VideoCreate) -> VideoPublic: ...

    async def get(self, video_id: str) -> VideoPublic: ...

    async def list(self, status: VideoStatus | None, limit: int) -> list[VideoPublic]: ...

    async def cancel(self, video_id: str) -> VideoPublic: ...

    async def voices(self) -> VoiceList: ...

    def files(self, video: VideoPublic) -> VideoFiles:
        """Where a completed video's files are (a path or a URL)."""
        ...

    def changes(self, video_id: str) -> AbstractAsyncContextManager[Subscription]:
        """While open, ``next(wait)`` returns as soon as the video may have changed
        (its live events, where the backend hears them), at the latest after ``wait``."""
        ...

    async def read_file(self, video: VideoPublic, name: str, max_bytes: int) -> bytes:
        """The content of one of ``video``'s files (named as in ``core.outputs``).

        Raises:
            FileTooLarge: the file has more than ``max_bytes``; nothing was read.
            AivideoError: the file does not exist (yet), with the API's sentence.
        """
        ...


# Which backend serves a call: the one of the process (stdio) or of the caller (HTTP).
BackendOf = Callable[[Context], VideoBackend]
