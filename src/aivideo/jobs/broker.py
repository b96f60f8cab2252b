"""The taskiq broker that carries video ids from the API to the workers.

Embedded (no ``AIVIDEO_BROKER_URL``): taskiq's in-memory broker, which runs a
job as a task of the same process. Production: RabbitMQ through
taskiq-aio-pika, on a durable quorum queue; a worker acknowledges a message
only when its task has returned, that is after the video's final state is
committed, and prefetches no more messages than it has render slots.

With shared work, a worker making a long video also offers each part of its
speech and render as a task of its own (video id, kind and number).

The broker only delivers ids: the videos table decides what happens, so a lost
or doubled message is harmless (see :mod:`aivideo.jobs.reconciler`).
"""

from __future__ import annotations

from taskiq import AsyncBroker, InMemoryBroker
from taskiq.kicker import AsyncKicker
from taskiq_aio_pika import AioPikaBroker, Queue, QueueType

from aivideo.core.config import Settings

MAKE_VIDEO_TASK = "aivideo.make_video"
TAKE_PART_TASK = "aivideo.take_part"  # shared work: a part of another worker's video


def make_broker(settings: Settings, *, prefetch: int) -> AsyncBroker:
    """The broker the settings ask for; ``prefetch``: the worker's render slots (at least 1)."""
    if settings.broker_url is None:
        return InMemoryBroker(max_stored_results=1)
    return AioPikaBroker(
        settings.broker_url,
        qos=max(prefetch, 1),
        task_queues=[Queue(name=settings.broker_queue, type=QueueType.QUORUM, durable=True)],
        # aio-pika's robust connection reconnects by itself when RabbitMQ restarts.
        reconnect_interval=1.0,
    )


async def publish_video(broker: AsyncBroker, video_id: str) -> None:
    """Hand a video id to the workers (confirmed by RabbitMQ before this returns)."""
    kicker: AsyncKicker[[str], None] = AsyncKicker(MAKE_VIDEO_TASK, broker, labels={})
    await kicker.kiq(video_id)


async def publish_part(broker: AsyncBroker, video_id: str, kind: str, number: int) -> None:
    """Offer one part of a video's work (a segment, a run of sentences) to any free worker."""
    kicker: AsyncKicker[[str, str, int], None] = AsyncKicker(TAKE_PART_TASK, broker, labels={})
    await kicker.kiq(video_id, kind, number)
