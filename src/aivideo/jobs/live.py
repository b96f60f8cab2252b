"""Live progress: workers publish what a video is doing, progress streams listen.

Across machines this goes through Redis pub/sub (``AIVIDEO_REDIS_URL``); in
embedded mode, where the worker lives in the API process, through in-process
queues. Either way it is only a fast path: the stream also reads the database
now and then, so a lost message delays an update but never loses the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as redis

from aivideo.cache.redis_client import make_redis
from aivideo.jobs.live_event import LiveEvent

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "aivideo:progress:"
SUBSCRIBER_BUFFER = 256  # events a slow reader may fall behind before it loses some


class LiveEvents(Protocol):
    async def publish(self, video_id: str, event: LiveEvent) -> None: ...

    def subscribe(self, video_id: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Events published for ``video_id`` from now on."""
        ...

    async def aclose(self) -> None: ...


class Subscription(Protocol):
    async def next(self, wait: float) -> LiveEvent | None:
        """The next event, or None if none came within ``wait`` seconds."""
        ...


class _QueueSubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(SUBSCRIBER_BUFFER)

    async def next(self, wait: float) -> LiveEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), wait)
        except TimeoutError:
            return None


class InProcessEvents:
    """Subscribers in this process receive what this process publishes."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[_QueueSubscription]] = defaultdict(set)

    async def publish(self, video_id: str, event: LiveEvent) -> None:
        for subscription in self._subscribers.get(video_id, ()):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled reader skips events
                subscription.queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, video_id: str) -> AsyncIterator[Subscription]:
        subscription = _QueueSubscription()
        self._subscribers[video_id].add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[video_id].discard(subscription)
            if not self._subscribers[video_id]:
                del self._subscribers[video_id]

    async def aclose(self) -> None:
        self._subscribers.clear()


class _RedisSubscription:
    def __init__(self, pubsub: redis.client.PubSub) -> None:
        self.pubsub = pubsub

    async def next(self, wait: float) -> LiveEvent | None:
        try:
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=wait)
        except (redis.RedisError, OSError, RuntimeError):
            # Redis is away (RuntimeError: it was already away when subscribing):
            # the stream goes on reading the database meanwhile.
            await asyncio.sleep(wait)
            return None
        if message is None:
            return None
        try:
            data = json.loads(message["data"])
        except ValueError:
            return None  # not ours: a stream goes on without it
        return LiveEvent.from_json(data) if isinstance(data, dict) else None


class RedisEvents:
    """Redis pub/sub, one channel per video; publishing never fails a video."""

    def __init__(self, url: str, timeout: float) -> None:
        self._client = make_redis(url, timeout)

    async def publish(self, video_id: str, event: LiveEvent) -> None:
        try:
            await self._client.publish(CHANNEL_PREFIX + video_id, json.dumps(event.to_json()))
        except Exception as exc:  # progress is advisory: never fail a video over it
            logger.warning("could not publish progress of video %s: %s", video_id, exc)

    @contextlib.asynccontextmanager
    async def subscribe(self, video_id: str) -> AsyncIterator[Subscription]:
        pubsub = self._client.pubsub()
        try:
            try:
                await pubsub.subscribe(CHANNEL_PREFIX + video_id)
            except (redis.RedisError, OSError) as exc:
                logger.warning("live progress unavailable (%s): reading the database only", exc)
            yield _RedisSubscription(pubsub)
        finally:
            with contextlib.suppress(redis.RedisError, OSError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def aclose(self) -> None:
        await self._client.aclose()


def make_live_events(redis_url: str | None, timeout: float) -> LiveEvents:
    if redis_url is None:
        return InProcessEvents()
    return RedisEvents(redis_url, timeout)
