"""Identifiers: time-ordered UUIDs (version 7) as canonical strings."""

from __future__ import annotations

import re

import uuid_utils

# The one spelling a stored id has: 8-4-4-4-12 hexadecimal digits (stored in lower case).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def new_id() -> str:
    """A new UUIDv7: unique, and sorting as text sorts by creation time."""
    return str(uuid_utils.uuid7())


def canonical_id(text: str) -> str:
    """``text`` as ids are stored: a UUID in lower case.

    Upper-case digits are accepted and lowered, so every database (MariaDB
    compares case-insensitively, the others do not) finds the same row.

    Raises:
        ValueError: ``text`` is not a UUID written 8-4-4-4-12.
    """
    if not _UUID.fullmatch(text):
        raise ValueError(f"{text[:50]!r} is not a UUID")
    return text.lower()
