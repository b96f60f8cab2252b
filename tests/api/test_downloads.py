"""Downloads hold no database connection while their bytes flow."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.finished_video import SERVED_FILES, finish_video
from tests.support.server import running_api

# Far more than the socket buffers between server and client hold (a few MB).
LARGE = 64_000_000


@asynccontextmanager
async def never_read(base_url: str, key: str, path: str) -> AsyncIterator[bytes]:
    """Send ``GET path`` and read only the status line: the rest stays unread.

    Yields the status line. A small receive buffer lets the server's sending
    stall after a few hundred kilobytes, like a client that stopped reading.
    """
    url = httpx.URL(base_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32_768)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (url.host, url.port))
    reader, writer = await asyncio.open_connection(sock=sock)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n"
            f"Authorization: Bearer {key}\r\n\r\n".encode()
        )
        async with asyncio.timeout(30):
            status_line = await reader.readline()
        yield status_line
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_downloads_that_are_never_read_do_not_stop_other_requests(
    settings: Settings, resources: Resources
) -> None:
    # One database connection (as SQLite always has): a download keeping it would stop all.
    one_connection = settings.model_copy(
        update={"render_slots": 0, "db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 2}
    )
    async with running_api(one_connection, resources) as api:
        video_id = (await api.alice.post("/v1/videos", json={"text": "Big files."})).json()["id"]
        await finish_video(resources, video_id, dict.fromkeys(SERVED_FILES.values(), LARGE))
        key = api.alice.headers["authorization"].removeprefix("Bearer ")

        async with (
            never_read(api.base_url, key, f"/v1/videos/{video_id}/file") as video,
            never_read(api.base_url, key, f"/v1/videos/{video_id}/thumbnail.jpg") as thumbnail,
            never_read(api.base_url, key, f"/v1/videos/{video_id}/subtitles.vtt") as vtt,
            never_read(api.base_url, key, f"/v1/videos/{video_id}/subtitles.srt") as srt,
        ):
            assert {video, thumbnail, vtt, srt} == {b"HTTP/1.1 200 OK\r\n"}
            async with asyncio.timeout(5):
                fetched = await api.alice.get(f"/v1/videos/{video_id}")
                created = await api.bob.post("/v1/videos", json={"text": "Still answering."})

    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["status"] == "completed"
    assert created.status_code == 202, created.text
