"""The visual sources in the order they are tried: the first that answers wins.

The user's own files, then the request's ``media_urls``, then a stock
footage library when one is configured, then generated pictures, which
always answer.
"""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.generated import GeneratedPictures
from aivideo.pipeline.sources.media_urls import MediaUrls
from aivideo.pipeline.sources.source import SceneMedia, VisualSource
from aivideo.pipeline.sources.stock_footage import StockFootage
from aivideo.pipeline.sources.user_files import UserFiles

SOURCES: tuple[VisualSource, ...] = (UserFiles(), MediaUrls(), StockFootage(), GeneratedPictures())


async def choose_scene_media(ctx: Context, scenes: list[Scene]) -> SceneMedia:
    """Per scene, the picture or clip it shows; None: a generated background."""
    for source in SOURCES:
        media = await source.media_for(ctx, scenes)
        if media is not None:
            return media
    raise AssertionError("the last source, generated pictures, always answers")
