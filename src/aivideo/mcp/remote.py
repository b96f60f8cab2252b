"""The tools' backend that asks a running aivideo API, through ``aivideo.client``."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from aivideo.client import DEFAULT_TIMEOUT, AsyncClient
from aivideo.client.calls import raise_for_error, video_path
from aivideo.client.connection import Connection
from aivideo.core.status import VideoStatus
from aivideo.mcp.results import VideoFiles, VoiceList
from aivideo.videos.schemas import VideoCreate, VideoPublic


class RemoteVideos:
    """The videos of the API key's user on the server at ``base_url``."""

    def __init__(self, base_url: str, api_key: str | None, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = AsyncClient(http_client=http, api_key=api_key)
        self.http = http
        # The client's own headers (the key, from AIVIDEO_API_KEY when not given).
        self.headers = Connection.of(None, api_key, has_http_client=True).headers

    async def create(self, request: VideoCreate) -> VideoPublic:
        return await self.client.create(request)

    async def get(self, video_id: str) -> VideoPublic:
        return await self.client.get(video_id)

    async def list(self, status: VideoStatus | None, limit: int) -> builtins.list[VideoPublic]:
        videos: builtins.list[VideoPublic] = []
        async for video in self.client.list(status=status, page_size=min(limit, 100)):
            videos.append(video)
            if len(videos) == limit:
                break
        return videos

    async def cancel(self, video_id: str) -> VideoPublic:
        return await self.client.cancel(video_id)

    async def voices(self) -> VoiceList:
        # The client has no call for /v1/voices (yet): the same connection, its headers.
        response = await self.http.get("/v1/voices", headers=self.headers)
        raise_for_error(response)
        return VoiceList.model_validate_json(response.content)

    def files(self, video: VideoPublic) -> VideoFiles:
        base = f"{self.base_url}{video_path(video.id)}"
        return VideoFiles(
            video=f"{base}/file",
            subtitles_srt=f"{base}/subtitles.srt",
            subtitles_vtt=f"{base}/subtitles.vtt",
            thumbnail=f"{base}/thumbnail.jpg",
        )


@asynccontextmanager
async def remote_videos(base_url: str, api_key: str | None) -> AsyncIterator[RemoteVideos]:
    """A client of the server at ``base_url``; no ``api_key``: ``AIVIDEO_API_KEY``'s."""
    async with httpx.AsyncClient(base_url=base_url, timeout=DEFAULT_TIMEOUT) as http:
        yield RemoteVideos(base_url, api_key, http)
