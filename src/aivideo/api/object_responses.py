"""An object of the store sent through the API, with Range and If-Range support.

For stores whose objects are not files on this machine (``AIVIDEO_DOWNLOAD_MODE=proxy``
with S3): the bytes are read from the store a window at a time while the client reads.
"""

from __future__ import annotations

from email.utils import format_datetime

from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import Headers

from aivideo.api.byte_ranges import ByteRange, Unsatisfiable, requested_range
from aivideo.core.outputs import attachment_header
from aivideo.storage import ObjectStore, StoredObject


def _validators(stored: StoredObject) -> dict[str, str]:
    headers = {}
    if stored.etag:
        headers["ETag"] = stored.etag
    if stored.last_modified:
        headers["Last-Modified"] = format_datetime(stored.last_modified, usegmt=True)
    return headers


def object_response(
    store: ObjectStore,
    key: str,
    stored: StoredObject,
    request_headers: Headers,
    media_type: str,
    filename: str | None,
) -> Response:
    """The object ``key`` (200), the part the Range asks for (206), or 416 past its end."""
    headers = {"Accept-Ranges": "bytes", **_validators(stored)}
    if filename:
        headers["Content-Disposition"] = attachment_header(filename)
    wanted = request_headers.get("range")
    if_range = request_headers.get("if-range")
    if if_range and if_range not in (headers.get("ETag"), headers.get("Last-Modified")):
        wanted = None  # the client's part is of another version: send the whole file
    try:
        part = requested_range(wanted, stored.size)
    except Unsatisfiable:
        headers["Content-Range"] = f"bytes */{stored.size}"
        return Response(status_code=416, headers=headers)
    status = 200 if part is None else 206
    if part is None:
        part = ByteRange(0, stored.size)
    else:
        headers["Content-Range"] = part.content_range(stored.size)
    headers["Content-Length"] = str(part.length)
    return StreamingResponse(
        store.read_range(key, part.start, part.end),
        status_code=status,
        headers=headers,
        media_type=media_type,
    )
