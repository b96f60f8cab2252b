"""Creates that arrive together share one transaction, however large they are."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from aivideo.auth.key_cache import Caller
from aivideo.auth.service import get_or_create_user
from aivideo.core.script import MAX_TEXT_CHARS
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources
from aivideo.videos.group_commit import GroupCommit
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits
from tests.support.statements import statements_run

CREATES = 1000


async def test_a_thousand_of_the_longest_creates_at_once_are_one_transaction_and_all_committed(
    resources: Resources,
) -> None:
    # 1 000 x 20 000 characters: 20 MB of text, past MariaDB's default 16 MB packet,
    # and 29 000 parameters, near asyncpg's and SQLite's limits for one statement.
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "dana")
        await session.commit()
    caller = Caller(owner.id, owner.name)
    sentence = "Water rises from the sea and falls again as rain. "
    text = (sentence * (MAX_TEXT_CHARS // len(sentence) + 1))[:MAX_TEXT_CHARS]
    request = VideoCreate(text=text)
    group_commit = GroupCommit(resources.sessions, QueueLimits(CREATES, CREATES, 0))

    with statements_run("FROM locks") as queue_locks:
        videos = await asyncio.gather(
            *(group_commit.create(caller, request) for _ in range(CREATES))
        )

    assert len(queue_locks) == 1  # one transaction: nobody waited for a group before theirs
    async with resources.sessions() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(Video)
            .where(
                Video.id.in_([video.id for video in videos]),
                func.length(Video.text) == MAX_TEXT_CHARS,
            )
        )
    assert stored == CREATES
