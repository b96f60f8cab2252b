"""Locks shared by every process: a row of ``locks`` held until the transaction ends.

Counting the queue and then adding to it is only exact if no other transaction
does the same in between. A row locked with SELECT ... FOR UPDATE does that
alike on PostgreSQL and MariaDB, and is released however the transaction ends
(commit, rollback, a connection that dies), unlike MariaDB's GET_LOCK, which
belongs to the connection and would outlive the transaction in the pool.
SQLite has a single writer, and aivideo one connection to it: FOR UPDATE is
left out there, and nothing else is needed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.db.models import Lock

VIDEO_QUEUE = "video_queue"


async def lock_video_queue(session: AsyncSession) -> None:
    """Wait until no other transaction is adding videos to the queue, then hold that lock.

    Take it first in the transaction: every transaction that takes it then
    takes its other locks after it, so it cannot be part of a deadlock.
    """
    locked = await session.scalar(
        select(Lock.name).where(Lock.name == VIDEO_QUEUE).with_for_update()
    )
    if locked is None:
        # Migration 0004 makes the row; a table emptied by hand gets it back.
        session.add(Lock(name=VIDEO_QUEUE))
        await session.flush()
