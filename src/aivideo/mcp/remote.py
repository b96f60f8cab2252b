"""The tools' backend that asks a running aivideo API, through ``aivideo.client``."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx

from aivideo.client import DEFAULT_TIMEOUT, AsyncClient
from aivideo.client.calls import raise_for_error, video_path
from aivideo.client.connection import Connection
from aivideo.core import outputs
from aivideo.core.status import VideoStatus
from aivideo.jobs.live import Subscription
from aivideo.mcp.backend import FileTooLarge
from aivideo.mcp.results import VideoFiles, VoiceList, file_format
from aivideo.videos.schemas import VideoCreate, VideoPublic


class _Ticks:
    """A subscription that hears nothing: each wait lasts its full time."""

    async def next(self, wait: float) -> None:
        await anyio.sleep(wait)


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

    @asynccontextmanager
    async def changes(self, video_id: str) -> AsyncIterator[Subscription]:
        # No live events from afar here: the caller polls, at its own pace.
        yield _Ticks()

    def files(self, video: VideoPublic) -> VideoFiles:
        return VideoFiles.at_api(self.base_url, video.id)

    async def read_file(self, video: VideoPublic, name: str, max_bytes: int) -> bytes:
        # The video itself is /file on the API; every other file keeps its own name.
        route = "file" if name == outputs.video_file(file_format(video)) else name
        # A server that keeps its files in a bucket redirects to a presigned URL there
        # (httpx drops the API key on the way: another origin).
        request = self.http.stream(
            "GET", video_path(video.id, route), headers=self.headers, follow_redirects=True
        )
        async with request as r:
            if r.is_error:
                await r.aread()
                raise_for_error(r)
            if int(r.headers.get("content-length", 0)) > max_bytes:
                raise FileTooLarge(int(r.headers["content-length"]))
            content = bytearray()
            async for chunk in r.aiter_bytes():
                content += chunk
                if len(content) > max_bytes:
                    raise FileTooLarge(len(content))
            return bytes(content)


@asynccontextmanager
async def remote_videos(base_url: str, api_key: str | None) -> AsyncIterator[RemoteVideos]:
    """A client of the server at ``base_url``; no ``api_key``: ``AIVIDEO_API_KEY``'s."""
    async with httpx.AsyncClient(base_url=base_url, timeout=DEFAULT_TIMEOUT) as http:
        yield RemoteVideos(base_url, api_key, http)
