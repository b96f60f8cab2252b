"""Shared parts' claims on each database: one worker per part, nothing done twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.service import get_or_create_user
from aivideo.db.models import Video, VideoPart
from aivideo.db.types import utcnow
from aivideo.jobs import claims, part_claims
from aivideo.jobs.part_claims import PartKind, PartStatus
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_video
from tests.support.video_state import event_kinds

LIMITS = QueueLimits(per_user=100, total=100)
SEGMENT = PartKind.SEGMENT


async def _video_with_segments(resources: Resources, count: int) -> str:
    """A running video (worker-a makes it) whose render offers ``count`` segments."""
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "alice")
        video_id = (await create_video(session, owner, VideoCreate(text="Many parts."), None,
                                       LIMITS)).video.id  # fmt: skip
        await session.commit()
        assert await claims.claim(session, video_id, "worker-a", lease=30)
        await part_claims.offer(session, video_id, SEGMENT, count)
        await session.commit()
    return video_id


async def _claim(resources: Resources, video_id: str, number: int, worker_id: str) -> bool:
    async with resources.sessions() as session:
        won = await part_claims.claim(session, video_id, SEGMENT, number, worker_id, lease=30)
        await session.commit()
        return won


async def _states(resources: Resources, video_id: str) -> list[part_claims.PartState]:
    async with resources.sessions() as session:
        return await part_claims.states(session, video_id, SEGMENT)


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
        assert await part_claims.finish(session, video_id, SEGMENT, 1, winner, 90, seconds=1.5)
        await session.commit()
    # The same delivery again, once done: nothing to render.
    assert not await _claim(resources, video_id, 1, "worker-b")
    states = await _states(resources, video_id)
    assert [(s.status, s.worker_id) for s in states] == [
        (PartStatus.QUEUED, None), (PartStatus.DONE, winner), (PartStatus.QUEUED, None),
    ]  # fmt: skip
    assert (await event_kinds(resources, video_id)).count("segment_rendered") == 1


async def test_the_videos_own_worker_takes_the_segments_nobody_has_in_order(
    resources: Resources,
) -> None:
    video_id = await _video_with_segments(resources, 3)
    assert await _claim(resources, video_id, 0, "worker-b")

    async with resources.sessions() as session:
        taken = [
            await part_claims.claim_next(session, video_id, SEGMENT, "worker-a", lease=30)
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
        assert not await part_claims.renew(
            session, video_id, SEGMENT, 0, "worker-b", 30, done_so_far=10
        )


async def test_a_segment_whose_worker_went_silent_is_queued_again_then_failed(
    resources: Resources,
) -> None:
    video_id = await _video_with_segments(resources, 2)

    async def expire_lease() -> None:
        async with resources.sessions() as session:
            await session.execute(
                update(VideoPart).where(VideoPart.video_id == video_id)
                .values(lease_expires_at=utcnow() - timedelta(seconds=1))
            )  # fmt: skip
            await session.commit()

    async def take_back() -> list[int]:
        async with resources.sessions() as session:
            again = await part_claims.take_back_expired(
                session, video_id, SEGMENT, max_attempts=2, keeper="worker-a"
            )
            await session.commit()
            return again

    assert await _claim(resources, video_id, 1, "worker-b")
    assert await _claim(resources, video_id, 0, "worker-a")  # the video's own: never taken back
    await expire_lease()
    assert await take_back() == [1]
    async with resources.sessions() as session:
        # worker-b comes back to life: its claim is gone, its result is not recorded.
        assert not await part_claims.finish(session, video_id, SEGMENT, 1, "worker-b", 90, 1.0)
    assert await _claim(resources, video_id, 1, "worker-c")  # the second attempt
    await expire_lease()

    assert await take_back() == []
    states = await _states(resources, video_id)
    assert [s.status for s in states] == [PartStatus.RUNNING, PartStatus.FAILED]


async def test_a_new_render_offers_its_segments_anew(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _video_with_segments(resources, 3)
    assert await _claim(resources, video_id, 2, "worker-b")

    await part_claims.offer(session, video_id, SEGMENT, 2)
    await session.commit()

    states = await _states(resources, video_id)
    assert [(s.number, s.status) for s in states] == [
        (0, PartStatus.QUEUED), (1, PartStatus.QUEUED),
    ]  # fmt: skip
    async with resources.sessions() as other:
        # The old render's worker of segment 2 hears it is gone.
        assert not await part_claims.renew(other, video_id, SEGMENT, 2, "worker-b", 30, 5)


async def test_the_speech_and_the_segments_of_one_video_are_claimed_apart(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _video_with_segments(resources, 2)
    await part_claims.offer(session, video_id, PartKind.SPEECH, 3)
    await session.commit()

    async with resources.sessions() as other:
        speech = await part_claims.claim(other, video_id, PartKind.SPEECH, 1, "worker-b", 30)
        assert await part_claims.finish(other, video_id, PartKind.SPEECH, 1, "worker-b", 8, 2.0)
        await part_claims.forget(other, video_id, PartKind.SPEECH)
        await other.commit()

    assert speech
    # The segments are as they were; the speech's done part said so in the log.
    assert [s.status for s in await _states(resources, video_id)] == [PartStatus.QUEUED] * 2
    assert "speech_spoken" in await event_kinds(resources, video_id)
