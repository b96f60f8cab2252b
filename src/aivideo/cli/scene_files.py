"""``aivideo generate --scenes FILE.json``: a storyboard read from a file.

The file holds a JSON list of scenes, each as ``POST /v1/videos`` takes them
(``[{"text": "...", "headline": "...", "pictograms": ["💧"]}, ...]``), and is
checked by the API's own request model, so a mistake reads the same here as
in a 422: ``scenes[3].media_url: ...``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aivideo.core.errors import InvalidInput
from aivideo.core.field_names import field_name
from aivideo.pipeline.speech.voices import VoiceCatalogue, check_language
from aivideo.videos.scene_schemas import SceneCreate
from aivideo.videos.schemas import VideoCreate

_EXAMPLE = '[{"text": "Water moves."}, {"text": "It rains.", "headline": "Rain"}]'


def read_scenes(path: Path) -> list[SceneCreate]:
    """The scenes in ``path``, checked as the API checks them.

    Raises:
        InvalidInput: the file cannot be read, is not JSON, is not a list of
            scenes, or a scene is wrong; the message is one line that says which.
    """
    stored = _json_in(path)
    if not isinstance(stored, list):
        raise InvalidInput(
            f"{path} holds a JSON {_kind(stored)}, not a list of scenes; write it like {_EXAMPLE}"
        )
    try:
        request = VideoCreate.model_validate({"scenes": stored})
    except ValidationError as exc:
        problems = "; ".join(
            f"{field_name(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise InvalidInput(f"{path}: {problems}") from None
    assert request.scenes is not None
    return request.scenes


def _json_in(path: Path) -> Any:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"cannot read {path}: there is no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"cannot read {path}: it is a folder, not a file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not a text file (JSON in UTF-8)") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not valid JSON ({exc}); write it like {_EXAMPLE}") from None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "number"
    return "null"


def check_scene_voices(
    scenes: list[SceneCreate], voices: VoiceCatalogue, language: str | None = None
) -> None:
    """Refuse a scene's voice this machine does not have, or that does not speak
    ``language``, naming the scene."""
    for index, scene in enumerate(scenes):
        if scene.voice is not None:
            try:
                check_language(voices.find(scene.voice), language)
            except InvalidInput as exc:
                raise InvalidInput(f"scenes[{index}].voice: {exc.message}") from exc


def scenes_request(scenes: list[SceneCreate]) -> dict[str, Any]:
    """The scenes as ``POST /v1/videos`` takes them, for ``--server``."""
    return {"scenes": [scene.model_dump(mode="json", exclude_defaults=True) for scene in scenes]}
