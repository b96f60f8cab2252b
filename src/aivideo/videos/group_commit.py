"""Creates that arrive together are committed together (a group commit).

Every create takes the queue's lock, counts what waits, inserts and commits:
four round trips and several ORM statements, one transaction at a time. Under
load, requests would wait in line for the lock. Here the creates that arrive
while a transaction is being committed wait for the next one, and that one
takes the lock, counts for all of them at once, inserts all the videos that
fit and commits them together. A request is answered only after its video is
committed, so nothing is lost; the limits stay exact, because each video is
counted in the order it arrived. A lone request goes at once: nothing waits
for a batch to fill.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.key_cache import Caller
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

MAX_GROUP = 200  # videos in one transaction


@dataclass
class _Create:
    owner: Caller
    request: VideoCreate
    outcome: asyncio.Future[Video] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit:
    def __init__(self, sessions: Callable[[], AsyncSession], limits: QueueLimits) -> None:
        self.sessions = sessions
        self.limits = limits
        self._waiting: list[_Create] = []
        self._committing: asyncio.Task[None] | None = None

    async def create(self, owner: Caller, request: VideoCreate) -> Video:
        """Queue one video; returns it once committed.

        Raises:
            QueueFull, StorageQuotaExceeded: it does not fit (as a lone create would).
        """
        create = _Create(owner, request)
        self._waiting.append(create)
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_waiting(), name="group-commit")
        return await create.outcome

    async def _commit_waiting(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting[:MAX_GROUP], self._waiting[MAX_GROUP:]
            group = [create for create in group if not create.outcome.done()]  # not cancelled
            try:
                async with self.sessions() as session:
                    outcomes = await _queue_together(session, group, self.limits)
            except BaseException as exc:  # the database's error is each request's error
                for create in group:
                    if not create.outcome.done():
                        create.outcome.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise  # cancelled (shutting down): the requests have been told
                continue
            for create, outcome in zip(group, outcomes, strict=True):
                if create.outcome.done():
                    continue  # its client went away; the video is made all the same
                if isinstance(outcome, Video):
                    create.outcome.set_result(outcome)
                else:
                    create.outcome.set_exception(outcome)


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
