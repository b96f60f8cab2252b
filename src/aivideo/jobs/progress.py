"""A running video's progress: to the database at most twice a second, and live."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import update

from aivideo.core.status import VideoStatus
from aivideo.db.models import Video
from aivideo.db.repository import append_event
from aivideo.db.types import utcnow
from aivideo.jobs.live import LiveEvents
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.tools import JobTools

logger = logging.getLogger(__name__)

MIN_INTERVAL = 0.5  # seconds between two writes, unless the stage changes


class ProgressWriter:
    """Receives the pipeline's reports for one run of one video by one worker."""

    def __init__(
        self, resources: JobTools, live: LiveEvents, video_id: str, worker_id: str
    ) -> None:
        self.resources = resources
        self.live = live
        self.video_id = video_id
        self.worker_id = worker_id
        self._stage: str | None = None
        self._written_at = 0.0
        self._pending: asyncio.Task[None] | None = None
        self._notes: set[asyncio.Task[None]] = set()

    def report(self, stage: str, _fraction: float, percent: int) -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._written_at < MIN_INTERVAL:
            return
        if self._pending is not None and not self._pending.done() and stage == self._stage:
            return  # the previous write is still going: skip this one
        new_stage = stage != self._stage
        self._stage, self._written_at = stage, now
        # A new stage's write may start while the last one is still going: it waits
        # for it, so the row never goes back to an older stage or percent.
        self._pending = asyncio.create_task(
            self._write(stage, min(percent, 99), new_stage, after=self._pending)
        )

    async def _write(
        self, stage: str, percent: int, new_stage: bool, after: asyncio.Task[None] | None
    ) -> None:
        if after is not None:
            await after  # never raises: _write catches its own failures
        try:
            async with self.resources.sessions() as session:
                # Only this worker's running claim: a cancelled video must not be overwritten.
                result = await session.execute(
                    update(Video)
                    .where(
                        Video.id == self.video_id,
                        Video.status == VideoStatus.RUNNING.value,
                        Video.worker_id == self.worker_id,
                    )
                    .values(stage=stage, progress=percent, updated_at=utcnow())
                )
                if not result.rowcount:  # type: ignore[attr-defined]
                    return
                if new_stage:
                    append_event(session, self.video_id, "stage", f"{stage} started")
                await session.commit()
            await self.resources.video_cache.invalidate(self.video_id)
            await self.live.publish(
                self.video_id,
                LiveEvent.progress("running", percent, stage),
            )
        except Exception:
            # Progress is advisory: losing one update must not fail the video.
            logger.warning("could not record progress of video %s", self.video_id, exc_info=True)

    def note(self, kind: str, message: str) -> None:
        """A line for the video's log from the pipeline (a fallback, a provider's warning)."""
        logger.warning("video %s: %s", self.video_id, message)
        task = asyncio.create_task(self._write_note(kind, message))
        self._notes.add(task)
        task.add_done_callback(self._notes.discard)

    async def _write_note(self, kind: str, message: str) -> None:
        try:
            async with self.resources.sessions() as session:
                append_event(session, self.video_id, kind, message)
                await session.commit()
        except Exception:
            logger.warning("could not record a note on video %s", self.video_id, exc_info=True)

    async def flush(self) -> None:
        if self._pending is not None:
            await self._pending
        if self._notes:
            await asyncio.wait(list(self._notes))
