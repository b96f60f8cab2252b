"""Waiting for another process to get somewhere: the waiting, never the work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_for(check: Callable[[], Awaitable[T | None]], seconds: float = 90) -> T:
    """Poll ``check`` until it returns something truthy; TimeoutError after ``seconds``."""
    async with asyncio.timeout(seconds):
        while not (result := await check()):  # noqa: ASYNC110 - polling another process
            await asyncio.sleep(0.1)
        return result
