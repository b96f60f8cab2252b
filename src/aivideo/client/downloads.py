"""Downloading a video's file: whole or not at all, and resumed where it stopped.

The bytes go to a hidden temporary file beside the destination
(``aivideo.core.atomic_files``), renamed into place once complete: the
destination never holds part of a file. An interrupted download leaves its
temporary file, and beside it the server's version of the file it holds
(``ETag``). The next download of the same destination asks only for the rest
(``Range``), on condition that the server's file is still that version
(``If-Range``); otherwise the server sends the whole file and it starts over.

Sans I/O: the clients read and write the files, this decides what to ask and
what to do with the answer.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from aivideo.core.atomic_files import partial_path

CHUNK_BYTES = 1 << 20

_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/\d+")
_UNSATISFIABLE_RANGE = re.compile(r"bytes \*/(\d+)")


class Step(enum.Enum):
    """What to do with the server's answer to a download."""

    WRITE_ALL = "write the whole file from the start"
    APPEND = "append the rest to the temporary file"
    ALREADY_WHOLE = "the temporary file is complete: only rename it"
    START_OVER = "throw the temporary file away and ask again for the whole file"
    ERROR = "an error answer: read it and raise it"


@dataclass(frozen=True)
class DownloadFiles:
    """The destination and the files kept beside it while it is downloaded."""

    destination: Path

    @property
    def partial(self) -> Path:
        return partial_path(self.destination)

    @property
    def version(self) -> Path:
        """The ``ETag`` (or ``Last-Modified``) of the file the temporary file is part of."""
        partial = self.partial
        return partial.with_name(f"{partial.name}.etag")


@dataclass(frozen=True)
class PartialDownload:
    """What an interrupted download left: how many bytes, of which version of the file."""

    size: int = 0
    version: str | None = None

    @property
    def can_resume(self) -> bool:
        return self.size > 0 and bool(self.version)

    def request_headers(self) -> dict[str, str]:
        if not self.can_resume:
            return {}
        assert self.version is not None
        return {"Range": f"bytes={self.size}-", "If-Range": self.version}

    def next_step(self, response: httpx.Response) -> Step:
        """What the answer to :meth:`request_headers` means for the temporary file."""
        content_range = response.headers.get("Content-Range", "")
        if response.status_code == 206 and self.can_resume:
            match = _CONTENT_RANGE.fullmatch(content_range)
            resumed = match is not None and int(match.group(1)) == self.size
            return Step.APPEND if resumed else Step.START_OVER
        if response.status_code == 416 and self.can_resume:
            # Nothing after the bytes we have: cut off just before the rename, or another file.
            match = _UNSATISFIABLE_RANGE.fullmatch(content_range)
            whole = match is not None and int(match.group(1)) == self.size
            return Step.ALREADY_WHOLE if whole else Step.START_OVER
        if response.is_success:
            return Step.WRITE_ALL  # the file changed (If-Range), or nothing to resume
        return Step.ERROR


def version_of(response: httpx.Response) -> str:
    """What identifies the served file's version for ``If-Range``: a strong ETag, else its date."""
    etag = str(response.headers.get("ETag", ""))
    if etag and not etag.startswith("W/"):  # a weak ETag cannot be used with If-Range
        return etag
    return str(response.headers.get("Last-Modified", ""))
