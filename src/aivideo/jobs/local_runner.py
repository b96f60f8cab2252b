"""Embedded mode: queued videos run in this process, a few at a time.

Deliberately small: the database is the source of truth (a video is claimed
with a conditional ``queued -> running`` update), an in-memory queue only
carries ids, and on start every queued video is queued again, so nothing is
lost when the process stops. The durable, distributed job system replaces this
class behind the same :class:`~aivideo.jobs.queue.JobQueue` interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from typing import Any

from sqlalchemy import select, update

from aivideo.db.models import Video
from aivideo.db.types import utcnow
from aivideo.errors import InvalidInput, RenderFailed
from aivideo.jobs.progress import ProgressWriter
from aivideo.jobs.spec_from_video import spec_for
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.spec import GeneratedVideo
from aivideo.pipeline.workspace import Workspace
from aivideo.resources import Resources
from aivideo.videos.repository import append_event, change_status
from aivideo.videos.status import VideoStatus

logger = logging.getLogger(__name__)


class LocalJobRunner:
    def __init__(self, resources: Resources, concurrency: int, *, sole_worker: bool) -> None:
        """``sole_worker``: no other process makes videos from this database (embedded mode)."""
        self.resources = resources
        self.sole_worker = sole_worker
        self.concurrency = concurrency
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._running: dict[str, asyncio.Task[Any]] = {}

    def workspace(self, video_id: str) -> Workspace:
        return Workspace(self.resources.storage_dir / video_id)

    async def start(self) -> None:
        """Queue again what a previous run left queued or running, then start working."""
        async with self.resources.sessions() as session:
            if self.sole_worker:
                # No other process makes videos: "running" ones were cut off by a stop.
                await session.execute(
                    update(Video)
                    .where(Video.status == VideoStatus.RUNNING.value)
                    .values(status=VideoStatus.QUEUED.value, updated_at=utcnow())
                )
                await session.commit()
            queued = await session.scalars(
                select(Video.id).where(Video.status == VideoStatus.QUEUED.value).order_by(Video.id)
            )
            for video_id in queued:
                self.submit(video_id)
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]

    async def stop(self) -> None:
        """Stop working; videos being made go back to the queue for the next start."""
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    def submit(self, video_id: str) -> None:
        self._queue.put_nowait(video_id)

    def cancel(self, video_id: str) -> None:
        task = self._running.get(video_id)
        if task is not None:
            task.cancel()

    async def _work(self) -> None:
        while True:
            video_id = await self._queue.get()
            try:
                await self._run(video_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("video %s: the runner failed", video_id)

    async def _claim(self, video_id: str) -> Video | None:
        async with self.resources.sessions() as session:
            claimed = await change_status(
                session,
                video_id,
                [VideoStatus.QUEUED],
                VideoStatus.RUNNING,
                started_at=utcnow(),
                attempts=Video.attempts + 1,
                progress=0,
                error_message=None,
            )
            if not claimed:
                return None  # cancelled, deleted, or already taken
            append_event(session, video_id, "started", "rendering started")
            await session.commit()
            return await session.get(Video, video_id)

    async def _run(self, video_id: str) -> None:
        video = await self._claim(video_id)
        if video is None:
            return
        progress = ProgressWriter(self.resources, video_id)
        task = asyncio.create_task(
            generate_video(
                spec_for(video), self.workspace(video_id), self.resources, progress.report
            )
        )
        self._running[video_id] = task
        try:
            result = await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                # This runner is stopping: the video resumes at the next start.
                await asyncio.shield(self._requeue(video_id))
                raise
            await self._discard(video_id)  # cancelled by its owner: the API set the status
        except (InvalidInput, RenderFailed) as exc:
            await self._fail(video_id, exc.message)
        except Exception as exc:
            logger.exception("video %s failed", video_id)
            await self._fail(
                video_id, f"an internal error stopped the video ({type(exc).__name__})"
            )
        else:
            await self._complete(video_id, result)
        finally:
            # A late progress write changes nothing: it only touches running videos.
            await progress.flush()
            self._running.pop(video_id, None)

    async def _complete(self, video_id: str, result: GeneratedVideo) -> None:
        async with self.resources.sessions() as session:
            done = await change_status(
                session, video_id, [VideoStatus.RUNNING], VideoStatus.COMPLETED,
                progress=100, stage=None, finished_at=utcnow(),
                duration_seconds=round(result.duration, 3), size_bytes=result.size_bytes,
                width=result.width, height=result.height, output_format=result.format,
            )  # fmt: skip
            if done:
                append_event(session, video_id, "completed", "the video is ready")
            await session.commit()

    async def _fail(self, video_id: str, message: str) -> None:
        async with self.resources.sessions() as session:
            if await change_status(
                session, video_id, [VideoStatus.RUNNING], VideoStatus.FAILED,
                error_message=message, finished_at=utcnow(),
            ):  # fmt: skip
                append_event(session, video_id, "failed", message)
            await session.commit()

    async def _requeue(self, video_id: str) -> None:
        async with self.resources.sessions() as session:
            await change_status(session, video_id, [VideoStatus.RUNNING], VideoStatus.QUEUED)
            await session.commit()

    async def _discard(self, video_id: str) -> None:
        """Remove the files of a cancelled video."""
        folder = self.workspace(video_id).root
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(shutil.rmtree, folder)
