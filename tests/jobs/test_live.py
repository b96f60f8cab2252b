"""Live progress is a fast path only: Redis being down never breaks a stream or a video."""

from __future__ import annotations

import time
from pathlib import Path

from aivideo.jobs.live import InProcessEvents, RedisEvents
from aivideo.jobs.live_event import LiveEvent
from tests.support.polling import wait_for
from tests.support.redis_server import redis_server


async def test_with_redis_down_a_subscription_waits_and_publishing_does_not_fail() -> None:
    events = RedisEvents("redis://127.0.0.1:1/0", timeout=0.2)  # nothing listens there
    try:
        await events.publish("some-video", LiveEvent.progress("running", 5))
        async with events.subscribe("some-video") as subscription:
            started = time.monotonic()
            assert await subscription.next(0.2) is None
            assert time.monotonic() - started >= 0.2  # it waited instead of spinning
    finally:
        await events.aclose()


async def test_in_process_subscribers_get_what_is_published_for_their_video() -> None:
    events = InProcessEvents()
    async with events.subscribe("mine") as mine, events.subscribe("other") as other:
        await events.publish("mine", LiveEvent.progress("running", 40, "speech"))

        assert await mine.next(1) == LiveEvent.progress("running", 40, "speech")
        assert await other.next(0.05) is None


def test_a_live_event_reads_back_what_it_wrote_and_refuses_what_is_not_one() -> None:
    sent = LiveEvent.status_changed("failed", "the disk is full")
    assert LiveEvent.from_json(sent.to_json()) == sent
    assert sent.to_json() == {"type": "status", "status": "failed", "message": "the disk is full"}
    assert LiveEvent.from_json({"type": "progress"}) is None  # no status
    assert LiveEvent.from_json({"type": "gossip", "status": "running"}) is None


async def test_the_shared_subscription_comes_back_after_redis_restarts(tmp_path: Path) -> None:
    async with redis_server(tmp_path) as server:
        events = RedisEvents(server.url, timeout=0.5)
        try:
            async with events.subscribe("mine") as mine, events.subscribe("other") as other:
                await events.publish("mine", LiveEvent.progress("running", 10))
                assert await mine.next(5) == LiveEvent.progress("running", 10)

                await server.kill()
                await server.start()  # the same port, nothing subscribed

                async def delivered() -> LiveEvent | None:
                    await events.publish("mine", LiveEvent.progress("running", 20))
                    return await mine.next(0.5)

                assert await wait_for(delivered, seconds=20) == LiveEvent.progress("running", 20)
                assert await other.next(0.05) is None  # still only its own video's
        finally:
            await events.aclose()
