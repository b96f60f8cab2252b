"""Each API call as data: what to send, and how to read the answer.

Sans I/O: nothing here sends a request. :class:`~aivideo.client.Client` and
:class:`~aivideo.client.AsyncClient` pass a :class:`Call` to their own
transport and hand the response back to ``Call.decode``, so the two differ
only in how they wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from aivideo.client.errors import error_from_response
from aivideo.core.status import VideoStatus
from aivideo.videos.schemas import (
    VideoBatch,
    VideoBatchFound,
    VideoCreate,
    VideoPage,
    VideoPublic,
)

T = TypeVar("T")
Model = TypeVar("Model", bound=BaseModel)

# The files of a finished video, by route (GET /v1/videos/{id}/<route>).
VideoFile = Literal[
    "file", "thumbnail.jpg", "subtitles.vtt", "subtitles.srt", "words.json", "scenes"
]


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request to the API and the reading of its answer."""

    method: str
    path: str
    decode: Callable[[httpx.Response], T]
    json: Any = None
    params: Mapping[str, str | int] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    # A download may answer 307 to the store's presigned URL (httpx drops the key on the way).
    follow_redirects: bool = False


def raise_for_error(response: httpx.Response) -> None:
    """Raise the API's error as its exception; the body must have been read."""
    if response.is_error:
        raise error_from_response(response)


def _model(model: type[Model]) -> Callable[[httpx.Response], Model]:
    def decode(response: httpx.Response) -> Model:
        raise_for_error(response)
        return model.model_validate_json(response.content)

    return decode


def _nothing(response: httpx.Response) -> None:
    raise_for_error(response)


def video_path(video_id: str, route: str = "") -> str:
    # Quoted: an id is a UUID, but a caller's string must not reach another route.
    path = f"/v1/videos/{quote(video_id, safe='')}"
    return f"{path}/{route}" if route else path


def as_request(request: VideoCreate | Mapping[str, Any] | None, fields: Mapping[str, Any]) -> Any:
    """The JSON body of a video: the API's own model, or its fields.

    Fields are sent as they are: the server is the one judge of them, and
    answers a wrong one with a 422 naming it (``ValidationFailed``). Of a
    model, only the fields set are sent, so the server's defaults apply to the rest.
    """
    if isinstance(request, VideoCreate):
        if fields:
            raise TypeError("pass either a VideoCreate or keyword arguments, not both")
        return request.model_dump(mode="json", exclude_unset=True)
    return {**(request or {}), **fields}


def create(body: Any, idempotency_key: str | None) -> Call[VideoPublic]:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
    return Call("POST", "/v1/videos", _model(VideoPublic), json=body, headers=headers)


def create_batch(bodies: Sequence[Any]) -> Call[VideoBatch]:
    return Call("POST", "/v1/videos/batch", _model(VideoBatch), json={"videos": list(bodies)})


def get(video_id: str) -> Call[VideoPublic]:
    return Call("GET", video_path(video_id), _model(VideoPublic))


def get_many(video_ids: Sequence[str]) -> Call[VideoBatchFound]:
    body = {"ids": list(video_ids)}
    return Call("POST", "/v1/videos/batch-get", _model(VideoBatchFound), json=body)


def list_page(
    status: VideoStatus | str | None, page_size: int, cursor: str | None
) -> Call[VideoPage]:
    params: dict[str, str | int] = {"limit": page_size}
    if status is not None:
        params["status"] = str(status)
    if cursor is not None:
        params["cursor"] = cursor
    return Call("GET", "/v1/videos", _model(VideoPage), params=params)


def cancel(video_id: str) -> Call[VideoPublic]:
    return Call("POST", video_path(video_id, "cancel"), _model(VideoPublic))


def retry(video_id: str) -> Call[VideoPublic]:
    return Call("POST", video_path(video_id, "retry"), _model(VideoPublic))


def delete(video_id: str) -> Call[None]:
    return Call("DELETE", video_path(video_id), _nothing)


def download(video_id: str, what: VideoFile, headers: Mapping[str, str]) -> Call[None]:
    """A file of the video; its answer is streamed, so only an error is decoded (once read)."""
    return Call(
        "GET", video_path(video_id, what), raise_for_error, headers=headers, follow_redirects=True
    )
