"""Parallel segments' claims on each database: one worker per segment, nothing rendered twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.service import get_or_create_user
from aivideo.db.models import Video, VideoSegment
from aivideo.db.types import utcnow
from aivideo.jobs import claims, segment_claims
from aivideo.jobs.segment_claims import SegmentStatus
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_video
from tests.support.video_state import event_kinds

LIMITS = QueueLimits(per_user=100, total=100)


async def _video_with_segments(resources: Resources, count: int) -> str:
    """A running video (worker-a makes it) whose render offers ``count`` segments."""
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "alice")
        video_id = (await create_video(session, owner, VideoCreate(text="Many parts."), None,
                                       LIMITS)).video.id  # fmt: skip
        await session.commit()
        assert await claims.claim(session, video_id, "worker-a", lease=30)
        await segment_claims.offer(session, video_id, count)
        await session.commit()
    return video_id


async def _claim(resources: Resources, video_id: str, number: int, worker_id: str) -> bool:
    async with resources.sessions() as session:
        won = await segment_claims.claim(session, video_id, number, worker_id, lease=30)
        await session.commit()
        return won


async def _states(resources: Resources, video_id: str) -> list[segment_claims.SegmentState]:
    async with resources.sessions() as session:
        return await segment_claims.states(session, video_id)


async def test_two_workers_claiming_one_segment_one_wins_and_a_duplicate_claims_nothing(
    resources: Resources,
) -> None:
    video_id = await _video_with_segments(resources, 3)

    results = await asyncio.gather(
        _claim(resources, video_id, 1, "worker-b"), _claim(resources, video_id, 1, "worker-c")
    )

    assert sorted(results) == [False, True]
    winner = "worker-b" if results[0] else "worker-c"
    async with resources.sessions() as session:
        assert await segment_claims.finish(session, video_id, 1, winner, frames=90, seconds=1.5)
        await session.commit()
    # The same delivery again, once done: nothing to render.
    assert not await _claim(resources, video_id, 1, "worker-b")
    states = await _states(resources, video_id)
    assert [(s.status, s.worker_id) for s in states] == [
        (SegmentStatus.QUEUED, None), (SegmentStatus.DONE, winner), (SegmentStatus.QUEUED, None),
    ]  # fmt: skip
    assert (await event_kinds(resources, video_id)).count("segment_rendered") == 1


async def test_the_videos_own_worker_takes_the_segments_nobody_has_in_order(
    resources: Resources,
) -> None:
    video_id = await _video_with_segments(resources, 3)
    assert await _claim(resources, video_id, 0, "worker-b")

    async with resources.sessions() as session:
        taken = [
            await segment_claims.claim_next(session, video_id, "worker-a", lease=30)
            for _ in range(3)
        ]
        await session.commit()

    assert taken == [1, 2, None]


async def test_a_segment_of_a_video_no_longer_running_is_not_claimed_nor_renewed(
    resources: Resources,
) -> None:
    video_id = await _video_with_segments(resources, 2)
    assert await _claim(resources, video_id, 0, "worker-b")
    async with resources.sessions() as session:
        await session.execute(update(Video).where(Video.id == video_id).values(status="cancelled"))
        await session.commit()

    assert not await _claim(resources, video_id, 1, "worker-b")
    async with resources.sessions() as session:
        # The encoder of segment 0 hears it at its next renewal, and stops.
        assert not await segment_claims.renew(session, video_id, 0, "worker-b", 30, frames=10)


async def test_a_segment_whose_worker_went_silent_is_queued_again_then_failed(
    resources: Resources,
) -> None:
    video_id = await _video_with_segments(resources, 2)

    async def expire_lease() -> None:
        async with resources.sessions() as session:
            await session.execute(
                update(VideoSegment).where(VideoSegment.video_id == video_id)
                .values(lease_expires_at=utcnow() - timedelta(seconds=1))
            )  # fmt: skip
            await session.commit()

    async def take_back() -> list[int]:
        async with resources.sessions() as session:
            again = await segment_claims.take_back_expired(
                session, video_id, max_attempts=2, keeper="worker-a"
            )
            await session.commit()
            return again

    assert await _claim(resources, video_id, 1, "worker-b")
    assert await _claim(resources, video_id, 0, "worker-a")  # the video's own: never taken back
    await expire_lease()
    assert await take_back() == [1]
    async with resources.sessions() as session:
        # worker-b comes back to life: its claim is gone, its result is not recorded.
        assert not await segment_claims.finish(session, video_id, 1, "worker-b", 90, 1.0)
    assert await _claim(resources, video_id, 1, "worker-c")  # the second attempt
    await expire_lease()

    assert await take_back() == []
    states = await _states(resources, video_id)
    assert [s.status for s in states] == [SegmentStatus.RUNNING, SegmentStatus.FAILED]


async def test_a_new_render_offers_its_segments_anew(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _video_with_segments(resources, 3)
    assert await _claim(resources, video_id, 2, "worker-b")

    await segment_claims.offer(session, video_id, 2)
    await session.commit()

    states = await _states(resources, video_id)
    assert [(s.number, s.status) for s in states] == [
        (0, SegmentStatus.QUEUED), (1, SegmentStatus.QUEUED),
    ]  # fmt: skip
    async with resources.sessions() as other:
        # The old render's worker of segment 2 hears it is gone.
        assert not await segment_claims.renew(other, video_id, 2, "worker-b", 30, frames=5)
