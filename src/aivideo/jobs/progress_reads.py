"""What the database says of videos' progress, for many videos in one query.

The progress streams' reads (:mod:`aivideo.jobs.progress_watch`): a video's
status, stage and percent, the new lines of its log, and the video itself
once it is final.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.status import FINAL_STATUSES
from aivideo.db.models import Video, VideoEvent

LINES_PER_QUERY = 1000
FINAL = frozenset(status.value for status in FINAL_STATUSES)


@dataclass(frozen=True)
class Progress:
    status: str
    stage: str | None
    percent: int

    def is_behind(self, other: Progress | None) -> bool:
        """True if this is older than ``other``: same status, a lower percent (a late message)."""
        return other is not None and self.status == other.status and self.percent < other.percent


@dataclass(frozen=True)
class LogLine:
    id: int
    kind: str
    message: str
    at: datetime


@dataclass(frozen=True, eq=False)  # one per end, shared by the video's streams
class Ended:
    """The video reached a final status (``video``), or was deleted (``video`` is None)."""

    video: Video | None


@dataclass
class News:
    """What happened to a video since a stream last looked."""

    lines: list[LogLine] = field(default_factory=list)
    progress: Progress | None = None
    ended: Ended | None = None

    @property
    def is_empty(self) -> bool:
        return not self.lines and self.progress is None and self.ended is None


async def read_videos(session: AsyncSession, wanted: Sequence[tuple[str, int]]) -> list[News]:
    """Each video as stored now: its progress, its log after the line given, and its end.

    One query for the videos, and one (a page at a time) per distinct starting
    line: streams that open together mostly start at the same line (0).
    """
    stored = await videos(session, list({video_id for video_id, _ in wanted}))
    starts: dict[int, set[str]] = defaultdict(set)
    for video_id, after_line in wanted:
        starts[after_line].add(video_id)
    lines: dict[tuple[str, int], list[LogLine]] = defaultdict(list)
    for start, video_ids in starts.items():
        after = start
        while page := await log_lines(session, list(video_ids), after=after):
            for video_id, line in page:
                lines[video_id, start].append(line)
            after = page[-1][1].id
            if len(page) < LINES_PER_QUERY:
                break
    return [_news(stored.get(video_id), lines[video_id, start]) for video_id, start in wanted]


def _news(video: Video | None, lines: list[LogLine]) -> News:
    if video is None:
        return News(lines, ended=Ended(None))
    progress = Progress(video.status, video.stage, video.progress)
    return News(lines, progress, Ended(video) if video.status in FINAL else None)


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def highest_line(session: AsyncSession) -> int:
    return await session.scalar(select(func.max(VideoEvent.id))) or 0


async def progress_of(session: AsyncSession, video_ids: list[str]) -> dict[str, Progress]:
    rows = await session.execute(
        select(Video.id, Video.status, Video.stage, Video.progress).where(Video.id.in_(video_ids))
    )
    return {video_id: Progress(status, stage, percent) for video_id, status, stage, percent in rows}


async def videos(session: AsyncSession, video_ids: list[str]) -> dict[str, Video]:
    videos = await session.scalars(select(Video).where(Video.id.in_(video_ids)))
    return {video.id: video for video in videos}


async def log_lines(
    session: AsyncSession, video_ids: list[str], *, after: int
) -> list[tuple[str, LogLine]]:
    """(video id, line) of the lines after ``after``, oldest first, LINES_PER_QUERY at most."""
    rows = await session.execute(
        select(
            VideoEvent.video_id, VideoEvent.id, VideoEvent.kind, VideoEvent.message,
            VideoEvent.created_at,
        )
        .where(VideoEvent.video_id.in_(video_ids), VideoEvent.id > after)
        .order_by(VideoEvent.id)
        .limit(LINES_PER_QUERY)
    )  # fmt: skip
    return [
        (video_id, LogLine(line_id, kind, message, at))
        for video_id, line_id, kind, message, at in rows
    ]
