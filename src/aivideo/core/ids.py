"""Identifiers: time-ordered UUIDs (version 7) as canonical strings."""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    """A new UUIDv7: unique, and sorting as text sorts by creation time."""
    return str(uuid_utils.uuid7())
