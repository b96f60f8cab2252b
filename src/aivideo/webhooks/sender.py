"""Delivering due webhooks, from any process, each attempt recorded.

A finished video with a ``webhook_url`` gets ``webhook_due_at``; every process
that runs a sender looks for due deliveries, claims one attempt with a
conditional update on ``webhook_attempts`` (so two processes never send the
same attempt), POSTs it, and schedules the next attempt with backoff until a
2xx answer or the end of the retry period. The schedule lives in the database,
so a delivery survives any process dying.

A claim parks the delivery for longer than an attempt can take (its time
limit covers the whole attempt, see ``delivery``), so no other process sends
it while it is being attempted. Each process attempts at most
``webhook_concurrency`` deliveries at once, and polls on while they run: a
slow receiver holds one slot, never the deliveries of other videos.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any, Protocol

import httpx
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aivideo.core.backoff import backoff_delay
from aivideo.core.config import Settings
from aivideo.db.models import User, Video
from aivideo.db.repository import append_event
from aivideo.db.types import utcnow
from aivideo.observability.metrics import RETRIES
from aivideo.webhooks.delivery import Outcome, attempt_delivery
from aivideo.webhooks.signing import signed_headers

logger = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
PARK_MARGIN = 5.0  # seconds a claim outlasts an attempt's time limit (recording, clock skew)
FIRST_RETRY = 2.0  # seconds; doubles per attempt
LONGEST_WAIT = 600.0


def payload(video: Video) -> dict[str, Any]:
    return {
        "event": f"video.{video.status}",
        "video": {
            "id": video.id,
            "status": video.status,
            "title": video.title,
            "error": video.error_message,
            "duration_seconds": video.duration_seconds,
            "size_bytes": video.size_bytes,
            "metadata": video.metadata_,
            "finished_at": video.finished_at.isoformat() if video.finished_at else None,
        },
    }


class SenderTools(Protocol):
    """What delivering needs from the process: the process's resources provide it."""

    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def http(self) -> httpx.AsyncClient: ...


class WebhookSender:
    """Delivers the due webhooks, at most ``webhook_concurrency`` at once in this process."""

    def __init__(self, resources: SenderTools) -> None:
        self.resources = resources
        self.settings = resources.settings
        # The deliveries under way here, by video id: a poll starts no more than
        # there are free slots for, and none that is already under way.
        self._in_flight: dict[str, asyncio.Task[None]] = {}

    async def run_forever(self) -> None:
        try:
            while True:
                try:
                    await self.start_due()
                except Exception as exc:
                    logger.warning("webhook sender: %s", exc)
                await asyncio.sleep(POLL_INTERVAL)
        finally:
            # An attempt cut short here comes due again when its claim runs out.
            running = list(self._in_flight.values())
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def start_due(self) -> list[asyncio.Task[None]]:
        """Start as many due deliveries as there are free slots, oldest first."""
        room = self.settings.webhook_concurrency - len(self._in_flight)
        if room <= 0:
            return []
        async with self.resources.sessions() as session:
            due = list(
                await session.scalars(
                    select(Video.id)
                    .where(Video.webhook_due_at <= utcnow(), Video.id.not_in(list(self._in_flight)))
                    .order_by(Video.webhook_due_at)
                    .limit(room)
                )
            )
        return [self._start(video_id) for video_id in due]

    async def deliver_due(self) -> int:
        """One round of ``run_forever``, waited for: start what is due, let it finish."""
        started = await self.start_due()
        await asyncio.gather(*started)
        return len(started)

    def _start(self, video_id: str) -> asyncio.Task[None]:
        task = asyncio.create_task(self._deliver(video_id), name=f"webhook {video_id}")
        self._in_flight[video_id] = task
        task.add_done_callback(lambda _: self._in_flight.pop(video_id, None))
        return task

    async def _deliver(self, video_id: str) -> None:
        with structlog.contextvars.bound_contextvars(video_id=video_id):
            try:
                claimed = await self._claim_attempt(video_id)
                if claimed is None:
                    return
                video, secret = claimed
                outcome = await self._post(video, secret)
                await self._record(video, outcome)
            except Exception as exc:  # a database hiccup: the delivery comes due again
                logger.warning("webhook of video %s: %s", video_id, exc)

    async def _claim_attempt(self, video_id: str) -> tuple[Video, str] | None:
        async with self.resources.sessions() as session:
            video = await session.get(Video, video_id)
            now = utcnow()
            if video is None or video.webhook_due_at is None or video.webhook_due_at > now:
                return None
            # Park the delivery for longer than an attempt may take; if this process
            # dies mid-attempt, the delivery comes due again after that.
            parked = now + timedelta(seconds=self.settings.webhook_timeout + PARK_MARGIN)
            taken = await session.execute(
                update(Video)
                .where(Video.id == video_id, Video.webhook_attempts == video.webhook_attempts)
                .values(webhook_attempts=video.webhook_attempts + 1, webhook_due_at=parked)
                .execution_options(synchronize_session=False)
            )
            if not taken.rowcount:  # type: ignore[attr-defined]
                return None
            secret = await session.scalar(
                select(User.webhook_secret).where(User.id == video.owner_id)
            )
            await session.commit()
            await session.refresh(video)
        return video, secret or ""

    async def _post(self, video: Video, secret: str) -> Outcome:
        assert video.webhook_url is not None
        body = json.dumps(payload(video)).encode()
        finished = video.finished_at.timestamp() if video.finished_at else 0
        delivery_id = f"{video.id}.{video.status}.{int(finished * 1000)}"
        return await attempt_delivery(
            self.resources.http,
            video.webhook_url,
            body,
            signed_headers(secret, body, delivery_id),
            time_limit=self.settings.webhook_timeout,
            allow_private=self.settings.allow_private_urls,
        )

    async def _record(self, video: Video, outcome: Outcome) -> None:
        attempt = video.webhook_attempts
        detail = outcome.detail
        now = utcnow()
        if outcome.delivered:
            due, kind = None, "webhook_delivered"
            message = f"webhook delivered to {video.webhook_url} ({detail}, attempt {attempt})"
        elif video.finished_at and now - video.finished_at > timedelta(
            seconds=self.settings.webhook_retry_period
        ):
            due, kind = None, "webhook_failed"
            message = f"webhook to {video.webhook_url} given up after {attempt} attempts: {detail}"
        else:
            RETRIES.labels("webhook").inc()
            wait = backoff_delay(attempt, FIRST_RETRY, LONGEST_WAIT)
            due, kind = now + timedelta(seconds=wait), "webhook_attempt_failed"
            message = (
                f"webhook attempt {attempt} to {video.webhook_url} failed ({detail}); "
                f"next attempt in {wait:.0f} s"
            )
        async with self.resources.sessions() as session:
            await session.execute(
                update(Video)
                .where(Video.id == video.id, Video.webhook_attempts == attempt)
                .values(webhook_due_at=due)
                .execution_options(synchronize_session=False)
            )
            append_event(session, video.id, kind, message, {"attempt": attempt, "result": detail})
            await session.commit()
        log = logger.info if outcome.delivered else logger.warning
        log("video %s: %s", video.id, message)
