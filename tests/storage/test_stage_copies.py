"""A stage's copy in the bucket brings its files and record to another machine's workspace."""

from __future__ import annotations

from pathlib import Path

import anyio

from aivideo.pipeline.stage_copies import StageCopies
from aivideo.pipeline.workspace import Workspace
from aivideo.storage.s3_store import S3Store
from tests.support.object_store import S3, object_names


async def test_a_stage_saved_on_one_machine_is_restored_on_another_with_its_paths_there(
    s3_bucket: str, tmp_path: Path
) -> None:
    store = S3Store(f"s3://{s3_bucket}/videos", S3.url, 5 << 20)
    here, there = Workspace(tmp_path / "a" / "v1"), Workspace(tmp_path / "b" / "v1")
    await here.create()
    await anyio.Path(here.path("clips")).mkdir()
    await anyio.Path(here.path("clips/scene-0.mp4")).write_bytes(b"clip")
    await anyio.Path(here.path("narration.wav")).write_bytes(b"wav" * 1000)
    await anyio.Path(here.path(".narration.wav.part")).write_bytes(b"half")  # not finished
    record = {"shots": [{"path": str(here.path("clips/scene-0.mp4")), "is_clip": True}]}
    await StageCopies(store, "v1", here).save("visuals", record)

    copies = StageCopies(store, "v1", there)
    restored = await copies.fetch("visuals")
    never_run = await copies.fetch("render")

    assert restored == {"shots": [{"path": str(there.path("clips/scene-0.mp4")), "is_clip": True}]}
    assert await anyio.Path(there.path("clips/scene-0.mp4")).read_bytes() == b"clip"
    assert await anyio.Path(there.path("narration.wav")).read_bytes() == b"wav" * 1000
    assert never_run is None
    assert await object_names(s3_bucket, "videos/v1/") == [
        "videos/v1/work/clips/scene-0.mp4",
        "videos/v1/work/narration.wav",
        "videos/v1/work/stages/visuals.json",
    ]
