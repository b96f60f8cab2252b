"""Files that appear whole or not at all.

A file is written under a hidden temporary name beside its final one, then
renamed into place (atomic on one filesystem): a reader, another process or
a retry never sees half a file. A temporary file left by a crash is easy to
recognise and sweep: its name starts with a dot and ends with ``.part``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import anyio

PARTIAL_SUFFIX = ".part"
PARTIAL_GLOB = f".*{PARTIAL_SUFFIX}"


def partial_path(final: Path, *, unique: bool = False) -> Path:
    """The temporary name ``final`` is written under until it is complete.

    ``unique`` when several writers (processes, videos) may make the same file
    at once: each gets a name of its own, and the last rename wins.
    """
    token = f".{uuid.uuid4().hex}" if unique else ""
    return final.with_name(f".{final.name}{token}{PARTIAL_SUFFIX}")


def is_partial(path: Path) -> bool:
    return path.name.startswith(".") and PARTIAL_SUFFIX in path.name


@asynccontextmanager
async def atomic_path(final: Path, *, unique: bool = False) -> AsyncIterator[Path]:
    """A temporary path to write ``final`` under: renamed into place if the block succeeds.

    On an error (or cancellation) the temporary file is removed and ``final``
    is left as it was.
    """
    partial = partial_path(final, unique=unique)
    try:
        yield partial
        await anyio.Path(partial).replace(final)
    finally:
        await anyio.Path(partial).unlink(missing_ok=True)


@contextmanager
def atomic_path_sync(final: Path, *, unique: bool = False) -> Iterator[Path]:
    """:func:`atomic_path` for code that already runs in a thread or a worker process."""
    partial = partial_path(final, unique=unique)
    try:
        yield partial
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
