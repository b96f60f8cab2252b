"""A stock footage library (Pexels, Pixabay), when one is configured.

A library that fails does not fail the video: the scenes get generated
backgrounds and the video's log says so.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import replace
from pathlib import Path

from aivideo.core.options import VisualChoice
from aivideo.core.script import Scene
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.source import SceneMedia
from aivideo.providers.errors import ProviderFailed


class StockFootage:
    name = "stock"

    async def media_for(self, ctx: Context, scenes: list[Scene]) -> SceneMedia | None:
        stock = ctx.tools.providers.stock
        if stock is None or ctx.spec.visuals in (VisualChoice.PICTOGRAMS, VisualChoice.PAINTED):
            return None
        try:
            found = await stock.media_for_scenes(
                scenes, ctx.spec.aspect, short_side=ctx.frame.short_side
            )
        except ProviderFailed as exc:
            ctx.note(
                "visuals_fallback",
                f"stock footage could not be used ({exc.message}); "
                "the scenes show generated pictures instead",
            )
            return None
        return await asyncio.to_thread(_linked_into, ctx.workspace.root, list(found))


def _linked_into(folder: Path, files: SceneMedia) -> SceneMedia:
    """The files, linked into the video's own folder (copied across filesystems).

    The disk cache may be swept while the video waits for its render, or
    before a retry: the workspace must hold everything its finished stages
    point to. A hard link costs no space.
    """
    linked: SceneMedia = []
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
        linked.append(replace(media, path=own))
    return linked
