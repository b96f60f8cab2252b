"""The interface every store of finished videos' files implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredObject:
    """What a store knows of one of its objects, for a download's headers."""

    size: int
    etag: str | None  # a strong validator (quoted), for If-Range; None: the file's own
    last_modified: datetime | None
    # The object is this file on this machine: it can be sent as a file (sendfile).
    local_path: Path | None = None


@dataclass(frozen=True)
class Upload:
    """A local file to put into the store under ``key``, with the headers it is served with."""

    key: str
    source: Path
    content_type: str
    content_disposition: str | None = None


class ObjectStore(Protocol):
    """Objects by key (``<video id>/<file name>``); each appears whole or not at all."""

    @property
    def description(self) -> str:
        """Where the objects are, for logs and readiness (``s3://bucket/prefix``, a folder)."""
        ...

    @property
    def is_remote(self) -> bool:
        """Whether the store is off this machine's disk (a bucket), so a worker elsewhere
        reads what is put there: a video's finished stages are kept there too."""
        ...

    async def open(self, *, verify: bool = True) -> None:
        """Get ready; with ``verify``, fail now if the store refuses this configuration.

        Raises:
            StorageRefused: the credentials are refused or the bucket does not exist.
        """
        ...

    async def close(self) -> None: ...

    async def put(self, upload: Upload) -> None:
        """Store the file; readers see the whole object or none (never a part).

        Raises:
            StorageUnavailable: the store did not take it (transient: try again later).
        """
        ...

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        """Store a small object given whole (a record); like :meth:`put`."""
        ...

    def holds(self, upload: Upload) -> bool:
        """Whether the upload's source file is itself the stored object (nothing to copy)."""
        ...

    async def stat(self, key: str) -> StoredObject | None:
        """The object's size and version; None if there is no such object."""
        ...

    async def read_bytes(self, key: str) -> bytes | None:
        """The whole object (a small one: a storyboard); None if there is no such object."""
        ...

    async def get_file(self, key: str, target: Path) -> bool:
        """Write the object into the file ``target``; False if there is no such object.

        ``target`` may be left half-written on an error: give a temporary name.
        """
        ...

    def read_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """The object's bytes from ``start`` up to ``end`` (excluded), in chunks."""
        ...

    def location(self, key: str) -> str:
        """Where the object is, for a person or an agent: a path here, or its ``s3://`` URL."""
        ...

    async def download_url(self, key: str, seconds: int) -> str:
        """A URL anyone may GET the object from for ``seconds`` (presigned)."""
        ...

    async def delete_folder(self, folder: str) -> int:
        """Delete every object under ``folder/`` (a video's); how many were deleted."""
        ...

    async def folders(self) -> list[str]:
        """The names of the folders at the top of the store (video ids), hidden ones left out."""
        ...

    async def probe(self) -> str:
        """Write and delete a small object; says where the store is.

        Raises:
            StorageUnavailable: the store does not answer, or refuses (the message says which).
        """
        ...
