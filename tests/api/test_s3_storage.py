"""Videos kept in an S3 bucket (moto on loopback): made, downloaded, deleted, swept, probed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import anyio
import httpx
import pytest
from sqlalchemy import update

from aivideo.client import AsyncClient
from aivideo.core.config import Settings
from aivideo.db.models import Video
from aivideo.db.types import utcnow
from aivideo.runtime.resources import Resources
from tests.support.finished_video import finish_video
from tests.support.object_store import (
    S3,
    delete_bucket,
    object_names,
    put_objects,
    read_object,
    s3_settings,
)
from tests.support.polling import wait_for
from tests.support.server import Api, running_api
from tests.support.tcp_proxy import TcpProxy
from tests.support.video_state import event_kinds, wait_for_status

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TEXT = "Rain falls on the hills. Rivers carry it back to the sea."
OUTPUTS = [
    "scene-0.jpg", "scenes.json", "subtitles.srt", "subtitles.vtt", "thumbnail.jpg",
    "video.mp4", "words.json",
]  # fmt: skip


def _key(api: Api) -> str:
    return str(api.alice.headers["authorization"]).removeprefix("Bearer ")


async def _create(api: Api, **fields: object) -> str:
    created = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low", **fields})
    assert created.status_code == 202, created.text
    video_id: str = created.json()["id"]
    return video_id


async def _once_the_stage_copies_are_gone(bucket: str, video_id: str) -> list[str] | None:
    """The video's keys, once its stage copies (work/) are gone; None before.

    They go after the video is recorded completed: a test that sees the status
    may look before they have.
    """
    names = await object_names(bucket, f"videos/{video_id}/")
    return None if any("/work/" in name for name in names) else names


async def test_a_video_made_into_a_bucket_is_downloaded_through_a_presigned_redirect(
    settings: Settings, resources: Resources, s3_bucket: str, tmp_path: Path
) -> None:
    settings = s3_settings(settings, s3_bucket)
    async with running_api(settings, resources) as api:
        video_id = await _create(api, title="Rain")
        video = await wait_for_status(resources, video_id, "completed", "failed")
        assert video.status == "completed", video.error_message
        # The stage copies (work/) go once the video is recorded completed.
        stored = [
            n for n in await object_names(s3_bucket, f"videos/{video_id}/") if "/work/" not in n
        ]
        video_bytes = await read_object(s3_bucket, f"videos/{video_id}/video.mp4")
        # The worker's own folder is scratch: gone once the files are in the bucket.
        made_here = await anyio.Path(settings.storage_dir / video_id).exists()

        redirect = await api.alice.get(f"/v1/videos/{video_id}/file")
        async with httpx.AsyncClient() as anyone:  # no key: the URL is signed
            fetched = await anyone.get(redirect.headers["location"])
            srt = await api.alice.get(f"/v1/videos/{video_id}/subtitles.srt")
            subtitles = await anyone.get(srt.headers["location"])
        link = await api.alice.get(f"/v1/videos/{video_id}/thumbnail.jpg?link=true")
        storyboard = await api.alice.get(f"/v1/videos/{video_id}/scenes")
        preview = await api.alice.get(storyboard.json()["scenes"][0]["preview_url"])
        async with AsyncClient(api.base_url, api_key=_key(api)) as client:
            saved = await client.download(video_id, tmp_path / "rain.mp4")  # follows the 307

        deleted = await api.alice.delete(f"/v1/videos/{video_id}")
        left = await object_names(s3_bucket, f"videos/{video_id}/")

    assert stored == [f"videos/{video_id}/{name}" for name in OUTPUTS]
    assert not made_here
    assert redirect.status_code == 307
    assert redirect.headers["location"].startswith(f"{S3.url}/{s3_bucket}/videos/{video_id}/")
    assert redirect.headers["cache-control"] == "no-store"
    assert fetched.status_code == 200 and fetched.content == video_bytes
    assert fetched.headers["content-type"] == "video/mp4"
    assert subtitles.headers["content-disposition"] == 'attachment; filename="Rain.srt"'
    assert link.json()["url"].startswith(f"{S3.url}/{s3_bucket}/videos/{video_id}/thumbnail.jpg?")
    assert link.json()["expires_in"] == settings.download_url_seconds
    assert storyboard.status_code == 200 and preview.status_code == 307
    assert await anyio.Path(saved).read_bytes() == video_bytes
    assert deleted.status_code == 204
    assert left == []


async def test_in_proxy_mode_the_api_sends_the_objects_itself_with_range_support(
    settings: Settings, resources: Resources, s3_bucket: str, tmp_path: Path
) -> None:
    settings = s3_settings(settings, s3_bucket, download_mode="proxy", render_slots=0)
    content = bytes(range(256)) * 40_000  # 10 MB: more than one window of the store's reads
    async with running_api(settings, resources) as api:
        video_id = await _create(api, title="Sea")
        await put_objects(s3_bucket, video_id, {"video.mp4": content, "subtitles.srt": b"1\n"})
        await finish_video(resources, video_id, {})

        files = f"/v1/videos/{video_id}"
        whole = await api.alice.get(f"{files}/file")
        etag = whole.headers["etag"]
        part = await api.alice.get(f"{files}/file", headers={"Range": "bytes=5000000-9000000"})
        resumed = await api.alice.get(
            f"{files}/file", headers={"Range": "bytes=9000000-", "If-Range": etag}
        )
        changed = await api.alice.get(
            f"{files}/file", headers={"Range": "bytes=9000000-", "If-Range": '"another"'}
        )
        past = await api.alice.get(f"{files}/file", headers={"Range": "bytes=99999999-"})
        srt = await api.alice.get(f"{files}/subtitles.srt")
        link = await api.alice.get(f"{files}/file?link=true")
        async with AsyncClient(api.base_url, api_key=_key(api)) as client:
            saved = await client.download(video_id, tmp_path / "sea.mp4")

    assert whole.status_code == 200 and whole.content == content
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    assert part.status_code == 206 and part.content == content[5_000_000:9_000_001]
    assert part.headers["content-range"] == f"bytes 5000000-9000000/{len(content)}"
    assert resumed.status_code == 206 and resumed.content == content[9_000_000:]
    assert changed.status_code == 200 and changed.content == content
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(content)}"
    assert srt.headers["content-disposition"] == 'attachment; filename="Sea.srt"'
    assert link.json() == {"url": None, "expires_in": None}
    assert await anyio.Path(saved).read_bytes() == content


@pytest.mark.parametrize("mode", ["redirect", "proxy"])
async def test_a_file_missing_from_the_bucket_is_404_saying_so(
    settings: Settings, resources: Resources, s3_bucket: str, mode: str
) -> None:
    settings = s3_settings(settings, s3_bucket, download_mode=mode, render_slots=0)
    async with running_api(settings, resources) as api:
        video_id = await _create(api)
        await put_objects(s3_bucket, video_id, {"thumbnail.jpg": b"\xff\xd8"})
        await finish_video(resources, video_id, {})
        missing = await api.alice.get(f"/v1/videos/{video_id}/file")
        storyboard = await api.alice.get(f"/v1/videos/{video_id}/scenes")

    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == (
        f"video {video_id} is completed, but the store has no video.mp4 for it "
        "(removed outside aivideo, or never made)"
    )
    assert storyboard.status_code == 404


async def test_videos_past_the_retention_period_leave_the_bucket_too(
    settings: Settings, resources: Resources, s3_bucket: str
) -> None:
    settings = s3_settings(settings, s3_bucket, render_slots=0)
    async with running_api(settings, resources) as api:
        old, recent = await _create(api), await _create(api)
    for video_id in (old, recent):
        await put_objects(s3_bucket, video_id, {"video.mp4": b"mp4", "thumbnail.jpg": b"jpg"})
        await finish_video(resources, video_id, {})
    async with resources.sessions() as session:
        await session.execute(
            update(Video).where(Video.id == old).values(finished_at=utcnow() - timedelta(days=40))
        )
        await session.commit()

    # A new process: its reconciler's first pass applies the retention period.
    async with running_api(settings.model_copy(update={"retention_days": 30}), resources) as api:

        async def old_is_gone() -> bool:
            return (await api.alice.get(f"/v1/videos/{old}")).status_code == 404

        await wait_for(old_is_gone, seconds=30)

    assert await object_names(s3_bucket, f"videos/{old}/") == []
    assert len(await object_names(s3_bucket, f"videos/{recent}/")) == 2


async def test_readyz_names_the_bucket_once_it_is_gone(
    settings: Settings, resources: Resources, s3_bucket: str
) -> None:
    settings = s3_settings(settings, s3_bucket, render_slots=0)
    async with running_api(settings, resources) as api:
        ready = await api.anonymous.get("/readyz")
        await delete_bucket(s3_bucket)
        gone = await api.anonymous.get("/readyz")

    assert ready.status_code == 200, ready.text
    storage = ready.json()["components"]["storage"]
    assert storage["status"] == "up"
    assert storage["detail"].startswith(f"s3://{s3_bucket}/videos/ at {S3.url}; made in ")
    assert gone.status_code == 503
    storage = gone.json()["components"]["storage"]
    assert storage["status"] == "down"
    assert f"the bucket '{s3_bucket}' does not exist" in storage["detail"]


async def test_an_upload_that_fails_is_tried_again_and_the_video_completes_once_the_store_is_back(
    settings: Settings, resources: Resources, s3_bucket: str
) -> None:
    proxy = TcpProxy("127.0.0.1", int(S3.url.rsplit(":", 1)[1]))
    await proxy.start()
    proxy.cut()  # the store does not answer, from the start
    settings = s3_settings(
        settings, s3_bucket, endpoint=f"http://127.0.0.1:{proxy.port}",
        retry_backoff=0.2, retry_backoff_max=0.5, reconcile_interval=0.2, dispatch_grace=0.5,
    )  # fmt: skip
    try:
        async with running_api(settings, resources) as api:
            video_id = await _create(api)

            async def retry_says_the_store_did_not_answer() -> bool:
                events = (await api.alice.get(f"/v1/videos/{video_id}/events")).json()["items"]
                return any(
                    e["kind"] == "retry_scheduled" and "did not answer" in e["message"]
                    for e in events
                )

            await wait_for(retry_says_the_store_did_not_answer, seconds=60)
            waiting = (await api.alice.get(f"/v1/videos/{video_id}")).json()
            proxy.restore()
            video = await wait_for_status(resources, video_id, "completed", "failed")
            stored = await wait_for(lambda: _once_the_stage_copies_are_gone(s3_bucket, video_id))
            kinds = await event_kinds(resources, video_id)
    finally:
        await proxy.stop()

    assert waiting["status"] in ("queued", "running")  # not completed without its files
    assert video.status == "completed", video.error_message
    assert video.attempts >= 2
    assert kinds.count("completed") == 1
    assert stored == [f"videos/{video_id}/{name}" for name in OUTPUTS]
