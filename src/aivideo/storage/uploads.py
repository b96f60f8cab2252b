"""Many files into a store at once, a few in flight: the first failure stops the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from functools import partial

from aivideo.storage.objects import ObjectStore, Upload

AT_ONCE = 4


async def put_all(store: ObjectStore, uploads: Iterable[Upload]) -> None:
    """Put every upload into ``store``, ``AT_ONCE`` at a time.

    Raises:
        StorageUnavailable: one did not go up; those still in flight are cancelled.
    """
    await a_few_at_once([partial(store.put, upload) for upload in uploads])


async def a_few_at_once(calls: list[Callable[[], Awaitable[object]]]) -> None:
    """Await every call, ``AT_ONCE`` at a time; the first failure cancels the others."""
    limit = asyncio.Semaphore(AT_ONCE)

    async def run(call: Callable[[], Awaitable[object]]) -> None:
        async with limit:
            await call()

    tasks = [asyncio.create_task(run(call)) for call in calls]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
