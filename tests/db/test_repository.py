"""Repository behaviour that the API cannot show directly: races and ordering."""

from __future__ import annotations

import asyncio

from aivideo.auth.service import get_or_create_user
from aivideo.core.ids import new_id
from aivideo.core.status import VideoStatus
from aivideo.db import repository
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources


async def _queued_video(resources: Resources) -> str:
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "carol")
        video = Video(id=new_id(), owner_id=owner.id, text="race", options={})
        await repository.add_videos(session, [video])
        await session.commit()
        return video.id


async def test_two_concurrent_status_changes_exactly_one_wins(resources: Resources) -> None:
    video_id = await _queued_video(resources)

    async def claim(new: VideoStatus) -> bool:
        async with resources.sessions() as session:
            changed = await repository.change_status(session, video_id, [VideoStatus.QUEUED], new)
            await session.commit()
            return changed

    outcomes = await asyncio.gather(claim(VideoStatus.RUNNING), claim(VideoStatus.CANCELLED))

    assert sorted(outcomes) == [False, True]
    async with resources.sessions() as session:
        stored = await session.get(Video, video_id)
    assert stored is not None
    winner = VideoStatus.RUNNING if outcomes[0] else VideoStatus.CANCELLED
    assert stored.status == winner


async def test_status_change_from_an_unexpected_status_changes_nothing(
    resources: Resources,
) -> None:
    video_id = await _queued_video(resources)

    async with resources.sessions() as session:
        changed = await repository.change_status(
            session, video_id, [VideoStatus.RUNNING], VideoStatus.COMPLETED
        )
        await session.commit()
        stored = await session.get(Video, video_id)

    assert changed is False
    assert stored is not None and stored.status == VideoStatus.QUEUED


async def test_timestamps_come_back_as_utc(resources: Resources) -> None:
    video_id = await _queued_video(resources)

    async with resources.sessions() as session:
        stored = await session.get(Video, video_id)

    assert stored is not None
    assert stored.created_at.utcoffset() is not None
    assert stored.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
