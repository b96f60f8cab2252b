"""What the videos this process's progress streams follow are doing, read once for all.

A progress stream needs its video's status, stage and percent, the new lines
of its log, and the video itself once it is final. Read by each stream every
second, 10 000 streams would be 20 000 queries a second. Here one task per
process reads every followed video once a second, 500 to a query, and one live
listener per video brings the progress in between; each stream takes what is
new for it from its :class:`Watch`, and sleeps while nothing is.

The database read is what makes the end certain: a live message that was lost
delays an update by a second at most, and never leaves a stream waiting for
an end that already happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aivideo.core.batches import Batches
from aivideo.db.models import Video
from aivideo.jobs import progress_reads
from aivideo.jobs.live import LiveEvents
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.progress_reads import FINAL, Ended, LogLine, News, Progress

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH = 500  # videos per query: a bounded number of parameters on every database
FIRST_READS = BATCH  # streams whose first read is one batch
# A log line's id is given at insert and seen at commit, so one video's line
# may turn up below the ids of other videos' lines already read. Lines are read
# from the highest id seen this long ago: a transaction has that long to commit.
SETTLE_SECONDS = 2.0
WAKE_AT_ONCE = 200  # streams woken in one turn of the event loop


class Watch:
    """One stream's mailbox: the news of its video, gathered until the stream takes it.

    While its stream waits it holds one future, and no timer: the watcher's
    clock wakes it at the time the stream asked for. With 10 000 streams,
    every object a waiting stream holds is 10 000 more for the garbage
    collector to walk, and it stops the process while it walks.
    """

    def __init__(self, watcher: ProgressWatcher, video_id: str) -> None:
        self.video_id = video_id
        self.wake_by = math.inf  # the stream wants to hear by then, news or not
        self._watcher = watcher
        self._news = News()
        self._has_news = False
        self._waiter: asyncio.Future[None] | None = None

    async def __aenter__(self) -> Watch:
        await self._watcher._join(self)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._watcher._leave(self)

    def add(
        self,
        lines: Sequence[LogLine] = (),
        progress: Progress | None = None,
        ended: Ended | None = None,
    ) -> None:
        self._news.lines += lines
        if progress is not None:
            self._news.progress = progress
        if ended is not None:
            self._news.ended = ended
        self._has_news = True  # told: woken soon (ProgressWatcher._wake_soon)

    def wake(self) -> None:
        """Wake the waiting stream if it has news, or if it is the time it asked for."""
        waiter = self._waiter
        if waiter is None or waiter.done():
            return  # not waiting: it takes the news when it next asks
        if self._has_news or self.wake_by <= time.monotonic():
            waiter.set_result(None)

    async def next(self, wake_by: float = math.inf) -> News:
        """The news as soon as there is some, or empty news at ``wake_by`` (monotonic time)."""
        if not self._has_news:
            self.wake_by = wake_by
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter, self.wake_by = None, math.inf
        self._has_news = False
        news, self._news = self._news, News()
        return news


@dataclass(eq=False)
class _Followed:
    """A video some streams follow: its streams, its live listener, what they were told."""

    stop_listening: Callable[[], None]
    watches: set[Watch] = field(default_factory=set)
    progress: Progress | None = None
    last_line: int = 0  # the id of the last log line handed out
    ended: bool = False


class ProgressWatcher:
    """The progress of every video this process streams: one reader, one listener per video."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], live: LiveEvents) -> None:
        self._sessions = sessions
        self._first_reads = Batches(
            self._read_together, max_size=FIRST_READS, name="stream-first-reads", concurrency=2
        )
        self._live = live
        self._followed: dict[str, _Followed] = {}
        self._task: asyncio.Task[None] | None = None
        self._urgent: set[str] = set()  # videos to read now: a live message said they ended
        self._woken = asyncio.Event()
        self._to_wake: deque[Watch] = deque()
        self._lines_from: int | None = None  # read log lines with a higher id
        self._highest_read: asyncio.Future[int] | None = None  # the first streams' read of it
        self._highs: deque[tuple[float, int]] = deque()  # (when, highest line id) of reads
        self._failing = False

    def watch(self, video_id: str) -> Watch:
        """A :class:`Watch` of ``video_id``, to use as ``async with watcher.watch(id) as watch``.

        Watch first, then read the video (:meth:`read`): what happens in
        between reaches the watch, so nothing is missed.
        """
        return Watch(self, video_id)

    async def _join(self, watch: Watch) -> None:
        if self._lines_from is None:  # the first streams of the process
            lines_from = await self._first_highest_line()
            self._lines_from = lines_from if self._lines_from is None else self._lines_from
        self._follow(watch.video_id).watches.add(watch)
        try:
            await self._live.ready()
        except BaseException:  # cancelled while waiting: leave nothing behind
            self._leave(watch)
            raise

    def _leave(self, watch: Watch) -> None:
        followed = self._followed.get(watch.video_id)
        if followed is None:
            return
        followed.watches.discard(watch)
        if not followed.watches:
            followed.stop_listening()
            del self._followed[watch.video_id]
            if not self._followed:
                self._woken.set()  # the task ends now, not after its next second

    async def read(self, video_id: str, after_line: int) -> News:
        """The video as stored now: its progress, its log after ``after_line``, and its end.

        Streams that open together are read together (thousands at once would
        otherwise each want a connection of the pool: aivideo.core.batches).
        """
        return await self._first_reads.submit((video_id, after_line))

    async def _read_together(self, wanted: Sequence[tuple[str, int]]) -> list[News]:
        async with self._sessions() as session:
            return await progress_reads.read_videos(session, wanted)

    def _follow(self, video_id: str) -> _Followed:
        followed = self._followed.get(video_id)
        if followed is None:
            stop = self._live.listen(video_id, lambda event: self._pushed(video_id, event))
            followed = self._followed[video_id] = _Followed(stop)
        if self._task is None:
            # A context of its own: the task outlives the request that started it.
            self._task = asyncio.create_task(
                self._run(), name="progress watcher", context=contextvars.Context()
            )
        return followed

    def _pushed(self, video_id: str, event: LiveEvent) -> None:
        """A live message: tell the video's streams at once, or read the video if it ended."""
        followed = self._followed.get(video_id)
        if followed is None:
            return
        if event.status in FINAL:
            # The done event carries the final video: read it now, not in up to a second.
            self._urgent.add(video_id)
            self._woken.set()
            return
        known = followed.progress
        progress = Progress(
            event.status,
            event.stage or (known.stage if known else None),
            event.percent if event.percent is not None else (known.percent if known else 0),
        )
        if progress != known and not progress.is_behind(known):
            followed.progress = progress
            self._tell(followed, progress=progress)

    async def _run(self) -> None:
        """Read the followed videos every second, and at once those a live message ended."""
        loop = asyncio.get_running_loop()
        try:
            next_read = loop.time() + POLL_SECONDS
            while self._followed:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout_at(next_read):
                        await self._woken.wait()
                self._woken.clear()
                self._wake_the_due()
                if loop.time() >= next_read:
                    next_read = loop.time() + POLL_SECONDS
                    self._urgent.clear()
                    await self._read_safely(list(self._followed), settle=True)
                elif self._urgent:
                    urgent, self._urgent = self._urgent, set()
                    await self._read_safely([v for v in urgent if v in self._followed])
        finally:
            self._task = None

    def _wake_the_due(self) -> None:
        """Wake the watches whose streams asked to hear by now (to send a keep-alive, or end)."""
        now = time.monotonic()
        due = [w for f in self._followed.values() for w in f.watches if w.wake_by <= now]
        self._wake_soon(due)

    async def _read_safely(self, video_ids: list[str], *, settle: bool = False) -> None:
        try:
            await self._read_all(video_ids, settle=settle)
        except Exception as exc:  # an outage: the streams wait, live progress goes on
            if not self._failing:
                logger.warning("progress streams cannot read the database: %s", exc)
            self._failing = True
        else:
            if self._failing:
                logger.info("progress streams read the database again")
            self._failing = False

    async def _read_all(self, video_ids: list[str], *, settle: bool) -> None:
        lines_from = self._lines_from or 0
        async with self._sessions() as session:
            # Before the lines: every line up to it is committed, or about to be.
            highest = await progress_reads.highest_line(session) if settle else lines_from
            for chunk in progress_reads.chunks(video_ids, BATCH):
                truncated_at = await self._read_chunk(session, chunk, lines_from)
                if truncated_at is not None:
                    highest = min(highest, truncated_at)
        if settle:
            self._settle(highest)

    async def _read_chunk(
        self, session: AsyncSession, video_ids: list[str], lines_from: int
    ) -> int | None:
        """Read and hand out a chunk's progress, lines and ends; the last id read if truncated."""
        progress = await progress_reads.progress_of(session, video_ids)
        lines = await progress_reads.log_lines(session, video_ids, after=lines_from)
        final = [v for v, known in progress.items() if known.status in FINAL and self._ending(v)]
        videos = await progress_reads.videos(session, final) if final else {}
        by_video: dict[str, list[LogLine]] = {}
        for video_id, line in lines:
            by_video.setdefault(video_id, []).append(line)
        for video_id in video_ids:
            self._update(video_id, progress.get(video_id), by_video.get(video_id, []), videos)
        return lines[-1][1].id if len(lines) == progress_reads.LINES_PER_QUERY else None

    def _ending(self, video_id: str) -> bool:
        """True if the video's streams are still to be told that it ended."""
        followed = self._followed.get(video_id)
        return followed is not None and not followed.ended

    def _update(
        self,
        video_id: str,
        progress: Progress | None,
        lines: list[LogLine],
        videos: dict[str, Video],
    ) -> None:
        """Tell a video's streams what a read found that they have not been told."""
        followed = self._followed.get(video_id)
        if followed is None or followed.ended:
            return  # its last stream left during the read, or its streams are ending
        new_lines = [line for line in lines if line.id > followed.last_line]
        if new_lines:
            followed.last_line = new_lines[-1].id
        ended = None
        if progress is None or progress.status in FINAL:
            ended = Ended(videos.get(video_id))  # deleted, or final (None: deleted meanwhile)
            followed.ended = True
        elif progress == followed.progress or progress.is_behind(followed.progress):
            progress = None  # nothing new: a live message told it already
        else:
            followed.progress = progress
        if new_lines or progress is not None or ended is not None:
            self._tell(followed, new_lines, progress, ended)

    def _tell(
        self,
        followed: _Followed,
        lines: Sequence[LogLine] = (),
        progress: Progress | None = None,
        ended: Ended | None = None,
    ) -> None:
        for watch in followed.watches:
            watch.add(lines, progress, ended)
        self._wake_soon(followed.watches)

    def _wake_soon(self, watches: Iterable[Watch]) -> None:
        """Wake the watches' streams, WAKE_AT_ONCE at a time between two turns of the loop.

        Woken all at once, 10 000 streams would keep the loop from every other
        request for half a second; in slices, the API goes on answering.
        """
        idle = not self._to_wake
        self._to_wake.extend(watches)
        if idle and self._to_wake:
            asyncio.get_running_loop().call_soon(self._wake_some)

    def _wake_some(self) -> None:
        for _ in range(min(WAKE_AT_ONCE, len(self._to_wake))):
            self._to_wake.popleft().wake()
        if self._to_wake:
            asyncio.get_running_loop().call_soon(self._wake_some)  # after the loop's next turn

    def _settle(self, highest: int) -> None:
        """Note the highest line id of this read; read from that of a read SETTLE_SECONDS ago."""
        now = time.monotonic()
        highs = self._highs
        highs.append((now, highest))
        while len(highs) > 1 and now - highs[1][0] >= SETTLE_SECONDS:
            highs.popleft()  # a later read is old enough too
        if now - highs[0][0] >= SETTLE_SECONDS:
            self._lines_from = max(self._lines_from or 0, highs.popleft()[1])

    async def _first_highest_line(self) -> int:
        """The highest log line id now, read once for every stream that joins meanwhile.

        Read by each, the thousands of streams that open before the first read is
        done would each wait for a connection of the pool, and some in vain.
        """
        if self._highest_read is None:
            self._highest_read = asyncio.ensure_future(self._highest_line())
        reading = self._highest_read
        try:
            # Shielded: a stream that leaves meanwhile does not stop the others' read.
            return await asyncio.shield(reading)
        finally:
            if reading.done() and self._highest_read is reading:
                self._highest_read = None  # read (or failed: the next stream tries again)

    async def _highest_line(self) -> int:
        async with self._sessions() as session:
            return await progress_reads.highest_line(session)
