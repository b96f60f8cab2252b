"""``aivideo generate --scenes FILE.json``: a storyboard read from a file.

The file holds a JSON list of scenes, each as ``POST /v1/videos`` takes them
(``[{"text": "...", "headline": "...", "pictograms": ["💧"]}, ...]``), or an
object with that list and the video's language, as the request has them
(``{"language": "es", "scenes": [...]}``). It is checked by the API's own
request model, so a mistake reads the same here as in a 422: ``scenes[3].media_url: ...``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from aivideo.core.errors import InvalidInput
from aivideo.core.field_names import field_name
from aivideo.pipeline.speech.voices import VoiceCatalogue, check_language
from aivideo.videos.scene_schemas import SceneCreate
from aivideo.videos.schemas import VideoCreate

_EXAMPLE = '[{"text": "Water moves."}, {"text": "It rains.", "headline": "Rain"}]'
_WITH_LANGUAGE = '{"language": "es", "scenes": [{"text": "El agua corre."}]}'
_OBJECT_KEYS = ("scenes", "language")


@dataclass(frozen=True)
class StoryboardFile:
    scenes: list[SceneCreate]
    language: str | None = None  # the video's, when the file says (BCP-47)


def read_storyboard(path: Path) -> StoryboardFile:
    """The scenes in ``path`` (and the video's language, if it gives one), checked as the
    API checks them.

    Raises:
        InvalidInput: the file cannot be read, is not JSON, is not a list of
            scenes or an object holding one, or a scene is wrong; the message
            is one line that says which.
    """
    stored = _json_in(path)
    if isinstance(stored, dict):
        _check_object_keys(path, stored)
        fields = dict(stored)
    elif isinstance(stored, list):
        fields = {"scenes": stored}
    else:
        raise InvalidInput(
            f"{path} holds a JSON {_kind(stored)}, not a list of scenes; write it like {_EXAMPLE}"
        )
    try:
        request = VideoCreate.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{field_name(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise InvalidInput(f"{path}: {problems}") from None
    assert request.scenes is not None
    return StoryboardFile(request.scenes, request.language)


def _check_object_keys(path: Path, stored: dict[str, Any]) -> None:
    if "scenes" not in stored:
        raise InvalidInput(
            f"{path} holds a JSON object without `scenes`; write a list of scenes like "
            f"{_EXAMPLE}, or the video's language with them: {_WITH_LANGUAGE}"
        )
    unknown = [key for key in stored if key not in _OBJECT_KEYS]
    if unknown:
        raise InvalidInput(
            f"{path}: unknown key {unknown[0]!r}: a storyboard object holds `scenes` and "
            f"optionally `language`, like {_WITH_LANGUAGE}"
        )


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
