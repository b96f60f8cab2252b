"""The API's error answers as exceptions: one class per ``error.code``.

Every error body is ``{"error": {"code", "message"}}`` (``aivideo.api.errors``);
a 422 adds ``details``, the field errors. A code this client does not know
becomes :class:`AivideoError` itself, so a newer server never breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from aivideo.core import errors as core_errors
from aivideo.core.retry_after import retry_after_seconds


@dataclass(frozen=True)
class FieldError:
    """One wrong field of a request, named as the API names it (``videos[3].text``)."""

    field: str
    message: str


class AivideoError(core_errors.AivideoError):
    """An error answer of the API: its HTTP status, its code and its sentence.

    A subclass of the project's own error base, so code that already handles
    aivideo's errors (the command line) handles the server's too.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        # Seconds the server asked to wait before sending the request again (Retry-After).
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status_code}, {self.code!r}, {self.message!r})"


class BadRequest(AivideoError):
    """400: the request could not be read as HTTP."""


class Unauthorized(AivideoError):
    """401: the API key is missing, wrong or revoked."""


class Forbidden(AivideoError):
    """403: a change sent without a key from a web page of another site."""


class NotFound(AivideoError):
    """404: no such video (or it belongs to someone else), or a file not made yet."""


class MethodNotAllowed(AivideoError):
    """405: the route exists, not with this method (a server older than the client)."""


class Conflict(AivideoError):
    """409: the video's state forbids it (cancel a finished video), or an idempotency clash."""


class PayloadTooLarge(AivideoError):
    """413: the body is larger than the server accepts."""


class StorageQuotaExceeded(PayloadTooLarge):
    """413: the user's finished videos take all the storage they may use."""


class UnsupportedMediaType(AivideoError):
    """415: the body is not JSON."""


class ValidationFailed(AivideoError):
    """422: fields of the request are wrong; ``field_errors`` names each one."""

    def __init__(
        self, message: str, *, field_errors: tuple[FieldError, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = field_errors


class RateLimited(AivideoError):
    """429: too much at once; send it again after ``retry_after`` seconds."""


class QueueFull(RateLimited):
    """429: too many videos are waiting to be made."""


class TooManyStreams(RateLimited):
    """429: as many progress streams are open for this user as the server allows."""


class ServerError(AivideoError):
    """500: the server failed unexpectedly (it has logged why)."""


class ServiceUnavailable(AivideoError):
    """503: the server cannot serve it right now; nothing was changed, send it again."""


class ServerBusy(ServiceUnavailable):
    """503: the server has more requests in progress than it can answer in time."""


class DatabaseUnavailable(ServiceUnavailable):
    """503: the server's database is down or busy."""


class DatabaseConflict(ServiceUnavailable):
    """503: the database undid the request to break a deadlock."""


class SchemaOutOfDate(ServiceUnavailable):
    """503: the server's database needs ``aivideo db upgrade``."""


class WorkerProcessLost(ServiceUnavailable):
    """503: a process of the server's pool died."""


class DiskFull(AivideoError):
    """507: the server's storage is full."""


# The API's codes (aivideo.core.errors and aivideo.api.errors), each to its class.
ERROR_CLASSES: dict[str, type[AivideoError]] = {
    "bad_request": BadRequest,
    "not_authenticated": Unauthorized,
    "forbidden": Forbidden,
    "not_found": NotFound,
    "method_not_allowed": MethodNotAllowed,
    "conflict": Conflict,
    "payload_too_large": PayloadTooLarge,
    "storage_quota_exceeded": StorageQuotaExceeded,
    "unsupported_media_type": UnsupportedMediaType,
    "invalid_input": ValidationFailed,
    "queue_full": QueueFull,
    "too_many_streams": TooManyStreams,
    "internal_error": ServerError,
    "server_busy": ServerBusy,
    "database_unavailable": DatabaseUnavailable,
    "database_conflict": DatabaseConflict,
    "schema_out_of_date": SchemaOutOfDate,
    "worker_process_lost": WorkerProcessLost,
    "disk_full": DiskFull,
}


class WaitTimeout(TimeoutError):
    """``wait`` gave up: the video had not finished within the time it was given."""

    def __init__(self, video_id: str, seconds: float) -> None:
        super().__init__(
            f"video {video_id} did not finish within {seconds:g} s; it goes on on the "
            "server: wait again, or cancel it"
        )
        self.video_id = video_id
        self.seconds = seconds


def error_from_response(response: httpx.Response) -> AivideoError:
    """The exception for an error answer whose body has been read."""
    body = _error_body(response)
    code = str(body.get("code") or "http_error")
    message = str(body.get("message") or f"HTTP {response.status_code}: {response.text[:200]}")
    common: dict[str, Any] = {
        "status_code": response.status_code,
        "code": code,
        "retry_after": retry_after_seconds(response.headers.get("Retry-After")),
    }
    error_class = ERROR_CLASSES.get(code, AivideoError)
    if error_class is ValidationFailed:
        return ValidationFailed(message, field_errors=_field_errors(body), **common)
    return error_class(message, **common)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of the answer; empty if it has none (a proxy's own page)."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def _field_errors(body: dict[str, Any]) -> tuple[FieldError, ...]:
    details = body.get("details")
    if not isinstance(details, list):
        return ()
    return tuple(
        FieldError(str(item.get("field", "body")), str(item.get("message", "")))
        for item in details
        if isinstance(item, dict)
    )
