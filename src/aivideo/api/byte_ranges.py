"""Which bytes a download's ``Range`` header asks for (RFC 9110, one range).

A header this server does not serve as asked (several ranges, another unit,
nonsense) is ignored: the whole file is sent, as RFC 9110 allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # excluded

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


class Unsatisfiable(Exception):
    """The range starts past the end of the file: 416."""


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one range ``header`` asks for within ``size`` bytes; None: send it all.

    Raises:
        Unsatisfiable: it asks only for bytes past the end.
    """
    found = _ONE_RANGE.fullmatch((header or "").strip())
    if found is None:
        return None
    first, last = found.groups()
    if not first and not last:
        return None  # "bytes=-": not a range
    if not first:  # "-500": the last 500 bytes
        if int(last) == 0 or size == 0:
            raise Unsatisfiable()
        return ByteRange(max(size - int(last), 0), size)
    start = int(first)
    if last and int(last) < start:
        return None  # not a range: ignored
    if start >= size:
        raise Unsatisfiable()
    end = min(int(last) + 1, size) if last else size
    return ByteRange(start, end)
