"""Parallel segments: a long video's render encoded by every worker that is free.

The worker making the video puts each segment's job (:class:`SegmentJob`, as
JSON) and the pictures it reads into the store, and shares the segments
(:mod:`aivideo.jobs.shared_parts`); it encodes segments itself, as many at
once as it would alone, and downloads those others finish. A helping worker
(:func:`segment_doer`) brings the job and its pictures into its scratch
folder, encodes, and puts the segment file into the store. When every segment
is there, the render goes on as when made alone: the join and the sound.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import anyio

from aivideo.core.atomic_files import partial_path
from aivideo.core.errors import RenderFailed
from aivideo.jobs.part_claims import PartKind
from aivideo.jobs.part_taker import PartDoer, PartGone
from aivideo.jobs.segment_files import (
    SEGMENT_MEDIA_TYPE,
    folder_key,
    input_key,
    input_name,
    put_job,
    read_job,
    segment_key,
)
from aivideo.jobs.shared_parts import PartWork, SharedParts
from aivideo.jobs.tools import JobTools
from aivideo.pipeline.render import EncodedHere, SegmentFrames, segments_at_once
from aivideo.pipeline.segments import SegmentJob, encode_segment, fonts_for_captions
from aivideo.storage import Upload
from aivideo.storage.uploads import a_few_at_once, put_all


class SegmentsOnWorkers:
    """A :class:`~aivideo.pipeline.render.SegmentFarm` of every worker the broker reaches."""

    def __init__(self, shared: SharedParts, workspace: Path) -> None:
        self.tools = shared.tools
        self.shared = shared
        self.video_id = shared.video_id
        self.workspace = workspace

    async def encode(
        self, jobs: Sequence[SegmentJob], folder: Path, on_frames: SegmentFrames
    ) -> list[Path]:
        if len(jobs) < 2:  # nothing to share
            return await EncodedHere().encode(jobs, folder, on_frames)
        await self._offer(jobs)
        fonts = await fonts_for_captions(folder)

        async def encode_here(number: int) -> Path:
            job = jobs[number]
            return await encode_segment(
                job, folder, fonts, lambda frames: on_frames(job.number, frames)
            )

        work = PartWork(
            PartKind.SEGMENT, [job.frames for job in jobs], segments_at_once(jobs[0].frame),
            encode_here, partial(self._download, folder), on_frames,
        )  # fmt: skip
        try:
            return await self.shared.share(work)
        finally:
            with contextlib.suppress(Exception):  # only space: gone with the video anyway
                await self.tools.store.delete_folder(folder_key(self.video_id))

    async def _offer(self, jobs: Sequence[SegmentJob]) -> None:
        """The jobs, and the files they read, into the store."""
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

    async def _download(self, folder: Path, number: int) -> Path:
        target = partial_path(folder / f"segment-{number}.mkv")
        if not await self.tools.store.get_file(segment_key(self.video_id, number), target):
            store = self.tools.store.description
            raise RenderFailed(f"segment {number} is done but not in {store}")
        return target


def segment_doer(tools: JobTools) -> PartDoer:
    """How a helping worker encodes one segment of another worker's video."""

    async def encode(
        video_id: str, number: int, scratch: Path, report: Callable[[int], None]
    ) -> int:
        store = tools.store
        job = await read_job(store, video_id, number)
        if job is None:
            raise PartGone()  # the render is over
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
                raise PartGone()

        await a_few_at_once([partial(download, name) for name in job.files()])
        job = job.with_files(lambda name: str(local(name)))
        fonts = await fonts_for_captions(scratch)
        segment = await encode_segment(job, scratch, fonts, report)
        # Whole or not at all in the store; recorded done (by the caller) once it is there.
        await store.put(Upload(segment_key(video_id, number), segment, SEGMENT_MEDIA_TYPE))
        return job.frames

    return encode
