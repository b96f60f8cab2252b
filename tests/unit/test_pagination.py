"""Opaque list cursors: they round-trip, stay URL-safe, and anything else is refused clearly."""

from __future__ import annotations

import re

import pytest

from aivideo.api.pagination import decode_cursor, decode_int_cursor, encode_cursor
from aivideo.core.errors import InvalidInput

MESSAGE = "cursor is not valid: pass the next_cursor value of the previous page unchanged"


@pytest.mark.parametrize("key", ["0b6f3c7e-video-id", "ünïcödé ✓", "~~~?", "x"])
def test_string_keys_round_trip(key: str) -> None:
    assert decode_cursor(encode_cursor(key)) == key


def test_cursor_is_url_safe_without_padding() -> None:
    # Standard base64 of "~~~?" is "fn5+Pw==": "+" and "=" would need escaping in a URL.
    assert encode_cursor("~~~?") == "fn5-Pw"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", encode_cursor("ünïcödé ✓"))


def test_int_keys_round_trip() -> None:
    assert encode_cursor(42) == "NDI"
    assert decode_int_cursor(encode_cursor(42)) == 42
    assert decode_int_cursor(encode_cursor(10**12)) == 10**12


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",  # characters base64 does not have
        "NDI*",  # a valid cursor with a character changed
        "A",  # a length no base64 text can have
        "__4",  # valid base64, but the bytes are not UTF-8
    ],
)
def test_garbage_cursor_is_refused_with_a_clear_message(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(cursor)

    assert refused.value.message == MESSAGE
    assert refused.value.status_code == 422 and refused.value.code == "invalid_input"


# "²" and "١٢" are digits to str.isdigit(): int() refuses the first and reads the second.
@pytest.mark.parametrize("key", ["abc", "-1", " 4", "4.0", "²", "١٢"])
def test_int_cursor_refuses_a_key_that_is_not_a_plain_number(key: str) -> None:
    with pytest.raises(InvalidInput, match="^cursor is not valid"):
        decode_int_cursor(encode_cursor(key))
