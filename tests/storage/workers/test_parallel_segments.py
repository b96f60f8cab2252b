"""One video, two workers on disks of their own: both speak its sentences and render its segments.

Real ``aivideo worker`` processes on PostgreSQL, RabbitMQ and an S3 bucket on
loopback; a segment a scene long, so the test's four-scene text has four.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import select

from aivideo.core.config import Settings
from aivideo.db.models import VideoEvent, VideoPart
from aivideo.runtime.resources import Resources
from tests.support.object_store import S3, object_names, read_object, s3_settings
from tests.support.polling import wait_for
from tests.support.probe import probe_video
from tests.support.server import Api, running_api
from tests.support.video_state import event_kinds, wait_for_status
from tests.support.workers import LONG_TEXT, WorkerProcess

StartWorker = Callable[..., Awaitable[WorkerProcess]]
SEGMENTS = 4  # LONG_TEXT: twelve sentences, three a scene, one scene a segment


async def _two_workers(
    settings: Settings, s3_bucket: str, start_worker: StartWorker, tmp_path: Path
) -> tuple[Settings, list[WorkerProcess], list[Path]]:
    disks = [tmp_path / "machine-a", tmp_path / "machine-b"]
    bucket = {
        "storage_url": s3_settings(settings, s3_bucket).storage_url,
        "s3_endpoint_url": S3.url,
    }
    workers = [await start_worker(data_dir=disk, segment_scenes=1, **bucket) for disk in disks]
    api = s3_settings(settings, s3_bucket, data_dir=tmp_path / "api-machine", render_slots=0)
    return api, workers, disks


async def _rendered_by(
    resources: Resources, video_id: str, kind: str = "segment"
) -> dict[int, list[dict[str, Any]]]:
    """The log's lines of parts done (segment_rendered, speech_spoken) by part number."""
    event = {"segment": "segment_rendered", "speech": "speech_spoken"}[kind]
    async with resources.sessions() as session:
        rows = await session.scalars(
            select(VideoEvent.data).where(VideoEvent.video_id == video_id, VideoEvent.kind == event)
        )
        found: dict[int, list[dict[str, Any]]] = {}
        for data in rows:
            found.setdefault(data[kind], []).append(data)
        return found


def _pid(worker_id: str) -> int:
    return int(worker_id.split(":")[1])  # host:pid:random


async def _helper_encoding(resources: Resources, api: Api) -> tuple[str, str]:
    """A new video, once a worker other than its own holds one of its segments: the
    video's id and the helping worker's id."""
    created = await api.alice.post("/v1/videos", json={"text": LONG_TEXT, "quality": "low"})
    video_id = created.json()["id"]
    running = await wait_for_status(resources, video_id, "running")
    assert running.worker_id is not None
    coordinator = _pid(running.worker_id)

    async def held() -> str | None:
        async with resources.sessions() as session:
            holders = await session.scalars(
                select(VideoPart.worker_id).where(
                    VideoPart.video_id == video_id, VideoPart.kind == "segment",
                    VideoPart.status == "running",
                )
            )  # fmt: skip
            return next((w for w in holders if w and _pid(w) != coordinator), None)

    return video_id, await wait_for(held, seconds=120)


def _encoders_and_scratch(worker: WorkerProcess, disk: Path) -> tuple[int, list[Path]]:
    """ffmpeg processes the worker runs, and what its scratch folder for segments holds."""
    encoders = 0
    for child in psutil.Process(worker.pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # one that ended meanwhile
            encoders += "ffmpeg" in child.name()
    return encoders, sorted(disk.rglob(".parts/*"))


async def test_a_long_video_is_rendered_by_two_workers_and_served_whole(
    settings: Settings,
    resources: Resources,
    s3_bucket: str,
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    api_settings, workers, _ = await _two_workers(settings, s3_bucket, start_worker, tmp_path)
    async with running_api(api_settings, resources) as api:
        created = await api.alice.post("/v1/videos", json={"text": LONG_TEXT, "quality": "low"})
        video_id = created.json()["id"]
        video = await wait_for_status(resources, video_id, "completed", "failed", seconds=180)
        assert video.status == "completed", video.error_message
        redirect = await api.alice.get(f"/v1/videos/{video_id}/file")
        async with httpx.AsyncClient() as anyone:
            fetched = await anyone.get(redirect.headers["location"])
    proxy_settings = api_settings.model_copy(update={"download_mode": "proxy"})
    async with running_api(proxy_settings, resources) as api:
        proxied = await api.alice.get(f"/v1/videos/{video_id}/file")
        rendered = await _rendered_by(resources, video_id)
        spoken = await _rendered_by(resources, video_id, "speech")
        segments_left = await object_names(s3_bucket, f"videos/{video_id}/work/")
        stored = await read_object(s3_bucket, f"videos/{video_id}/video.mp4")
        deleted = await api.alice.delete(f"/v1/videos/{video_id}")

    assert sorted(rendered) == list(range(SEGMENTS))
    assert all(len(events) == 1 for events in rendered.values())  # none rendered twice
    workers_seen = {_pid(events[0]["worker_id"]) for events in rendered.values()}
    assert workers_seen == {worker.pid for worker in workers}
    assert all(events[0]["seconds"] > 0 for events in rendered.values())
    # The twelve sentences were spoken in two runs, one by each worker.
    assert sorted(spoken) == [0, 1] and all(len(events) == 1 for events in spoken.values())
    assert {_pid(events[0]["worker_id"]) for events in spoken.values()} == workers_seen
    # One whole video, served by a redirect to the bucket and by the API itself.
    assert redirect.status_code == 307 and fetched.content == stored
    assert proxied.status_code == 200 and proxied.content == stored
    path = tmp_path / "downloaded.mp4"
    await asyncio.to_thread(path.write_bytes, stored)
    probe = await asyncio.to_thread(probe_video, path)
    assert video.duration_seconds is not None
    assert abs(probe.duration - video.duration_seconds) < 0.1
    assert probe.audio_codec == "aac"
    # The segments' folder went with the render; deleting the video removes its objects.
    assert segments_left == []
    assert deleted.status_code == 204

    async def bucket_empty() -> bool:
        return await object_names(s3_bucket, f"videos/{video_id}/") == []

    await wait_for(bucket_empty, seconds=30)


async def test_a_worker_killed_holding_a_segment_costs_the_video_nothing_but_that_segment(
    settings: Settings,
    resources: Resources,
    s3_bucket: str,
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    api_settings, workers, _ = await _two_workers(settings, s3_bucket, start_worker, tmp_path)
    async with running_api(api_settings, resources) as api:
        video_id, holder = await _helper_encoding(resources, api)
        helper = next(worker for worker in workers if worker.pid == _pid(holder))
        helper.kill()  # kill -9 in the middle of its segment
        await helper.wait()

        video = await wait_for_status(resources, video_id, "completed", "failed", seconds=180)

    assert video.status == "completed", video.error_message
    assert video.attempts == 1  # the video went on: only the segment was done again
    kinds = await event_kinds(resources, video_id)
    assert kinds.count("completed") == 1
    rendered = await _rendered_by(resources, video_id)
    assert sorted(rendered) == list(range(SEGMENTS))
    assert all(len(events) == 1 for events in rendered.values())
    assert all(event["worker_id"] != holder for events in rendered.values() for event in events)


async def test_cancelling_stops_the_encoders_of_every_segment(
    settings: Settings,
    resources: Resources,
    s3_bucket: str,
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    api_settings, workers, disks = await _two_workers(settings, s3_bucket, start_worker, tmp_path)
    async with running_api(api_settings, resources) as api:
        video_id, _ = await _helper_encoding(resources, api)

        cancelled = await api.alice.post(f"/v1/videos/{video_id}/cancel")
        assert cancelled.status_code == 200

        async def all_stopped() -> bool:
            found = await asyncio.gather(
                *(
                    asyncio.to_thread(_encoders_and_scratch, w, d)
                    for w, d in zip(workers, disks, strict=True)
                )
            )
            return all(encoders == 0 and not scratch for encoders, scratch in found)

        await wait_for(all_stopped, seconds=10)

    async def segments_gone() -> bool:
        return await object_names(s3_bucket, f"videos/{video_id}/work/segments/") == []

    await wait_for(segments_gone, seconds=10)
