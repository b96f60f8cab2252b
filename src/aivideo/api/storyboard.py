"""A video's storyboard (``scenes.json``) as the API shows it.

The visuals stage writes the file before the video is rendered, whole or not
at all (renamed into place); with a store that is not the workers' folder, it
is there once the video is completed. Each scene names its picture by file
name; the API gives it as a URL instead.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, ValidationError

from aivideo.api.file_responses import not_made_yet
from aivideo.core import outputs
from aivideo.core.errors import Conflict
from aivideo.core.field_names import field_name
from aivideo.db.models import Video
from aivideo.storage import ObjectStore
from aivideo.videos.schemas import StoryboardPublic, StoryboardScene


class _StoredScene(StoryboardScene):
    """A scene as the file holds it: its picture by file name (``scene-0.jpg``), not URL."""

    # NaN or Infinity would pass as a float here, then fail the JSON answer (a 500).
    model_config = ConfigDict(allow_inf_nan=False)

    preview: str | None = None
    preview_url: str | None = None


class _StoredStoryboard(BaseModel):
    scenes: list[_StoredScene]
    credits: list[str] = []


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return "it is not JSON"
    return f"{field_name(first['loc'])}: {first['msg']}"


async def read_storyboard(
    store: ObjectStore, video: Video, preview_url: Callable[[int], str]
) -> StoryboardPublic:
    """The storyboard of ``video``, with the picture of scene ``i`` at ``preview_url(i)``.

    Raises:
        NotFound: the visuals stage has not written it (yet); says where the video is.
        Conflict: the file is there but is not a storyboard (damaged on disk).
    """
    raw = await store.read_bytes(outputs.object_key(video.id, outputs.STORYBOARD))
    if raw is None:
        raise not_made_yet(video, "storyboard")
    try:
        stored = _StoredStoryboard.model_validate_json(raw)
    except ValidationError as exc:
        raise Conflict(f"the storyboard of video {video.id} is damaged: {_problem(exc)}") from exc
    scenes = [
        StoryboardScene(
            **scene.model_dump(exclude={"preview", "preview_url"}),
            preview_url=preview_url(scene.index) if scene.preview else None,
        )
        for scene in stored.scenes
    ]
    return StoryboardPublic(scenes=scenes, credits=stored.credits)
