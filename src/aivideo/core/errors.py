"""The one exception tree of aivideo.

Each error carries the HTTP status and a stable machine-readable code; the API
maps them to responses in one place (``aivideo.api.errors``). Messages are
written for a person: they say what is wrong and, where it helps, what to do.
"""

from __future__ import annotations


class AivideoError(Exception):
    """Base of every error aivideo raises on purpose."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AivideoError):
    status_code = 422
    code = "invalid_input"


class NotAuthenticated(AivideoError):
    status_code = 401
    code = "not_authenticated"


class NotFound(AivideoError):
    status_code = 404
    code = "not_found"


class Conflict(AivideoError):
    status_code = 409
    code = "conflict"


class QueueFull(AivideoError):
    """Too many videos are waiting; the client should come back after ``retry_after`` seconds."""

    status_code = 429
    code = "queue_full"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLarge(AivideoError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(AivideoError):
    status_code = 415
    code = "unsupported_media_type"


class ResourceLifecycleError(AivideoError):
    """Resources opened twice, or used before ``open()`` or after ``close()``."""

    code = "resource_lifecycle"


class SchemaOutOfDate(AivideoError):
    """The database schema is behind the code; ``aivideo db upgrade`` fixes it."""

    status_code = 503
    code = "schema_out_of_date"


class RenderFailed(AivideoError):
    """The encoder could not make the video; the message says why in plain words."""

    code = "render_failed"
