"""The MCP tools: typed arguments in, typed results out, refusals as tool errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from aivideo.core.errors import AivideoError
from aivideo.core.options import (
    Aspect,
    CaptionStyle,
    OutputFormat,
    Quality,
    SubtitleMode,
    VisualChoice,
)
from aivideo.core.status import VideoStatus
from aivideo.mcp.backend import BackendOf, VideoBackend
from aivideo.mcp.requests import video_request
from aivideo.mcp.results import VideoList, VideoState, VoiceList
from aivideo.mcp.video_resources import add_video_resources
from aivideo.videos.schemas import VideoCreate, VideoPublic

MAX_WAIT_SECONDS = 600
POLL_SECONDS = 0.5


def _about(field: str) -> str | None:
    """The API's own description of a VideoCreate field, so both say the same."""
    return VideoCreate.model_fields[field].description


@contextmanager
def refusals_as_tool_errors() -> Iterator[None]:
    """An aivideo refusal becomes a tool error carrying the API's sentence."""
    try:
        yield
    except AivideoError as exc:
        raise ToolError(exc.message) from exc


def video_state(video: VideoPublic, backend: VideoBackend) -> VideoState:
    finished = video.status == VideoStatus.COMPLETED
    return VideoState(
        id=video.id,
        status=video.status,
        progress=video.progress,
        stage=video.stage,
        error=video.error,
        title=video.title,
        duration_seconds=video.output.duration_seconds if video.output else None,
        files=backend.files(video) if finished else None,
        created_at=video.created_at,
    )


async def _follow(
    backend: VideoBackend, video: VideoPublic, seconds: float, ctx: Context
) -> VideoPublic:
    """The video once finished, or as it is after ``seconds``; progress told to the client.

    Read again when its live events say it moved on (at once, as the API's progress
    stream is told), and every ``POLL_SECONDS`` in any case.
    """
    with anyio.move_on_after(seconds):
        async with backend.changes(video.id) as changes:
            while not video.status.is_final:
                # A no-op unless the client sent a progress token with its call.
                await ctx.report_progress(video.progress, 100, video.stage or video.status.value)
                await changes.next(POLL_SECONDS)
                video = await backend.get(video.id)
    return video


def build_server(backend_of: BackendOf, **server_options: Any) -> MCPServer[Any]:
    """An MCP server with aivideo's tools and resources; ``server_options`` go to ``MCPServer``."""
    server: MCPServer[Any] = MCPServer(
        "aivideo",
        instructions="Makes narrated videos from text: create_video, then get_video until "
        "its status is completed (or pass wait_seconds to create_video). A completed "
        "video's subtitles and file are resources: aivideo://videos/{id}/subtitles.vtt, "
        "/subtitles.srt, /video.mp4 (or /video.webm).",
        **server_options,
    )
    add_video_resources(server, backend_of)

    @server.tool(title="Make a video")
    async def create_video(
        ctx: Context,
        text: Annotated[str | None, Field(description=_about("text"))] = None,
        prompt: Annotated[str | None, Field(description=_about("prompt"))] = None,
        target_seconds: Annotated[int, Field(description=_about("target_seconds"))] = 60,
        title: Annotated[str | None, Field(description="A title card for the start.")] = None,
        voice: Annotated[str | None, Field(description=_about("voice"))] = None,
        language: Annotated[str | None, Field(description=_about("language"))] = None,
        rate: Annotated[float, Field(description=_about("rate"))] = 1.0,
        quality: Annotated[Quality, Field(description="low 480p, medium 720p, high 1080p")] = (
            Quality.MEDIUM
        ),
        format: OutputFormat = OutputFormat.MP4,
        aspect: Aspect = Aspect.LANDSCAPE,
        subtitles: SubtitleMode = SubtitleMode.BURNED,
        caption_style: Annotated[CaptionStyle, Field(description=_about("caption_style"))] = (
            CaptionStyle.KARAOKE
        ),
        visuals: Annotated[VisualChoice, Field(description=_about("visuals"))] = (
            VisualChoice.AUTO
        ),
        metadata: Annotated[dict[str, Any] | None, Field(description=_about("metadata"))] = None,
        webhook_url: str | None = None,
        media_urls: Annotated[list[str] | None, Field(description=_about("media_urls"))] = None,
        scenes: Annotated[
            list[dict[str, Any]] | None,
            Field(
                description=f"{_about('scenes')} Each scene is an object: `text` (required), "
                "`media_url`, `pictograms` (a list of emoji), `headline`, `min_seconds` "
                "(at most 60), `voice`. Checked as the API checks them."
            ),
        ] = None,
        wait_seconds: Annotated[
            float,
            Field(
                ge=0,
                le=MAX_WAIT_SECONDS,
                description="0: answer at once, the video queued. More: wait that long for it "
                "to finish, with progress notifications if the call asked for them.",
            ),
        ] = 0,
    ) -> VideoState:
        """Queue a narrated video made from `text`, from a `prompt` (on a server with a
        script writer) or from `scenes` (a storyboard). Follow it with get_video."""
        request = {
            "text": text, "prompt": prompt, "target_seconds": target_seconds, "title": title,
            "voice": voice, "language": language, "rate": rate, "quality": quality,
            "format": format, "aspect": aspect, "subtitles": subtitles,
            "caption_style": caption_style,
            "visuals": visuals, "metadata": metadata, "webhook_url": webhook_url,
            "media_urls": media_urls, "scenes": scenes,
        }  # fmt: skip
        backend = backend_of(ctx)
        with refusals_as_tool_errors():
            video = await backend.create(video_request(request))
            if wait_seconds:
                video = await _follow(backend, video, wait_seconds, ctx)
            return video_state(video, backend)

    @server.tool(title="A video's status")
    async def get_video(ctx: Context, video_id: str) -> VideoState:
        """Status, progress, stage, error, and where the files are once it is completed."""
        backend = backend_of(ctx)
        with refusals_as_tool_errors():
            return video_state(await backend.get(video_id), backend)

    @server.tool(title="Your videos")
    async def list_videos(
        ctx: Context,
        status: VideoStatus | None = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> VideoList:
        """Your videos, newest first, optionally only those with one status."""
        backend = backend_of(ctx)
        with refusals_as_tool_errors():
            videos = await backend.list(status, limit)
            return VideoList(videos=[video_state(video, backend) for video in videos])

    @server.tool(title="Cancel a video")
    async def cancel_video(ctx: Context, video_id: str) -> VideoState:
        """Cancel a queued or running video."""
        backend = backend_of(ctx)
        with refusals_as_tool_errors():
            return video_state(await backend.cancel(video_id), backend)

    @server.tool(title="The voices")
    async def list_voices(ctx: Context) -> VoiceList:
        """The voices videos can be made with, and the default one."""
        with refusals_as_tool_errors():
            return await backend_of(ctx).voices()

    return server
