"""Error answers become exceptions: pure decoding, no server needed."""

from __future__ import annotations

import httpx

import aivideo.client
from aivideo.client import (
    AivideoError,
    DatabaseUnavailable,
    FieldError,
    RateLimited,
    ServiceUnavailable,
    TooManyStreams,
    ValidationFailed,
)
from aivideo.client.errors import error_from_response
from aivideo.core import errors as core_errors


def _answer(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_each_code_has_its_class_with_the_server_s_words() -> None:
    body = {"error": {"code": "database_unavailable", "message": "the database is down"}}

    error = error_from_response(_answer(503, body, **{"Retry-After": "1"}))

    assert isinstance(error, DatabaseUnavailable) and isinstance(error, ServiceUnavailable)
    assert (error.status_code, error.code, error.message) == (
        503,
        "database_unavailable",
        "the database is down",
    )
    assert error.retry_after == 1.0


def test_a_422_keeps_every_field_error() -> None:
    details = [
        {"field": "videos[3].text", "message": "too long"},
        {"field": "rate", "message": "big"},
    ]
    body = {"error": {"code": "invalid_input", "message": "...", "details": details}}

    error = error_from_response(_answer(422, body))

    assert isinstance(error, ValidationFailed)
    assert error.field_errors == (
        FieldError("videos[3].text", "too long"),
        FieldError("rate", "big"),
    )


def test_a_code_the_client_does_not_know_is_the_base_class() -> None:
    body = {"error": {"code": "brand_new", "message": "something new"}}

    error = error_from_response(_answer(429, body, **{"Retry-After": "7"}))

    assert type(error) is AivideoError and not isinstance(error, RateLimited)
    assert (error.code, error.message, error.retry_after) == ("brand_new", "something new", 7.0)


def test_an_answer_that_is_not_the_api_s_says_what_came_back() -> None:
    error = error_from_response(httpx.Response(502, text="<html>Bad Gateway</html>"))

    assert type(error) is AivideoError
    assert (error.status_code, error.code) == (502, "http_error")
    assert error.message == "HTTP 502: <html>Bad Gateway</html>"


def test_client_errors_are_aivideo_errors() -> None:
    # The command line handles the project's errors: the server's are among them.
    assert issubclass(TooManyStreams, core_errors.AivideoError)


def test_the_public_names_are_all_importable() -> None:
    for name in aivideo.client.__all__:
        assert getattr(aivideo.client, name) is not None
