"""A field's name in error messages, from pydantic's location of the error."""

from __future__ import annotations

from collections.abc import Sequence


def field_name(location: Sequence[int | str]) -> str:
    """``("body", "videos", 3, "text")`` -> ``videos[3].text``; the whole request is ``body``."""
    name = ""
    for part in location:
        if part in ("body", "query", "path", "header") and not name:
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"
