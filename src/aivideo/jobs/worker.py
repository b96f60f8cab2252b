"""A worker: makes the videos whose ids the broker delivers, a few at a time.

For each delivered id it claims the video in the database (a duplicate or a
stale delivery claims nothing and is dropped), runs the pipeline in a scratch
folder on this machine's disk and puts the files users download into the
store, while a watcher renews the claim and notices cancellation, and commits
the outcome before returning, which is when the broker's message is
acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
import stamina
import structlog
from sqlalchemy import func

from aivideo.core.backoff import backoff_delay
from aivideo.core.config import Settings
from aivideo.core.errors import AivideoError, StorageUnavailable
from aivideo.core.outputs import video_folder
from aivideo.core.spec import GeneratedVideo, VideoSpec
from aivideo.core.status import VideoStatus
from aivideo.db.availability import is_transient_database_error
from aivideo.db.models import Video
from aivideo.db.repository import append_event
from aivideo.db.types import utcnow
from aivideo.jobs import claims
from aivideo.jobs.live import LiveEvents
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.part_claims import PartKind
from aivideo.jobs.part_taker import PartTaker
from aivideo.jobs.progress import ProgressWriter
from aivideo.jobs.publish import publish_outputs, uploads_of
from aivideo.jobs.segment_farm import SegmentsOnWorkers, segment_doer
from aivideo.jobs.shared_parts import PublishPart, SharedParts
from aivideo.jobs.spec_from_video import spec_for
from aivideo.jobs.speech_farm import SpeechOnWorkers, speech_doer
from aivideo.jobs.tools import JobTools
from aivideo.jobs.worker_ids import is_dead_local_worker, new_worker_id
from aivideo.observability.metrics import RETRIES, WORKER_SLOTS, WORKER_SLOTS_BUSY
from aivideo.pipeline.context import Note
from aivideo.pipeline.runner import ProgressReport, generate_video
from aivideo.pipeline.stage_copies import StageCopies
from aivideo.pipeline.workspace import Workspace

logger = logging.getLogger(__name__)


class StopReason(enum.Enum):
    CANCELLED = "cancelled by its owner"
    CLAIM_LOST = "taken back from this worker"
    SHUTDOWN = "this worker is stopping"


@dataclass
class _Run:
    task: asyncio.Task[_Made]
    stop_reason: StopReason | None = None


@dataclass(frozen=True)
class _Made:
    """A video made, and which of its files the store holds as they are (not copies)."""

    result: GeneratedVideo
    kept_in_place: set[str]


def is_transient(error: BaseException) -> bool:
    """Failures worth another attempt: the outside world, not the video, went wrong."""
    if isinstance(error, AivideoError):
        # A provider that did not answer, a full disk: yes. Bad input, a refused key,
        # an encoder failure: no, it would fail again.
        return error.transient
    return is_transient_database_error(error) or isinstance(
        error, TimeoutError | ConnectionError | OSError | httpx.TransportError
    )


# Database writes that decide a video's fate ride out a short outage, or a deadlock.
_database_retry = stamina.retry(on=is_transient_database_error, attempts=6, timeout=30.0)


class VideoWorker:
    def __init__(
        self, resources: JobTools, settings: Settings, live: LiveEvents,
        publish_part: PublishPart | None = None,
    ) -> None:  # fmt: skip
        """``publish_part``: shared work (a long video's speech and render with other workers)."""
        self.resources = resources
        self.settings = settings
        self.live = live
        self.id = new_worker_id()
        self._publish_part = publish_part
        # Parts of other workers' videos this one may be sent, whatever its own setting.
        self.parts = PartTaker(
            resources, self.id,
            {PartKind.SEGMENT: segment_doer(resources), PartKind.SPEECH: speech_doer(resources)},
        )  # fmt: skip
        self._slots = asyncio.Semaphore(max(settings.render_slots, 1))
        self._runs: dict[str, _Run] = {}
        self._waiting: set[asyncio.Task[object]] = set()  # deliveries waiting for a slot
        self._handlers: set[asyncio.Task[object]] = set()  # deliveries being handled
        self._accepting = True
        self._watcher: asyncio.Task[None] | None = None

    def workspace(self, video_id: str) -> Workspace:
        return Workspace(video_folder(self.resources.storage_dir, video_id))

    def _stage_copies(self, video_id: str) -> StageCopies | None:
        """Where a video's finished stages are kept for a worker on another machine, if anywhere.

        A store on this machine's disk keeps nothing more: the data folder has the stages.
        """
        if not self.resources.store.is_remote:
            return None
        return StageCopies(self.resources.store, video_id, self.workspace(video_id))

    def _farms(self, video_id: str) -> tuple[SegmentsOnWorkers | None, SpeechOnWorkers | None]:
        """Who encodes the video's segments and speaks its sentences: every worker, with
        shared work; else this one."""
        if self._publish_part is None:
            return None, None
        shared = SharedParts(self.resources, video_id, self.id, self._publish_part)
        return (
            SegmentsOnWorkers(shared, self.workspace(video_id).root),
            SpeechOnWorkers(shared),
        )

    def start(self) -> None:
        WORKER_SLOTS.set(self.settings.render_slots)
        self._watcher = asyncio.create_task(self._watch_claims(), name=f"claims of {self.id}")

    async def make_video(self, video_id: str) -> None:
        """The taskiq task. Returns once the video's outcome is committed."""
        handler = asyncio.current_task()
        assert handler is not None
        self._waiting.add(handler)
        # Every log line of this video's work, here and in its tasks, names it.
        structlog.contextvars.bind_contextvars(video_id=video_id)
        try:
            async with self._slots:
                self._waiting.discard(handler)
                self._handlers.add(handler)
                if not self._accepting:
                    await self._give_back_delivery(video_id)
                    return
                if await self._claim(video_id) or await self._take_from_dead_holder(video_id):
                    await self._run(video_id)
        except Exception:
            # The broker acknowledges the delivery anyway: make sure the reconciler
            # sends a still-queued video again soon, not after the redispatch delay.
            logger.exception("video %s: the delivery failed", video_id)
            with contextlib.suppress(Exception):
                await self._give_back_delivery(video_id)
        finally:
            self._waiting.discard(handler)
            self._handlers.discard(handler)

    def cancel(self, video_id: str) -> None:
        """The owner cancelled the video (its status says so already): stop it now if here."""
        self._stop(video_id, StopReason.CANCELLED)

    async def stop(self, grace: float) -> None:
        """Take no more videos; give running ones ``grace`` seconds, then hand them back."""
        self._accepting = False
        # Deliveries still waiting for a slot were never claimed: RabbitMQ redelivers
        # their unacknowledged messages; in-memory ones are republished at the next start.
        for waiting in self._waiting:
            waiting.cancel()
        running = [run.task for run in self._runs.values()]
        if running and grace > 0:
            logger.info(
                "worker %s: finishing %d videos (up to %.0f s)", self.id, len(running), grace
            )
            await asyncio.wait(running, timeout=grace)
        for video_id in list(self._runs):
            self._stop(video_id, StopReason.SHUTDOWN)
        await self.parts.stop()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=30)
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    def _stop(self, video_id: str, reason: StopReason) -> None:
        run = self._runs.get(video_id)
        if run is not None and not run.task.done():
            run.stop_reason = run.stop_reason or reason
            run.task.cancel()

    @_database_retry
    async def _claim(self, video_id: str) -> bool:
        async with self.resources.sessions() as session:
            if not await claims.claim(session, video_id, self.id, self.settings.lease_seconds):
                return False  # cancelled, deleted, not due yet, or someone else's
            append_event(session, video_id, "started", f"rendering started on {self.id}")
            await session.commit()
        logger.info("video started")
        await self.resources.video_cache.invalidate(video_id)
        await self.live.publish(video_id, LiveEvent.progress("running", 0))
        return True

    async def _take_from_dead_holder(self, video_id: str) -> bool:
        """A delivery of a video another worker is making: take it if that worker died.

        RabbitMQ delivers a message again when its consumer's connection died,
        so the holder is probably dead. Dropping the delivery would leave the
        video to the reconciler, which can only put it at the back of the
        queue; instead wait (about one lease) for the holder's claim to end and
        take the video. A holder that keeps renewing its lease is alive and
        keeps the video; a duplicate delivery ends the same way.
        """
        deadline = time.monotonic() + self.settings.lease_seconds * 1.5
        first_lease = None
        while time.monotonic() < deadline and self._accepting and video_id not in self._runs:
            async with self.resources.sessions() as session:
                state = await claims.holder(session, video_id)
                if state is None or state[0] != VideoStatus.RUNNING.value:
                    break
                _, holder, lease_expires_at = state
                if holder == self.id:
                    return False  # this worker holds it (a redelivery after a network cut)
                first_lease = first_lease or lease_expires_at
                if first_lease and lease_expires_at and first_lease < lease_expires_at:
                    return False  # the holder renewed its lease: it is alive and keeps it
                expired = lease_expires_at is not None and lease_expires_at < utcnow()
                if holder and (expired or is_dead_local_worker(holder)):
                    if await claims.take_over(
                        session, video_id, holder, self.id, self.settings.lease_seconds,
                        self.settings.max_attempts,
                    ):  # fmt: skip
                        message = f"taken over from {holder}, which stopped; rendering on {self.id}"
                        append_event(session, video_id, "taken_over", message)
                        await session.commit()
                        await self.resources.video_cache.invalidate(video_id)
                        RETRIES.labels("lease_expired").inc()
                        logger.warning("video %s", message)
                        return True
                    break  # someone else took it, or no attempts are left
            await asyncio.sleep(self.settings.cancel_check_interval)
        # The reconciler may have queued it again meanwhile.
        return self._accepting and await self._claim(video_id)

    @_database_retry
    async def _give_back_delivery(self, video_id: str) -> None:
        """A delivery this stopping worker will not take: let the reconciler send it again."""
        async with self.resources.sessions() as session:
            await claims.forget_delivery(session, video_id)
            await session.commit()

    async def _run(self, video_id: str) -> None:
        try:
            async with self.resources.sessions() as session:
                video = await session.get(Video, video_id)
            if video is None:
                return
            spec = spec_for(video)
        except Exception as exc:
            # Nothing started yet: the attempt failed as a whole (the count is unknown
            # when the database is what failed, so back off as after a first attempt).
            await self._after_failure(video_id, 1, exc)
            return
        progress = ProgressWriter(self.resources, self.live, video_id, self.id)
        run = _Run(
            asyncio.create_task(
                self._make(video, spec, progress.report, progress.note), name=f"video {video_id}"
            )
        )
        self._runs[video_id] = run
        WORKER_SLOTS_BUSY.inc()
        if not self._accepting:
            self._stop(video_id, StopReason.SHUTDOWN)  # claimed while the worker began to stop
        try:
            made = await run.task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if run.stop_reason is None or (current is not None and current.cancelling()):
                # This handler itself is being cancelled: the process is going down.
                run.task.cancel()
                await asyncio.shield(self._hand_back(video_id, "the worker stopped"))
                raise
            await self._after_stop(video_id, run.stop_reason)
        except Exception as exc:
            await self._after_failure(video_id, video.attempts, exc)  # counted by the claim
        else:
            await self._complete(video_id, made, wrote_script=spec.prompt is not None)
        finally:
            WORKER_SLOTS_BUSY.dec()
            await progress.flush()
            if self._runs.get(video_id) is run:
                del self._runs[video_id]

    async def _make(
        self, video: Video, spec: VideoSpec, report: ProgressReport, note: Note
    ) -> _Made:
        """Make the video in its scratch folder, then put what users download into the store.

        Cancelled like the pipeline (an upload in flight is dropped: the store shows
        no part of it). A failed upload is transient: the video is tried again.
        """
        store = self.resources.store
        copies = self._stage_copies(video.id)
        segment_farm, speech_farm = self._farms(video.id)
        result = await generate_video(
            spec, self.workspace(video.id), self.resources, report, note, copies,
            segment_farm, speech_farm,
        )  # fmt: skip
        uploads = uploads_of(video.id, result, video.title or result.title)
        await publish_outputs(store, uploads)
        return _Made(result, {upload.source.name for upload in uploads if store.holds(upload)})

    async def _after_stop(self, video_id: str, reason: StopReason) -> None:
        if reason is StopReason.CANCELLED:
            async with self.resources.sessions() as session:
                state = await claims.holder(session, video_id)
            if state is not None and state[0] != VideoStatus.CANCELLED.value:
                return  # retried meanwhile: its new run uses these files
            await self.workspace(video_id).remove()
            await self._remove_stage_copies(video_id)
        elif reason is StopReason.SHUTDOWN:
            await self._hand_back(video_id, "the worker stopped before the video was done")
        else:
            logger.warning("video %s was %s; stopped here", video_id, reason.value)

    async def _after_failure(self, video_id: str, attempt: int, error: Exception) -> None:
        message = error.message if isinstance(error, AivideoError) else str(error)
        if not is_transient(error):
            if not isinstance(error, AivideoError):
                logger.exception("video %s failed", video_id, exc_info=error)
                message = f"an internal error stopped the video ({type(error).__name__})"
            await self._finish(video_id, VideoStatus.FAILED, message, error_message=message)
            return
        reason = message or type(error).__name__
        if attempt >= self.settings.max_attempts:
            message = f"gave up after {attempt} attempts; the last one failed with: {reason}"
            await self._finish(video_id, VideoStatus.FAILED, message, error_message=message)
            return
        RETRIES.labels("transient_failure").inc()
        delay = backoff_delay(attempt, self.settings.retry_backoff, self.settings.retry_backoff_max)
        logger.warning(
            "video %s: attempt %d failed (%s); retry in %.0f s", video_id, attempt, reason, delay
        )
        await self._requeue(
            video_id,
            "retry_scheduled",
            f"attempt {attempt} failed ({reason}); trying again in {delay:.0f} s",
            not_before=utcnow() + timedelta(seconds=delay),
            error_message=f"attempt {attempt} failed: {reason}",
        )

    async def _complete(self, video_id: str, made: _Made, wrote_script: bool) -> None:
        result = made.result
        # A video made from a prompt shows the narration (and title) that was written.
        written = (
            {"text": result.narration, "title": func.coalesce(Video.title, result.title)}
            if wrote_script
            else {}
        )
        recorded = await self._finish(
            video_id, VideoStatus.COMPLETED, "the video is ready",
            progress=100, stage=None, duration_seconds=round(result.duration, 3),
            size_bytes=result.size_bytes, width=result.width, height=result.height,
            output_format=result.format, **written,
        )  # fmt: skip
        if recorded:
            # The files the store holds in place stay; the narration, pictures and
            # copies made on the way are only worth their space while a retry might
            # need them.
            workspace = self.workspace(video_id)
            if made.kept_in_place:
                await workspace.remove_all_but(made.kept_in_place)
            else:
                await workspace.remove()
            await self._remove_stage_copies(video_id)

    async def _remove_stage_copies(self, video_id: str) -> None:
        """Delete a video's stages from the store; a failure is logged (they only take space)."""
        copies = self._stage_copies(video_id)
        if copies is None:
            return
        try:
            await copies.remove()
        except StorageUnavailable as exc:
            logger.warning("video %s: its stages stay in %s: %s",
                           video_id, copies.store.description, exc)  # fmt: skip

    @_database_retry
    async def _finish(
        self, video_id: str, status: VideoStatus, message: str, **values: object
    ) -> bool:
        """Record the video's outcome; False if the claim was lost (another worker has it)."""
        async with self.resources.sessions() as session:
            if not await claims.finish(session, video_id, self.id, status, **values):
                logger.info("video %s: outcome not recorded, the claim was lost", video_id)
                return False
            append_event(session, video_id, status.value, message)
            await session.commit()
        logger.info("video %s: %s", status.value, message)
        await self.resources.video_cache.invalidate(video_id)
        await self.live.publish(video_id, LiveEvent.status_changed(status.value, message))
        return True

    async def _hand_back(self, video_id: str, message: str) -> None:
        """Give a video back unfinished; not the video's fault, so no attempt is used."""
        await self._requeue(video_id, "handed_back", message, attempts=Video.attempts - 1)

    @_database_retry
    async def _requeue(self, video_id: str, kind: str, message: str, **values: object) -> None:
        async with self.resources.sessions() as session:
            if await claims.hand_back(session, video_id, self.id, **values):
                append_event(session, video_id, kind, message)
                await session.commit()
        await self.resources.video_cache.invalidate(video_id)
        await self.live.publish(video_id, LiveEvent.progress("queued", 0))

    async def _watch_claims(self) -> None:
        """Renew the claims on running videos; stop those cancelled or taken back."""
        renew_every = self.settings.lease_seconds / 3
        renewed_at = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.cancel_check_interval)
            video_ids = list(self._runs)
            if not video_ids:
                continue
            try:
                async with self.resources.sessions() as session:
                    if time.monotonic() - renewed_at >= renew_every:
                        await claims.renew(session, video_ids, self.id, self.settings.lease_seconds)
                        await session.commit()
                        renewed_at = time.monotonic()
                    holders = await claims.holders(session, video_ids)
            except Exception as exc:
                logger.warning("worker %s could not check its claims: %s", self.id, exc)
                continue
            for video_id in video_ids:
                status, worker_id = holders.get(video_id, (VideoStatus.CANCELLED.value, None))
                if status == VideoStatus.CANCELLED.value:
                    self._stop(video_id, StopReason.CANCELLED)
                elif status != VideoStatus.RUNNING.value or worker_id != self.id:
                    self._stop(video_id, StopReason.CLAIM_LOST)
