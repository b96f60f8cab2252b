"""A model as the JSON answer, serialized once, by pydantic.

A route that returns a model has FastAPI check it again against the response
model, turn it into plain data, then into JSON: three passes over every field
of an object that is already valid. The hottest routes (GET and POST of one
video) answer with this instead; their ``response_model`` still describes the
answer in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from starlette.responses import Response


class ModelResponse(Response):
    media_type = "application/json"

    def __init__(
        self, model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(model.model_dump_json().encode(), status_code, headers)
