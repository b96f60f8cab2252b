"""Live progress: workers publish what a video is doing, progress streams listen.

Across machines this goes through Redis pub/sub (``AIVIDEO_REDIS_URL``); in
embedded mode, where the worker lives in the API process, through in-process
queues. Either way it is only a fast path: the stream also reads the database
now and then, so a lost message delays an update but never loses the end.

However many streams a process has open, it holds one Redis subscription (a
pattern, on one connection) and hands each message to the listeners of its
video in memory: a thousand open streams are not a thousand connections.
Listeners are plain callbacks, so one listener per video
(:mod:`aivideo.jobs.progress_watch`) can pass an event to all its streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import redis.asyncio as redis

from aivideo.cache.redis_client import make_redis
from aivideo.core.backoff import backoff_delay
from aivideo.jobs.live_event import LiveEvent

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "aivideo:progress:"
SUBSCRIBER_BUFFER = 256  # events a slow reader may fall behind before it loses some


Receiver = Callable[[LiveEvent], None]


class LiveEvents(Protocol):
    async def publish(self, video_id: str, event: LiveEvent) -> None: ...

    def listen(self, video_id: str, receiver: Receiver) -> Callable[[], None]:
        """Hand ``receiver`` each event published for ``video_id`` from now on.

        Returns the function that stops it. ``receiver`` is called in the
        event loop and must not block: it is how one event reaches many streams.
        """
        ...

    async def ready(self) -> None:
        """Return once events published from now on reach the listeners (or, briefly, not)."""
        ...

    def subscribe(self, video_id: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Events published for ``video_id`` from now on, one by one."""
        ...

    async def aclose(self) -> None: ...


class Subscription(Protocol):
    async def next(self, wait: float) -> LiveEvent | None:
        """The next event, or None if none came within ``wait`` seconds."""
        ...


class _QueueSubscription:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[LiveEvent] = asyncio.Queue(SUBSCRIBER_BUFFER)

    def put(self, event: LiveEvent) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a stalled reader skips events
            self.queue.put_nowait(event)

    async def next(self, wait: float) -> LiveEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), wait)
        except TimeoutError:
            return None


@contextlib.asynccontextmanager
async def _subscription(live: LiveEvents, video_id: str) -> AsyncIterator[Subscription]:
    subscription = _QueueSubscription()
    stop = live.listen(video_id, subscription.put)
    try:
        await live.ready()
        yield subscription
    finally:
        stop()


class _Fanout:
    """The listeners of this process, by video; handing them an event never waits."""

    def __init__(self) -> None:
        self._receivers: defaultdict[str, set[Receiver]] = defaultdict(set)

    def deliver(self, video_id: str, event: LiveEvent) -> None:
        for receiver in tuple(self._receivers.get(video_id, ())):
            try:
                receiver(event)
            except Exception:  # one broken listener must not stop the others' events
                logger.exception("a listener of video %s failed", video_id)

    def add(self, video_id: str, receiver: Receiver) -> Callable[[], None]:
        self._receivers[video_id].add(receiver)

        def stop() -> None:
            receivers = self._receivers.get(video_id)
            if receivers is not None:
                receivers.discard(receiver)
                if not receivers:
                    del self._receivers[video_id]

        return stop

    def clear(self) -> None:
        self._receivers.clear()


class InProcessEvents:
    """Subscribers in this process receive what this process publishes."""

    def __init__(self) -> None:
        self._fanout = _Fanout()

    async def publish(self, video_id: str, event: LiveEvent) -> None:
        self._fanout.deliver(video_id, event)

    def listen(self, video_id: str, receiver: Receiver) -> Callable[[], None]:
        return self._fanout.add(video_id, receiver)

    async def ready(self) -> None:
        return None  # nothing to wait for: what is published is delivered at once

    def subscribe(self, video_id: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
        return _subscription(self, video_id)

    async def aclose(self) -> None:
        self._fanout.clear()


class RedisEvents:
    """Redis pub/sub, one channel per video; publishing never fails a video.

    The process's one subscription is made for the first listener and kept
    until :meth:`aclose`; while Redis is away it is made again, after a
    growing pause, and the streams read the database meanwhile.
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

    def listen(self, video_id: str, receiver: Receiver) -> Callable[[], None]:
        if self._listener is None:
            # A context of its own: the listener outlives the request that started it.
            self._listener = asyncio.create_task(
                self._listen(), name="live progress listener", context=contextvars.Context()
            )
        return self._fanout.add(video_id, receiver)

    async def ready(self) -> None:
        # The first listeners wait for the subscription to hold (briefly): they
        # read the database next and must not miss what comes after.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._timeout):
                await self._settled.wait()

    def subscribe(self, video_id: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
        return _subscription(self, video_id)

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
        """Hand a message to its video's listeners; True once the subscription is confirmed."""
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
