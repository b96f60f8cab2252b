"""Every error the API returns, in one shape: ``{"error": {"code", "message"}}``.

Handlers here are the only place exceptions become HTTP responses.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException as StarletteHTTPException

from aivideo.core.errors import AivideoError, QueueFull, TooManyStreams
from aivideo.core.field_names import field_name
from aivideo.db.availability import is_database_unavailable
from aivideo.db.conflicts import is_retryable_conflict
from aivideo.videos.schemas import MAX_METADATA_DEPTH

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}},
        status_code=status_code,
        headers=headers,
    )


def _describe(error: dict[str, Any]) -> dict[str, str]:
    field = field_name(error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "json_invalid":
        return {
            "field": "body",
            "message": f"the body is not valid JSON ({error['ctx']['error']})",
        }
    if error.get("type") == "missing" and not error.get("loc", ())[1:]:
        return {"field": "body", "message": "a JSON body is required"}
    return {"field": field, "message": message.removeprefix("Value error, ")}


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_describe(dict(error)) for error in exc.errors()]
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return error_response(422, "invalid_input", summary, details=details)


def response_for(exc: AivideoError) -> JSONResponse:
    """The API's answer to one of our errors: its status, code and sentence."""
    if exc.status_code >= 500:
        logger.error("request failed: %s", exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    if isinstance(exc, QueueFull | TooManyStreams):
        headers = {"Retry-After": str(exc.retry_after)}
    return error_response(exc.status_code, exc.code, exc.message, headers)


async def _on_aivideo_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AivideoError)
    return response_for(exc)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, RecursionError):
        # FastAPI's json.loads gave up on a body nested hundreds of levels deep.
        detail = {
            "field": "body",
            "message": "the JSON is nested too deeply to read "
            f"(metadata may nest {MAX_METADATA_DEPTH} levels)",
        }
        summary = f"{detail['field']}: {detail['message']}"
        return error_response(422, "invalid_input", summary, details=[detail])
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    if exc.status_code in (404, 405) and message in ("Not Found", "Method Not Allowed"):
        message = (
            f"there is no endpoint {request.method} {request.url.path}; "
            "the API is described at /docs"
        )
    return error_response(exc.status_code, code, message, dict(exc.headers or {}))


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_retryable_conflict(exc):
        # Still losing after the service's own retries (aivideo.db.conflicts): the
        # request was undone and is safe to send again.
        message = (
            "the database undid this request to resolve a conflict with another one "
            "(a deadlock or a lock held too long); nothing was changed: send it again"
        )
        logger.warning("%s (%s)", message, exc)
        return error_response(503, "database_conflict", message, {"Retry-After": "1"})
    if not is_database_unavailable(exc):
        return await _on_unexpected_error(request, exc)
    if isinstance(exc, db_errors.TimeoutError):
        message = "the database is busy: no connection was free in time; retry in a moment"
    else:
        message = "the database cannot be reached right now; retry in a moment"
    logger.warning("%s (%s: %s)", message, type(exc).__name__, exc)
    return error_response(503, "database_unavailable", message, {"Retry-After": "1"})


async def _on_unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal_error", "an unexpected error occurred; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(AivideoError, _on_aivideo_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    # Pool exhausted, connection refused or lost: the client may retry, so 503.
    app.add_exception_handler(db_errors.TimeoutError, _on_database_error)
    app.add_exception_handler(db_errors.DBAPIError, _on_database_error)
    app.add_exception_handler(ConnectionError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
