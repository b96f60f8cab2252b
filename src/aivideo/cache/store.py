"""The cache: JSON values with a TTL, in process memory or in Redis (cashews backends).

Embedded mode keeps entries in this process (cashews' memory backend: TTL
and a size bound, least recently used out first). With ``AIVIDEO_REDIS_URL``
they live in Redis (cashews' backend on redis-py's asyncio client and its
connection pool), shared by every process.

A cache only makes things faster, so it must never make them fail or slow:
every call is cut off after ``cache_timeout`` (50 ms by default); a failure
or a cut-off marks the cache down, which is logged once, after which calls
skip it (a miss) for ``cache_retry_interval`` before trying again; the first
call that works marks it up again. Callers read the database on a miss.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import warnings
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

import redis.exceptions as redis
from cashews.backends.interface import Backend
from cashews.backends.memory import Memory
from cashews.backends.redis import Redis
from cashews.exceptions import CacheBackendInteractionError
from cashews.picklers import PicklerType
from cashews.serialize import get_serializer

from aivideo.core.config import Settings
from aivideo.observability.metrics import CACHE_REQUESTS, timed

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEY_PREFIX = "aivideo:"
BACKSTOP = 2  # times the cache timeout a call may take in any case


class _Skipped(Exception):
    """The cache is down (or too slow): the call was not made or was cut off."""


class Cache:
    """JSON-able values by string key, each with a TTL in seconds."""

    def __init__(
        self, backend: Backend, kind: str, *, timeout: float, retry_interval: float
    ) -> None:
        self.backend = backend
        self.kind = kind  # "memory" or "redis", for /readyz and logs
        self.timeout = timeout
        self.retry_interval = retry_interval
        self._down_since: float | None = None
        self._next_try = 0.0
        self.last_error = ""

    @property
    def is_up(self) -> bool:
        return self._down_since is None

    async def open(self) -> None:
        await self.backend.init()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        with warnings.catch_warnings():
            # cashews 7.6 closes redis-py's client with close(), deprecated for aclose().
            warnings.simplefilter("ignore", DeprecationWarning)
            await self.backend.close()  # type: ignore[no-untyped-call]

    async def get(self, key: str) -> Any | None:
        """The value, or None on a miss (a cache that is down misses)."""
        return (await self.get_many([key]))[0]

    async def get_many(self, keys: list[str]) -> list[Any | None]:
        try:
            raw = await self._call("get", self.backend.get_many(*(KEY_PREFIX + k for k in keys)))
        except _Skipped:
            CACHE_REQUESTS.labels("unavailable").inc(len(keys))
            return [None] * len(keys)
        values = [_decode(value) for value in raw]
        hits = sum(value is not None for value in values)
        CACHE_REQUESTS.labels("hit").inc(hits)
        CACHE_REQUESTS.labels("miss").inc(len(keys) - hits)
        return values

    async def set(self, key: str, value: Any, ttl: float) -> bool:
        return await self.set_many({key: value}, ttl)

    async def set_many(self, values: Mapping[str, Any], ttl: float) -> bool:
        """Store the values; False when the cache is down (they may not be stored)."""
        encoded = {KEY_PREFIX + key: json.dumps(value).encode() for key, value in values.items()}
        try:
            await self._call("set", self.backend.set_many(encoded, expire=ttl))
        except _Skipped:
            return False
        return True

    async def ping(self) -> None:
        """Raise unless the store answers now (for /readyz); an answer marks it up again."""
        self._next_try = 0.0  # a health check always asks the store itself
        try:
            await self._call("ping", self.backend.ping())
        except _Skipped as skipped:
            raise ConnectionError(self.last_error) from skipped.__cause__

    async def _call(self, name: str, operation: Awaitable[T]) -> T:
        if self._down_since is not None and time.monotonic() < self._next_try:
            if asyncio.iscoroutine(operation):
                operation.close()  # never awaited: say so to Python, quietly
            raise _Skipped
        try:
            with timed("cache", name):
                # redis-py's own socket timeouts are the bound and clean up after
                # themselves; this one is the backstop should a call hang elsewhere.
                async with asyncio.timeout(self.timeout * BACKSTOP):
                    result = await operation
        except Exception as exc:  # a cache failure of any kind only means "no cache"
            self._mark_down(exc)
            raise _Skipped from exc
        if self._down_since is not None:
            logger.warning(
                "the %s cache is back after %.1f s", self.kind, time.monotonic() - self._down_since
            )
            self._down_since = None
        return result

    def _mark_down(self, error: Exception) -> None:
        now = time.monotonic()
        self._next_try = now + self.retry_interval
        self.last_error = _describe(error, self.timeout)
        if self._down_since is None:
            self._down_since = now
            logger.warning(
                "the %s cache is not answering (%s): serving from the database until it is back",
                self.kind,
                self.last_error,
            )


def _decode(value: Any) -> Any | None:
    if value is None:
        return None
    if isinstance(value, int):  # cashews reads a value of only digits as a number
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None  # something else wrote this key: treat it as a miss


def _describe(error: BaseException, timeout: float) -> str:
    if isinstance(error, CacheBackendInteractionError) and error.__cause__ is not None:
        error = error.__cause__  # cashews' wrapper says nothing of its own
    if isinstance(error, TimeoutError | redis.TimeoutError):
        return f"no answer within {timeout * 1000:.0f} ms"
    return f"{type(error).__name__}: {error}"


def make_cache(settings: Settings) -> Cache:
    """Redis when ``AIVIDEO_REDIS_URL`` is set, else this process's memory."""
    backend: Backend
    if settings.redis_url:
        backend = Redis(
            settings.redis_url,
            suppress=False,  # errors reach Cache, which decides they mean "down"
            socket_timeout=settings.cache_timeout,
            socket_connect_timeout=settings.cache_timeout,
            max_connections=settings.cache_max_connections,
            # A full pool is a slow cache: give up on it as quickly as on Redis.
            wait_for_connection_timeout=settings.cache_timeout,
            health_check_interval=0,
            client_name=None,
            driver_info=None,  # skips CLIENT SETINFO, which stats files on the loop
            # Values are JSON we encode ourselves: never unpickle what Redis holds.
            serializer=get_serializer(pickle_type=PicklerType.NULL),
        )
        kind = "redis"
    else:
        # Expired entries are never served; the sweep only frees their memory, and
        # it walks every key in one go on the loop: seldom, then.
        backend = Memory(size=settings.cache_memory_size, check_interval=30)
        kind = "memory"
    return Cache(
        backend, kind, timeout=settings.cache_timeout, retry_interval=settings.cache_retry_interval
    )
