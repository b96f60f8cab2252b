"""The cache in front of ``GET /v1/videos/{id}``: fresh, counted, and never in the way."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aivideo.cache.store import make_cache
from aivideo.core.config import Settings
from aivideo.observability.metrics import CACHE_REQUESTS
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.redis_server import redis_server
from tests.support.server import Api, running_api

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

STATUS_ORDER = {"queued": 0, "running": 1, "completed": 2}
TEXT = "Clouds gather over the hills. Rain falls on the fields.\n\nThe river carries it home."


def cache_count(result: str) -> float:
    """This process's count (read from the counter: the registry would also read /proc)."""
    samples = [s for metric in CACHE_REQUESTS.collect() for s in metric.samples]
    return sum(
        s.value for s in samples if s.name.endswith("_total") and s.labels["result"] == result
    )


@pytest.fixture(params=["memory", "redis"])
async def cache_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> AsyncIterator[Settings]:
    if request.param == "memory":
        yield settings
        return
    async with redis_server(tmp_path) as redis:
        yield settings.model_copy(update={"redis_url": redis.url})


async def create(api: Api, **fields: object) -> str:
    response = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low", **fields})
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


@sqlite_only
async def test_polling_a_video_while_it_is_made_never_goes_backwards(
    cache_settings: Settings, resources: Resources
) -> None:
    # Entries would live an hour: only invalidation can show the video move on.
    long_lived = cache_settings.model_copy(update={"cache_video_ttl": 3600})
    hits_before = cache_count("hit")
    async with running_api(long_lived, resources) as api:
        video_id = await create(api)

        async def poll() -> list[tuple[int, int]]:
            seen: list[tuple[int, int]] = []
            while not seen or seen[-1][0] < STATUS_ORDER["completed"]:
                response = await api.alice.get(f"/v1/videos/{video_id}")
                assert response.status_code == 200
                video = response.json()
                seen.append((STATUS_ORDER[video["status"]], video["progress"]))
            return seen

        # Several clients at once: their reads race the worker's changes.
        async with asyncio.timeout(120):
            polls = await asyncio.gather(*(poll() for _ in range(4)))

    for seen in polls:
        assert seen == sorted(seen), "a poll went back in status or progress"
        assert seen[-1] == (2, 100)
    assert any(len({progress for _, progress in seen}) > 2 for seen in polls)  # saw it move
    assert cache_count("hit") > hits_before  # the polls were served by the cache


@sqlite_only
async def test_a_change_through_the_api_is_seen_at_once(
    settings: Settings, resources: Resources, tmp_path: Path
) -> None:
    async with (
        redis_server(tmp_path) as redis,
        running_api(
            settings.model_copy(update={"render_slots": 0, "redis_url": redis.url}), resources
        ) as api,
    ):
        video_id = await create(api)
        for _ in range(2):  # the second read is a hit
            assert (await api.alice.get(f"/v1/videos/{video_id}")).json()["status"] == "queued"

        await api.alice.post(f"/v1/videos/{video_id}/cancel")
        single = await api.alice.get(f"/v1/videos/{video_id}")
        batch = await api.alice.post("/v1/videos/batch-get", json={"ids": [video_id, "nope"]})
        await api.alice.post(f"/v1/videos/{video_id}/retry")
        retried = await api.alice.get(f"/v1/videos/{video_id}")
        from_bob = await api.bob.get(f"/v1/videos/{video_id}")  # cached, but not his
        await api.alice.delete(f"/v1/videos/{video_id}")
        deleted = await api.alice.get(f"/v1/videos/{video_id}")

    assert single.json()["status"] == "cancelled"
    assert [v["status"] for v in batch.json()["videos"]] == ["cancelled"]
    assert batch.json()["not_found"] == ["nope"]
    assert retried.json()["status"] == "queued"
    assert from_bob.status_code == 404
    assert deleted.status_code == 404


@sqlite_only
async def test_redis_killed_and_back_the_api_keeps_answering(
    settings: Settings, resources: Resources, tmp_path: Path
) -> None:
    async with redis_server(tmp_path) as redis:
        idle = settings.model_copy(
            update={"render_slots": 0, "redis_url": redis.url, "cache_retry_interval": 0.2}
        )
        async with running_api(idle, resources) as api:
            video_id = await create(api)
            await api.alice.get(f"/v1/videos/{video_id}")
            hits = cache_count("hit")
            assert (await api.alice.get(f"/v1/videos/{video_id}")).status_code == 200
            assert cache_count("hit") == hits + 1

            await redis.kill()
            during = [await api.alice.get(f"/v1/videos/{video_id}") for _ in range(5)]
            created_during = await api.alice.post("/v1/videos", json={"text": TEXT})
            ready_during = await api.anonymous.get("/readyz")

            await redis.start()  # same port, empty, as after a restart

            async def ready_again() -> bool:
                body = (await api.anonymous.get("/readyz")).json()
                return bool(body["status"] == "ready")

            await wait_for(ready_again, seconds=10)
            after = [await api.alice.get(f"/v1/videos/{video_id}") for _ in range(2)]
            hits_after = cache_count("hit")
            await api.alice.get(f"/v1/videos/{video_id}")

    assert [r.status_code for r in during] == [200] * 5
    assert all(r.json()["status"] == "queued" for r in during)
    assert created_during.status_code == 202
    assert ready_during.status_code == 200  # degraded, not out of service
    assert ready_during.json()["status"] == "degraded"
    assert ready_during.json()["components"]["cache"]["status"] == "down"
    assert [r.status_code for r in after] == [200, 200]
    assert cache_count("hit") == hits_after + 1  # the cache is used again


async def test_a_cache_that_does_not_answer_costs_a_bounded_wait(tmp_path: Path) -> None:
    # A server that accepts connections and never replies: a hung Redis.
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    cache = make_cache(Settings(data_dir=tmp_path, redis_url=f"redis://127.0.0.1:{port}/0"))
    await cache.open()
    try:
        started = time.monotonic()
        value = await cache.get("anything")
        first_call = time.monotonic() - started
        await cache.set("anything", {"a": 1}, ttl=10)  # skipped while down
    finally:
        await cache.close()
        server.close()
        await server.wait_closed()

    assert value is None
    assert not cache.is_up and "no answer within 50 ms" in cache.last_error
    # Without the bound, this call would wait for the socket timeout, or for ever.
    assert first_call < 2


@sqlite_only
async def test_a_memory_cache_is_not_used_for_videos_made_in_other_processes(
    settings: Settings, tmp_path: Path
) -> None:
    separate_workers = settings.model_copy(update={"broker_url": "amqp://guest:guest@h:1/"})
    api_only = settings.model_copy(update={"render_slots": 0})
    for other_processes_make_videos in (separate_workers, api_only):
        async with Resources(other_processes_make_videos) as opened:
            assert not opened.video_cache.enabled  # their changes would never reach it
    async with Resources(settings) as embedded:
        assert embedded.video_cache.enabled


async def test_a_change_the_cache_missed_is_never_served_when_it_is_back(
    settings: Settings, tmp_path: Path
) -> None:
    async with redis_server(tmp_path) as redis:
        with_redis = settings.model_copy(
            update={"redis_url": redis.url, "cache_retry_interval": 0.01}
        )
        async with Resources(with_redis) as opened:
            videos = opened.video_cache
            lookup = await videos.lookup(["v1"])
            await videos.remember({"v1": ("alice", {"status": "running"})}, lookup)
            assert (await videos.lookup(["v1"])).hits["v1"][1]["status"] == "running"

            # Redis stops answering just as the video completes, then comes back as it
            # was (a network cut, not a restart): it still holds "running".
            await redis.pause()
            await videos.invalidate("v1")
            await redis.resume()
            after = await videos.lookup(["v1"])

    assert "v1" not in after.hits  # read from the database instead
