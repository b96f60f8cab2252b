"""A finished video and its subtitles as MCP resources, read by URI.

``aivideo://videos/{id}/subtitles.vtt`` and ``.../subtitles.srt`` are text;
``.../video.mp4`` (or ``video.webm``, the format it was made in) is the file
itself, as a blob. A resource travels in one message, so a large file is refused
with where to fetch it instead (``get_video``'s ``files``: a path or a URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from aivideo.core import outputs
from aivideo.core.errors import AivideoError
from aivideo.core.options import OutputFormat
from aivideo.core.status import VideoStatus
from aivideo.mcp.backend import BackendOf, FileTooLarge, VideoBackend
from aivideo.mcp.results import file_format
from aivideo.videos.schemas import VideoPublic

# Its base64 (4/3 as long) fits in one 1 MiB Server-Sent Event, the most the
# official client reads by default: larger, the agent gets the file's path or URL.
MAX_RESOURCE_BYTES = 700 * 1024

VIDEO_URI = "aivideo://videos/{video_id}"
MEDIA_TYPES = {OutputFormat.MP4: "video/mp4", OutputFormat.WEBM: "video/webm"}


@contextmanager
def refusals_as_resource_errors() -> Iterator[None]:
    """An aivideo refusal becomes the resource error the client sees, with the API's sentence."""
    try:
        yield
    except AivideoError as exc:
        if exc.status_code == 404:
            raise ResourceNotFoundError(exc.message) from exc
        raise ResourceError(exc.message) from exc


def _not_made(video: VideoPublic, what: str) -> ResourceError:
    """Why a video that is not completed has no ``what``, and what to do."""
    if video.status.is_final:
        return ResourceError(f"video {video.id} has no {what}: it is {video.status}, not completed")
    done = f", {video.progress}% done" if video.status == VideoStatus.RUNNING else ""
    return ResourceError(
        f"video {video.id} has no {what} yet: it is {video.status}{done}; "
        "follow it with get_video until it is completed"
    )


async def completed_video(backend: VideoBackend, video_id: str, what: str) -> VideoPublic:
    """The caller's video if it is completed; else a sentence saying why it has no ``what``."""
    with refusals_as_resource_errors():
        video = await backend.get(video_id)
    if video.status != VideoStatus.COMPLETED:
        raise _not_made(video, what)
    return video


async def read_file(
    backend: VideoBackend, video: VideoPublic, name: str, what: str, where: str
) -> bytes:
    """The file ``name`` of ``video``; too large, refused with ``where`` to fetch it instead."""
    with refusals_as_resource_errors():
        try:
            return await backend.read_file(video, name, MAX_RESOURCE_BYTES)
        except FileTooLarge as exc:
            raise ResourceError(
                f"the {what} of video {video.id} is {exc.size / 1e6:.1f} MB, more than a "
                f"resource carries ({MAX_RESOURCE_BYTES // 1024} KB at most): fetch it from "
                f"{where}"
            ) from None


def add_video_resources(server: MCPServer[Any], backend_of: BackendOf) -> None:
    """Register the resource templates of a video's files on ``server``."""

    @server.resource(
        f"{VIDEO_URI}/{outputs.SUBTITLES_VTT}",
        title="A video's subtitles (WebVTT)",
        mime_type="text/vtt",
    )
    async def subtitles_vtt(ctx: Context, video_id: str) -> str:
        """The subtitles of a completed video as WebVTT, with when each line is spoken."""
        backend = backend_of(ctx)
        video = await completed_video(backend, video_id, "subtitles")
        where = backend.files(video).subtitles_vtt
        return (await read_file(backend, video, outputs.SUBTITLES_VTT, "subtitles", where)).decode()

    @server.resource(
        f"{VIDEO_URI}/{outputs.SUBTITLES_SRT}",
        title="A video's subtitles (SubRip)",
        mime_type="application/x-subrip",
    )
    async def subtitles_srt(ctx: Context, video_id: str) -> str:
        """The subtitles of a completed video as SubRip (SRT)."""
        backend = backend_of(ctx)
        video = await completed_video(backend, video_id, "subtitles")
        where = backend.files(video).subtitles_srt
        return (await read_file(backend, video, outputs.SUBTITLES_SRT, "subtitles", where)).decode()

    for video_format in OutputFormat:
        _add_video_file(server, backend_of, video_format)


def _add_video_file(
    server: MCPServer[Any], backend_of: BackendOf, video_format: OutputFormat
) -> None:
    """The template of the video file in one format: each has its own MIME type."""
    name = outputs.video_file(video_format.value)

    async def video_file(ctx: Context, video_id: str) -> bytes:
        backend = backend_of(ctx)
        video = await completed_video(backend, video_id, "video file")
        made_as = file_format(video)
        if made_as != video_format.value:
            raise ResourceError(
                f"video {video.id} was made as {made_as}, not {video_format.value}: its file is "
                f"the resource {VIDEO_URI.format(video_id=video.id)}/{outputs.video_file(made_as)}"
            )
        return await read_file(backend, video, name, "video file", backend.files(video).video)

    label = video_format.value.upper()
    server.resource(
        f"{VIDEO_URI}/{name}",
        name=f"video_{video_format.value}",
        title=f"A video's file ({label})",
        description=f"A completed {label} video itself, up to {MAX_RESOURCE_BYTES // 1024} KB; "
        "a larger one is where get_video's `files.video` says.",
        mime_type=MEDIA_TYPES[video_format],
    )(video_file)
