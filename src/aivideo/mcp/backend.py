"""What the tools need from whoever makes the videos: this process, or a running API."""

from __future__ import annotations

from typing import Protocol

from aivideo.core.status import VideoStatus
from aivideo.mcp.results import VideoFiles, VoiceList
from aivideo.videos.schemas import VideoCreate, VideoPublic


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
