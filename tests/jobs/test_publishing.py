"""Videos published at the same moment are all sent to RabbitMQ and recorded as sent."""

from __future__ import annotations

import asyncio
import json

import aio_pika
from sqlalchemy import select

from aivideo.auth.service import get_or_create_user
from aivideo.core.config import Settings
from aivideo.db.models import Video
from aivideo.jobs.broker import make_broker
from aivideo.jobs.publishing import AT_ONCE, Publisher
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_videos

CROWD = AT_ONCE + 100  # more than one chunk of messages awaiting their confirms at once


async def _queued_messages(rabbitmq_url: str, queue_name: str) -> list[str]:
    """The video ids waiting in the queue, taken off it."""
    connection = await aio_pika.connect(rabbitmq_url)
    ids = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            ids.append(json.loads(message.body)["args"][0])
    return ids


async def test_creates_published_together_are_each_sent_once_and_recorded(
    settings: Settings, resources: Resources, rabbitmq_url: str, broker_queue: str
) -> None:
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "alice")
        requests = [VideoCreate(text=f"Video {n}.") for n in range(CROWD)]
        videos = await create_videos(session, owner, requests, QueueLimits(CROWD, CROWD))
    video_ids = [video.id for video in videos]
    broker = make_broker(settings, prefetch=1)
    await broker.startup()  # declares the queue
    try:
        publisher = Publisher(broker, resources)
        # As many requests would, all at once: creates of one video each, and batch
        # creates of 50 (MAX_BATCH), which make the batch's messages more than one chunk.
        singles = [[video_id] for video_id in video_ids[:100]]
        calls = singles + [video_ids[n : n + 50] for n in range(100, CROWD, 50)]
        await asyncio.gather(*(publisher.publish(call) for call in calls))
    finally:
        await broker.shutdown()

    assert sorted(await _queued_messages(rabbitmq_url, broker_queue)) == sorted(video_ids)
    async with resources.sessions() as session:
        dispatched = await session.scalars(
            select(Video.dispatched_at).where(Video.id.in_(video_ids))
        )
        assert all(when is not None for when in dispatched)
