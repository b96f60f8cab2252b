"""The one exception tree of aivideo.

Each error carries the HTTP status and a stable machine-readable code; the API
maps them to responses in one place (``aivideo.api.errors``). Messages are
written for a person: they say what is wrong and, where it helps, what to do.
"""

from __future__ import annotations

DISK_FULL = "the disk is full: free some space and try again"


class AivideoError(Exception):
    """Base of every error aivideo raises on purpose."""

    status_code = 500
    code = "internal_error"
    # Whether the same video may succeed later, unchanged: a job is then tried again.
    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AivideoError):
    status_code = 422
    code = "invalid_input"


class NotAuthenticated(AivideoError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(AivideoError):
    """The request is refused for where it comes from (a web page of another site)."""

    status_code = 403
    code = "forbidden"


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


class TooManyStreams(AivideoError):
    """A user has as many progress streams open as they may; one must close first."""

    status_code = 429
    code = "too_many_streams"

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


class DiskFull(AivideoError):
    """Storage ran out of space (ENOSPC): the video is tried again once there is room."""

    status_code = 507
    code = "disk_full"
    transient = True

    def __init__(self, message: str = DISK_FULL) -> None:
        super().__init__(message)


class StorageQuotaExceeded(AivideoError):
    """A user's finished videos take all the storage they may use."""

    status_code = 413
    code = "storage_quota_exceeded"


class WorkerProcessLost(AivideoError):
    """A process of the CPU pool died (the OOM killer, a crash): the video is tried again."""

    status_code = 503
    code = "worker_process_lost"
    transient = True


class StorageUnavailable(AivideoError):
    """The store of finished videos did not take or give a file: tried again later."""

    status_code = 503
    code = "storage_unavailable"
    transient = True


class StorageRefused(StorageUnavailable):
    """The store refuses this configuration (credentials, bucket); the message names the setting.

    Still transient for a video: it is not the video's fault, and the operator may fix it.
    """

    code = "storage_refused"
