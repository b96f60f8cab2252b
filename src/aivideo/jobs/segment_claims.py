"""The database side of parallel segments: offering a render's segments, claiming one, holding it.

As with videos (:mod:`aivideo.jobs.claims`), every change is a conditional
UPDATE, so two workers racing for one segment cannot both win, and a worker
that lost its segment (taken back after its lease, or the render started
anew) changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.status import VideoStatus
from aivideo.db.models import Video, VideoSegment
from aivideo.db.repository import append_event
from aivideo.db.types import utcnow


class SegmentStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # lost with its worker too many times


@dataclass(frozen=True)
class SegmentState:
    number: int
    status: SegmentStatus
    worker_id: str | None
    frames: int
    seconds: float | None


def _segment(video_id: str, number: int) -> Any:
    return and_(VideoSegment.video_id == video_id, VideoSegment.number == number)


def _held_by(video_id: str, number: int, worker_id: str) -> Any:
    return and_(
        _segment(video_id, number),
        VideoSegment.status == SegmentStatus.RUNNING,
        VideoSegment.worker_id == worker_id,
    )


async def _update(session: AsyncSession, condition: Any, values: dict[str, Any]) -> int:
    result = await session.execute(
        update(VideoSegment).where(condition).values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]


async def offer(session: AsyncSession, video_id: str, count: int) -> None:
    """Segments 0..count-1 of the video, all queued (those of an earlier render dropped)."""
    await forget(session, video_id)
    await session.execute(
        insert(VideoSegment),
        [
            {"video_id": video_id, "number": number, "status": SegmentStatus.QUEUED,
             "attempts": 0, "frames": 0}
            for number in range(count)
        ],
    )  # fmt: skip


async def forget(session: AsyncSession, video_id: str) -> None:
    """Drop the video's segments: a worker still encoding one stops at its next check."""
    await session.execute(delete(VideoSegment).where(VideoSegment.video_id == video_id))


def _claimed_by(worker_id: str, lease: float) -> dict[str, Any]:
    return {
        "status": SegmentStatus.RUNNING, "worker_id": worker_id,
        "lease_expires_at": utcnow() + timedelta(seconds=lease),
        "attempts": VideoSegment.attempts + 1, "frames": 0,
    }  # fmt: skip


async def claim(
    session: AsyncSession, video_id: str, number: int, worker_id: str, lease: float
) -> bool:
    """``queued -> running`` for this worker, if the segment is queued and its video running."""
    running = select(Video.id).where(Video.id == video_id, Video.status == VideoStatus.RUNNING)
    queued = and_(
        _segment(video_id, number),
        VideoSegment.status == SegmentStatus.QUEUED,
        VideoSegment.video_id.in_(running.scalar_subquery()),
    )
    return await _update(session, queued, _claimed_by(worker_id, lease)) == 1


async def claim_next(
    session: AsyncSession, video_id: str, worker_id: str, lease: float
) -> int | None:
    """Claim the first queued segment of the video; its number, or None if none is queued."""
    while True:
        number = await session.scalar(
            select(VideoSegment.number)
            .where(VideoSegment.video_id == video_id, VideoSegment.status == SegmentStatus.QUEUED)
            .order_by(VideoSegment.number)
            .limit(1)
        )
        if number is None:
            return None
        if await claim(session, video_id, number, worker_id, lease):
            return number
        # Another worker took that one between the two statements: look again.


async def renew(
    session: AsyncSession, video_id: str, number: int, worker_id: str, lease: float, frames: int
) -> bool:
    """Extend this worker's claim and say how far it got; False if the claim is gone.

    Gone also when the video is no longer running (cancelled, failed, deleted).
    """
    running = await session.scalar(select(Video.status).where(Video.id == video_id))
    if running != VideoStatus.RUNNING:
        return False
    values = {"lease_expires_at": utcnow() + timedelta(seconds=lease), "frames": frames}
    return await _update(session, _held_by(video_id, number, worker_id), values) == 1


async def finish(
    session: AsyncSession, video_id: str, number: int, worker_id: str, frames: int, seconds: float
) -> bool:
    """This worker's segment is encoded and stored; False if the claim was lost meanwhile.

    The video's log says who rendered it and how long it took (``segment_rendered``).
    """
    values = {"status": SegmentStatus.DONE, "frames": frames, "seconds": seconds,
              "lease_expires_at": None}  # fmt: skip
    if await _update(session, _held_by(video_id, number, worker_id), values) != 1:
        return False
    message = f"segment {number} rendered by {worker_id} in {seconds:.1f} s"
    data = {"segment": number, "worker_id": worker_id, "seconds": round(seconds, 3)}
    append_event(session, video_id, "segment_rendered", message, data)
    return True


async def give_back(session: AsyncSession, video_id: str, number: int, worker_id: str) -> bool:
    """This worker will not finish the segment (it failed, or is stopping): queue it again."""
    values = {"status": SegmentStatus.QUEUED, "worker_id": None, "lease_expires_at": None,
              "frames": 0}  # fmt: skip
    return await _update(session, _held_by(video_id, number, worker_id), values) == 1


async def take_back_expired(
    session: AsyncSession, video_id: str, max_attempts: int, keeper: str
) -> list[int]:
    """Queue again the segments whose worker stopped renewing (``keeper``'s own aside).

    A segment that has used ``max_attempts`` workers is failed instead: it
    keeps killing them. Returns the numbers queued again.
    """
    expired = and_(
        VideoSegment.video_id == video_id,
        VideoSegment.status == SegmentStatus.RUNNING,
        VideoSegment.worker_id != keeper,
        VideoSegment.lease_expires_at < utcnow(),
    )
    rows = (await session.execute(select(VideoSegment.number, VideoSegment.attempts)
                                  .where(expired))).all()  # fmt: skip
    again = [number for number, attempts in rows if attempts < max_attempts]
    lost = [number for number, attempts in rows if attempts >= max_attempts]
    released = {"worker_id": None, "lease_expires_at": None, "frames": 0}
    for numbers, status in ((again, SegmentStatus.QUEUED), (lost, SegmentStatus.FAILED)):
        if numbers:
            chosen = and_(expired, VideoSegment.number.in_(numbers))
            await _update(session, chosen, {**released, "status": status})
    return again


async def states(session: AsyncSession, video_id: str) -> list[SegmentState]:
    """Every segment of the video's render, in order."""
    rows = await session.execute(
        select(
            VideoSegment.number, VideoSegment.status, VideoSegment.worker_id,
            VideoSegment.frames, VideoSegment.seconds,
        )
        .where(VideoSegment.video_id == video_id)
        .order_by(VideoSegment.number)
    )  # fmt: skip
    return [
        SegmentState(number, SegmentStatus(status), worker_id, frames, seconds)
        for number, status, worker_id, frames, seconds in rows
    ]
