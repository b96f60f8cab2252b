"""The OpenAPI document, with what only the running server knows: its voices.

A client (or a fuzzer) reading ``/openapi.json`` sees the voice names this
server accepts, instead of "any string of 64 characters".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from aivideo.pipeline.speech.voices import VoiceCatalogue


def describe_voices(schema: dict[str, Any], voices: VoiceCatalogue) -> None:
    """Limit ``VideoCreate.voice`` in ``schema`` to the names in ``voices`` (or null)."""
    voice = schema["components"]["schemas"]["VideoCreate"]["properties"]["voice"]
    voice["anyOf"] = [{"type": "string", "enum": voices.names}, {"type": "null"}]


def with_server_details(app: FastAPI, voices: Callable[[], VoiceCatalogue]) -> None:
    """Make ``app``'s OpenAPI document name this server's voices (built once, on first use)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            describe_voices(generate(), voices())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
