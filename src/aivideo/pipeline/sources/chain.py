"""The visual sources in the order they are tried: the first that answers wins.

The user's own files, then the request's ``media_urls``, then a stock
footage library when one is configured. A scene none of them fills is made
from its own words by the visuals stage (pictograms, or a painted background).

A storyboard's scene that says what it shows (its ``media_url`` or its
``pictograms``) shows that: the sources are asked only for the other scenes.
"""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.core.spec import MediaFile
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources import scene_urls
from aivideo.pipeline.sources.media_urls import MediaUrls
from aivideo.pipeline.sources.source import VisualSource
from aivideo.pipeline.sources.stock_footage import StockFootage
from aivideo.pipeline.sources.user_files import UserFiles

SOURCES: tuple[VisualSource, ...] = (UserFiles(), MediaUrls(), StockFootage())

ChosenMedia = list[tuple[str, MediaFile] | None]


async def choose_scene_media(ctx: Context, scenes: list[Scene]) -> ChosenMedia:
    """Per scene, the name of the source that filled it and its picture or clip; or None."""
    chosen: ChosenMedia = [None] * len(scenes)
    if ctx.spec.scenes:
        own = await scene_urls.scene_media_urls(ctx)
        chosen = [None if item is None else (scene_urls.NAME, item) for item in own]
    given = ctx.spec.scenes
    open_scenes = [
        index
        for index in range(len(scenes))
        if index >= len(given) or not (given[index].media_url or given[index].pictograms)
    ]
    if not open_scenes:
        return chosen
    for source in SOURCES:
        media = await source.media_for(ctx, [scenes[index] for index in open_scenes])
        if media is not None:
            for index, item in zip(open_scenes, media, strict=True):
                chosen[index] = None if item is None else (source.name, item)
            break
    return chosen
