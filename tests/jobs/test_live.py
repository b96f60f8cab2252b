"""Live progress is a fast path only: Redis being down never breaks a stream or a video."""

from __future__ import annotations

import time

from aivideo.jobs.live import InProcessEvents, RedisEvents


async def test_with_redis_down_a_subscription_waits_and_publishing_does_not_fail() -> None:
    events = RedisEvents("redis://127.0.0.1:1/0", timeout=0.2)  # nothing listens there
    try:
        await events.publish("some-video", {"type": "progress", "percent": 5})
        async with events.subscribe("some-video") as subscription:
            started = time.monotonic()
            assert await subscription.next(0.2) is None
            assert time.monotonic() - started >= 0.2  # it waited instead of spinning
    finally:
        await events.aclose()


async def test_in_process_subscribers_get_what_is_published_for_their_video() -> None:
    events = InProcessEvents()
    async with events.subscribe("mine") as mine, events.subscribe("other") as other:
        await events.publish("mine", {"type": "progress", "percent": 40})

        assert await mine.next(1) == {"type": "progress", "percent": 40}
        assert await other.next(0.05) is None
