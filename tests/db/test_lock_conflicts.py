"""Deadlocks are conflicts to retry: not an unreachable database, not a failed video."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.service import get_or_create_user
from aivideo.db.availability import is_database_unavailable
from aivideo.db.conflicts import is_retryable_conflict
from aivideo.jobs import claims
from aivideo.jobs.live import InProcessEvents
from aivideo.jobs.worker import VideoWorker, is_transient
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_video
from tests.support.lock_waits import deadlock_error
from tests.support.video_state import event_kinds, video_row

SERVERS = pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)


@SERVERS
async def test_a_real_deadlock_is_a_conflict_worth_retrying_not_an_outage(
    resources: Resources, session: AsyncSession
) -> None:
    alice = (await get_or_create_user(session, "alice")).id
    bob = (await get_or_create_user(session, "bob")).id
    await session.commit()

    error = await deadlock_error(resources, alice, bob)

    assert is_retryable_conflict(error)
    assert not is_database_unavailable(error)  # not "the database cannot be reached"
    assert is_transient(error)


@SERVERS
async def test_a_video_whose_attempt_lost_a_deadlock_is_tried_again_not_failed(
    resources: Resources, session: AsyncSession
) -> None:
    alice = await get_or_create_user(session, "alice")
    bob = (await get_or_create_user(session, "bob")).id
    limits = QueueLimits(per_user=10, total=10)
    video_id = (await create_video(session, alice, VideoCreate(text="Hi."), None, limits)).video.id
    worker = VideoWorker(resources, resources.settings, InProcessEvents())
    async with resources.sessions() as claiming:
        assert await claims.claim(claiming, video_id, worker.id, lease=30)
        await claiming.commit()

    error = await deadlock_error(resources, alice.id, bob)
    await worker._after_failure(video_id, 1, error)

    video = await video_row(resources, video_id)
    assert video.status == "queued", video.error_message
    assert "retry_scheduled" in await event_kinds(resources, video_id)
