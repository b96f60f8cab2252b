"""The job machinery of one process, started and stopped as one piece.

Every process that takes part in jobs has a broker client (to publish video
ids), a reconciler and a webhook sender; a process with render slots also has
a worker. ``aivideo serve`` in embedded mode is all of it in one process, on
taskiq's in-memory broker; in production, API processes publish to RabbitMQ
and ``aivideo worker`` processes on other machines consume from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from functools import partial

from taskiq import InMemoryBroker
from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver

from aivideo.core.backoff import backoff_delay
from aivideo.core.config import Settings
from aivideo.core.status import VideoStatus
from aivideo.jobs import claims
from aivideo.jobs.broker import (
    MAKE_VIDEO_TASK,
    TAKE_PART_TASK,
    make_broker,
    publish_part,
)
from aivideo.jobs.live import LiveEvents, make_live_events
from aivideo.jobs.part_claims import PartKind
from aivideo.jobs.publishing import Publisher
from aivideo.jobs.reconciler import Reconciler
from aivideo.jobs.tools import JobTools
from aivideo.jobs.worker import VideoWorker
from aivideo.webhooks.sender import WebhookSender

logger = logging.getLogger(__name__)


class JobSystem:
    def __init__(self, resources: JobTools, settings: Settings) -> None:
        self.resources = resources
        self.settings = settings
        self.live: LiveEvents = make_live_events(settings.redis_url, settings.probe_timeout)
        self.broker = make_broker(settings, prefetch=settings.render_slots)
        self.in_memory = isinstance(self.broker, InMemoryBroker)
        self.worker: VideoWorker | None = None
        if settings.render_slots > 0:
            # Shared work needs workers elsewhere: the in-memory broker has none.
            shares = settings.parallel_segments and not self.in_memory
            worker = self.worker = VideoWorker(
                resources, settings, self.live,
                partial(publish_part, self.broker) if shares else None,
            )  # fmt: skip

            async def make_video(video_id: str) -> None:
                await worker.make_video(video_id)

            async def take_part(video_id: str, kind: str, number: int) -> None:
                await worker.parts.take(video_id, PartKind(kind), number)

            self.broker.register_task(make_video, task_name=MAKE_VIDEO_TASK)
            # Registered whatever this worker's setting: a message sent by another one
            # is still handled.
            self.broker.register_task(take_part, task_name=TAKE_PART_TASK)
            self.broker.is_worker_process = True
        self._publisher = Publisher(self.broker, resources)
        self.reconciler = Reconciler(resources, self.live, self.publish)
        self._finish_listening = asyncio.Event()
        # Set once the broker has declared its queue: a message published before
        # that would be routed nowhere and silently dropped.
        self._broker_ready = asyncio.Event()
        self._background: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self.worker is not None:
            self.worker.start()
        if self.in_memory:
            await self.broker.startup()
            self._broker_ready.set()
            if self.worker is not None:
                # The in-memory queue died with the previous process: queue its videos again.
                await self._republish_queued()
        else:
            # The API and workers start even while RabbitMQ is down: videos wait in
            # the database and the reconciler sends them once the broker is back.
            self._background.append(asyncio.create_task(self._connect(), name="broker"))
        self._background += [
            asyncio.create_task(self.reconciler.run_forever(), name="reconciler"),
            asyncio.create_task(WebhookSender(self.resources).run_forever(), name="webhooks"),
        ]

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking videos, let running ones finish within ``grace``, hand back the rest."""
        self._finish_listening.set()
        if self.worker is not None:
            await self.worker.stop(self.settings.shutdown_grace if grace is None else grace)
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.broker.shutdown()
        await self.live.aclose()

    async def publish(self, video_ids: Sequence[str]) -> None:
        """Hand committed, queued videos to the workers; what fails here the reconciler redoes."""
        if self.in_memory and self.worker is None:
            return  # no worker in this process: a worker's reconciler finds them in the database
        if not self._broker_ready.is_set():
            return  # still connecting: the reconciler sends them once connected
        await self._publisher.publish(video_ids)

    def cancel(self, video_id: str) -> None:
        if self.worker is not None:
            self.worker.cancel(video_id)

    async def _republish_queued(self) -> None:
        async with self.resources.sessions() as session:
            queued = list(
                await session.scalars(
                    claims.select_ids_with_status(VideoStatus.QUEUED)  # oldest first
                )
            )
        await self.publish(queued)

    async def _connect(self) -> None:
        attempt = 0
        while True:
            try:
                await self.broker.startup()
                break
            except Exception as exc:
                attempt += 1
                delay = backoff_delay(attempt, 1.0, 30.0)
                logger.warning("broker unreachable (%s); trying again in %.0f s", exc, delay)
                await asyncio.sleep(delay)
        self._broker_ready.set()
        logger.info("connected to the broker")
        if self.worker is not None:
            await self._listen()

    async def _listen(self) -> None:
        receiver = Receiver(
            self.broker,
            max_async_tasks=self.settings.render_slots,
            max_prefetch=0,
            ack_type=AcknowledgeType.WHEN_EXECUTED,
            run_startup=False,
        )
        await receiver.listen(self._finish_listening)
