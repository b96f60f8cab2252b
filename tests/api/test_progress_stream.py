"""``GET /v1/videos/{id}/progress``: Server-Sent Events from queued to done."""

from __future__ import annotations

import json

import pytest
from httpx_sse import aconnect_sse
from sqlalchemy import text

from aivideo.runtime.resources import Resources
from tests.api.test_video_files import SHORT
from tests.support.server import Api


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_stream_shows_each_stage_and_ends_with_the_finished_video(
    rendering_api: Api,
) -> None:
    video_id = (await rendering_api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    received: list[tuple[str, dict[str, object]]] = []

    async with aconnect_sse(
        rendering_api.alice, "GET", f"/v1/videos/{video_id}/progress", timeout=120
    ) as source:
        assert source.response.headers["content-type"].startswith("text/event-stream")
        async for event in source.aiter_sse():
            received.append((event.event, json.loads(event.data)))

    kinds = [kind for kind, _ in received]
    assert kinds[-1] == "done"
    done = received[-1][1]
    assert done["status"] == "completed"
    assert done["video"]["output"]["duration_seconds"] > 0  # type: ignore[index]
    percents = [data["percent"] for kind, data in received if kind == "progress"]
    assert percents == sorted(percents), "progress never goes backwards"
    assert percents[-1] == 100
    log = [data["message"] for kind, data in received if kind == "log"]
    for stage in ("speech", "render", "thumbnail"):
        assert f"{stage} started" in log
    assert log[-1] == "the video is ready"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_stream_of_a_finished_video_ends_at_once(api: Api) -> None:
    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    await api.alice.post(f"/v1/videos/{video_id}/cancel")

    async with aconnect_sse(api.alice, "GET", f"/v1/videos/{video_id}/progress") as source:
        events = [(event.event, json.loads(event.data)) async for event in source.aiter_sse()]

    assert events[-1][0] == "done"
    assert events[-1][1]["status"] == "cancelled"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_another_user_s_stream_is_404(api: Api) -> None:
    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]

    response = await api.bob.get(f"/v1/videos/{video_id}/progress")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"no video with id {video_id!r}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_stream_whose_first_read_fails_is_an_error_response_not_a_broken_200(
    api: Api, resources: Resources
) -> None:
    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    assert (await api.alice.get(f"/v1/videos/{video_id}")).status_code == 200

    # Only the video's log is gone: the key and the video are read, the stream's read fails.
    async with resources.engine.begin() as connection:
        await connection.execute(text("ALTER TABLE video_events RENAME TO video_events_away"))
    try:
        failed = await api.alice.get(f"/v1/videos/{video_id}/progress")
    finally:
        async with resources.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE video_events_away RENAME TO video_events"))
    async with aconnect_sse(api.alice, "GET", f"/v1/videos/{video_id}/progress") as source:
        first = await anext(source.aiter_sse())

    assert failed.status_code == 503
    assert failed.json()["error"]["message"]
    assert first.event == "log"  # the same stream works once the log is back
