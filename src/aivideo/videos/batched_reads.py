"""Reads of videos the cache missed, batched: the misses that arrive together share one query.

After a restart, or when many videos change at once, every GET misses the
cache at the same moment. Read one session each, a thousand clients made a
thousand sessions at once: the pool queued them for seconds (measured: 1 000
connections on a cold start, up to 5 s per request). Batched, they are a
handful of queries with ``IN`` lists (see aivideo.core.batches: a batch never
starts before its requests arrived, so no request gets an older read than its
own would have been).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.batches import Batches
from aivideo.db import repository
from aivideo.db.availability import once_more_if_disconnected
from aivideo.videos.schemas import VideoPublic, video_public

MAX_READS = 100  # requests answered by one query (each asks for up to 50 videos)
CONCURRENCY = 4  # batches at once: a few of the pool's connections, never all


@dataclass(frozen=True)
class _Read:
    owner_id: str
    video_ids: Sequence[str]


class VideoReads:
    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self.sessions = sessions
        self._batches = Batches(
            self._read_together, max_size=MAX_READS, name="video-reads", concurrency=CONCURRENCY
        )

    async def read(self, owner_id: str, video_ids: Sequence[str]) -> list[VideoPublic]:
        """The owner's videos among ``video_ids``; others' and missing ones are left out."""
        return await self._batches.submit(_Read(owner_id, video_ids))

    async def _read_together(self, reads: Sequence[_Read]) -> list[list[VideoPublic]]:
        wanted = {video_id for read in reads for video_id in read.video_ids}

        async def read_all() -> dict[str, tuple[str, VideoPublic]]:
            async with self.sessions() as session:
                stored = await repository.get_videos_of_anyone(session, wanted)
                return {video.id: (video.owner_id, video_public(video)) for video in stored}

        by_id = await once_more_if_disconnected(read_all)
        return [_owned_by(read.owner_id, read.video_ids, by_id) for read in reads]


def _owned_by(
    owner_id: str, video_ids: Sequence[str], by_id: dict[str, tuple[str, VideoPublic]]
) -> list[VideoPublic]:
    """Those of ``video_ids`` that ``owner_id`` owns: someone else's are "not found"."""
    owned = []
    for video_id in dict.fromkeys(video_ids):
        owner, public = by_id.get(video_id, (None, None))
        if owner == owner_id and public is not None:
            owned.append(public)
    return owned
