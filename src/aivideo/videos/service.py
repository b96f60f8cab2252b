"""What can be done with videos: create (idempotently), cancel, delete.

The service owns the transactions and the rules; the repository only talks to
the database, and the router only talks HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.db.models import User, Video
from aivideo.db.types import utcnow
from aivideo.errors import Conflict, InvalidInput, NotFound
from aivideo.ids import new_id
from aivideo.videos import repository
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.status import CANCELLABLE_STATUSES, VideoStatus

MAX_IDEMPOTENCY_KEY_CHARS = 255


@dataclass(frozen=True)
class CreatedVideo:
    video: Video
    replayed: bool  # True when an earlier request with the same Idempotency-Key made it


def _new_video(owner: User, request: VideoCreate, idempotency_key: str | None = None) -> Video:
    return Video(
        id=new_id(),
        owner_id=owner.id,
        status=VideoStatus.QUEUED.value,
        title=request.title,
        text=request.text,
        options=request.render_options(),
        metadata_=request.metadata,
        webhook_url=str(request.webhook_url) if request.webhook_url else None,
        idempotency_key=idempotency_key,
        request_hash=request.fingerprint(),
    )


def _replay(existing: Video, request: VideoCreate, key: str) -> CreatedVideo:
    if existing.request_hash != request.fingerprint():
        raise Conflict(
            f"the Idempotency-Key {key!r} was already used for a different request; "
            "send a new key to create a new video"
        )
    return CreatedVideo(existing, replayed=True)


async def create_video(
    session: AsyncSession,
    owner: User,
    request: VideoCreate,
    idempotency_key: str | None,
) -> CreatedVideo:
    """Queue a new video, or return the one an identical earlier request made."""
    if idempotency_key is not None:
        if not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_CHARS:
            raise InvalidInput(
                f"Idempotency-Key must have 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters"
            )
        existing = await repository.find_by_idempotency_key(session, owner.id, idempotency_key)
        if existing is not None:
            return _replay(existing, request, idempotency_key)

    owner_id = owner.id  # a rollback below expires ``owner``: keep what we need of it
    video = _new_video(owner, request, idempotency_key)
    try:
        await repository.add_videos(session, [video])
        await session.commit()
    except IntegrityError:
        # Two requests with one key raced: the unique index let one through.
        await session.rollback()
        if idempotency_key is None:
            raise
        existing = await repository.find_by_idempotency_key(session, owner_id, idempotency_key)
        if existing is None:
            raise
        return _replay(existing, request, idempotency_key)
    return CreatedVideo(video, replayed=False)


async def create_videos(
    session: AsyncSession, owner: User, requests: Sequence[VideoCreate]
) -> list[Video]:
    """Queue several videos in one transaction: all are created, or none."""
    videos = [_new_video(owner, request) for request in requests]
    await repository.add_videos(session, videos)
    await session.commit()
    return videos


async def get_owned_video(session: AsyncSession, owner: User, video_id: str) -> Video:
    """The owner's video; another user's video is "not found", exactly like a missing one."""
    video = await repository.get_video(session, owner.id, video_id)
    if video is None:
        raise NotFound(f"no video with id {video_id!r}")
    return video


async def cancel_video(session: AsyncSession, owner: User, video_id: str) -> Video:
    """Cancel a queued or running video; a finished one cannot be cancelled."""
    video = await get_owned_video(session, owner, video_id)
    cancelled = await repository.change_status(
        session,
        video.id,
        CANCELLABLE_STATUSES,
        VideoStatus.CANCELLED,
        finished_at=utcnow(),
    )
    if not cancelled:
        await session.rollback()
        await session.refresh(video)
        raise Conflict(
            f"video {video.id} is already {video.status}; only queued or running videos "
            "can be cancelled"
        )
    repository.append_event(session, video.id, "cancelled", "cancelled at the owner's request")
    await session.commit()
    await session.refresh(video)
    return video


async def delete_video(session: AsyncSession, owner: User, video_id: str) -> None:
    """Delete a video and its log. A running video must be cancelled first."""
    video = await get_owned_video(session, owner, video_id)
    deletable = set(VideoStatus) - {VideoStatus.RUNNING}
    if not await repository.delete_video(session, video.id, deletable):
        await session.rollback()
        raise Conflict(f"video {video.id} is running: cancel it first, then delete it")
    await session.commit()
