"""The API key a request carries: ``Authorization: Bearer <key>``.

Read from the header directly, not through FastAPI's ``HTTPBearer``
dependency: every authenticated request pays for each dependency FastAPI
solves, and this one was a tenth of a cached GET. The OpenAPI document still
describes the scheme (``api.openapi.describe_api_keys``).
"""

from __future__ import annotations

from starlette.datastructures import Headers

SCHEME_NAME = "HTTPBearer"  # as FastAPI's HTTPBearer named it in the OpenAPI document
DESCRIPTION = "An API key from `aivideo keys create`."


def bearer_key(headers: Headers) -> str | None:
    """The key of an ``Authorization: Bearer`` header; None without one (or with another scheme)."""
    scheme, _, key = headers.get("authorization", "").partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None
