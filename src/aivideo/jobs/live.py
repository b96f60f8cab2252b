"""Live progress: workers publish what a video is doing, progress streams listen.

Across machines this goes through Redis pub/sub (``AIVIDEO_REDIS_URL``); in
embedded mode, where the worker lives in the API process, through in-process
queues. Either way it is only a fast path: the stream also reads the database
now and then, so a lost message delays an update but never loses the end.

However many streams a process has open, it holds one Redis subscription (a
pattern, on one connection) and hands each message to the streams of its
video in memory: a thousand open streams are not a thousand connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as redis

from aivideo.cache.redis_client import make_redis
from aivideo.core.backoff import backoff_delay
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


class _Fanout:
    """The subscribers of this process, by video; handing them an event never waits."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[_QueueSubscription]] = defaultdict(set)

    def deliver(self, video_id: str, event: LiveEvent) -> None:
        for subscription in self._subscribers.get(video_id, ()):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled reader skips events
                subscription.queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscription(self, video_id: str) -> AsyncIterator[Subscription]:
        subscription = _QueueSubscription()
        self._subscribers[video_id].add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[video_id].discard(subscription)
            if not self._subscribers[video_id]:
                del self._subscribers[video_id]

    def clear(self) -> None:
        self._subscribers.clear()


class InProcessEvents:
    """Subscribers in this process receive what this process publishes."""

    def __init__(self) -> None:
        self._fanout = _Fanout()

    async def publish(self, video_id: str, event: LiveEvent) -> None:
        self._fanout.deliver(video_id, event)

    def subscribe(self, video_id: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
        return self._fanout.subscription(video_id)

    async def aclose(self) -> None:
        self._fanout.clear()


class RedisEvents:
    """Redis pub/sub, one channel per video; publishing never fails a video.

    The process's one subscription is made by the first stream that opens
    and kept until :meth:`aclose`; while Redis is away it is made again, after
    a growing pause, and the streams read the database meanwhile.
    """

    def __init__(self, url: str, timeout: float) -> None:
        self._client = make_redis(url, timeout)
        self._timeout = timeout
        self._fanout = _Fanout()
        self._listener: asyncio.Task[None] | None = None
        # Set once the listener knows where it stands: subscribed, or Redis away.
        self._settled = asyncio.Event()

    async def publish(self, video_id: str, event: LiveEvent) -> None:
        try:
            await self._client.publish(CHANNEL_PREFIX + video_id, json.dumps(event.to_json()))
        except Exception as exc:  # progress is advisory: never fail a video over it
            logger.warning("could not publish progress of video %s: %s", video_id, exc)

    @contextlib.asynccontextmanager
    async def subscribe(self, video_id: str) -> AsyncIterator[Subscription]:
        if self._listener is None:
            # A context of its own: the listener outlives the request that started it.
            self._listener = asyncio.create_task(
                self._listen(), name="live progress listener", context=contextvars.Context()
            )
        async with self._fanout.subscription(video_id) as subscription:
            # The first stream waits for the subscription to hold (briefly): the
            # caller reads the database next and must not miss what comes after.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._timeout):
                    await self._settled.wait()
            yield subscription

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        self._fanout.clear()
        await self._client.aclose()

    async def _listen(self) -> None:
        """Hold the process's subscription and hand out its messages, for as long as it runs."""
        failures = 0
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.psubscribe(CHANNEL_PREFIX + "*")
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and self._receive(message) and failures:
                        logger.info("live progress is back")
                        failures = 0
            except (redis.RedisError, OSError) as exc:
                if not failures:
                    logger.warning("live progress unavailable (%s): streams read the database", exc)
                failures += 1
            finally:
                self._settled.set()
                with contextlib.suppress(redis.RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff_delay(failures, 0.5, 10.0))

    def _receive(self, message: dict[str, object]) -> bool:
        """Hand a message to its video's streams; True once the subscription is confirmed."""
        if message.get("type") == "psubscribe":
            self._settled.set()
            return True
        channel, data = message.get("channel"), message.get("data")
        if message.get("type") != "pmessage" or not isinstance(channel, bytes):
            return False
        try:
            decoded = json.loads(data) if isinstance(data, bytes | str) else None
        except ValueError:
            return False  # not ours: the streams go on without it
        event = LiveEvent.from_json(decoded) if isinstance(decoded, dict) else None
        if event is not None:
            self._fanout.deliver(channel.decode().removeprefix(CHANNEL_PREFIX), event)
        return False


def make_live_events(redis_url: str | None, timeout: float) -> LiveEvents:
    if redis_url is None:
        return InProcessEvents()
    return RedisEvents(redis_url, timeout)
