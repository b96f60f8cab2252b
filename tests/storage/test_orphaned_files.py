"""Files in the bucket whose video no longer exists are swept away; nothing else is."""

from __future__ import annotations

import pytest

from aivideo.core.config import Settings
from aivideo.core.ids import new_id
from aivideo.runtime.resources import Resources
from tests.support.object_store import object_names, put_objects, s3_settings
from tests.support.polling import wait_for
from tests.support.server import running_api

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FILES = {"video.mp4": b"mp4", "work/narration.wav": b"wav"}


async def test_the_sweep_deletes_the_files_of_deleted_videos_and_keeps_the_rest(
    settings: Settings, resources: Resources, s3_bucket: str
) -> None:
    settings = s3_settings(settings, s3_bucket, render_slots=0)
    async with running_api(settings, resources) as api:
        made = [
            (await api.alice.post("/v1/videos", json={"text": "Rain.", "quality": "low"})).json()
            for _ in range(2)
        ]
        kept, deleted = (video["id"] for video in made)
        assert (await api.alice.delete(f"/v1/videos/{deleted}")).status_code == 204
    # A worker that was still uploading when its video was deleted, and one never known.
    never_known = new_id()
    for video_id in (kept, deleted, never_known):
        await put_objects(s3_bucket, video_id, FILES)
    await put_objects(s3_bucket, "notes", {"readme.txt": b"not a video's"})

    # A new process: its reconciler's first pass sweeps the store.
    async with running_api(settings, resources):

        async def orphans_gone() -> bool:
            return await object_names(s3_bucket, f"videos/{deleted}/") == []

        await wait_for(orphans_gone, seconds=30)

    assert await object_names(s3_bucket, f"videos/{never_known}/") == []
    assert len(await object_names(s3_bucket, f"videos/{kept}/")) == 2
    assert await object_names(s3_bucket, "videos/notes/") == ["videos/notes/readme.txt"]
