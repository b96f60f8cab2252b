"""A video's files as HTTP responses: from the store, however it keeps them.

With ``AIVIDEO_DOWNLOAD_MODE=redirect`` (S3's default) a download answers 307
with a presigned URL of the store, valid for ``AIVIDEO_DOWNLOAD_URL_SECONDS``;
with ``proxy`` the API sends the bytes itself, with HTTP Range support (a file
on this machine as a file, an object of a bucket a window at a time).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from aivideo.api.object_responses import object_response
from aivideo.core import outputs
from aivideo.core.errors import NotFound
from aivideo.core.status import VideoStatus
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources


class FileLink(BaseModel):
    """Where to fetch a file (``?link=true``), for pages that cannot send a key along a redirect."""

    url: str | None = Field(
        description="A presigned URL of the store that needs no key; null: fetch the file "
        "from this same route (the API sends it itself)."
    )
    expires_in: int | None = Field(description="Seconds the URL stays valid.")


def not_made_yet(video: Video, what: str) -> NotFound:
    """The 404 for a file ``video`` does not have, saying where the video is."""
    if video.status == VideoStatus.COMPLETED:
        return NotFound(
            f"video {video.id} is completed, but the store has no {what} for it "
            "(removed outside aivideo, or never made)"
        )
    state = f"{video.status}, {video.progress}%" if video.status == "running" else video.status
    return NotFound(f"video {video.id} has no {what} yet: it is {state}")


async def serve_file(
    resources: Resources, request: Request, video: Video, name: str, *, link: bool = False
) -> Response:
    """The file ``name`` of ``video`` (or, with ``link``, where to fetch it); 404 saying why."""
    store, settings = resources.store, resources.settings
    key = outputs.object_key(video.id, name)
    stored = await store.stat(key)
    if stored is None:
        raise not_made_yet(video, name)
    if settings.redirects_downloads:
        url = await store.download_url(key, settings.download_url_seconds)
        if link:
            return _no_store(FileLink(url=url, expires_in=settings.download_url_seconds))
        # The URL expires: neither the redirect nor the link may be cached.
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    if link:
        return _no_store(FileLink(url=None, expires_in=None))
    media_type = outputs.media_type(name)
    filename = (
        outputs.download_name(video.title, video.id, name) if outputs.is_attachment(name) else None
    )
    if stored.local_path is not None:
        return FileResponse(
            stored.local_path,
            media_type=media_type,
            filename=filename,
            content_disposition_type="attachment" if filename else "inline",
        )
    return object_response(store, key, stored, request.headers, media_type, filename)


def _no_store(link: FileLink) -> Response:
    return Response(
        link.model_dump_json(), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


async def serve_video(
    resources: Resources, request: Request, video: Video, *, link: bool = False
) -> Response:
    if video.status != VideoStatus.COMPLETED:
        raise NotFound(f"video {video.id} has no file yet: it is {video.status}")
    video_format = video.output_format or video.options["format"]
    return await serve_file(resources, request, video, outputs.video_file(video_format), link=link)
