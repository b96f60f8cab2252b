"""The disk caches are emptied of what they no longer serve."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from aivideo.cache.disk_sweep import sweep_disk_cache


def _files(folder: Path) -> None:
    (folder / "speech").mkdir(parents=True)
    (folder / "stock").mkdir()
    hour_ago = time.time() - 3700
    week_ago = time.time() - 8 * 86400
    for name, mtime in [
        ("speech/fresh.pcm", None),
        ("speech/old.pcm", week_ago),
        ("stock/clip.mp4", hour_ago),
        ("stock/.abc.part.mp4", hour_ago),  # a write a dead process never finished
        ("stock/.def.part.mp4", None),  # a write under way
    ]:
        path = folder / name
        path.write_bytes(b"x")
        if mtime is not None:
            os.utime(path, (mtime, mtime))


def _remaining(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


async def test_old_files_and_abandoned_writes_are_deleted(tmp_path: Path) -> None:
    await asyncio.to_thread(_files, tmp_path)

    removed = await asyncio.to_thread(sweep_disk_cache, tmp_path, 7 * 86400)

    assert removed == 2
    assert await asyncio.to_thread(_remaining, tmp_path) == [
        "speech/fresh.pcm",
        "stock/.def.part.mp4",
        "stock/clip.mp4",
    ]


async def test_no_cache_folder_yet_is_nothing_to_do(tmp_path: Path) -> None:
    assert await asyncio.to_thread(sweep_disk_cache, tmp_path / "none", 60) == 0
