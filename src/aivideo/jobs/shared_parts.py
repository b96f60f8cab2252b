"""Work of one video shared among workers, from the side of the worker making the video.

A stage that can be cut into parts (the render's segments, the speech's runs
of sentences) offers every part to all workers: a row each, a broker task
each. The worker making the video then takes parts itself like any other
worker, as many at once as it would work on alone; what others finish it
brings from the store; a part whose worker stopped renewing its lease is
queued again. One worker alone does the stage about as fast as before; each
worker more takes a share of the parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.errors import RenderFailed
from aivideo.jobs import part_claims
from aivideo.jobs.part_claims import PartKind, PartStatus
from aivideo.jobs.tools import JobTools

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Offer one part of a video to every worker (the broker's task): video id, kind, number.
PublishPart = Callable[[str, PartKind, int], Awaitable[None]]


@dataclass(frozen=True)
class PartWork(Generic[T]):
    """A stage's parts, and how to do one here or bring one done elsewhere."""

    kind: PartKind
    sizes: Sequence[int]  # each part's units of work (frames, sentences), for progress
    at_once: int  # parts this worker works on at once
    do_here: Callable[[int], Coroutine[Any, Any, T]]
    bring: Callable[[int], Coroutine[Any, Any, T]]  # a part another worker did: from the store
    on_progress: Callable[[int, int], None]  # (part, units done so far) of a part elsewhere


class SharedParts:
    """One video's parts, offered to every worker the broker reaches."""

    def __init__(
        self, tools: JobTools, video_id: str, worker_id: str, publish: PublishPart
    ) -> None:
        self.tools = tools
        self.video_id = video_id
        self.worker_id = worker_id
        self._publish = publish

    async def share(self, work: PartWork[T]) -> list[T]:
        """Every part's result, in order, done here or elsewhere.

        Raises:
            RenderFailed: a part stopped every worker that took it, or the parts
                were dropped while the stage ran.
        """
        async with self.tools.sessions() as session:
            await part_claims.offer(session, self.video_id, work.kind, len(work.sizes))
            await session.commit()
        for number in range(len(work.sizes)):
            try:
                await self._publish(self.video_id, work.kind, number)
            except Exception as exc:  # this worker does what nobody is told of
                logger.warning("%s %d not offered to other workers: %s", work.kind, number, exc)
                break
        try:
            return await self._gather(work)
        finally:
            with contextlib.suppress(Exception):  # a stale row only waits for the next offer
                await asyncio.shield(self._forget(work.kind))

    async def _gather(self, work: PartWork[T]) -> list[T]:
        settings = self.tools.settings
        made: dict[int, T] = {}
        here: set[asyncio.Task[T]] = set()
        running: dict[asyncio.Task[T], int] = {}  # parts done here, and parts being brought
        try:
            while len(made) < len(work.sizes):
                async with self.tools.sessions() as session:
                    while len(here) < work.at_once:
                        number = await part_claims.claim_next(
                            session, self.video_id, work.kind, self.worker_id,
                            settings.lease_seconds,
                        )  # fmt: skip
                        await session.commit()
                        if number is None:
                            break
                        task = asyncio.create_task(self._do_here(work, number))
                        here.add(task)
                        running[task] = number
                    await self._take_back_lost(session, work.kind)
                    states = await part_claims.states(session, self.video_id, work.kind)
                self._follow(work, states, made, running)
                if not running:
                    await asyncio.sleep(settings.cancel_check_interval)  # others work
                    continue
                finished, _ = await asyncio.wait(
                    running, timeout=settings.cancel_check_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )  # fmt: skip
                for task in finished:
                    here.discard(task)
                    made[running.pop(task)] = task.result()  # a failure here ends the stage
            return [made[number] for number in range(len(work.sizes))]
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _follow(
        self, work: PartWork[T], states: Sequence[part_claims.PartState], made: dict[int, T],
        running: dict[asyncio.Task[T], int],
    ) -> None:  # fmt: skip
        """Bring the parts others finished; hear how far the others' parts are."""
        if len(states) < len(work.sizes):
            raise RenderFailed(f"the video's {work.kind} parts were dropped while it was made")
        busy = set(running.values())
        for state in states:
            if state.number in made or state.number in busy:
                continue
            if state.status is PartStatus.DONE:
                task = asyncio.create_task(work.bring(state.number))
                running[task] = state.number
                work.on_progress(state.number, work.sizes[state.number])
            elif state.status is PartStatus.RUNNING:
                work.on_progress(state.number, state.done_so_far)
            elif state.status is PartStatus.FAILED:
                raise RenderFailed(
                    f"{work.kind} part {state.number} stopped every worker that took it "
                    f"({self.tools.settings.max_attempts} attempts)"
                )

    async def _do_here(self, work: PartWork[T], number: int) -> T:
        started = time.monotonic()
        result = await work.do_here(number)
        seconds = time.monotonic() - started
        async with self.tools.sessions() as session:
            await part_claims.finish(
                session, self.video_id, work.kind, number, self.worker_id,
                work.sizes[number], seconds,
            )  # fmt: skip
            await session.commit()
        return result

    async def _take_back_lost(self, session: AsyncSession, kind: PartKind) -> None:
        again = await part_claims.take_back_expired(
            session, self.video_id, kind, self.tools.settings.max_attempts, keeper=self.worker_id
        )
        await session.commit()
        for number in again:
            logger.warning("%s %d: its worker stopped renewing it; queued again", kind, number)
            with contextlib.suppress(Exception):  # this worker takes it anyway
                await self._publish(self.video_id, kind, number)

    async def _forget(self, kind: PartKind) -> None:
        async with self.tools.sessions() as session:
            await part_claims.forget(session, self.video_id, kind)
            await session.commit()
