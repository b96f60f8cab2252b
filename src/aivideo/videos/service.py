"""What can be done with videos: create (idempotently), cancel, delete.

The service owns the transactions and the rules; the repository only talks to
the database, and the router only talks HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.key_cache import Caller
from aivideo.core.config import Settings
from aivideo.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    QueueFull,
    StorageQuotaExceeded,
)
from aivideo.core.ids import new_id
from aivideo.core.options import VisualChoice
from aivideo.core.status import CANCELLABLE_STATUSES, RETRYABLE_STATUSES, VideoStatus
from aivideo.db import repository
from aivideo.db.conflicts import retried_on_conflict
from aivideo.db.locks import lock_video_queue
from aivideo.db.models import Video
from aivideo.db.types import utcnow
from aivideo.pipeline.speech.voices import VoiceCatalogue, check_language
from aivideo.videos.schemas import VideoCreate

MAX_IDEMPOTENCY_KEY_CHARS = 255


@dataclass(frozen=True)
class QueueLimits:
    """How many videos may wait at once: per user, and for the whole service."""

    per_user: int
    total: int
    storage_per_user: int = 0  # bytes of finished videos a user may keep; 0: no limit

    @classmethod
    def of(cls, settings: Settings) -> QueueLimits:
        return cls(
            per_user=settings.max_queued_per_user,
            total=settings.max_queued_total,
            storage_per_user=settings.max_storage_per_user,
        )


async def _check_room(
    session: AsyncSession, owner_id: str, adding: int, limits: QueueLimits
) -> None:
    """Refuse (429) videos that would make a queue longer than its limit.

    Exact even when many requests race: the queue's lock, held until the
    caller's transaction ends, lets one transaction at a time count and add.
    """
    await lock_video_queue(session)
    waiting = await repository.count_queued(session, owner_id)
    if waiting + adding > limits.per_user:
        raise user_queue_full(waiting, limits)
    if await repository.count_queued(session) + adding > limits.total:
        raise service_queue_full()


def user_queue_full(waiting: int, limits: QueueLimits) -> QueueFull:
    return QueueFull(
        f"you have {waiting} videos waiting and may have at most {limits.per_user}: "
        "send more when some are done",
        retry_after=30,
    )


def service_queue_full() -> QueueFull:
    return QueueFull("the service has too many videos waiting; try again in a minute", 60)


async def _check_storage(session: AsyncSession, owner_id: str, limits: QueueLimits) -> None:
    """Refuse (413) new videos while the user's finished ones fill their storage."""
    if not limits.storage_per_user:
        return
    used = await repository.storage_used(session, owner_id)
    if used >= limits.storage_per_user:
        raise storage_full(used, limits)


def storage_full(used: int, limits: QueueLimits) -> StorageQuotaExceeded:
    return StorageQuotaExceeded(
        f"your videos take {used / 1e6:,.1f} MB of the {limits.storage_per_user / 1e6:,.1f} "
        "MB you may keep: delete some videos to make new ones"
    )


def check_prompts(requests: Sequence[VideoCreate], has_script_writer: bool) -> None:
    """Refuse at once (422) a prompt this server has no script writer for."""
    if not has_script_writer and any(request.prompt is not None for request in requests):
        raise InvalidInput(
            "this server has no script writer (an LLM) configured, so it cannot write a "
            "narration from `prompt`: send the narration as `text` instead"
        )


def _field(index: int, name: str, *, batch: bool) -> str:
    """``name`` of the request ``index`` in error messages: ``videos[2].voice`` in a batch."""
    return f"videos[{index}].{name}" if batch else name


def check_visuals(requests: Sequence[VideoCreate], has_stock: bool, *, batch: bool) -> None:
    """Refuse at once (422) stock footage asked of a server with no stock library, and
    ``media_urls`` beside ``scenes`` (whose pictures are each scene's ``media_url``)."""
    for index, request in enumerate(requests):
        if request.visuals is VisualChoice.STOCK and not has_stock:
            raise InvalidInput(
                f"{_field(index, 'visuals', batch=batch)}: this server has no stock footage "
                "library configured (AIVIDEO_PEXELS_API_KEY or AIVIDEO_PIXABAY_API_KEY): "
                "choose `auto`, `pictograms` or `painted`"
            )
        if request.scenes and request.media_urls:
            raise InvalidInput(
                f"{_field(index, 'media_urls', batch=batch)}: a video made of `scenes` shows "
                "each scene's own `media_url`: move each URL into the scene that shows it"
            )


def check_voices(requests: Sequence[VideoCreate], voices: VoiceCatalogue, *, batch: bool) -> None:
    """Refuse at once (422) a voice this server does not offer, the video's or a scene's,
    or one that does not speak the video's ``language``, naming the field (``voice``,
    ``scenes[3].voice``)."""
    for index, request in enumerate(requests):
        asked = [("voice", request.voice)] + [
            (f"scenes[{number}].voice", scene.voice)
            for number, scene in enumerate(request.scenes or ())
            if scene.voice is not None
        ]
        for name, voice in asked:
            try:
                check_language(voices.find(voice), request.language)
            except InvalidInput as exc:
                raise InvalidInput(f"{_field(index, name, batch=batch)}: {exc.message}") from exc


@dataclass(frozen=True)
class CreatedVideo:
    video: Video
    replayed: bool  # True when an earlier request with the same Idempotency-Key made it


def new_video(owner: Caller, request: VideoCreate, idempotency_key: str | None = None) -> Video:
    return Video(
        id=new_id(),
        owner_id=owner.id,
        status=VideoStatus.QUEUED.value,
        title=request.title,
        text=request.narration,
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


@retried_on_conflict
async def create_video(
    session: AsyncSession,
    owner: Caller,
    request: VideoCreate,
    idempotency_key: str | None,
    limits: QueueLimits,
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

    owner_id = owner.id
    await _check_storage(session, owner_id, limits)
    await _check_room(session, owner_id, 1, limits)
    video = new_video(owner, request, idempotency_key)
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


@retried_on_conflict
async def create_videos(
    session: AsyncSession, owner: Caller, requests: Sequence[VideoCreate], limits: QueueLimits
) -> list[Video]:
    """Queue several videos in one transaction: all are created, or none."""
    await _check_storage(session, owner.id, limits)
    await _check_room(session, owner.id, len(requests), limits)
    videos = [new_video(owner, request) for request in requests]
    await repository.add_videos(session, videos)
    await session.commit()
    return videos


async def get_owned_video(session: AsyncSession, owner: Caller, video_id: str) -> Video:
    """The owner's video; another user's video is "not found", exactly like a missing one."""
    video = await repository.get_video(session, owner.id, video_id)
    if video is None:
        raise NotFound(f"no video with id {video_id!r}")
    return video


@retried_on_conflict
async def cancel_video(session: AsyncSession, owner: Caller, video_id: str) -> Video:
    """Cancel a queued or running video; a finished one cannot be cancelled."""
    video = await get_owned_video(session, owner, video_id)
    cancelled = await repository.change_status(
        session,
        video.id,
        CANCELLABLE_STATUSES,
        VideoStatus.CANCELLED,
        finished_at=utcnow(),
        webhook_due_at=repository.webhook_due_now(),
        worker_id=None,
        lease_expires_at=None,
    )
    if not cancelled:
        await session.rollback()
        await session.refresh(video)
        raise Conflict(
            f"video {video.id} is already {video.status}; only queued or running videos "
            "can be cancelled"
        )
    repository.append_event(session, video.id, "cancelled", "cancelled at the owner's request")
    # Read back before the commit, which gives the connection back: the route
    # goes on to other things (the cache, live events) without holding one.
    await session.refresh(video)
    await session.commit()
    return video


@retried_on_conflict
async def retry_video(
    session: AsyncSession, owner: Caller, video_id: str, limits: QueueLimits
) -> Video:
    """Queue a failed or cancelled video again; stages it finished are not redone."""
    video = await get_owned_video(session, owner, video_id)
    await _check_room(session, owner.id, 1, limits)
    retried = await repository.change_status(
        session, video.id, RETRYABLE_STATUSES, VideoStatus.QUEUED,
        error_message=None, progress=0, stage=None, started_at=None, finished_at=None,
        attempts=0, dispatched_at=None, not_before=None, webhook_due_at=None, webhook_attempts=0,
    )  # fmt: skip
    if not retried:
        await session.rollback()
        await session.refresh(video)
        raise Conflict(
            f"video {video.id} is {video.status}; only failed or cancelled videos can be retried"
        )
    repository.append_event(session, video.id, "retried", "queued again at the owner's request")
    # Read back before the commit, which gives the connection back: publishing
    # the video next needs one (on SQLite, the only one) and must not wait for it.
    await session.refresh(video)
    await session.commit()
    return video


@retried_on_conflict
async def delete_video(session: AsyncSession, owner: Caller, video_id: str) -> Video:
    """Delete a video and its log. A running video must be cancelled first.

    Returns:
        The deleted video, as it was stored: its ``id`` names its files.
    """
    video = await get_owned_video(session, owner, video_id)
    deletable = set(VideoStatus) - {VideoStatus.RUNNING}
    if not await repository.delete_video(session, video.id, deletable):
        await session.rollback()
        raise Conflict(f"video {video.id} is running: cancel it first, then delete it")
    await session.commit()
    return video
