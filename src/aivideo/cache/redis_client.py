"""One way to make a Redis client, so every part connects the same way."""

from __future__ import annotations

import redis.asyncio as redis


def make_redis(url: str, timeout: float) -> redis.Redis:
    """A pooled asyncio client whose calls give up after ``timeout`` seconds.

    ``driver_info=None`` skips CLIENT SETINFO on connect, which would read
    redis-py's installed version from disk (a blocking stat) on every new
    connection, on the event loop.
    """
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, driver_info=None
    )
