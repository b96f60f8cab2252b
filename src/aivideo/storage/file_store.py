"""A store that is a folder: the default, on the data folder's disk (or any mounted one).

With the default settings the store's folder is the one where videos are made,
so a finished video's files are already in place and nothing is copied.
"""

from __future__ import annotations

import asyncio
import errno
import shutil
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import anyio

from aivideo.core.atomic_files import atomic_path
from aivideo.core.config import Settings
from aivideo.core.errors import DiskFull
from aivideo.core.ids import new_id
from aivideo.storage.objects import StoredObject, Upload

CHUNK_BYTES = 1 << 20


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStore:
        return cls(settings.file_store_dir)

    @property
    def description(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / key

    @property
    def is_remote(self) -> bool:
        return False  # this machine's disk (or a mount): stages stay in the data folder

    async def open(self, *, verify: bool = True) -> None:
        await anyio.Path(self.root).mkdir(parents=True, exist_ok=True)

    async def close(self) -> None:
        pass

    def holds(self, upload: Upload) -> bool:
        return upload.source == self._path(upload.key)

    async def put(self, upload: Upload) -> None:
        if self.holds(upload):
            return
        final = self._path(upload.key)
        await anyio.Path(final.parent).mkdir(parents=True, exist_ok=True)
        try:
            # Unique: a worker that took a video over may be copying the same file.
            async with atomic_path(final, unique=True) as partial:
                await asyncio.to_thread(shutil.copyfile, upload.source, partial)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFull() from exc
            raise

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        final = self._path(key)
        await anyio.Path(final.parent).mkdir(parents=True, exist_ok=True)
        async with atomic_path(final, unique=True) as partial:
            await anyio.Path(partial).write_bytes(data)

    async def get_file(self, key: str, target: Path) -> bool:
        try:
            await asyncio.to_thread(shutil.copyfile, self._path(key), target)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return False
        return True

    async def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            found = await anyio.Path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not stat.S_ISREG(found.st_mode):
            return None  # a folder is not an object
        modified = datetime.fromtimestamp(found.st_mtime, UTC)
        return StoredObject(found.st_size, None, modified, local_path=path)

    async def read_bytes(self, key: str) -> bytes | None:
        try:
            return await anyio.Path(self._path(key)).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    async def read_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as file:
            await file.seek(start)
            left = end - start
            while left > 0 and (chunk := await file.read(min(CHUNK_BYTES, left))):
                left -= len(chunk)
                yield chunk

    def location(self, key: str) -> str:
        return str(self._path(key))

    async def download_url(self, key: str, seconds: int) -> str:
        raise NotImplementedError("a folder has no URLs: downloads are sent by the API")

    async def delete_folder(self, folder: str) -> int:
        return await asyncio.to_thread(_remove_tree, self._path(folder))

    async def folders(self) -> list[str]:
        try:
            return [
                path.name
                async for path in anyio.Path(self.root).iterdir()
                if not path.name.startswith(".") and await path.is_dir()
            ]
        except FileNotFoundError:
            return []

    async def probe(self) -> str:
        probe = anyio.Path(self.root) / f".ready-{new_id()}"
        await probe.write_bytes(b"ok")
        await probe.unlink()
        return str(self.root)


def _remove_tree(folder: Path) -> int:
    try:
        count = sum(1 for path in folder.rglob("*") if path.is_file())
    except FileNotFoundError:
        return 0
    shutil.rmtree(folder, ignore_errors=True)
    return count
