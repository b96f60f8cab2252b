"""Handing committed videos to the workers: a broker message each, then one note that they went.

Videos published at the same moment (the creates of many requests) are handed
over together (aivideo.core.batches): their messages go out at once, each
confirmed by RabbitMQ, and one transaction records them all as sent. One at a
time, each create waited for a publisher confirm and a transaction of its own,
and under load creates queued for both (bench/api_bench.py, 100 connections:
168 creates/s with RabbitMQ against 960 without). What fails here the
reconciler redoes: a video not recorded as sent is sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from taskiq import AsyncBroker

from aivideo.core.batches import Batches
from aivideo.db.types import utcnow
from aivideo.jobs import claims
from aivideo.jobs.broker import publish_video
from aivideo.jobs.tools import JobTools

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 5.0  # seconds a message may take: a reconnecting broker must not hold requests
# A group commit's worth (aivideo.videos.group_commit, 1 000) goes out in one batch
# and all at once: in chunks of 200, 1 000 clients creating at once waited for the
# chunks in turn, each a few turns of a busy loop, and hundreds of them over 2 s.
MAX_CALLS = 1000  # publish calls served by one batch (a call may hand over many videos)
AT_ONCE = 1000  # messages of a batch awaiting their confirms at the same time


class Publisher:
    def __init__(self, broker: AsyncBroker, tools: JobTools) -> None:
        self.broker = broker
        self.tools = tools
        self._batches = Batches(self._publish_together, max_size=MAX_CALLS, name="publish")

    async def publish(self, video_ids: Sequence[str]) -> None:
        """Send these committed, queued videos; returns once sent and recorded (or given up)."""
        if video_ids:
            await self._batches.submit(tuple(video_ids))

    async def _publish_together(self, calls: Sequence[tuple[str, ...]]) -> list[None]:
        started = utcnow()  # every video of the batch was committed before it
        sent = await self._send([video_id for call in calls for video_id in call])
        if sent:
            try:
                async with self.tools.sessions() as session:
                    await claims.mark_dispatched(session, sent, unchanged_since=started)
                    await session.commit()
            except Exception as exc:  # sent: at worst the reconciler sends them twice
                logger.warning("could not record %d videos as sent: %s", len(sent), exc)
        return [None] * len(calls)

    async def _send(self, video_ids: Sequence[str]) -> list[str]:
        """The videos whose messages the broker confirmed."""

        async def send(video_id: str) -> None:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                await publish_video(self.broker, video_id)

        sent: list[str] = []
        failures: list[BaseException] = []
        for start in range(0, len(video_ids), AT_ONCE):
            chunk = video_ids[start : start + AT_ONCE]
            outcomes = await asyncio.gather(*(send(v) for v in chunk), return_exceptions=True)
            for video_id, outcome in zip(chunk, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    failures.append(outcome)
                else:
                    sent.append(video_id)
        if failures:
            logger.warning(
                "could not publish %d videos (%s); the reconciler will", len(failures), failures[0]
            )
        return sent
