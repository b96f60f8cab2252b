"""The reconciler and duplicate deliveries, with the job system in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aivideo.auth.service import get_or_create_user
from aivideo.core.config import Settings
from aivideo.jobs.broker import publish_video
from aivideo.jobs.system import JobSystem
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_video
from tests.support.video_state import event_kinds, wait_for_status

LIMITS = QueueLimits(per_user=100, total=100)


async def _commit_video_without_publishing(resources: Resources, text: str) -> str:
    """What an API that dies right after its commit leaves behind."""
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "alice")
        request = VideoCreate(text=text, quality="low")  # type: ignore[arg-type]
        created = await create_video(session, owner, request, None, LIMITS)
        return created.video.id


@pytest.fixture
async def jobs(settings: Settings, resources: Resources) -> AsyncIterator[JobSystem]:
    system = JobSystem(resources, settings.model_copy(update={"render_slots": 2}))
    await system.start()
    yield system
    await system.stop(grace=0)


async def test_a_video_committed_but_never_published_is_delivered(
    jobs: JobSystem, resources: Resources
) -> None:
    video_id = await _commit_video_without_publishing(resources, "Nobody published me. Yet.")

    video = await wait_for_status(resources, video_id, "completed", "failed")

    # Only the reconciler could have sent it: nothing else knew about it.
    assert video.status == "completed", video.error_message


async def test_the_same_video_delivered_twice_is_made_once(
    jobs: JobSystem, resources: Resources
) -> None:
    video_id = await _commit_video_without_publishing(resources, "Twice sent, once made.")

    await publish_video(jobs.broker, video_id)
    await publish_video(jobs.broker, video_id)
    video = await wait_for_status(resources, video_id, "completed", "failed")

    assert video.status == "completed", video.error_message
    assert video.attempts == 1
    assert (await event_kinds(resources, video_id)).count("started") == 1
