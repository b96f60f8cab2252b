"""The OpenAPI document, with what only the running server knows: its voices.

A client (or a fuzzer) reading ``/openapi.json`` sees the voice names this
server accepts, instead of "any string of 64 characters", and which
operations take an API key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from aivideo.api import bearer
from aivideo.pipeline.speech.voices import VoiceCatalogue

API_PREFIX = "/v1/"  # every route under it authenticates its caller (api.dependencies.CurrentUser)


def describe_voices(schema: dict[str, Any], voices: VoiceCatalogue) -> None:
    """Limit ``VideoCreate.voice`` in ``schema`` to the names in ``voices`` (or null)."""
    voice = schema["components"]["schemas"]["VideoCreate"]["properties"]["voice"]
    voice["anyOf"] = [{"type": "string", "enum": voices.names}, {"type": "null"}]


def describe_api_keys(schema: dict[str, Any]) -> None:
    """Mark every ``/v1/`` operation as taking a bearer API key, as each of them does."""
    schema["components"].setdefault("securitySchemes", {})[bearer.SCHEME_NAME] = {
        "type": "http",
        "scheme": "bearer",
        "description": bearer.DESCRIPTION,
    }
    for path, operations in schema["paths"].items():
        if path.startswith(API_PREFIX):
            for operation in operations.values():
                operation["security"] = [{bearer.SCHEME_NAME: []}]


def with_server_details(app: FastAPI, voices: Callable[[], VoiceCatalogue]) -> None:
    """Make ``app``'s OpenAPI document name this server's voices and its API keys.

    The document is built once; its voices are named afresh each time, since an
    operator may add voices while the server runs (``AIVIDEO_VOICES_DIR``).
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            describe_api_keys(generate())
        assert app.openapi_schema is not None
        describe_voices(app.openapi_schema, voices())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
