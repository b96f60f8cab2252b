"""Downloads appear whole or not at all, and go on where they broke off.

The video is "finished" with a file of random bytes (no rendering): a few MB,
so that a connection cut part-way leaves some of it unsent.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import anyio
import httpx
import pytest

from aivideo.client import AsyncClient, Client, NotFound
from aivideo.core.atomic_files import partial_path
from aivideo.runtime.resources import Resources
from tests.client.conftest import Server
from tests.support.cutting_proxy import cutting_proxy
from tests.support.finished_video import SERVED_FILES, finish_video

SIZE = 4_000_000
# Bytes of the answer, its headers included: past the 2 MiB the client has written
# by then (it writes 1 MiB at a time).
CUT_AFTER = 2_500_000


@pytest.fixture
async def finished(server: Server, resources: Resources) -> tuple[str, bytes]:
    """A finished video of alice's, and the bytes of its file."""
    content = os.urandom(SIZE)
    async with AsyncClient(server.base_url, api_key=server.alice) as client:
        video = await client.create(text="A video to download.")
    await finish_video(resources, video.id, {SERVED_FILES["file"]: content})
    return video.id, content


@pytest.fixture
async def downloads(tmp_path: Path) -> Path:
    """An empty folder to download into (the server's files are in ``tmp_path``)."""
    folder = tmp_path / "downloads"
    await anyio.Path(folder).mkdir()
    return folder


async def _listing(folder: Path) -> list[str]:
    return sorted([path.name async for path in anyio.Path(folder).iterdir()])


async def test_a_broken_off_download_leaves_nothing_at_the_destination_and_resumes(
    server: Server, finished: tuple[str, bytes], downloads: Path
) -> None:
    video_id, content = finished
    destination = downloads / "video.mp4"
    async with (
        cutting_proxy(server.base_url, CUT_AFTER) as flaky_url,
        AsyncClient(flaky_url, api_key=server.alice) as flaky,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await flaky.download(video_id, destination)

    assert not await anyio.Path(destination).exists()
    kept = (await anyio.Path(partial_path(destination)).stat()).st_size
    assert 0 < kept < SIZE

    answers: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        answers.append(response)

    async with (
        httpx.AsyncClient(event_hooks={"response": [record]}) as http,
        AsyncClient(server.base_url, api_key=server.alice, http_client=http) as client,
    ):
        await client.download(video_id, destination)

    assert [answer.status_code for answer in answers] == [206]  # only the rest was sent
    assert answers[0].headers["Content-Range"] == f"bytes {kept}-{SIZE - 1}/{SIZE}"
    assert await anyio.Path(destination).read_bytes() == content
    assert await _listing(downloads) == ["video.mp4"]


async def test_without_resume_a_broken_off_download_leaves_nothing_at_all(
    server: Server, finished: tuple[str, bytes], downloads: Path
) -> None:
    video_id, _ = finished
    async with (
        cutting_proxy(server.base_url, CUT_AFTER) as flaky_url,
        AsyncClient(flaky_url, api_key=server.alice) as flaky,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await flaky.download(video_id, downloads / "video.mp4", resume=False)

    assert await _listing(downloads) == []


async def test_a_partial_file_of_another_version_is_not_glued_to_this_one(
    server: Server, finished: tuple[str, bytes], downloads: Path
) -> None:
    video_id, content = finished
    destination = downloads / "video.mp4"
    partial = partial_path(destination)

    def scenario() -> bytes:
        # Left by a download of some other file to the same place.
        partial.write_bytes(b"not this video" * 1000)
        partial.with_name(f"{partial.name}.etag").write_text('"another-file"')
        with Client(server.base_url, api_key=server.alice) as client:
            return client.download(video_id, destination).read_bytes()

    assert await asyncio.to_thread(scenario) == content
    assert await _listing(downloads) == ["video.mp4"]


async def test_a_partial_file_that_is_already_whole_is_only_renamed(
    server: Server, finished: tuple[str, bytes], downloads: Path
) -> None:
    video_id, content = finished
    destination = downloads / "video.mp4"
    partial = partial_path(destination)
    statuses: list[int] = []

    def scenario() -> bytes:
        hooks = {"response": [lambda response: statuses.append(response.status_code)]}
        with (
            httpx.Client(base_url=server.base_url, event_hooks=hooks) as http,
            Client(api_key=server.alice, http_client=http) as client,
        ):
            key = {"Authorization": f"Bearer {server.alice}"}
            served = http.get(f"/v1/videos/{video_id}/file", headers=key)
            # Cut off after the last byte, before the rename.
            partial.write_bytes(served.content)
            partial.with_name(f"{partial.name}.etag").write_text(served.headers["ETag"])
            return client.download(video_id, destination).read_bytes()

    assert await asyncio.to_thread(scenario) == content
    assert statuses == [200, 416]  # nothing more to send: the file was not sent again
    assert await _listing(downloads) == ["video.mp4"]


async def test_a_file_not_made_yet_is_not_found_and_nothing_is_written(
    server: Server, downloads: Path
) -> None:
    async with AsyncClient(server.base_url, api_key=server.alice) as client:
        video = await client.create(text="Still queued.")
        with pytest.raises(NotFound) as raised:
            await client.download(video.id, downloads / "video.mp4")

    assert "has no file yet: it is queued" in raised.value.message
    assert await _listing(downloads) == []
