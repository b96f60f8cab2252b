"""``aivideo.client.AsyncClient`` against a real server on loopback."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import httpx
import pytest

from aivideo.client import (
    AsyncClient,
    DoneEvent,
    LogEvent,
    NotFound,
    ProgressEvent,
    Unauthorized,
    ValidationFailed,
    VideoStatus,
    WaitTimeout,
)
from tests.client.conftest import SHORT, Server


async def test_a_video_is_followed_to_the_end_across_reconnections(
    rendering_server: Server, tmp_path: Path
) -> None:
    connections: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/progress"):
            connections.append(request.headers.get("Last-Event-ID", ""))

    async with (
        httpx.AsyncClient(event_hooks={"request": [count]}) as http,
        AsyncClient(
            rendering_server.base_url, api_key=rendering_server.alice, http_client=http
        ) as client,
    ):
        video = await client.create(**SHORT)
        events = [event async for event in client.progress(video.id)]
        streams = list(connections)
        finished = await client.wait(video.id, timeout=30)  # finished: answered at once
        saved = await client.download(video.id, tmp_path / "followed.mp4")
        served = await http.get(
            f"{rendering_server.base_url}/v1/videos/{video.id}/file",
            headers={"Authorization": f"Bearer {rendering_server.alice}"},
        )
        log = (await http.get(
            f"{rendering_server.base_url}/v1/videos/{video.id}/events",
            headers={"Authorization": f"Bearer {rendering_server.alice}"},
        )).json()["items"]  # fmt: skip

    done = events[-1]
    assert isinstance(done, DoneEvent) and done.status == VideoStatus.COMPLETED
    assert done.video is not None and done.video.output is not None
    assert finished.status == VideoStatus.COMPLETED
    percents = [event.percent for event in events if isinstance(event, ProgressEvent)]
    assert percents == sorted(percents) and percents[-1] == 100
    # Streams last 1 s: it took several, each going on after the last line received...
    assert len(streams) > 1 and streams[0] == ""
    assert all(last_id for last_id in streams[1:])
    # ...and the lines came once each, all of them.
    lines = [event for event in events if isinstance(event, LogEvent)]
    assert [line.id for line in lines] == [entry["id"] for entry in log]
    assert lines[-1].message == "the video is ready"
    assert await anyio.Path(saved).read_bytes() == served.content


async def test_wait_gives_up_after_its_timeout(server: Server) -> None:
    async with AsyncClient(server.base_url, api_key=server.alice) as client:
        video = await client.create(text="Never made: this server makes nothing.")
        started = time.monotonic()
        with pytest.raises(WaitTimeout) as raised:
            await client.wait(video.id, timeout=0.5)
        waited = time.monotonic() - started

    assert 0.5 <= waited < 5
    assert raised.value.video_id == video.id
    assert video.id in str(raised.value) and "0.5 s" in str(raised.value)


async def test_list_goes_through_every_page(server: Server) -> None:
    async with AsyncClient(server.base_url, api_key=server.alice) as client:
        made = await client.create_batch([{"text": f"Video number {n}."} for n in range(3)])
        listed = [video.id async for video in client.list(page_size=1)]

    assert listed == [video.id for video in reversed(made)]


async def test_errors_are_the_api_s_own(server: Server) -> None:
    async with (
        AsyncClient(server.base_url, api_key=server.alice) as client,
        AsyncClient(server.base_url, api_key="av_wrong") as stranger,
    ):
        with pytest.raises(NotFound):
            await client.get("01890a5d-ac96-774b-bcce-b302099a8057")
        with pytest.raises(NotFound):
            async for _ in client.progress("01890a5d-ac96-774b-bcce-b302099a8057"):
                pass
        with pytest.raises(ValidationFailed) as invalid:
            await client.get("not-a-uuid")
        with pytest.raises(Unauthorized):
            await stranger.create(text="Refused.")

    assert [error.field for error in invalid.value.field_errors] == ["video_id"]
