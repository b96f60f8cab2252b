"""Database access for videos and their events. No HTTP, no business rules.

Each function takes the caller's session and leaves the transaction to it, so
a service can put several of them in one commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.status import VideoStatus
from aivideo.db.models import Video, VideoEvent
from aivideo.db.types import utcnow


async def get_video(session: AsyncSession, owner_id: str, video_id: str) -> Video | None:
    """The video with this id if ``owner_id`` owns it; another user's video is None."""
    return await session.scalar(
        select(Video).where(Video.id == video_id, Video.owner_id == owner_id)
    )


async def get_videos_of_anyone(session: AsyncSession, video_ids: Iterable[str]) -> list[Video]:
    """Videos by id whoever owns them: the caller checks the owner."""
    return list(await session.scalars(select(Video).where(Video.id.in_(set(video_ids)))))


async def find_by_idempotency_key(session: AsyncSession, owner_id: str, key: str) -> Video | None:
    return await session.scalar(
        select(Video).where(Video.owner_id == owner_id, Video.idempotency_key == key)
    )


async def add_videos(session: AsyncSession, videos: Sequence[Video]) -> None:
    """Insert new videos, each with a "created" event, in the caller's transaction.

    Two multi-row INSERTs rather than the ORM's unit of work, which spent more
    CPU on its bookkeeping than on the statements (a fifth of a create, profiled
    under bench/api_bench.py). The videos stay detached: their columns, defaults
    included, are filled in here, as a flush would have.
    """
    rows = [_with_defaults(video) for video in videos]
    await session.execute(insert(Video), rows)  # before the events that point at them
    now = utcnow()
    events = [
        {"video_id": video.id, "created_at": now, "kind": "created", "message": "video queued"}
        for video in videos
    ]
    await session.execute(insert(VideoEvent), events)


def _with_defaults(video: Video) -> dict[str, Any]:
    """The video's row, by attribute name, with each column default the video lacked set on it."""
    row = {}
    for attribute in _VIDEO_COLUMNS:
        value = getattr(video, attribute.key)
        default = attribute.columns[0].default
        if value is None and default is not None:
            # A scalar default, or a Python callable SQLAlchemy calls with the statement's context.
            value = default.arg(None) if default.is_callable else default.arg
            setattr(video, attribute.key, value)
        row[attribute.key] = value
    return row


_VIDEO_COLUMNS = sa_inspect(Video).column_attrs


def webhook_due_now() -> Any:
    """SQL for "a webhook is due now if the video has a webhook URL": set with a final status."""
    return case((Video.webhook_url.is_not(None), utcnow()), else_=None)


async def change_status(
    session: AsyncSession,
    video_id: str,
    expected: Iterable[VideoStatus],
    new: VideoStatus,
    **values: Any,
) -> bool:
    """Move a video to ``new`` only if its status is one of ``expected``.

    A conditional UPDATE: of two writers racing from the same status, exactly
    one sees True. Returns whether this call changed the row.
    """
    now = utcnow()
    result = await session.execute(
        update(Video)
        .where(Video.id == video_id, Video.status.in_([s.value for s in expected]))
        .values(status=new.value, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def count_queued(session: AsyncSession, owner_id: str | None = None) -> int:
    """Videos waiting to be made: the owner's, or everyone's."""
    query = select(func.count()).select_from(Video).where(Video.status == VideoStatus.QUEUED.value)
    if owner_id is not None:
        query = query.where(Video.owner_id == owner_id)
    return int(await session.scalar(query) or 0)


async def count_queued_by_owner(session: AsyncSession, owner_ids: Iterable[str]) -> dict[str, int]:
    """Videos waiting to be made, per owner among ``owner_ids`` (absent: none)."""
    rows = await session.execute(
        select(Video.owner_id, func.count())
        .where(Video.status == VideoStatus.QUEUED.value, Video.owner_id.in_(set(owner_ids)))
        .group_by(Video.owner_id)
    )
    return {owner_id: int(count) for owner_id, count in rows}


async def storage_used_by_owner(session: AsyncSession, owner_ids: Iterable[str]) -> dict[str, int]:
    """Bytes each owner's made videos take, among ``owner_ids`` (absent: none)."""
    rows = await session.execute(
        select(Video.owner_id, func.coalesce(func.sum(Video.size_bytes), 0))
        .where(Video.owner_id.in_(set(owner_ids)))
        .group_by(Video.owner_id)
    )
    return {owner_id: int(used or 0) for owner_id, used in rows}


async def storage_used(session: AsyncSession, owner_id: str) -> int:
    """Bytes the owner's made videos take (the video files, which are most of it)."""
    query = select(func.coalesce(func.sum(Video.size_bytes), 0)).where(Video.owner_id == owner_id)
    return int(await session.scalar(query) or 0)


async def list_videos(
    session: AsyncSession,
    owner_id: str,
    *,
    status: VideoStatus | None,
    limit: int,
    before_id: str | None,
) -> list[Video]:
    """A page of the owner's videos, newest first, older than ``before_id``."""
    query = select(Video).where(Video.owner_id == owner_id)
    if status is not None:
        query = query.where(Video.status == status.value)
    if before_id is not None:
        query = query.where(Video.id < before_id)
    result = await session.scalars(query.order_by(Video.id.desc()).limit(limit))
    return list(result)


async def delete_video(
    session: AsyncSession, video_id: str, expected: Iterable[VideoStatus]
) -> bool:
    """Delete a video whose status is one of ``expected``, with its events (ON DELETE CASCADE)."""
    result = await session.execute(
        delete(Video).where(Video.id == video_id, Video.status.in_([s.value for s in expected]))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def append_event(
    session: AsyncSession,
    video_id: str,
    kind: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Stage one line of the video's log for the caller's commit."""
    session.add(VideoEvent(video_id=video_id, kind=kind, message=message, data=data or {}))


async def list_events(
    session: AsyncSession, video_id: str, *, limit: int, after_id: int | None
) -> list[VideoEvent]:
    """A page of the video's log, oldest first, newer than ``after_id``."""
    query = select(VideoEvent).where(VideoEvent.video_id == video_id)
    if after_id is not None:
        query = query.where(VideoEvent.id > after_id)
    result = await session.scalars(query.order_by(VideoEvent.id).limit(limit))
    return list(result)
