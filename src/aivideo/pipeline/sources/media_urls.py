"""The pictures and clips of the request's ``media_urls``, downloaded into the workspace."""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.source import SceneMedia, cycled
from aivideo.providers.media_urls import MediaDownloads, fetch_media


def media_downloads(ctx: Context) -> MediaDownloads:
    """How this server downloads the URLs a user gave: its client, limits and address rule."""
    settings = ctx.tools.settings
    return MediaDownloads(
        ctx.tools.providers.media_downloads,
        ctx.tools,
        max_bytes=settings.media_max_bytes,
        allow_private=settings.allow_private_urls,
        max_pixels=settings.media_max_pixels,
    )


class MediaUrls:
    name = "media_urls"

    async def media_for(self, ctx: Context, scenes: list[Scene]) -> SceneMedia | None:
        if not ctx.spec.media_urls:
            return None
        files = await fetch_media(
            media_downloads(ctx), list(ctx.spec.media_urls), ctx.workspace.root
        )
        return cycled(files, len(scenes))
