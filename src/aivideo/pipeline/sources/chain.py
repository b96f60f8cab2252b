"""The visual sources in the order they are tried: the first that answers wins.

The user's own files, then the request's ``media_urls``, then a stock
footage library when one is configured. A scene none of them fills is made
from its own words by the visuals stage (pictograms, or a painted background).
"""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.core.spec import MediaFile
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.media_urls import MediaUrls
from aivideo.pipeline.sources.source import VisualSource
from aivideo.pipeline.sources.stock_footage import StockFootage
from aivideo.pipeline.sources.user_files import UserFiles

SOURCES: tuple[VisualSource, ...] = (UserFiles(), MediaUrls(), StockFootage())


async def choose_scene_media(
    ctx: Context, scenes: list[Scene]
) -> list[tuple[str, MediaFile] | None]:
    """Per scene, the name of the source that filled it and its picture or clip; or None."""
    for source in SOURCES:
        media = await source.media_for(ctx, scenes)
        if media is not None:
            return [None if item is None else (source.name, item) for item in media]
    return [None] * len(scenes)
