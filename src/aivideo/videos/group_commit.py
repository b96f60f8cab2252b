"""Creates that arrive together are committed together (a group commit).

Every create takes the queue's lock, counts what waits, inserts and commits:
four round trips and several ORM statements, one transaction at a time. Under
load, requests would wait in line for the lock. Here the creates that arrive
while a transaction is being committed wait for the next one, and that one
takes the lock, counts for all of them at once, inserts all the videos that
fit and commits them together. A request is answered only after its video is
committed, so nothing is lost; the limits stay exact, because each video is
counted in the order it arrived. A lone request goes at once: nothing waits
for a batch to fill (aivideo.core.batches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.key_cache import Caller
from aivideo.core.batches import Batches
from aivideo.core.errors import AivideoError
from aivideo.db import repository
from aivideo.db.conflicts import retried_on_conflict
from aivideo.db.locks import lock_video_queue
from aivideo.db.models import Video
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import (
    QueueLimits,
    new_video,
    service_queue_full,
    storage_full,
    user_queue_full,
)

# Videos in one transaction. Under load each of its five round trips waits a turn
# of a busy event loop (0.1-0.25 s with 1 000 clients), so the group must hold
# what arrives meanwhile: with 200, 1 000 clients creating at once waited for five
# groups in turn, and a few hundred of them over 2 s (bench/api_bench.py).
# Statements stay within every database's limits: SQLAlchemy splits a many-row
# INSERT by its number of parameters, and the MySQL driver splits its own into
# statements of about 1 MB (tests/db/test_group_commit.py).
MAX_GROUP = 1000


@dataclass(frozen=True)
class _Create:
    owner: Caller
    request: VideoCreate


class GroupCommit:
    def __init__(self, sessions: Callable[[], AsyncSession], limits: QueueLimits) -> None:
        self.sessions = sessions
        self.limits = limits
        self._batches = Batches(self._commit_together, max_size=MAX_GROUP, name="group-commit")

    async def create(self, owner: Caller, request: VideoCreate) -> Video:
        """Queue one video; returns it once committed.

        Raises:
            QueueFull, StorageQuotaExceeded: it does not fit (as a lone create would).
        """
        return await self._batches.submit(_Create(owner, request))

    async def _commit_together(self, group: Sequence[_Create]) -> list[Video | AivideoError]:
        # A video whose client went away meanwhile is made all the same.
        async with self.sessions() as session:
            return await _queue_together(session, group, self.limits)


@retried_on_conflict
async def _queue_together(
    session: AsyncSession, group: Sequence[_Create], limits: QueueLimits
) -> list[Video | AivideoError]:
    """Insert the videos of ``group`` that fit, in one transaction; a refusal for the rest."""
    await lock_video_queue(session)  # first: see lock_video_queue
    owners = {create.owner.id for create in group}
    waiting = await repository.count_queued_by_owner(session, owners)
    total = await repository.count_queued(session)
    used = {}
    if limits.storage_per_user:
        used = await repository.storage_used_by_owner(session, owners)
    outcomes: list[Video | AivideoError] = []
    for create in group:
        owner_id = create.owner.id
        if limits.storage_per_user and used.get(owner_id, 0) >= limits.storage_per_user:
            outcomes.append(storage_full(used[owner_id], limits))
        elif waiting.get(owner_id, 0) + 1 > limits.per_user:
            outcomes.append(user_queue_full(waiting.get(owner_id, 0), limits))
        elif total + 1 > limits.total:
            outcomes.append(service_queue_full())
        else:
            waiting[owner_id] = waiting.get(owner_id, 0) + 1
            total += 1
            outcomes.append(new_video(create.owner, create.request))
    videos = [outcome for outcome in outcomes if isinstance(outcome, Video)]
    if videos:
        await repository.add_videos(session, videos)
        await session.commit()
    return outcomes
