"""The pictures and clips of the request's ``media_urls``, downloaded into the workspace."""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.source import SceneMedia, cycled
from aivideo.providers.media_urls import MediaDownloads, fetch_media


class MediaUrls:
    name = "media_urls"

    async def media_for(self, ctx: Context, scenes: list[Scene]) -> SceneMedia | None:
        if not ctx.spec.media_urls:
            return None
        settings = ctx.tools.settings
        downloads = MediaDownloads(
            ctx.tools.providers.media_downloads,
            ctx.tools,
            max_bytes=settings.media_max_bytes,
            allow_private=settings.allow_private_urls,
            max_pixels=settings.media_max_pixels,
        )
        files = await fetch_media(downloads, list(ctx.spec.media_urls), ctx.workspace.root)
        return cycled(files, len(scenes))
