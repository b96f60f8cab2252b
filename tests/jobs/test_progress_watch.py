"""The process's progress watcher: one reader and one live listener per video, for all streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from aivideo.auth.service import get_or_create_user
from aivideo.core.config import Settings
from aivideo.db.models import Video
from aivideo.db.repository import append_event
from aivideo.jobs.live import InProcessEvents, Receiver
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.progress_reads import News, Progress
from aivideo.jobs.progress_watch import ProgressWatcher, Watch
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_video
from tests.support.polling import wait_for
from tests.support.statements import statements_run

LIMITS = QueueLimits(per_user=100, total=100)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Each database, not only the jobs tests' PostgreSQL: the watcher's reads run on all."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


class CountingEvents(InProcessEvents):
    """In-process live events that count the listeners of each video."""

    def __init__(self) -> None:
        super().__init__()
        self.listeners: Counter[str] = Counter()

    def listen(self, video_id: str, receiver: Receiver) -> Callable[[], None]:
        stop = super().listen(video_id, receiver)
        self.listeners[video_id] += 1

        def stopped() -> None:
            stop()
            self.listeners[video_id] -= 1

        return stopped


async def _videos(resources: Resources, count: int) -> list[str]:
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "alice")
        created = [
            await create_video(session, owner, VideoCreate(text=f"Video {n}."), None, LIMITS)
            for n in range(count)
        ]
        return [each.video.id for each in created]


async def _log(resources: Resources, video_id: str, message: str) -> None:
    async with resources.sessions() as session:
        append_event(session, video_id, "note", message)
        await session.commit()


async def _within(seconds: float, watch: Watch) -> News | None:
    """The watch's news if some comes within ``seconds``; None if not."""
    try:
        async with asyncio.timeout(seconds):
            return await watch.next()
    except TimeoutError:
        return None


async def _next(watch: Watch, seconds: float = 5) -> News:
    news = await _within(seconds, watch)
    assert news is not None, f"no news within {seconds} s"
    return news


def _watcher_running() -> bool:
    return any(task.get_name() == "progress watcher" for task in asyncio.all_tasks())


async def _watcher_stopped() -> bool:
    return not _watcher_running()


async def test_the_streams_of_a_video_share_one_listener_and_leave_nothing_when_they_end(
    resources: Resources,
) -> None:
    live = CountingEvents()
    watcher = ProgressWatcher(resources.sessions, live)
    video_ids = await _videos(resources, 2)
    running = Progress("running", "speech", 7)

    async with contextlib.AsyncExitStack() as streams:
        watches = {
            video_id: [await streams.enter_async_context(watcher.watch(video_id)) for _ in "abc"]
            for video_id in video_ids
        }
        while_open = +live.listeners
        await live.publish(video_ids[0], LiveEvent.progress("running", 7, "speech"))
        told = [await _within(0, watch) for watch in watches[video_ids[0]]]
        others = [await _within(0, watch) for watch in watches[video_ids[1]]]
        assert _watcher_running()

    assert while_open == {video_ids[0]: 1, video_ids[1]: 1}  # one per video, not per stream
    assert [news.progress if news else None for news in told] == [running] * 3
    assert all(news is None or news.progress != running for news in others)
    assert +live.listeners == {}
    assert await wait_for(_watcher_stopped, seconds=5)


async def test_a_late_live_message_never_moves_a_video_s_progress_back(
    resources: Resources,
) -> None:
    live = InProcessEvents()
    watcher = ProgressWatcher(resources.sessions, live)
    video_id = (await _videos(resources, 1))[0]
    async with resources.sessions() as session:  # as its worker leaves the row
        values = {"status": "running", "stage": "render", "progress": 50}
        await session.execute(update(Video).where(Video.id == video_id).values(**values))
        await session.commit()

    async with watcher.watch(video_id) as watch:
        await live.publish(video_id, LiveEvent.progress("running", 50, "render"))
        ahead = await _next(watch)
        await live.publish(video_id, LiveEvent.progress("running", 40, "render"))  # late
        late = await _within(1.5, watch)  # a read of the database meanwhile: nothing new either
        await live.publish(video_id, LiveEvent.progress("running", 60))  # no stage: the last one
        after = await _next(watch)

    assert ahead.progress == Progress("running", "render", 50)
    assert late is None
    assert after.progress == Progress("running", "render", 60)


async def test_new_log_lines_reach_each_stream_once_and_a_reconnect_reads_from_its_last_line(
    resources: Resources,
) -> None:
    watcher = ProgressWatcher(resources.sessions, InProcessEvents())
    video_id = (await _videos(resources, 1))[0]

    async with watcher.watch(video_id) as first, watcher.watch(video_id) as second:
        opened = await watcher.read(video_id, after_line=0)
        await _log(resources, video_id, "a provider was slow")
        await _log(resources, video_id, "it answered")

        async def lines_of(watch: Watch) -> list[str]:
            messages: list[str] = []
            while len(messages) < 2:
                messages += [line.message for line in (await _next(watch)).lines]
            return messages

        seen = await asyncio.gather(lines_of(first), lines_of(second))
        again = await _within(2.5, first)  # more reads: nothing new to tell
    reconnected = await watcher.read(video_id, after_line=opened.lines[-1].id)

    assert [line.message for line in opened.lines] == ["video queued"]
    assert opened.progress == Progress("queued", None, 0) and opened.ended is None
    assert seen == [["a provider was slow", "it answered"]] * 2
    assert again is None
    assert [line.message for line in reconnected.lines] == ["a provider was slow", "it answered"]


async def test_the_first_streams_of_a_process_that_join_at_once_read_the_highest_line_once(
    resources: Resources,
) -> None:
    watcher = ProgressWatcher(resources.sessions, CountingEvents())
    video_id = (await _videos(resources, 1))[0]
    with statements_run("max(video_events.id)") as reads:
        async with contextlib.AsyncExitStack() as streams:
            joined = await asyncio.gather(
                *(streams.enter_async_context(watcher.watch(video_id)) for _ in range(30))
            )
            reads_while_joining = len(reads)

    assert len(joined) == 30
    # Read by each, thousands of streams would wait for the pool's few connections.
    assert reads_while_joining == 1
