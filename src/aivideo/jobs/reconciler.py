"""The reconciler: makes the database and the broker agree again.

It runs in every process that takes part in jobs. Each pass it (1) ends the
leases of workers of this host whose process is gone, (2) takes back running
videos whose worker stopped renewing its lease, queueing them again (or
failing them after too many attempts), and (3) hands to the broker queued
videos that were never delivered: the API died between commit and publish, a
retry came due, or a worker gave one back. Once an hour (and at start) it also
deletes what the disk caches no longer serve, and finished videos older than
the retention period.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence

from aivideo.cache.disk_sweep import disk_cache_folder, sweep_disk_cache
from aivideo.db.availability import is_transient_database_error
from aivideo.db.repository import append_event
from aivideo.jobs import claims
from aivideo.jobs.live import LiveEvents
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.orphaned_files import delete_orphaned_files
from aivideo.jobs.retention import delete_expired_videos
from aivideo.jobs.tools import JobTools
from aivideo.jobs.worker_ids import is_dead_local_worker
from aivideo.observability.metrics import RETRIES

logger = logging.getLogger(__name__)

BATCH = 500
SWEEP_INTERVAL = 3600.0  # seconds between two clean-ups of the disk cache

Publish = Callable[[Sequence[str]], Awaitable[None]]


class Reconciler:
    def __init__(self, resources: JobTools, live: LiveEvents, publish: Publish) -> None:
        self.resources = resources
        self.settings = resources.settings
        self.live = live
        self.publish = publish

    async def run_forever(self) -> None:
        swept_at = -math.inf  # the first pass sweeps
        while True:
            try:
                await self.reconcile()
            except Exception as exc:
                # An outage is expected now and then: one line; anything else: the traceback.
                expected = is_transient_database_error(exc)
                logger.warning("reconciler: %s", exc, exc_info=not expected)
            if time.monotonic() - swept_at > SWEEP_INTERVAL:
                swept_at = time.monotonic()
                await self._sweep_disk_cache()
                await self._delete_expired_videos()
            await asyncio.sleep(self.settings.reconcile_interval)

    async def _sweep_disk_cache(self) -> None:
        folder = disk_cache_folder(self.settings.data_dir)
        try:
            await asyncio.to_thread(sweep_disk_cache, folder, self.settings.cache_provider_ttl)
        except OSError as exc:
            logger.warning("reconciler: could not sweep the disk cache %s: %s", folder, exc)

    async def _delete_expired_videos(self) -> None:
        try:
            await delete_expired_videos(self.resources, self.settings.retention_days)
        except Exception as exc:
            logger.warning("reconciler: could not delete expired videos: %s", exc)
        try:
            await delete_orphaned_files(self.resources)
        except Exception as exc:
            logger.warning("reconciler: could not delete files of deleted videos: %s", exc)

    async def reconcile(self) -> None:
        settings = self.settings
        async with self.resources.sessions() as session:
            dead = {w for w in await claims.running_workers(session) if is_dead_local_worker(w)}
            if dead:
                await claims.expire_claims_of(session, dead)
            taken_back: list[tuple[str, str]] = []
            for video_id, worker_id in await claims.expired_leases(session, BATCH):
                status = await claims.requeue_expired(session, video_id, settings.max_attempts)
                if status is None:
                    continue
                outcome = "queued again" if status == "queued" else "failed: too many attempts"
                message = f"worker {worker_id} stopped answering; {outcome}"
                append_event(session, video_id, "lease_expired", message)
                taken_back.append((video_id, status))
                RETRIES.labels("lease_expired").inc()
            await session.commit()
            await self.resources.video_cache.invalidate(*(video_id for video_id, _ in taken_back))
            undelivered = await claims.undelivered(
                session, settings.dispatch_grace, settings.redispatch_after, BATCH
            )
        for video_id, status in taken_back:
            logger.warning("video %s: its worker stopped answering; %s", video_id, status)
            await self.live.publish(video_id, LiveEvent.status_changed(status))
        # Taken-back videos go out at once; the grace is for the API's commit-publish gap.
        requeued = [video_id for video_id, status in taken_back if status == "queued"]
        to_send = list(dict.fromkeys([*requeued, *undelivered]))
        if to_send:
            await self.publish(to_send)
