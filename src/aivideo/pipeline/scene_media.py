"""What each scene shows: the user's files, media from URLs, stock footage, or nothing.

Nothing (None) means a generated background. The sources, first match wins:
the user's own files (the command line's ``--media``), the request's
``media_urls``, then a stock footage library when one is configured. A stock
library that fails does not fail the video: the scenes get generated
backgrounds and the video's log says so.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from aivideo.pipeline.media import MediaFile
from aivideo.pipeline.script import Scene
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.media_urls import fetch_media

if TYPE_CHECKING:
    from aivideo.pipeline.stages import Context


def _linked_into(folder: Path, files: list[MediaFile | None]) -> list[MediaFile | None]:
    """The files, linked into the video's own folder (copied across filesystems).

    The disk cache may be swept while the video waits for its render, or
    before a retry: the workspace must hold everything its finished stages
    point to. A hard link costs no space.
    """
    linked: list[MediaFile | None] = []
    for index, media in enumerate(files):
        if media is None:
            linked.append(None)
            continue
        own = folder / f"stock-{index}{media.path.suffix}"
        own.unlink(missing_ok=True)
        try:
            os.link(media.path, own)
        except OSError:
            shutil.copyfile(media.path, own)
        linked.append(MediaFile(own, media.is_clip))
    return linked


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
            found = await stock.media_for_scenes(
                scenes, spec.aspect, short_side=ctx.frame.short_side
            )
            return await asyncio.to_thread(_linked_into, ctx.workspace.root, list(found))
        except ProviderFailed as exc:
            ctx.note(
                "visuals_fallback",
                f"stock footage could not be used ({exc.message}); "
                "the scenes show generated pictures instead",
            )
    return [None] * len(scenes)
