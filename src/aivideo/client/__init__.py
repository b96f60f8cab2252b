"""A typed Python client of aivideo's HTTP API.

::

    from aivideo.client import Client

    with Client("http://127.0.0.1:8000", api_key="av_...") as client:
        video = client.create(text="Water evaporates, rises and falls again as rain.")
        video = client.wait(video.id, timeout=600)
        client.download(video.id, "rain.mp4")

:class:`AsyncClient` has the same methods, awaited. They return the API's own
models (``aivideo.videos.schemas``) and raise one exception per error code
of the API, all :class:`AivideoError`.
"""

from aivideo.client.async_client import AsyncClient
from aivideo.client.calls import VideoFile
from aivideo.client.connection import API_KEY_ENV, DEFAULT_TIMEOUT
from aivideo.client.errors import (
    AivideoError,
    BadRequest,
    Conflict,
    DatabaseConflict,
    DatabaseUnavailable,
    DiskFull,
    FieldError,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    QueueFull,
    RateLimited,
    SchemaOutOfDate,
    ServerBusy,
    ServerError,
    ServiceUnavailable,
    StorageQuotaExceeded,
    TooManyStreams,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    WaitTimeout,
    WorkerProcessLost,
)
from aivideo.client.events import DoneEvent, LogEvent, ProgressEvent, StreamEvent
from aivideo.client.sync_client import Client
from aivideo.core.status import VideoStatus
from aivideo.videos.schemas import (
    VideoBatchFound,
    VideoCreate,
    VideoOutput,
    VideoPublic,
)

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_TIMEOUT",
    "AivideoError",
    "AsyncClient",
    "BadRequest",
    "Client",
    "Conflict",
    "DatabaseConflict",
    "DatabaseUnavailable",
    "DiskFull",
    "DoneEvent",
    "FieldError",
    "Forbidden",
    "LogEvent",
    "MethodNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "ProgressEvent",
    "QueueFull",
    "RateLimited",
    "SchemaOutOfDate",
    "ServerError",
    "ServerBusy",
    "ServiceUnavailable",
    "StorageQuotaExceeded",
    "StreamEvent",
    "TooManyStreams",
    "Unauthorized",
    "UnsupportedMediaType",
    "ValidationFailed",
    "VideoBatchFound",
    "VideoCreate",
    "VideoFile",
    "VideoOutput",
    "VideoPublic",
    "VideoStatus",
    "WaitTimeout",
    "WorkerProcessLost",
]
