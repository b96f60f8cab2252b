"""Claims, leases and the reconciler on each database: the rules that keep jobs unlost."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.service import get_or_create_user
from aivideo.core.errors import InvalidInput
from aivideo.db.models import Video
from aivideo.db.types import utcnow
from aivideo.jobs import claims
from aivideo.jobs.live import InProcessEvents
from aivideo.jobs.reconciler import Reconciler
from aivideo.jobs.worker import VideoWorker
from aivideo.runtime.resources import Resources
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits, create_video
from tests.support.video_state import event_kinds, video_row

LIMITS = QueueLimits(per_user=100, total=100)


async def _queued_video(session: AsyncSession) -> str:
    owner = await get_or_create_user(session, "alice")
    request = VideoCreate(text="A video to claim.")
    return (await create_video(session, owner, request, None, LIMITS)).video.id


async def _claim(resources: Resources, video_id: str, worker_id: str) -> bool:
    async with resources.sessions() as session:
        won = await claims.claim(session, video_id, worker_id, lease=30)
        await session.commit()
        return won


async def test_two_workers_claiming_one_video_one_wins(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _queued_video(session)

    results = await asyncio.gather(
        _claim(resources, video_id, "worker-a"), _claim(resources, video_id, "worker-b")
    )

    assert sorted(results) == [False, True]
    video = await video_row(resources, video_id)
    assert video.status == "running"
    assert video.attempts == 1
    assert video.worker_id == ("worker-a" if results[0] else "worker-b")
    assert video.lease_expires_at is not None and video.lease_expires_at > utcnow()


async def test_a_video_waiting_for_its_retry_time_is_not_claimed(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _queued_video(session)
    await session.execute(
        update(Video).where(Video.id == video_id).values(not_before=utcnow() + timedelta(hours=1))
    )
    await session.commit()

    assert not await _claim(resources, video_id, "worker-a")


async def _expire_lease(session: AsyncSession, video_id: str, attempts: int) -> None:
    await session.execute(
        update(Video)
        .where(Video.id == video_id)
        .values(lease_expires_at=utcnow() - timedelta(seconds=1), attempts=attempts)
    )
    await session.commit()


async def test_the_reconciler_requeues_a_dead_worker_s_video_and_sends_it_again(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _queued_video(session)
    assert await _claim(resources, video_id, "elsewhere:1:dead")
    await _expire_lease(session, video_id, attempts=1)
    sent: list[str] = []

    async def publish(video_ids: object) -> None:
        sent.extend(video_ids)  # type: ignore[call-overload]

    reconciler = Reconciler(resources, InProcessEvents(), publish)
    resources.settings.dispatch_grace = 0.001
    await reconciler.reconcile()  # takes the video back (and may send it already)
    await asyncio.sleep(0.01)  # past the (tiny) dispatch grace
    await reconciler.reconcile()  # sends it, if not yet: publishing twice is harmless

    video = await video_row(resources, video_id)
    assert video.status == "queued"
    assert video.worker_id is None
    assert set(sent) == {video_id}
    assert "lease_expired" in await event_kinds(resources, video_id)


async def test_a_video_that_kills_every_worker_fails_after_the_last_attempt(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _queued_video(session)
    assert await _claim(resources, video_id, "elsewhere:1:dead")
    await _expire_lease(session, video_id, attempts=resources.settings.max_attempts)

    async def publish(video_ids: object) -> None:
        raise AssertionError("a failed video must not be sent")

    await Reconciler(resources, InProcessEvents(), publish).reconcile()

    video = await video_row(resources, video_id)
    assert video.status == "failed"
    assert video.error_message is not None
    assert "stopped its worker 3 times" in video.error_message


async def test_a_transient_failure_is_retried_later_and_a_permanent_one_fails_at_once(
    resources: Resources, session: AsyncSession
) -> None:
    worker = VideoWorker(resources, resources.settings, InProcessEvents())
    flaky, broken = await _queued_video(session), await _queued_video(session)
    for video_id in (flaky, broken):
        assert await _claim(resources, video_id, worker.id)

    await worker._after_failure(flaky, 1, ConnectionResetError("the network went away"))
    await worker._after_failure(broken, 1, InvalidInput("the text has nothing to say"))

    retried = await video_row(resources, flaky)
    assert retried.status == "queued"
    assert retried.not_before is not None and retried.not_before > utcnow()
    assert retried.error_message == "attempt 1 failed: the network went away"
    failed = await video_row(resources, broken)
    assert failed.status == "failed"
    assert failed.error_message == "the text has nothing to say"


async def test_transient_failures_give_up_after_the_last_attempt(
    resources: Resources, session: AsyncSession
) -> None:
    worker = VideoWorker(resources, resources.settings, InProcessEvents())
    video_id = await _queued_video(session)
    assert await _claim(resources, video_id, worker.id)

    last = resources.settings.max_attempts
    await worker._after_failure(video_id, last, TimeoutError("the speech service timed out"))

    video = await video_row(resources, video_id)
    assert video.status == "failed"
    assert video.error_message == (
        f"gave up after {last} attempts; the last one failed with: the speech service timed out"
    )


async def test_a_video_redelivered_from_a_dead_worker_is_taken_over_at_once(
    resources: Resources, session: AsyncSession
) -> None:
    finished = await asyncio.create_subprocess_exec("true")
    await finished.wait()  # a process of this host that no longer exists
    dead_worker = f"{socket.gethostname()}:{finished.pid}:abcdef"
    video_id = await _queued_video(session)
    assert await _claim(resources, video_id, dead_worker)
    worker = VideoWorker(resources, resources.settings, InProcessEvents())

    assert await worker._take_from_dead_holder(video_id)

    video = await video_row(resources, video_id)
    assert (video.status, video.worker_id, video.attempts) == ("running", worker.id, 2)
    assert "taken_over" in await event_kinds(resources, video_id)


async def test_a_live_worker_keeps_its_video_when_it_is_delivered_again(
    resources: Resources, session: AsyncSession
) -> None:
    video_id = await _queued_video(session)
    resources.settings.lease_seconds = 0.5  # the wait for the holder lasts 1.5 leases
    live = VideoWorker(resources, resources.settings, InProcessEvents())  # this process: alive
    assert await _claim(resources, video_id, live.id)
    other = VideoWorker(resources, resources.settings, InProcessEvents())

    async def renew_while_waiting() -> None:
        for _ in range(10):
            async with resources.sessions() as renewing:
                await claims.renew(renewing, [video_id], live.id, lease=0.5)
                await renewing.commit()
            await asyncio.sleep(0.1)

    taken, _ = await asyncio.gather(other._take_from_dead_holder(video_id), renew_while_waiting())

    assert not taken
    assert (await video_row(resources, video_id)).worker_id == live.id
