"""Parallel segments, from the side of a worker that helps: the broker's ``render_segment`` task.

A delivery claims its segment in the database (a duplicate, or a segment the
video's own worker already took, claims nothing and is dropped), brings the
job and its pictures from the store into a scratch folder of this machine,
encodes, and puts the segment file into the store before recording it done,
so the video's worker never looks for a file that is not whole. While it
encodes, it renews its claim; a claim that is gone (the video cancelled or
failed, the segment taken back) stops the encoder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from functools import partial
from pathlib import Path

import anyio

from aivideo.jobs import segment_claims
from aivideo.jobs.segment_files import SEGMENT_MEDIA_TYPE, input_key, read_job, segment_key
from aivideo.jobs.tools import JobTools
from aivideo.pipeline.segments import SegmentJob, encode_segment, fonts_for_captions
from aivideo.storage import Upload
from aivideo.storage.uploads import a_few_at_once

logger = logging.getLogger(__name__)

SCRATCH_FOLDER = ".segments"  # in this machine's data folder: one folder per segment taken


class SegmentGone(Exception):
    """The segment is no longer this worker's to make."""


class SegmentTaker:
    def __init__(self, tools: JobTools, worker_id: str) -> None:
        self.tools = tools
        self.worker_id = worker_id
        self._running: set[asyncio.Task[object]] = set()

    async def render_segment(self, video_id: str, number: int) -> None:
        """The taskiq task. Returns once the segment is stored, or is not this worker's."""
        settings = self.tools.settings
        async with self.tools.sessions() as session:
            claimed = await segment_claims.claim(
                session, video_id, number, self.worker_id, settings.lease_seconds
            )
            await session.commit()
        if not claimed:
            return  # done, taken by another worker, or its video is no longer running
        handler = asyncio.current_task()
        assert handler is not None
        self._running.add(handler)
        scratch = self.tools.storage_dir / SCRATCH_FOLDER / f"{video_id}-{number}"
        try:
            await self._make(video_id, number, scratch)
        except (SegmentGone, asyncio.CancelledError) as exc:
            await asyncio.shield(self._give_back(video_id, number))
            if isinstance(exc, asyncio.CancelledError):
                raise
        except Exception:
            logger.exception("video %s: segment %d failed here; queued again", video_id, number)
            await asyncio.shield(self._give_back(video_id, number))
        finally:
            self._running.discard(handler)
            await asyncio.to_thread(shutil.rmtree, scratch, True)

    async def stop(self) -> None:
        """Give back the segments in progress (this worker is stopping)."""
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _make(self, video_id: str, number: int, scratch: Path) -> None:
        started = time.monotonic()
        job = await self._fetch(video_id, number, scratch)
        frames = [0]
        fonts = await fonts_for_captions(scratch)
        encoding = asyncio.create_task(
            encode_segment(job, scratch, fonts, lambda done: frames.__setitem__(0, done))
        )
        try:
            await self._hold(video_id, number, encoding, frames)
            segment = encoding.result()
        finally:
            if not encoding.done():
                encoding.cancel()
            await asyncio.gather(encoding, return_exceptions=True)
        # Whole or not at all in the store; recorded done only once it is there.
        await self.tools.store.put(Upload(segment_key(video_id, number), segment,
                                          SEGMENT_MEDIA_TYPE))  # fmt: skip
        seconds = time.monotonic() - started
        async with self.tools.sessions() as session:
            done = await segment_claims.finish(
                session, video_id, number, self.worker_id, job.frames, seconds
            )
            await session.commit()
        if done:
            logger.info("video %s: segment %d rendered here in %.1f s", video_id, number, seconds)

    async def _fetch(self, video_id: str, number: int, scratch: Path) -> SegmentJob:
        """The job, with its files brought into ``scratch`` and read from there."""
        store = self.tools.store
        job = await read_job(store, video_id, number)
        if job is None:
            raise SegmentGone()  # the render is over
        await anyio.Path(scratch).mkdir(parents=True, exist_ok=True)

        def local(name: str) -> Path:
            target = Path(os.path.normpath(scratch / name))
            if not target.is_relative_to(scratch):  # only names the video's worker gave
                raise ValueError(f"segment input {name!r} is outside its folder")
            return target

        async def download(name: str) -> None:
            target = local(name)
            await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
            if not await store.get_file(input_key(video_id, name), target):
                raise SegmentGone()

        await a_few_at_once([partial(download, name) for name in job.files()])
        return job.with_files(lambda name: str(local(name)))

    async def _hold(
        self, video_id: str, number: int, encoding: asyncio.Task[Path], frames: list[int]
    ) -> None:
        """Renew the claim until the encoder is done; stop it if the claim is gone."""
        settings = self.tools.settings
        while not encoding.done():
            await asyncio.wait([encoding], timeout=settings.cancel_check_interval)
            if encoding.done():
                return
            async with self.tools.sessions() as session:
                held = await segment_claims.renew(
                    session, video_id, number, self.worker_id, settings.lease_seconds, frames[0]
                )
                await session.commit()
            if not held:
                raise SegmentGone()

    async def _give_back(self, video_id: str, number: int) -> None:
        with contextlib.suppress(Exception):  # the lease runs out anyway
            async with self.tools.sessions() as session:
                await segment_claims.give_back(session, video_id, number, self.worker_id)
                await session.commit()
