"""Checks and types that several request bodies share: URLs, and text a database can hold."""

from __future__ import annotations

from typing import Annotated

from pydantic import AnyHttpUrl, UrlConstraints

WebhookUrl = Annotated[
    AnyHttpUrl, UrlConstraints(max_length=2048, allowed_schemes=["http", "https"])
]
MediaUrl = WebhookUrl


def without_nul(text: str) -> str:
    # PostgreSQL's text cannot hold NUL: refuse it here (422), not in the database (500).
    if "\x00" in text:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return text
