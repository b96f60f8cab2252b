"""What the database says about a video, for tests that watch jobs from outside."""

from __future__ import annotations

from sqlalchemy import select

from aivideo.db.models import Video, VideoEvent
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for


async def video_row(resources: Resources, video_id: str) -> Video:
    async with resources.sessions() as session:
        video = await session.get(Video, video_id)
        assert video is not None
        return video


async def wait_for_status(
    resources: Resources, video_id: str, *statuses: str, seconds: float = 90
) -> Video:
    async def reached() -> Video | None:
        video = await video_row(resources, video_id)
        return video if video.status in statuses else None

    return await wait_for(reached, seconds)


async def wait_for_stage(resources: Resources, video_id: str, stage: str) -> Video:
    async def reached() -> Video | None:
        video = await video_row(resources, video_id)
        return video if video.stage == stage and video.status == "running" else None

    return await wait_for(reached)


async def event_kinds(resources: Resources, video_id: str) -> list[str]:
    async with resources.sessions() as session:
        kinds = await session.scalars(
            select(VideoEvent.kind).where(VideoEvent.video_id == video_id).order_by(VideoEvent.id)
        )
        return list(kinds)
