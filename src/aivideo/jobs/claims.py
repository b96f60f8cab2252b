"""The database side of a job: claiming a video, holding the claim, giving it up.

Every statement is a conditional UPDATE on the video's row, so two workers (or
a worker and the owner cancelling) racing for one video cannot both win: a
duplicate delivery or a worker that lost its lease simply changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.status import VideoStatus
from aivideo.db.models import Video
from aivideo.db.repository import webhook_due_now
from aivideo.db.types import utcnow

_QUEUED = VideoStatus.QUEUED.value
_RUNNING = VideoStatus.RUNNING.value


def _run_by(worker_id: str, lease: float) -> dict[str, Any]:
    """The row's values when ``worker_id`` starts an attempt with a lease of ``lease`` s."""
    now = utcnow()
    return {
        "status": _RUNNING, "worker_id": worker_id,
        "lease_expires_at": now + timedelta(seconds=lease), "attempts": Video.attempts + 1,
        "started_at": now, "updated_at": now, "progress": 0,
    }  # fmt: skip


async def _update(session: AsyncSession, condition: Any, values: dict[str, Any]) -> int:
    result = await session.execute(
        update(Video).where(condition).values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]


async def claim(session: AsyncSession, video_id: str, worker_id: str, lease: float) -> bool:
    """``queued -> running`` for this worker, if the video is queued and due."""
    due = or_(Video.not_before.is_(None), Video.not_before <= utcnow())
    queued = and_(Video.id == video_id, Video.status == _QUEUED, due)
    values = {**_run_by(worker_id, lease), "error_message": None, "not_before": None}
    return await _update(session, queued, values) == 1


async def take_over(
    session: AsyncSession, video_id: str, dead_worker: str, worker_id: str, lease: float,
    max_attempts: int,
) -> bool:  # fmt: skip
    """Take a running video from a worker known to be dead, if it has attempts left."""
    held_by_the_dead = and_(
        Video.id == video_id, Video.status == _RUNNING, Video.worker_id == dead_worker,
        Video.attempts < max_attempts,
    )  # fmt: skip
    return await _update(session, held_by_the_dead, _run_by(worker_id, lease)) == 1


async def holder(session: AsyncSession, video_id: str) -> tuple[str, str | None, Any] | None:
    """Status, worker and lease expiry of a video, or None if it does not exist."""
    row = (
        await session.execute(
            select(Video.status, Video.worker_id, Video.lease_expires_at).where(
                Video.id == video_id
            )
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def _mine(video_id: str | Collection[str], worker_id: str) -> Any:
    ids = [video_id] if isinstance(video_id, str) else list(video_id)
    return and_(Video.id.in_(ids), Video.status == _RUNNING, Video.worker_id == worker_id)


async def renew(
    session: AsyncSession, video_ids: Collection[str], worker_id: str, lease: float
) -> int:
    """Extend this worker's claims; returns how many it still holds."""
    lease_end = utcnow() + timedelta(seconds=lease)
    return await _update(session, _mine(video_ids, worker_id), {"lease_expires_at": lease_end})


async def holders(
    session: AsyncSession, video_ids: Collection[str]
) -> dict[str, tuple[str, str | None]]:
    """Status and worker of each of these videos that still exists."""
    rows = await session.execute(
        select(Video.id, Video.status, Video.worker_id).where(Video.id.in_(list(video_ids)))
    )
    return {row[0]: (row[1], row[2]) for row in rows}


async def finish(
    session: AsyncSession, video_id: str, worker_id: str, status: VideoStatus, **values: Any
) -> bool:
    """Record the outcome of this worker's run; False if the claim was lost meanwhile."""
    now = utcnow()
    final = {"finished_at": now, "webhook_due_at": webhook_due_now()} if status.is_final else {}
    released = {"status": status.value, "updated_at": now, "worker_id": None,
                "lease_expires_at": None}  # fmt: skip
    return await _update(session, _mine(video_id, worker_id), {**released, **final, **values}) == 1


async def requeue_expired(session: AsyncSession, video_id: str, max_attempts: int) -> str | None:
    """Take back a running video whose lease ran out; returns the new status, or None.

    Queued again while it has attempts left, failed after that (a video that
    keeps killing its workers must not go round for ever).
    """
    now = utcnow()
    expired = and_(Video.id == video_id, Video.status == _RUNNING, Video.lease_expires_at < now)
    for status, condition, values in (
        (VideoStatus.QUEUED, Video.attempts < max_attempts, {"dispatched_at": None}),
        (VideoStatus.FAILED, Video.attempts >= max_attempts, {
            "finished_at": now, "webhook_due_at": webhook_due_now(),
            "error_message": f"the video stopped its worker {max_attempts} times "
            "(the worker process died or lost its database): giving up",
        }),
    ):  # fmt: skip
        released = {"status": status.value, "worker_id": None, "lease_expires_at": None,
                    "updated_at": now}  # fmt: skip
        if await _update(session, and_(expired, condition), {**released, **values}):
            return status.value
    return None


async def expired_leases(session: AsyncSession, limit: int) -> list[tuple[str, str | None]]:
    """(video id, worker id) of running videos whose worker stopped renewing its claim."""
    rows = await session.execute(
        select(Video.id, Video.worker_id)
        .where(Video.status == _RUNNING, Video.lease_expires_at < utcnow())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


async def undelivered(
    session: AsyncSession, grace: float, redispatch_after: float, limit: int
) -> list[str]:
    """Queued, due videos that need handing to the broker.

    Those nobody handed over within ``grace`` seconds (the API died between
    commit and publish, a retry came due, a worker gave one back), and, as a
    last resort against a message lost anywhere, those handed over more than
    ``redispatch_after`` seconds ago and still not taken.
    """
    now = utcnow()
    rows = await session.scalars(
        select(Video.id)
        .where(
            Video.status == _QUEUED,
            or_(
                and_(
                    Video.dispatched_at.is_(None),
                    Video.updated_at < now - timedelta(seconds=grace),
                ),
                Video.dispatched_at < now - timedelta(seconds=redispatch_after),
            ),
            or_(Video.not_before.is_(None), Video.not_before <= now),
        )
        .order_by(Video.id)
        .limit(limit)
    )
    return list(rows)


async def expire_claims_of(session: AsyncSession, worker_ids: Collection[str]) -> int:
    """End the leases of workers known to be dead, so the reconciler takes their videos now."""
    theirs = and_(Video.status == _RUNNING, Video.worker_id.in_(list(worker_ids)))
    return await _update(session, theirs, {"lease_expires_at": utcnow() - timedelta(seconds=1)})


async def running_workers(session: AsyncSession) -> set[str]:
    return {
        worker_id
        for worker_id in await session.scalars(
            select(Video.worker_id).where(Video.status == _RUNNING).distinct()
        )
        if worker_id
    }


def select_ids_with_status(status: VideoStatus) -> Any:
    return select(Video.id).where(Video.status == status.value).order_by(Video.id)


async def mark_dispatched(
    session: AsyncSession, video_ids: Collection[str], *, unchanged_since: Any
) -> None:
    """Record that these queued videos were handed to the broker.

    Only rows not changed since publishing began: a video handed back
    meanwhile (and so due to be sent again) must stay undelivered.
    """
    await _update(
        session,
        and_(
            Video.id.in_(list(video_ids)),
            Video.status == _QUEUED,
            Video.updated_at <= unchanged_since,
        ),
        {"dispatched_at": utcnow()},
    )


async def forget_delivery(session: AsyncSession, video_id: str) -> None:
    """A delivery nobody took: a still-queued video is sent again by the reconciler."""
    queued = and_(Video.id == video_id, Video.status == _QUEUED)
    await _update(session, queued, {"dispatched_at": None})


async def hand_back(
    session: AsyncSession, video_id: str, worker_id: str, *, not_before: Any = None,
    **values: Any,
) -> bool:  # fmt: skip
    """``running -> queued`` from this worker: another run (here or elsewhere) picks it up."""
    return await finish(
        session, video_id, worker_id, VideoStatus.QUEUED,
        dispatched_at=None, not_before=not_before, **values,
    )  # fmt: skip
