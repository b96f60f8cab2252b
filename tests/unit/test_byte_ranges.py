"""Which bytes a Range header asks for: one range served, anything else the whole file."""

from __future__ import annotations

import pytest

from aivideo.api.byte_ranges import ByteRange, Unsatisfiable, requested_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 100)),
        ("bytes=900-", ByteRange(900, 1000)),
        ("bytes=900-5000", ByteRange(900, 1000)),  # an end past the file's is its end
        ("bytes=-100", ByteRange(900, 1000)),  # the last 100 bytes
        ("bytes=-5000", ByteRange(0, 1000)),
        ("bytes=999-999", ByteRange(999, 1000)),
    ],
)
def test_one_range_is_served_as_asked(header: str, expected: ByteRange) -> None:
    assert requested_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header", [None, "", "bytes=0-10,20-30", "items=0-10", "bytes=50-10", "bytes=-", "nonsense"]
)
def test_anything_else_means_the_whole_file(header: str | None) -> None:
    assert requested_range(header, 1000) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_past_the_end_cannot_be_satisfied(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        requested_range(header, 1000)


def test_an_empty_file_has_no_range() -> None:
    with pytest.raises(Unsatisfiable):
        requested_range("bytes=-10", 0)


def test_the_content_range_names_the_last_byte_and_the_size() -> None:
    assert ByteRange(900, 1000).content_range(1000) == "bytes 900-999/1000"
