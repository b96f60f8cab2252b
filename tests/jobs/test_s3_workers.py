"""Machines that share no disk: the API and ``aivideo worker`` meet only in the S3 store."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import httpx

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.object_store import S3, object_names, read_object, s3_settings, strict_s3_server
from tests.support.server import running_api
from tests.support.video_state import wait_for_status
from tests.support.workers import WorkerProcess, settings_env

StartWorker = Callable[..., Awaitable[WorkerProcess]]

TEXT = "Two machines, one bucket. The worker makes it and the API serves it."


async def test_the_api_serves_a_video_that_a_worker_on_another_disk_made(
    settings: Settings,
    resources: Resources,
    s3_bucket: str,
    start_worker: StartWorker,
    tmp_path: Path,
) -> None:
    worker_disk, api_disk = tmp_path / "worker-machine", tmp_path / "api-machine"
    worker_settings = s3_settings(settings, s3_bucket, data_dir=worker_disk)
    await start_worker(
        data_dir=worker_disk, storage_url=worker_settings.storage_url, s3_endpoint_url=S3.url
    )
    api_settings = s3_settings(settings, s3_bucket, data_dir=api_disk, render_slots=0)
    async with running_api(api_settings, resources) as api:
        created = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low"})
        video_id = created.json()["id"]
        video = await wait_for_status(resources, video_id, "completed", "failed")
        assert video.status == "completed", video.error_message
        redirect = await api.alice.get(f"/v1/videos/{video_id}/file")
        async with httpx.AsyncClient() as anyone:
            fetched = await anyone.get(redirect.headers["location"])
    proxy_settings = api_settings.model_copy(update={"download_mode": "proxy"})
    async with running_api(proxy_settings, resources) as api:
        proxied = await api.alice.get(f"/v1/videos/{video_id}/file")

    stored = await read_object(s3_bucket, f"videos/{video_id}/video.mp4")
    assert redirect.status_code == 307 and fetched.content == stored
    assert proxied.status_code == 200 and proxied.content == stored
    assert len(await object_names(s3_bucket, f"videos/{video_id}/")) == 7
    # Neither machine keeps the video: the worker's scratch folder is gone, the API never had one.
    assert not await anyio.Path(worker_disk / "videos" / video_id).exists()
    assert not await anyio.Path(api_disk / "videos" / video_id).exists()


async def _aivideo_worker(settings: Settings, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aivideo", "worker", *args, env=settings_env(settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    said, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, said.decode()


async def test_worker_check_names_a_missing_bucket_and_refused_credentials(
    settings: Settings, s3_credentials: None, tmp_path: Path
) -> None:
    missing = s3_settings(settings, "no-such-bucket-for-aivideo")
    missing_code, missing_said = await _aivideo_worker(missing, "--check")
    async with strict_s3_server(tmp_path / "moto.log") as strict:
        # A new moto server loads its S3 backend at its first request: seconds on a busy machine.
        refused = s3_settings(settings, "videos", endpoint=strict, probe_timeout=15.0)
        refused_code, refused_said = await _aivideo_worker(refused, "--check")
        start_code, start_said = await _aivideo_worker(refused)

    assert missing_code == 1
    assert "the bucket 'no-such-bucket-for-aivideo' does not exist" in missing_said
    assert "database  up" in missing_said  # the other components are still reported
    assert refused_code == 1
    assert "refused the credentials (InvalidAccessKeyId)" in refused_said
    assert "AWS_ACCESS_KEY_ID" in refused_said
    # Started for real, the worker stops at once, naming what to fix.
    assert start_code == 2
    assert "refused the credentials (InvalidAccessKeyId)" in start_said
