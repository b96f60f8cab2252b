"""Shared work, from the side of a worker that helps: the broker's ``take_part`` task.

A delivery claims its part in the database (a duplicate, or a part the
video's own worker already took, claims nothing and is dropped), then does it
in a scratch folder of this machine: the kind's :data:`PartDoer` brings the
part's job and files from the store, does the work, and puts the result into
the store, all before the part is recorded done, so the video's worker never
looks for a result that is not whole. Meanwhile the claim is renewed; a claim
that is gone (the video cancelled or failed, the part taken back) stops the
work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from aivideo.jobs import part_claims
from aivideo.jobs.part_claims import PartKind
from aivideo.jobs.tools import JobTools

logger = logging.getLogger(__name__)

SCRATCH_FOLDER = ".parts"  # in this machine's data folder: one folder per part taken


class PartGone(Exception):
    """The part is no longer this worker's to do (its job left the store: the stage is over)."""


# (video id, part number, scratch folder, report of units done so far) -> units done in all.
PartDoer = Callable[[str, int, Path, Callable[[int], None]], Coroutine[Any, Any, int]]


class PartTaker:
    def __init__(self, tools: JobTools, worker_id: str, doers: Mapping[PartKind, PartDoer]) -> None:
        self.tools = tools
        self.worker_id = worker_id
        self._doers = doers
        self._running: set[asyncio.Task[object]] = set()

    async def take(self, video_id: str, kind: PartKind, number: int) -> None:
        """The taskiq task. Returns once the part is stored, or is not this worker's."""
        settings = self.tools.settings
        async with self.tools.sessions() as session:
            claimed = await part_claims.claim(
                session, video_id, kind, number, self.worker_id, settings.lease_seconds
            )
            await session.commit()
        if not claimed:
            return  # done, taken by another worker, or its video is no longer running
        handler = asyncio.current_task()
        assert handler is not None
        self._running.add(handler)
        scratch = self.tools.storage_dir / SCRATCH_FOLDER / f"{video_id}-{kind}-{number}"
        try:
            await self._do(video_id, kind, number, scratch)
        except (PartGone, asyncio.CancelledError) as exc:
            await asyncio.shield(self._give_back(video_id, kind, number))
            if isinstance(exc, asyncio.CancelledError):
                raise
        except Exception:
            logger.exception("video %s: %s %d failed here; queued again", video_id, kind, number)
            await asyncio.shield(self._give_back(video_id, kind, number))
        finally:
            self._running.discard(handler)
            await asyncio.to_thread(shutil.rmtree, scratch, True)

    async def stop(self) -> None:
        """Give back the parts in progress (this worker is stopping)."""
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _do(self, video_id: str, kind: PartKind, number: int, scratch: Path) -> None:
        started = time.monotonic()
        done_so_far = [0]

        def report(done: int) -> None:
            done_so_far[0] = done

        work = asyncio.create_task(self._doers[kind](video_id, number, scratch, report))
        try:
            await self._hold(video_id, kind, number, work, done_so_far)
            units = work.result()
        finally:
            if not work.done():
                work.cancel()
            await asyncio.gather(work, return_exceptions=True)
        seconds = time.monotonic() - started
        async with self.tools.sessions() as session:
            done = await part_claims.finish(
                session, video_id, kind, number, self.worker_id, units, seconds
            )
            await session.commit()
        if done:
            logger.info("video %s: %s %d done here in %.1f s", video_id, kind, number, seconds)

    async def _hold(
        self, video_id: str, kind: PartKind, number: int, work: asyncio.Task[int],
        done_so_far: list[int],
    ) -> None:  # fmt: skip
        """Renew the claim until the work is done; stop it if the claim is gone."""
        settings = self.tools.settings
        while not work.done():
            await asyncio.wait([work], timeout=settings.cancel_check_interval)
            if work.done():
                return
            async with self.tools.sessions() as session:
                held = await part_claims.renew(
                    session, video_id, kind, number, self.worker_id, settings.lease_seconds,
                    done_so_far[0],
                )  # fmt: skip
                await session.commit()
            if not held:
                raise PartGone()

    async def _give_back(self, video_id: str, kind: PartKind, number: int) -> None:
        with contextlib.suppress(Exception):  # the lease runs out anyway
            async with self.tools.sessions() as session:
                await part_claims.give_back(session, video_id, kind, number, self.worker_id)
                await session.commit()
