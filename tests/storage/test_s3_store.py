"""The S3 store against a real S3 HTTP API (moto on loopback): whole objects, or none."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx
import pytest

from aivideo.core.errors import StorageRefused, StorageUnavailable
from aivideo.storage import Upload
from aivideo.storage.s3_store import S3Store
from tests.support.object_store import (
    S3,
    multipart_uploads,
    object_names,
    strict_s3_server,
)
from tests.support.polling import wait_for

PART = 5 * 1024 * 1024  # S3's smallest part


@contextmanager
def socket_that_refuses() -> Iterator[int]:
    """A loopback port that refuses connections (bound, never listening)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _store(bucket: str, endpoint: str = S3.url) -> S3Store:
    return S3Store(f"s3://{bucket}/stored", endpoint, PART)


async def _file(path: Path, size: int) -> Path:
    # Bytes that differ from one part to the next: a part put in the wrong place shows.
    await anyio.Path(path).write_bytes(bytes(range(251)) * (size // 251) + b"x" * (size % 251))
    return path


async def test_a_large_file_goes_up_in_parts_and_comes_back_whole_and_in_ranges(
    s3_bucket: str, tmp_path: Path
) -> None:
    store = _store(s3_bucket)
    source = await _file(tmp_path / "video.mp4", 2 * PART + 12_345)
    await store.put(Upload("v1/video.mp4", source, "video/mp4"))

    stored = await store.stat("v1/video.mp4")
    assert stored is not None and stored.size == 2 * PART + 12_345
    assert stored.etag and stored.etag.endswith('-3"')  # a multipart upload of three parts
    expected = await anyio.Path(source).read_bytes()
    middle = b"".join([chunk async for chunk in store.read_range("v1/video.mp4", 100, 9_000_000)])
    assert middle == expected[100:9_000_000]
    assert await object_names(s3_bucket) == ["stored/v1/video.mp4"]


async def test_a_presigned_url_serves_the_object_with_its_type_and_name(
    s3_bucket: str, tmp_path: Path
) -> None:
    store = _store(s3_bucket)
    source = await _file(tmp_path / "subtitles.srt", 1000)
    disposition = 'attachment; filename="Rain.srt"'
    await store.put(Upload("v1/subtitles.srt", source, "application/x-subrip", disposition))

    url = await store.download_url("v1/subtitles.srt", 60)
    assert url.startswith(f"{S3.url}/{s3_bucket}/stored/v1/subtitles.srt?")
    async with httpx.AsyncClient() as http:
        fetched = await http.get(url)  # no credentials: the URL carries its signature

    assert fetched.status_code == 200
    assert fetched.content == await anyio.Path(source).read_bytes()
    assert fetched.headers["content-type"] == "application/x-subrip"
    assert fetched.headers["content-disposition"] == disposition


async def test_deleting_a_folder_deletes_only_its_objects(s3_bucket: str, tmp_path: Path) -> None:
    store = _store(s3_bucket)
    source = await _file(tmp_path / "a.json", 10)
    for key in ("v1/a.json", "v1/b.json", "v10/a.json"):
        await store.put(Upload(key, source, "application/json"))

    assert await store.delete_folder("v1") == 2
    assert await object_names(s3_bucket) == ["stored/v10/a.json"]
    assert await store.stat("v1/a.json") is None
    assert await store.read_bytes("v1/a.json") is None


# Stands for a worker: puts one large file and is killed (kill -9) in the middle.
_UPLOADER = """
import asyncio, sys
from pathlib import Path
from aivideo.storage import Upload
from aivideo.storage.s3_store import S3Store
store = S3Store(sys.argv[1], sys.argv[2], 5 * 1024 * 1024)
asyncio.run(store.put(Upload("v1/video.mp4", Path(sys.argv[3]), "video/mp4")))
"""


async def test_a_worker_killed_in_the_middle_of_an_upload_leaves_no_object(
    s3_bucket: str, tmp_path: Path
) -> None:
    source = await _file(tmp_path / "video.mp4", 100 * 1024 * 1024)
    uploader = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _UPLOADER, f"s3://{s3_bucket}/stored", S3.url, str(source)
    )
    try:
        await wait_for(lambda: multipart_uploads(s3_bucket), seconds=30)  # parts are going up
    finally:
        uploader.kill()
        await uploader.wait()

    assert uploader.returncode == -9  # killed, not finished
    assert await _store(s3_bucket).stat("v1/video.mp4") is None
    assert await object_names(s3_bucket) == []


async def test_a_missing_bucket_is_named(s3_bucket: str) -> None:
    with pytest.raises(StorageRefused) as refused:
        await _store(f"{s3_bucket}-gone").probe()

    assert f"the bucket '{s3_bucket}-gone' does not exist" in refused.value.message
    assert "AIVIDEO_STORAGE_URL" in refused.value.message


async def test_refused_credentials_are_named_and_stop_the_opening(
    s3_bucket: str, tmp_path: Path
) -> None:
    async with strict_s3_server(tmp_path / "moto.log") as strict:
        store = _store(s3_bucket, strict)
        with pytest.raises(StorageRefused) as refused:
            await store.open()

    assert "refused the credentials (InvalidAccessKeyId)" in refused.value.message
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in refused.value.message


async def test_a_store_that_does_not_answer_is_a_transient_failure(
    s3_bucket: str, tmp_path: Path
) -> None:
    with socket_that_refuses() as port:
        store = _store(s3_bucket, f"http://127.0.0.1:{port}")
        await store.open()  # starts anyway: uploads wait for it
        source = await _file(tmp_path / "thumbnail.jpg", 10)
        with pytest.raises(StorageUnavailable) as failed:
            await store.put(Upload("v1/thumbnail.jpg", source, "image/jpeg"))

    assert failed.value.transient
    assert not isinstance(failed.value, StorageRefused)
    assert f"the S3 store at http://127.0.0.1:{port} did not answer" in failed.value.message
