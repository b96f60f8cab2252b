"""A storyboard's own pictures: each scene's ``media_url``, downloaded into the workspace.

Checked and fetched exactly as ``media_urls`` are (the address guard, the size
and pixel limits, the content's own type); a refusal names the scene's field.
"""

from __future__ import annotations

from aivideo.core.spec import MediaFile
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.media_urls import media_downloads
from aivideo.providers.media_urls import fetch_media

NAME = "media_urls"  # what the storyboard calls a picture the request linked to


async def scene_media_urls(ctx: Context) -> list[MediaFile | None]:
    """Per storyboard scene, the picture or clip of its ``media_url``, or None if it has none."""
    linked = [index for index, scene in enumerate(ctx.spec.scenes) if scene.media_url]
    if not linked:
        return [None] * len(ctx.spec.scenes)
    urls = [ctx.spec.scenes[index].media_url or "" for index in linked]
    files = await fetch_media(
        media_downloads(ctx),
        urls,
        ctx.workspace.root,
        fields=[f"scenes[{index}].media_url" for index in linked],
        prefix="scene-media",
    )
    by_scene: list[MediaFile | None] = [None] * len(ctx.spec.scenes)
    for index, file in zip(linked, files, strict=True):
        by_scene[index] = file
    return by_scene
