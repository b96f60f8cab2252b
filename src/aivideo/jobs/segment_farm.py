"""Parallel segments, from the side of the worker making the video.

It offers every segment of the render to all workers (a row each, a broker
task each, the jobs and their pictures in the store), then takes segments
itself like any other worker, as many at once as it would encode alone. What
others finish it downloads; a segment whose worker stopped renewing its lease
is queued again. When every segment is here, the render goes on as when made
alone (the join and the sound). One worker alone makes the video about as
fast as before; each worker more takes a share of the segments.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.atomic_files import partial_path
from aivideo.core.config import Settings
from aivideo.core.errors import RenderFailed
from aivideo.jobs import segment_claims
from aivideo.jobs.segment_claims import SegmentStatus
from aivideo.jobs.segment_files import (
    folder_key,
    input_key,
    input_name,
    put_job,
    segment_key,
)
from aivideo.jobs.tools import JobTools
from aivideo.pipeline.render import EncodedHere, SegmentFrames, segments_at_once
from aivideo.pipeline.segments import SegmentJob, encode_segment, fonts_for_captions
from aivideo.storage import Upload
from aivideo.storage.uploads import a_few_at_once, put_all

logger = logging.getLogger(__name__)

# Offer one segment of a video to every worker (the broker's task).
PublishSegment = Callable[[str, int], Awaitable[None]]


class SegmentsOnWorkers:
    """A :class:`~aivideo.pipeline.render.SegmentFarm` of every worker the broker reaches."""

    def __init__(
        self, tools: JobTools, video_id: str, worker_id: str, workspace: Path,
        publish: PublishSegment,
    ) -> None:  # fmt: skip
        self.tools = tools
        self.settings: Settings = tools.settings
        self.video_id = video_id
        self.worker_id = worker_id
        self.workspace = workspace
        self._publish = publish

    async def encode(
        self, jobs: Sequence[SegmentJob], folder: Path, on_frames: SegmentFrames
    ) -> list[Path]:
        if len(jobs) < 2:  # nothing to share
            return await EncodedHere().encode(jobs, folder, on_frames)
        await self._offer(jobs)
        try:
            return await self._gather(jobs, folder, on_frames)
        finally:
            with contextlib.suppress(Exception):  # only space: the next render offers anew
                await asyncio.shield(self._clear())

    async def _offer(self, jobs: Sequence[SegmentJob]) -> None:
        """The jobs and their files into the store, a row each, a task each."""
        store = self.tools.store
        names = {path: input_name(path, self.workspace) for job in jobs for path in job.files()}
        await put_all(
            store,
            (Upload(input_key(self.video_id, name), Path(path), "application/octet-stream")
             for path, name in names.items()),
        )  # fmt: skip
        await a_few_at_once(
            [partial(put_job, store, self.video_id, job.with_files(names.__getitem__))
             for job in jobs]
        )  # fmt: skip
        async with self.tools.sessions() as session:
            await segment_claims.offer(session, self.video_id, len(jobs))
            await session.commit()
        for job in jobs:
            try:
                await self._publish(self.video_id, job.number)
            except Exception as exc:  # this worker takes what nobody is told of
                logger.warning("segment %d not offered to other workers: %s", job.number, exc)
                break

    async def _gather(
        self, jobs: Sequence[SegmentJob], folder: Path, on_frames: SegmentFrames
    ) -> list[Path]:
        fonts = await fonts_for_captions(folder)
        capacity = segments_at_once(jobs[0].frame)
        made: dict[int, Path] = {}
        work: dict[asyncio.Task[Path], int] = {}  # encodes here and downloads, by segment
        try:
            while len(made) < len(jobs):
                busy = set(work.values())
                encoding_here = sum(1 for task in work if task.get_name().startswith("encode"))
                async with self.tools.sessions() as session:
                    for _ in range(capacity - encoding_here):
                        number = await segment_claims.claim_next(
                            session, self.video_id, self.worker_id, self.settings.lease_seconds
                        )
                        await session.commit()
                        if number is None:
                            break
                        job = jobs[number]
                        task = asyncio.create_task(self._encode_here(job, folder, fonts, on_frames),
                                                   name=f"encode {number}")  # fmt: skip
                        work[task] = number
                        busy.add(number)
                    await self._take_back_lost(session)
                    states = await segment_claims.states(session, self.video_id)
                for state in states:
                    if state.number in made or state.number in busy:
                        continue
                    if state.status is SegmentStatus.DONE:
                        task = asyncio.create_task(self._download(state.number, folder),
                                                   name=f"download {state.number}")  # fmt: skip
                        work[task] = state.number
                        on_frames(state.number, jobs[state.number].frames)
                    elif state.status is SegmentStatus.RUNNING:
                        on_frames(state.number, state.frames)
                    elif state.status is SegmentStatus.FAILED:
                        raise RenderFailed(
                            f"segment {state.number} stopped every worker that took it "
                            f"({self.settings.max_attempts} attempts)"
                        )
                if len(states) < len(jobs):
                    raise RenderFailed("the render's segments were dropped while it ran")
                if not work:
                    await asyncio.sleep(self.settings.cancel_check_interval)  # others encode
                    continue
                finished, _ = await asyncio.wait(
                    work, timeout=self.settings.cancel_check_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )  # fmt: skip
                for task in finished:
                    made[work.pop(task)] = task.result()  # an encoder's failure ends the render
            return [made[number] for number in range(len(jobs))]
        finally:
            for task in work:
                task.cancel()
            await asyncio.gather(*work, return_exceptions=True)

    async def _encode_here(
        self, job: SegmentJob, folder: Path, fonts: Path, on_frames: SegmentFrames
    ) -> Path:
        started = time.monotonic()
        segment = await encode_segment(
            job, folder, fonts, lambda frames: on_frames(job.number, frames)
        )
        seconds = time.monotonic() - started
        async with self.tools.sessions() as session:
            await segment_claims.finish(
                session, self.video_id, job.number, self.worker_id, job.frames, seconds
            )
            await session.commit()
        return segment

    async def _download(self, number: int, folder: Path) -> Path:
        target = partial_path(folder / f"segment-{number}.mkv")
        if not await self.tools.store.get_file(segment_key(self.video_id, number), target):
            store = self.tools.store.description
            raise RenderFailed(f"segment {number} is done but not in {store}")
        return target

    async def _take_back_lost(self, session: AsyncSession) -> None:
        again = await segment_claims.take_back_expired(
            session, self.video_id, self.settings.max_attempts, keeper=self.worker_id
        )
        await session.commit()
        for number in again:
            logger.warning("segment %d: its worker stopped renewing it; queued again", number)
            with contextlib.suppress(Exception):  # this worker takes it anyway
                await self._publish(self.video_id, number)

    async def _clear(self) -> None:
        async with self.tools.sessions() as session:
            await segment_claims.forget(session, self.video_id)
            await session.commit()
        await self.tools.store.delete_folder(folder_key(self.video_id))
