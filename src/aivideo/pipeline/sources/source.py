"""What a visual source is: given the scenes, a picture or clip for each, or a pass.

A source that does not apply to a video (no files given, no library set up)
answers None, and the next one is asked. Inside the list it returns, None for
a scene means a generated background.
"""

from __future__ import annotations

from typing import Protocol

from aivideo.core.script import Scene
from aivideo.core.spec import MediaFile
from aivideo.pipeline.context import Context

SceneMedia = list[MediaFile | None]


class VisualSource(Protocol):
    name: str

    async def media_for(self, ctx: Context, scenes: list[Scene]) -> SceneMedia | None:
        """A picture or clip per scene, or None when this source has nothing for the video.

        Raises:
            InvalidInput: the source belongs to the video (its own files or
                URLs) and cannot be used; the message says why.
        """
        ...


def cycled(files: list[MediaFile] | tuple[MediaFile, ...], count: int) -> SceneMedia:
    """``count`` scenes showing ``files`` in turn."""
    return [files[index % len(files)] for index in range(count)]
