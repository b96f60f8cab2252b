"""Storage cannot be filled: outputs only, quotas, retention, and a full disk that waits."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from aivideo.core.config import Settings
from aivideo.core.outputs import video_folder
from aivideo.db.models import Video, VideoEvent
from aivideo.db.types import utcnow
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.server import running_api
from tests.support.small_disk import grow, small_disk
from tests.support.video_state import wait_for_status

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TEXT = "Rain falls on the hills. Rivers carry it back to the sea."


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_a_finished_video_keeps_only_what_its_owner_downloads(
    settings: Settings, resources: Resources
) -> None:
    async with running_api(settings, resources) as api:
        created = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low"})
        video = await wait_for_status(resources, created.json()["id"], "completed", "failed")
        assert video.status == "completed", video.error_message
        # Every download still works once the rest is gone.
        routes = ("file", "thumbnail.jpg", "subtitles.vtt", "subtitles.srt", "words.json")
        for route in (*routes, "scenes", "scenes/0.jpg"):
            response = await api.alice.get(f"/v1/videos/{video.id}/{route}")
            assert response.status_code == 200, route

    folder = video_folder(settings.storage_dir, video.id)
    names = await asyncio.to_thread(_names, folder)
    assert names == [
        "scene-0.jpg", "scenes.json", "subtitles.srt", "subtitles.vtt", "thumbnail.jpg",
        "video.mp4", "words.json",
    ]  # fmt: skip


async def test_a_full_disk_sends_the_video_back_and_it_finishes_once_there_is_room(
    settings: Settings, resources: Resources
) -> None:
    settings = settings.model_copy(
        update={"retry_backoff": 0.2, "retry_backoff_max": 0.5, "reconcile_interval": 0.2}
    )
    # 64 KB: too small for the narration's WAV file, the first big file a video writes.
    async with small_disk(settings.storage_dir, "64k"), running_api(settings, resources) as api:
        created = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low"})
        video_id = created.json()["id"]

        async def retry_says_disk_full() -> bool:
            events = (await api.alice.get(f"/v1/videos/{video_id}/events")).json()["items"]
            return any(
                e["kind"] == "retry_scheduled" and "the disk is full" in e["message"]
                for e in events
            )

        await wait_for(retry_says_disk_full, seconds=60)
        waiting = (await api.alice.get(f"/v1/videos/{video_id}")).json()
        assert waiting["status"] in ("queued", "running")  # not failed: it waits for room

        await grow(settings.storage_dir, "200m")
        video = await wait_for_status(resources, video_id, "completed", "failed")

    assert video.status == "completed", video.error_message
    assert video.attempts >= 2


async def test_a_user_whose_videos_fill_their_quota_cannot_make_more_until_one_is_deleted(
    settings: Settings, resources: Resources
) -> None:
    settings = settings.model_copy(update={"max_storage_per_user": 1})  # one video fills it
    async with running_api(settings, resources) as api:
        first = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low"})
        await wait_for_status(resources, first.json()["id"], "completed", "failed")

        refused = await api.alice.post("/v1/videos", json={"text": TEXT})
        batch = await api.alice.post("/v1/videos/batch", json={"videos": [{"text": TEXT}]})
        bobs = await api.bob.post("/v1/videos", json={"text": TEXT})
        await api.alice.delete(f"/v1/videos/{first.json()['id']}")
        again = await api.alice.post("/v1/videos", json={"text": TEXT})

    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "storage_quota_exceeded"
    assert "delete some videos to make new ones" in refused.json()["error"]["message"]
    assert batch.status_code == 413
    assert bobs.status_code == 202  # a quota is per user
    assert again.status_code == 202


async def test_videos_finished_before_the_retention_period_are_deleted_with_their_files(
    settings: Settings, resources: Resources
) -> None:
    async with running_api(settings, resources) as api:
        ids = []
        for _ in range(2):
            created = await api.alice.post("/v1/videos", json={"text": TEXT, "quality": "low"})
            ids.append(created.json()["id"])
        for video_id in ids:
            await wait_for_status(resources, video_id, "completed", "failed")
    old, recent = ids
    async with resources.sessions() as session:
        await session.execute(
            update(Video).where(Video.id == old).values(finished_at=utcnow() - timedelta(days=40))
        )
        await session.commit()

    # A new process: its reconciler's first pass applies the retention period.
    settings = settings.model_copy(update={"retention_days": 30})
    async with running_api(settings, resources) as api:

        async def old_is_gone() -> bool:
            return (await api.alice.get(f"/v1/videos/{old}")).status_code == 404

        await wait_for(old_is_gone, seconds=30)
        kept = await api.alice.get(f"/v1/videos/{recent}")

    assert kept.status_code == 200
    assert not await asyncio.to_thread(video_folder(settings.storage_dir, old).exists)
    assert await asyncio.to_thread(video_folder(settings.storage_dir, recent).exists)
    async with resources.sessions() as session:
        assert await session.get(Video, old) is None
        events = await session.scalars(
            VideoEvent.__table__.select().where(VideoEvent.video_id == old)
        )
        assert list(events) == []


async def test_readyz_says_storage_is_low_but_stays_ready(
    settings: Settings, resources: Resources
) -> None:
    settings = settings.model_copy(update={"storage_low_bytes": 10**15, "render_slots": 0})
    async with running_api(settings, resources) as api:
        response = await api.anonymous.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    storage = response.json()["components"]["storage"]
    assert storage["status"] == "degraded" and "storage is low" in storage["detail"]
