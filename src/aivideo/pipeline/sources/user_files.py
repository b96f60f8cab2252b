"""The user's own pictures and clips (the command line's ``--media``), in turn."""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.source import SceneMedia, cycled


class UserFiles:
    name = "user_media"  # what the storyboard calls it

    async def media_for(self, ctx: Context, scenes: list[Scene]) -> SceneMedia | None:
        return cycled(ctx.spec.media, len(scenes)) if ctx.spec.media else None
