"""Generated backgrounds: painted for every scene, always available (the last source)."""

from __future__ import annotations

from aivideo.core.script import Scene
from aivideo.pipeline.context import Context
from aivideo.pipeline.sources.source import SceneMedia


class GeneratedPictures:
    name = "generated pictures"

    async def media_for(self, ctx: Context, scenes: list[Scene]) -> SceneMedia | None:
        return [None] * len(scenes)  # None: the visuals stage paints a background
