"""A store in an S3-compatible bucket (AWS, MinIO, Ceph, R2), through obstore.

obstore's requests run in its own Rust runtime: uploads read the file there and
send its parts a few at once, never blocking the event loop. An object is
visible only once whole: a file larger than ``s3_part_bytes`` goes up as a
multipart upload, which S3 shows only once it is completed (a killed worker
leaves none; a lifecycle rule on the bucket clears its parts).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import obstore
from obstore.store import S3Store as ObstoreS3

from aivideo.core.config import Settings
from aivideo.core.errors import StorageRefused, StorageUnavailable
from aivideo.core.ids import new_id
from aivideo.storage.objects import StoredObject, Upload
from aivideo.storage.s3_problems import s3_failure

if TYPE_CHECKING:
    from obstore import Attributes
    from obstore.store import ClientConfig, S3Config

logger = logging.getLogger(__name__)

READ_WINDOW = 4 << 20  # bytes per GET of a streamed download: each request ends quickly
DOWNLOAD_CHUNK = 4 << 20  # bytes written to a file at a time
UPLOAD_CONCURRENCY = 4  # parts of one file in flight at once
START_CHECK_SECONDS = 10.0
# obstore raises its own errors, and the built-in one for a 404 (no such key, or bucket).
S3_ERRORS = (obstore.exceptions.BaseError, FileNotFoundError)


class S3Store:
    def __init__(self, url: str, endpoint: str | None, part_bytes: int) -> None:
        self.bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint = endpoint
        self.part_bytes = part_bytes
        self._where = f"the S3 store at {endpoint}" if endpoint else "S3"
        options: ClientConfig = {"connect_timeout": "5s", "timeout": "60s"}
        if endpoint and endpoint.startswith("http://"):
            options["allow_http"] = True
        config: S3Config = {"endpoint": endpoint} if endpoint else {}
        # Credentials and region: the standard AWS_* variables, read by obstore.
        self._store = ObstoreS3(
            self.bucket,
            config=config,
            client_options=options,
            retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=30)},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Store:
        assert settings.storage_url is not None
        return cls(settings.storage_url, settings.s3_endpoint_url, settings.s3_part_bytes)

    @property
    def description(self) -> str:
        at = f" at {self.endpoint}" if self.endpoint else ""
        return f"s3://{self.bucket}/{self.prefix}{at}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def _failure(self, error: Exception) -> StorageUnavailable:
        return s3_failure(error, self.bucket, self._where)

    @property
    def is_remote(self) -> bool:
        return True

    async def open(self, *, verify: bool = True) -> None:
        if not verify:
            return
        try:
            async with asyncio.timeout(START_CHECK_SECONDS):
                await self.probe()
        except StorageRefused:
            raise
        except (StorageUnavailable, TimeoutError) as exc:
            # Like a broker that is down: start anyway, uploads wait until it answers.
            logger.warning("storage: %s; videos wait for it", exc or "no answer")

    async def close(self) -> None:
        pass  # obstore closes its connections when the store is collected

    def holds(self, upload: Upload) -> bool:
        return False

    async def put(self, upload: Upload) -> None:
        size = (await anyio.Path(upload.source).stat()).st_size
        attributes: Attributes = {"Content-Type": upload.content_type}
        if upload.content_disposition:
            attributes["Content-Disposition"] = upload.content_disposition
        try:
            await obstore.put_async(
                self._store, self._key(upload.key), upload.source,
                attributes=attributes, use_multipart=size > self.part_bytes,
                chunk_size=self.part_bytes, max_concurrency=UPLOAD_CONCURRENCY,
            )  # fmt: skip
        except S3_ERRORS as exc:
            raise self._failure(exc) from exc

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await obstore.put_async(
                self._store, self._key(key), data, attributes={"Content-Type": content_type}
            )
        except S3_ERRORS as exc:
            raise self._failure(exc) from exc

    async def get_file(self, key: str, target: Path) -> bool:
        try:
            found = await obstore.get_async(self._store, self._key(key))
        except FileNotFoundError:
            return False
        except obstore.exceptions.BaseError as exc:
            raise self._failure(exc) from exc
        async with await anyio.open_file(target, "wb") as file:
            try:
                async for chunk in found.stream(min_chunk_size=DOWNLOAD_CHUNK):
                    await file.write(chunk)
            except obstore.exceptions.BaseError as exc:
                raise self._failure(exc) from exc
        return True

    async def stat(self, key: str) -> StoredObject | None:
        try:
            meta = await obstore.head_async(self._store, self._key(key))
        except FileNotFoundError:
            return None
        except obstore.exceptions.BaseError as exc:
            raise self._failure(exc) from exc
        return StoredObject(meta["size"], meta["e_tag"], meta["last_modified"])

    async def read_bytes(self, key: str) -> bytes | None:
        try:
            found = await obstore.get_async(self._store, self._key(key))
            return bytes(await found.bytes_async())
        except FileNotFoundError:
            return None
        except obstore.exceptions.BaseError as exc:
            raise self._failure(exc) from exc

    async def read_range(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        # A window at a time: a client reading slowly holds no request open for long.
        for first in range(start, end, READ_WINDOW):
            try:
                window = await obstore.get_range_async(
                    self._store, self._key(key), start=first, end=min(first + READ_WINDOW, end)
                )
            except S3_ERRORS as exc:
                raise self._failure(exc) from exc
            yield bytes(window)

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    async def download_url(self, key: str, seconds: int) -> str:
        return await obstore.sign_async(
            self._store, "GET", self._key(key), timedelta(seconds=seconds)
        )

    async def delete_folder(self, folder: str) -> int:
        deleted = 0
        try:
            listing = obstore.list(self._store, prefix=self._key(f"{folder}/"), chunk_size=1000)
            async for chunk in listing:
                await obstore.delete_async(self._store, [meta["path"] for meta in chunk])
                deleted += len(chunk)
        except S3_ERRORS as exc:
            raise self._failure(exc) from exc
        return deleted

    async def folders(self) -> list[str]:
        try:
            found = await obstore.list_with_delimiter_async(self._store, self.prefix or None)
        except S3_ERRORS as exc:
            raise self._failure(exc) from exc
        names = (prefix.removeprefix(self.prefix).strip("/") for prefix in found["common_prefixes"])
        return [name for name in names if name and not name.startswith(".")]

    async def probe(self) -> str:
        key = self._key(f".aivideo-ready/{new_id()}")
        try:
            await obstore.put_async(self._store, key, b"ok")
            await obstore.delete_async(self._store, key)
        except S3_ERRORS as exc:
            raise self._failure(exc) from exc
        return self.description
