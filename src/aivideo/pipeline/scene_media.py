"""What each scene shows: the user's files, media from URLs, stock footage, or nothing.

Nothing (None) means a generated background. The sources, first match wins:
the user's own files (the command line's ``--media``), the request's
``media_urls``, then a stock footage library when one is configured. A stock
library that fails does not fail the video: the scenes get generated
backgrounds and the video's log says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aivideo.pipeline.media import MediaFile
from aivideo.pipeline.script import Scene
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.media_urls import fetch_media

if TYPE_CHECKING:
    from aivideo.pipeline.stages import Context


def _cycled(files: list[MediaFile] | tuple[MediaFile, ...], count: int) -> list[MediaFile | None]:
    return [files[index % len(files)] for index in range(count)]


async def choose_scene_media(ctx: Context, scenes: list[Scene]) -> list[MediaFile | None]:
    spec = ctx.spec
    if spec.media:
        return _cycled(spec.media, len(scenes))
    if spec.media_urls:
        files = await fetch_media(ctx.resources, list(spec.media_urls), ctx.workspace.root)
        return _cycled(files, len(scenes))
    stock = ctx.resources.providers.stock
    if stock is not None:
        try:
            return list(
                await stock.media_for_scenes(scenes, spec.aspect, short_side=ctx.frame.short_side)
            )
        except ProviderFailed as exc:
            ctx.note(
                "visuals_fallback",
                f"stock footage could not be used ({exc.message}); "
                "the scenes show generated pictures instead",
            )
    return [None] * len(scenes)
