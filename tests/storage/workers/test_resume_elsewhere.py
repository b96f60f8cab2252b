"""A video whose worker died resumes on a machine that never saw its disk, from the store."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.object_store import S3, object_names, read_object, s3_settings
from tests.support.polling import wait_for
from tests.support.server import running_api
from tests.support.video_state import event_kinds, wait_for_stage, wait_for_status
from tests.support.workers import LONG_TEXT, WorkerProcess

StartWorker = Callable[..., Awaitable[WorkerProcess]]


def _files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


async def test_a_killed_workers_video_is_finished_on_another_disk_from_its_last_stage(
    settings: Settings,
    resources: Resources,
    s3_bucket: str,
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    first_disk, second_disk = tmp_path / "first-machine", tmp_path / "second-machine"
    in_bucket = s3_settings(settings, s3_bucket)
    bucket = {"storage_url": in_bucket.storage_url, "s3_endpoint_url": S3.url}
    first = await start_worker(data_dir=first_disk, **bucket)
    api_settings = s3_settings(
        settings, s3_bucket, data_dir=tmp_path / "api-machine", render_slots=0
    )
    async with running_api(api_settings, resources) as api:
        created = await api.alice.post("/v1/videos", json={"text": LONG_TEXT, "quality": "low"})
        video_id = created.json()["id"]
        await wait_for_stage(resources, video_id, "render")
        kept = await object_names(s3_bucket, f"videos/{video_id}/work/")
        first.kill()  # kill -9: speech, subtitles and visuals are done, the render is not
        await first.wait()

        await start_worker(data_dir=second_disk, **bucket)
        video = await wait_for_status(resources, video_id, "completed", "failed")
        assert video.status == "completed", video.error_message
        redirect = await api.alice.get(f"/v1/videos/{video_id}/file")
        async with httpx.AsyncClient() as anyone:
            fetched = await anyone.get(redirect.headers["location"])

    # The store had each finished stage's record and files when the first worker died.
    assert f"videos/{video_id}/work/stages/speech.json" in kept
    assert f"videos/{video_id}/work/narration.wav" in kept
    assert f"videos/{video_id}/work/stages/render.json" not in kept
    # The second machine took those stages from the store: it spoke no sentence.
    kinds = await event_kinds(resources, video_id)
    assert kinds.count("stage_restored") == 4  # script, speech, subtitles, visuals
    assert video.attempts == 2
    assert await asyncio.to_thread(_files_under, first_disk / "cache" / "speech")
    assert await asyncio.to_thread(_files_under, second_disk / "cache" / "speech") == []
    # The API serves the video the second worker made; its stage copies are gone.
    stored = await read_object(s3_bucket, f"videos/{video_id}/video.mp4")
    assert redirect.status_code == 307 and fetched.content == stored

    async def copies_gone() -> bool:
        return await object_names(s3_bucket, f"videos/{video_id}/work/") == []

    await wait_for(copies_gone, seconds=10)
