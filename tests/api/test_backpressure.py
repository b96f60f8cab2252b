"""A full queue answers 429 with Retry-After, and never grows without bound."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.server import Api, running_api


@pytest.fixture
async def small_queue_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    limited = settings.model_copy(
        update={"render_slots": 0, "max_queued_per_user": 3, "max_queued_total": 4}
    )
    async with running_api(limited, resources) as api:
        yield api


async def test_a_user_over_the_limit_gets_429_with_retry_after(small_queue_api: Api) -> None:
    api = small_queue_api
    for i in range(3):
        assert (await api.alice.post("/v1/videos", json={"text": f"video {i}"})).status_code == 202

    refused = await api.alice.post("/v1/videos", json={"text": "one too many"})
    batch = await api.alice.post("/v1/videos/batch", json={"videos": [{"text": "a"}]})

    assert refused.status_code == 429 and batch.status_code == 429
    assert refused.headers["retry-after"] == "30"
    assert "you have 3 videos waiting" in refused.json()["error"]["message"]
    assert len((await api.alice.get("/v1/videos")).json()["items"]) == 3


async def test_the_whole_service_has_a_limit_too(small_queue_api: Api) -> None:
    api = small_queue_api
    for i in range(3):
        await api.alice.post("/v1/videos", json={"text": f"video {i}"})
    assert (await api.bob.post("/v1/videos", json={"text": "bob's"})).status_code == 202

    refused = await api.bob.post("/v1/videos", json={"text": "bob's second"})

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"


async def test_room_comes_back_when_videos_leave_the_queue(small_queue_api: Api) -> None:
    api = small_queue_api
    ids = [
        (await api.alice.post("/v1/videos", json={"text": f"video {i}"})).json()["id"]
        for i in range(3)
    ]
    await api.alice.post(f"/v1/videos/{ids[0]}/cancel")

    assert (await api.alice.post("/v1/videos", json={"text": "fits now"})).status_code == 202
    assert (await api.alice.post(f"/v1/videos/{ids[0]}/retry")).status_code == 429
