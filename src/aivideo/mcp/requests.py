"""A create_video call's arguments as the API's own request, refused with the API's sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from aivideo.core.errors import InvalidInput
from aivideo.core.field_names import field_name
from aivideo.videos.schemas import VideoCreate


def video_request(arguments: Mapping[str, Any]) -> VideoCreate:
    """The request, checked by ``VideoCreate`` exactly as ``POST /v1/videos`` checks it.

    Raises:
        InvalidInput: naming each field that is wrong, in the words the API's 422 uses.
    """
    given = {name: value for name, value in arguments.items() if value is not None}
    try:
        return VideoCreate.model_validate(given)
    except ValidationError as exc:
        problems = (
            f"{field_name(error['loc'])}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise InvalidInput("; ".join(problems)) from None
