"""A video's folder in storage, where every file appears whole or not at all.

Each stage writes to a hidden temporary name and renames it into place when it
is complete (a rename is atomic on one filesystem), then records that it is
done with what the later stages need. Running a video again skips those stages.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

from aivideo.core.atomic_files import PARTIAL_GLOB, atomic_path
from aivideo.core.outputs import STAGES_FOLDER
from aivideo.observability.metrics import timed


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    async def create(self) -> None:
        await anyio.Path(self.root / STAGES_FOLDER).mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def atomic(self, name: str) -> AsyncIterator[Path]:
        """A temporary path to write the file ``name`` under; in place once the block succeeds."""
        async with atomic_path(self.path(name)) as partial:
            yield partial

    async def write_text(self, name: str, text: str) -> Path:
        with timed("storage", "write"):
            async with atomic_path(self.path(name)) as partial:
                await anyio.Path(partial).write_text(text, encoding="utf-8")
        return self.path(name)

    async def finished_stage(self, stage: str) -> dict[str, Any] | None:
        """What a finished stage recorded, or None if it has not finished."""
        marker = anyio.Path(self.root / STAGES_FOLDER / f"{stage}.json")
        with timed("storage", "read"):
            if not await marker.exists():
                return None
            data: dict[str, Any] = json.loads(await marker.read_text(encoding="utf-8"))
        return data

    async def finish_stage(self, stage: str, data: dict[str, Any]) -> None:
        await self.write_text(f"{STAGES_FOLDER}/{stage}.json", json.dumps(data))

    async def remove_all_but(self, keep: set[str]) -> None:
        """Delete everything in the folder but the files named in ``keep`` (its outputs)."""
        await asyncio.to_thread(_remove_all_but, self.root, keep)

    async def remove(self) -> None:
        """Delete the folder and everything in it (nothing in it is needed any more)."""
        await asyncio.to_thread(shutil.rmtree, self.root, ignore_errors=True)

    async def remove_partials(self) -> None:
        """Delete temporary files left by a stage that did not finish."""
        async for path in anyio.Path(self.root).rglob(PARTIAL_GLOB):
            await path.unlink(missing_ok=True)


def _remove_all_but(root: Path, keep: set[str]) -> None:
    for path in root.iterdir():
        if path.name in keep:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
