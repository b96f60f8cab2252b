"""Progress streams: one Redis subscription per process, a cap per user, a longest life."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis.asyncio as redis
from httpx_sse import ServerSentEvent, aconnect_sse
from sqlalchemy import update

from aivideo.api import progress_stream
from aivideo.api.middleware.stream_admission import STARTS_PER_TURN
from aivideo.core.config import Settings
from aivideo.db.models import Video
from aivideo.jobs.live import CHANNEL_PREFIX
from aivideo.jobs.live_event import LiveEvent
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.redis_server import redis_server
from tests.support.server import Api, running_api
from tests.support.statements import statements_run

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class _Stream:
    response: httpx.Response
    events: AsyncIterator[ServerSentEvent]


@contextlib.asynccontextmanager
async def _stream(
    client: httpx.AsyncClient, video_id: str, **headers: str
) -> AsyncIterator[_Stream]:
    """An open progress stream of ``video_id``; closed when the block ends."""
    async with aconnect_sse(
        client, "GET", f"/v1/videos/{video_id}/progress", headers=headers
    ) as source:
        assert source.response.status_code == 200, await source.response.aread()
        yield _Stream(source.response, source.aiter_sse())


async def _next_progress(stream: _Stream) -> dict[str, object]:
    while (event := await anext(stream.events)).event != "progress":
        pass
    data: dict[str, object] = json.loads(event.data)
    return data


async def _videos(api: Api, count: int) -> list[str]:
    return [
        (await api.alice.post("/v1/videos", json={"text": f"Video {n}."})).json()["id"]
        for n in range(count)
    ]


async def _subscribed_connections(probe: redis.Redis) -> tuple[int, int]:
    """(connections holding a subscription, all connections) of the Redis server."""
    clients = await probe.client_list()
    subscribed = [c for c in clients if int(c.get("sub", 0)) or int(c.get("psub", 0))]
    return len(subscribed), len(clients)


async def test_many_streams_share_one_redis_connection_and_each_gets_its_own_video_s_events(
    settings: Settings, resources: Resources, tmp_path: Path
) -> None:
    async with redis_server(tmp_path) as server, contextlib.AsyncExitStack() as streams:
        shared = settings.model_copy(
            update={"render_slots": 0, "redis_url": server.url, "max_streams_per_user": 20}
        )
        api = await streams.enter_async_context(running_api(shared, resources))
        probe = redis.Redis.from_url(server.url, driver_info=None)
        streams.push_async_callback(probe.aclose)
        video_ids = await _videos(api, 3)
        first = await streams.enter_async_context(_stream(api.alice, video_ids[0]))
        await _next_progress(first)
        with_one = await _subscribed_connections(probe)

        sources = {video_id: [first] if video_id == video_ids[0] else [] for video_id in video_ids}
        for video_id in video_ids:
            while len(sources[video_id]) < 4:
                source = await streams.enter_async_context(_stream(api.alice, video_id))
                await _next_progress(source)  # the queued video, read from the database
                sources[video_id].append(source)
        with_twelve = await _subscribed_connections(probe)

        for percent, video_id in enumerate(video_ids, start=41):
            event = LiveEvent.progress("running", percent, "speech")
            await probe.publish(CHANNEL_PREFIX + video_id, json.dumps(event.to_json()))
        received = {
            video_id: [(await _next_progress(source))["percent"] for source in video_sources]
            for video_id, video_sources in sources.items()
        }

    assert with_one == (1, with_one[1])
    assert with_twelve == with_one  # still one subscription, and not one connection more
    assert received == {video_id: [n] * 4 for n, video_id in enumerate(video_ids, start=41)}


@pytest.fixture
async def capped_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    capped = settings.model_copy(update={"render_slots": 0, "max_streams_per_user": 2})
    async with running_api(capped, resources) as api:
        yield api


async def test_a_user_over_the_stream_cap_gets_429_until_one_of_theirs_closes(
    capped_api: Api,
) -> None:
    api = capped_api
    video_id = (await _videos(api, 1))[0]
    bob_s = (await api.bob.post("/v1/videos", json={"text": "Bob's."})).json()["id"]

    async with _stream(api.alice, video_id), _stream(api.alice, video_id) as second:
        refused = await api.alice.get(f"/v1/videos/{video_id}/progress")
        async with _stream(api.bob, bob_s) as bob_stream:  # another user's cap is their own
            assert (await _next_progress(bob_stream))["status"] == "queued"
        await second.response.aclose()  # the client goes away

        async def accepted_again() -> bool:
            async with api.alice.stream("GET", f"/v1/videos/{video_id}/progress") as again:
                return again.status_code == 200

        assert await wait_for(accepted_again, seconds=10)

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "5"
    error = refused.json()["error"]
    assert error["code"] == "too_many_streams"
    assert error["message"].startswith("you have 2 progress streams open, the most one user")


async def test_a_stream_ends_after_its_longest_life_and_a_reconnect_goes_on_where_it_was(
    settings: Settings, resources: Resources
) -> None:
    short_lived = settings.model_copy(update={"render_slots": 0, "stream_max_seconds": 1.0})
    async with running_api(short_lived, resources) as api:
        video_id = (await _videos(api, 1))[0]
        async with _stream(api.alice, video_id) as stream:
            first = [(event.event, event.id, event.data) async for event in stream.events]
        await api.alice.post(f"/v1/videos/{video_id}/cancel")
        last_log_id = next(id_ for kind, id_, _ in reversed(first) if kind == "log")
        async with _stream(api.alice, video_id, **{"Last-Event-ID": last_log_id}) as stream:
            second = [(event.event, event.data) async for event in stream.events]
        malformed = await api.alice.get(
            f"/v1/videos/{video_id}/progress", headers={"Last-Event-ID": "yesterday"}
        )

    kind, _, data = first[-1]
    assert kind == "reconnect"
    assert "open for 1 s, the longest a stream may last: connect again" in data
    logs = [json.loads(data)["message"] for kind, data in second if kind == "log"]
    assert logs == ["cancelled at the owner's request"]  # not "video queued" again
    assert second[-1][0] == "done"
    assert malformed.status_code == 422
    assert "Last-Event-ID 'yesterday' is not the id" in malformed.json()["error"]["message"]


async def _next_of_kind(stream: _Stream, kind: str) -> dict[str, object]:
    while (event := await anext(stream.events)).event != kind:
        pass
    data: dict[str, object] = json.loads(event.data)
    return data


async def test_open_streams_share_one_database_read_a_second_and_closed_ones_cost_nothing(
    settings: Settings, resources: Resources
) -> None:
    many = settings.model_copy(update={"render_slots": 0, "max_streams_per_user": 20})
    async with running_api(many, resources) as api:
        video_ids = await _videos(api, 3)
        async with contextlib.AsyncExitStack() as stack:
            # Kept, each of them: a stream no longer referred to is closed when collected.
            streams = [
                await stack.enter_async_context(_stream(api.alice, video_id))
                for video_id in video_ids * 4
            ]
            for stream in streams:
                await _next_progress(stream)
            with statements_run("video_events") as while_open:
                await asyncio.sleep(3)  # the window measured: what 12 idle streams cost
        await asyncio.sleep(0.5)  # the server notices the closed connections
        with statements_run("video_events") as after_close:
            await asyncio.sleep(2)

    # Each second, one read for all the videos: the highest log line, then the
    # videos' new lines. Read by each stream, it would be 12 a second.
    assert 2 <= len(while_open) <= 4 * 2, while_open
    assert after_close == []


async def test_a_deleted_video_s_stream_ends_with_done_and_no_video(api: Api) -> None:
    video_id = (await _videos(api, 1))[0]

    async with _stream(api.alice, video_id) as stream:
        await _next_progress(stream)
        assert (await api.alice.delete(f"/v1/videos/{video_id}")).status_code == 204
        async with asyncio.timeout(5):
            done = await _next_of_kind(stream, "done")

    assert done == {"status": "deleted", "video": None}


async def test_a_video_that_ends_without_a_live_message_still_ends_its_stream(
    api: Api, resources: Resources
) -> None:
    video_id = (await _videos(api, 1))[0]

    async with _stream(api.alice, video_id) as stream:
        await _next_progress(stream)
        # As a worker whose last message was lost leaves it: stored, never published.
        async with resources.sessions() as session:
            await session.execute(
                update(Video).where(Video.id == video_id).values(status="failed", progress=30)
            )
            await session.commit()
        async with asyncio.timeout(5):
            last = await _next_progress(stream)
            done = await _next_of_kind(stream, "done")

    assert last == {"status": "failed", "stage": None, "percent": 30}
    assert done["status"] == "failed"
    assert done["video"]["id"] == video_id  # type: ignore[index]


async def test_a_quiet_stream_sends_a_keep_alive_comment_now_and_then(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_stream, "PING_SECONDS", 0.5)
    video_id = (await _videos(api, 1))[0]

    async with api.alice.stream("GET", f"/v1/videos/{video_id}/progress") as response:
        lines = response.aiter_lines()
        async with asyncio.timeout(5):  # the queued video has nothing new to say
            while await anext(lines) != ": ping":
                pass

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


async def test_hundreds_of_streams_opened_at_once_each_get_their_video_and_a_get_is_answered(
    settings: Settings, resources: Resources
) -> None:
    crowd = 3 * STARTS_PER_TURN  # they start over three turns of the loop at least
    wide = settings.model_copy(update={"render_slots": 0, "max_streams_per_user": crowd})
    async with (
        running_api(wide, resources) as api,
        httpx.AsyncClient(
            base_url=api.base_url,
            headers=api.alice.headers,
            limits=httpx.Limits(max_connections=crowd + 10),
            timeout=60,
        ) as client,
    ):
        video_ids = await _videos(api, 3)

        async def first_progress(video_id: str) -> tuple[str, object]:
            async with _stream(client, video_id) as stream:
                return video_id, (await _next_progress(stream))["status"]

        *firsts, plain = await asyncio.gather(
            *(first_progress(video_ids[n % 3]) for n in range(crowd)),
            api.alice.get(f"/v1/videos/{video_ids[0]}"),
        )

    assert sorted(firsts) == sorted((video_ids[n % 3], "queued") for n in range(crowd))
    assert plain.status_code == 200
