"""Requests that arrive together are served by one piece of work (one transaction, one query).

The first request starts a batch at once: a lone request waits for nothing.
Requests that arrive while a batch is running wait for the next one, which
takes all of them (up to ``max_size``). So under load the work is done once
for many requests, and every batch starts after each of its requests arrived:
what it reads is at least as new as what each request could have read alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

# The work for one batch: an outcome per item, in order; an exception is that item's error.
BatchWork = Callable[[Sequence[Item]], Awaitable[Sequence[Outcome | Exception]]]


class Batches(Generic[Item, Outcome]):
    def __init__(self, work: BatchWork[Item, Outcome], *, max_size: int, name: str) -> None:
        self.work = work
        self.max_size = max_size
        self.name = name
        self._waiting: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._running: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Outcome:
        """Have ``item`` done with the next batch; its outcome, or its error raised."""
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, outcome))
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run_batches(), name=self.name)
        return await outcome

    async def _run_batches(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self.max_size], self._waiting[self.max_size :]
            batch = [(item, outcome) for item, outcome in batch if not outcome.done()]  # cancelled
            if not batch:
                continue
            try:
                outcomes = await self.work([item for item, _ in batch])
            except BaseException as exc:  # the batch's error is each request's error
                for _, outcome in batch:
                    if not outcome.done():
                        outcome.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise  # cancelled (shutting down): the requests have been told
                continue
            for (_, outcome), result in zip(batch, outcomes, strict=True):
                if outcome.done():
                    continue  # its client went away
                if isinstance(result, Exception):
                    outcome.set_exception(result)
                else:
                    outcome.set_result(result)
