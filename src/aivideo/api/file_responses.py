"""A video's files as HTTP responses: inline or as a download, with Range support."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
from fastapi.responses import FileResponse

from aivideo.core.errors import NotFound
from aivideo.core.outputs import video_file, video_folder
from aivideo.core.status import VideoStatus
from aivideo.db.models import Video

_MEDIA_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}


def _download_name(video: Video, extension: str) -> str:
    stem = re.sub(r"[^\w\- ]+", "", video.title or "").strip() or video.id
    return f"{stem[:80]}.{extension}"


def not_made_yet(video: Video, what: str) -> NotFound:
    """The 404 for a file ``video`` does not have, saying where the video is."""
    state = f"{video.status}, {video.progress}%" if video.status == "running" else video.status
    return NotFound(f"video {video.id} has no {what} yet: it is {state}")


async def serve_file(
    storage_dir: Path, video: Video, name: str, media_type: str, *, download: bool = False
) -> FileResponse:
    """The file ``name`` of ``video``, with HTTP Range support; 404 saying why if absent."""
    path = video_folder(storage_dir, video.id) / name
    if not await anyio.Path(path).is_file():
        raise not_made_yet(video, name)
    extension = name.rsplit(".", 1)[-1]
    return FileResponse(
        path,
        media_type=media_type,
        filename=_download_name(video, extension) if download else None,
        content_disposition_type="attachment" if download else "inline",
    )


async def serve_video(storage_dir: Path, video: Video) -> FileResponse:
    if video.status != VideoStatus.COMPLETED:
        raise NotFound(f"video {video.id} has no file yet: it is {video.status}")
    video_format = video.output_format or video.options["format"]
    return await serve_file(
        storage_dir, video, video_file(video_format), _MEDIA_TYPES[video_format]
    )
