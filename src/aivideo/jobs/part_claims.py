"""The database side of shared work: offering a stage's parts, claiming one, holding it.

A part is a piece of one video's stage that any worker may do: a segment of
its render, a run of its sentences to speak (``PartKind``). As with videos
(:mod:`aivideo.jobs.claims`), every change is a conditional UPDATE, so two
workers racing for one part cannot both win, and a worker that lost its part
(taken back after its lease, or the stage started anew) changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.status import VideoStatus
from aivideo.db.models import Video, VideoPart
from aivideo.db.repository import append_event
from aivideo.db.types import utcnow


class PartKind(enum.StrEnum):
    SEGMENT = "segment"  # scenes to encode
    SPEECH = "speech"  # sentences to speak


# The video's log line for a part done: its kind and what it says.
_DONE_EVENT = {
    PartKind.SEGMENT: ("segment_rendered", "segment {number} rendered by {worker} in {seconds}"),
    PartKind.SPEECH: ("speech_spoken", "speech part {number} spoken by {worker} in {seconds}"),
}


class PartStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # lost with its worker too many times


@dataclass(frozen=True)
class PartState:
    number: int
    status: PartStatus
    worker_id: str | None
    done_so_far: int
    seconds: float | None


def _part(video_id: str, kind: PartKind, number: int) -> Any:
    return and_(VideoPart.video_id == video_id, VideoPart.kind == kind, VideoPart.number == number)


def _parts(video_id: str, kind: PartKind) -> Any:
    return and_(VideoPart.video_id == video_id, VideoPart.kind == kind)


def _held_by(video_id: str, kind: PartKind, number: int, worker_id: str) -> Any:
    return and_(
        _part(video_id, kind, number),
        VideoPart.status == PartStatus.RUNNING,
        VideoPart.worker_id == worker_id,
    )


def _video_running(video_id: str) -> Any:
    """The part's video is still being made (not cancelled, failed or deleted)."""
    running = select(Video.id).where(Video.id == video_id, Video.status == VideoStatus.RUNNING)
    return VideoPart.video_id.in_(running.scalar_subquery())


async def _update(session: AsyncSession, condition: Any, values: dict[str, Any]) -> int:
    result = await session.execute(
        update(VideoPart).where(condition).values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]


async def offer(session: AsyncSession, video_id: str, kind: PartKind, count: int) -> None:
    """Parts 0..count-1 of the kind, all queued (those of an earlier attempt dropped)."""
    await forget(session, video_id, kind)
    await session.execute(
        insert(VideoPart),
        [
            {"video_id": video_id, "kind": kind, "number": number, "status": PartStatus.QUEUED,
             "attempts": 0, "done_so_far": 0}
            for number in range(count)
        ],
    )  # fmt: skip


async def forget(session: AsyncSession, video_id: str, kind: PartKind) -> None:
    """Drop the video's parts of this kind: a worker still on one stops at its next check."""
    await session.execute(delete(VideoPart).where(_parts(video_id, kind)))


def _claimed_by(worker_id: str, lease: float) -> dict[str, Any]:
    return {
        "status": PartStatus.RUNNING, "worker_id": worker_id,
        "lease_expires_at": utcnow() + timedelta(seconds=lease),
        "attempts": VideoPart.attempts + 1, "done_so_far": 0,
    }  # fmt: skip


async def claim(
    session: AsyncSession, video_id: str, kind: PartKind, number: int, worker_id: str,
    lease: float,
) -> bool:  # fmt: skip
    """``queued -> running`` for this worker, if the part is queued and its video running."""
    queued = and_(
        _part(video_id, kind, number),
        VideoPart.status == PartStatus.QUEUED,
        _video_running(video_id),
    )
    return await _update(session, queued, _claimed_by(worker_id, lease)) == 1


async def claim_next(
    session: AsyncSession, video_id: str, kind: PartKind, worker_id: str, lease: float
) -> int | None:
    """Claim the first queued part of the kind; its number, or None if none is queued."""
    while True:
        number = await session.scalar(
            select(VideoPart.number)
            .where(_parts(video_id, kind), VideoPart.status == PartStatus.QUEUED)
            .order_by(VideoPart.number)
            .limit(1)
        )
        if number is None:
            return None
        if await claim(session, video_id, kind, number, worker_id, lease):
            return number
        # Another worker took that one between the two statements: look again.


async def renew(
    session: AsyncSession, video_id: str, kind: PartKind, number: int, worker_id: str,
    lease: float, done_so_far: int,
) -> bool:  # fmt: skip
    """Extend this worker's claim and say how far it got; False if the claim is gone.

    Gone also when the video is no longer running (cancelled, failed, deleted).
    """
    values = {"lease_expires_at": utcnow() + timedelta(seconds=lease), "done_so_far": done_so_far}
    held = and_(_held_by(video_id, kind, number, worker_id), _video_running(video_id))
    return await _update(session, held, values) == 1


async def finish(
    session: AsyncSession, video_id: str, kind: PartKind, number: int, worker_id: str,
    done_so_far: int, seconds: float,
) -> bool:  # fmt: skip
    """This worker's part is done and stored; False if the claim was lost meanwhile.

    The video's log says who did it and how long it took (``segment_rendered``,
    ``speech_spoken``).
    """
    values = {"status": PartStatus.DONE, "done_so_far": done_so_far, "seconds": seconds,
              "lease_expires_at": None}  # fmt: skip
    if await _update(session, _held_by(video_id, kind, number, worker_id), values) != 1:
        return False
    event, message = _DONE_EVENT[kind]
    said = message.format(number=number, worker=worker_id, seconds=f"{seconds:.1f} s")
    data = {kind.value: number, "worker_id": worker_id, "seconds": round(seconds, 3)}
    append_event(session, video_id, event, said, data)
    return True


async def give_back(
    session: AsyncSession, video_id: str, kind: PartKind, number: int, worker_id: str
) -> bool:
    """This worker will not finish the part (it failed, or is stopping): queue it again."""
    values = {"status": PartStatus.QUEUED, "worker_id": None, "lease_expires_at": None,
              "done_so_far": 0}  # fmt: skip
    return await _update(session, _held_by(video_id, kind, number, worker_id), values) == 1


async def take_back_expired(
    session: AsyncSession, video_id: str, kind: PartKind, max_attempts: int, keeper: str
) -> list[int]:
    """Queue again the parts whose worker stopped renewing (``keeper``'s own aside).

    A part that has used ``max_attempts`` workers is failed instead: it keeps
    killing them. Returns the numbers queued again.
    """
    expired = and_(
        _parts(video_id, kind),
        VideoPart.status == PartStatus.RUNNING,
        VideoPart.worker_id != keeper,
        VideoPart.lease_expires_at < utcnow(),
    )
    rows = (await session.execute(select(VideoPart.number, VideoPart.attempts)
                                  .where(expired))).all()  # fmt: skip
    again = [number for number, attempts in rows if attempts < max_attempts]
    lost = [number for number, attempts in rows if attempts >= max_attempts]
    released = {"worker_id": None, "lease_expires_at": None, "done_so_far": 0}
    for numbers, status in ((again, PartStatus.QUEUED), (lost, PartStatus.FAILED)):
        if numbers:
            chosen = and_(expired, VideoPart.number.in_(numbers))
            await _update(session, chosen, {**released, "status": status})
    return again


async def states(session: AsyncSession, video_id: str, kind: PartKind) -> list[PartState]:
    """Every part of the kind, in order."""
    rows = await session.execute(
        select(
            VideoPart.number, VideoPart.status, VideoPart.worker_id,
            VideoPart.done_so_far, VideoPart.seconds,
        )
        .where(_parts(video_id, kind))
        .order_by(VideoPart.number)
    )  # fmt: skip
    return [
        PartState(number, PartStatus(status), worker_id, done_so_far, seconds)
        for number, status, worker_id, done_so_far, seconds in rows
    ]
