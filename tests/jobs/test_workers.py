"""Workers in processes of their own, on RabbitMQ and PostgreSQL: nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import psutil
import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.server import Api, running_api
from tests.support.video_state import event_kinds, video_row, wait_for_stage, wait_for_status
from tests.support.workers import LONG_TEXT, WorkerProcess, rabbitmq_stopped

StartWorker = Callable[..., Awaitable[WorkerProcess]]


@pytest.fixture
async def api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    """An API process of its own kind: it takes requests and makes no videos."""
    async with running_api(settings.model_copy(update={"render_slots": 0}), resources) as api:
        yield api


async def _create(api: Api, text: str = LONG_TEXT) -> str:
    response = await api.alice.post("/v1/videos", json={"text": text, "quality": "low"})
    assert response.status_code == 202, response.text
    video_id: str = response.json()["id"]
    return video_id


async def _outputs(settings: Settings, video_id: str) -> list[Path]:
    folder = settings.storage_dir / video_id
    names = await asyncio.to_thread(lambda: sorted(folder.glob("video.*")))
    return names


async def _partials(settings: Settings, video_id: str) -> list[Path]:
    folder = settings.storage_dir / video_id
    return await asyncio.to_thread(lambda: sorted(folder.rglob("*.part*")))


async def _encoders(worker: WorkerProcess) -> list[psutil.Process]:
    def find() -> list[psutil.Process]:
        children = psutil.Process(worker.pid).children(recursive=True)
        return [child for child in children if "ffmpeg" in child.name()]

    return await asyncio.to_thread(find)


async def test_a_video_whose_worker_is_killed_is_finished_by_another(
    api: Api, settings: Settings, resources: Resources, start_worker: StartWorker
) -> None:
    first = await start_worker()
    video_id = await _create(api)
    await wait_for_stage(resources, video_id, "render")
    children = await asyncio.to_thread(lambda: psutil.Process(first.pid).children(recursive=True))

    first.kill()  # kill -9 in the middle of the render
    await first.wait()
    await start_worker()
    # Its pool processes (each with a voice model loaded) do not live on as orphans.
    await wait_for(
        lambda: asyncio.to_thread(lambda: not any(c.is_running() for c in children)), seconds=15
    )

    video = await wait_for_status(resources, video_id, "completed", "failed")
    assert video.status == "completed", video.error_message
    assert video.attempts == 2
    kinds = await event_kinds(resources, video_id)
    # Taken back by a reconciler, or taken over by the worker RabbitMQ redelivered it to.
    assert kinds.count("lease_expired") + kinds.count("taken_over") == 1
    assert kinds.count("started") + kinds.count("taken_over") == 2
    assert kinds.count("completed") == 1
    assert len(await _outputs(settings, video_id)) == 1
    assert await _partials(settings, video_id) == []


async def test_queued_videos_survive_a_rabbitmq_restart(
    api: Api, settings: Settings, resources: Resources, start_worker: StartWorker
) -> None:
    worker = await start_worker()
    before = [await _create(api, f"Video {n} before the restart. It is short.") for n in range(3)]

    async with rabbitmq_stopped():
        # While the broker is down the API still accepts videos: the database has them.
        during = await _create(api, "A video made while the broker was down.")
    after = await _create(api, "A video made after the broker came back.")

    for video_id in [*before, during, after]:
        video = await wait_for_status(resources, video_id, "completed", "failed", seconds=180)
        assert video.status == "completed", video.error_message
    assert worker.process.returncode is None  # the same worker reconnected and went on
    for video_id in [*before, during, after]:
        assert len(await _outputs(settings, video_id)) == 1


async def test_cancelling_a_running_video_stops_its_encoder(
    api: Api, settings: Settings, resources: Resources, start_worker: StartWorker
) -> None:
    worker = await start_worker()
    video_id = await _create(api)
    await wait_for_stage(resources, video_id, "render")
    encoders = await wait_for(lambda: _encoders(worker))

    response = await api.alice.post(f"/v1/videos/{video_id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    await wait_for(
        lambda: asyncio.to_thread(lambda: not any(e.is_running() for e in encoders)), seconds=10
    )
    folder = settings.storage_dir / video_id
    await wait_for(lambda: asyncio.to_thread(lambda: not folder.exists()), seconds=10)
    assert (await video_row(resources, video_id)).status == "cancelled"


async def test_sigterm_hands_running_videos_back_for_another_worker(
    api: Api, settings: Settings, resources: Resources, start_worker: StartWorker
) -> None:
    leaving = await start_worker(shutdown_grace=0)
    video_id = await _create(api)
    await wait_for_stage(resources, video_id, "render")

    leaving.terminate()

    assert await leaving.wait() == 0
    handed_back = await video_row(resources, video_id)
    assert handed_back.status == "queued"
    assert handed_back.attempts == 0  # a worker stopping is not the video's failure
    await start_worker()
    video = await wait_for_status(resources, video_id, "completed", "failed")
    assert video.status == "completed", video.error_message
    assert "handed_back" in await event_kinds(resources, video_id)
    assert len(await _outputs(settings, video_id)) == 1
