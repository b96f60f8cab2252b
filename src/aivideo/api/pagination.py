"""Opaque cursors for paginated lists.

A cursor is the sort key of the last item of a page, base64-encoded so that
clients treat it as a token and do not build their own.
"""

from __future__ import annotations

import base64
import binascii

from aivideo.core.errors import InvalidInput

_BAD_CURSOR = "cursor is not valid: pass the next_cursor value of the previous page unchanged"


def encode_cursor(key: str | int) -> str:
    return base64.urlsafe_b64encode(str(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The sort key inside a cursor; :class:`InvalidInput` if it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = base64.b64decode(padded.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(_BAD_CURSOR) from exc
    if "\x00" in key:  # never in a key of ours, and PostgreSQL's text cannot hold it
        raise InvalidInput(_BAD_CURSOR)
    return key


def decode_int_cursor(cursor: str) -> int:
    key = decode_cursor(cursor)
    # ASCII digits only: str.isdigit() also accepts "²" and "١", which int() refuses or reads.
    if not (key.isascii() and key.isdigit()):
        raise InvalidInput(_BAD_CURSOR)
    return int(key)
