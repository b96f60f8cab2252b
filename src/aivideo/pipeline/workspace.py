"""A video's folder in storage, where every file appears whole or not at all.

Each stage writes to a hidden temporary name and renames it into place when it
is complete (a rename is atomic on one filesystem), then records that it is
done with what the later stages need. Running a video again skips those stages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio

from aivideo.metrics import timed


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    @staticmethod
    def partial(path: Path) -> Path:
        """The temporary name a file is written under until it is complete."""
        return path.with_name(f".{path.name}.part")

    async def create(self) -> None:
        await anyio.Path(self.root / "stages").mkdir(parents=True, exist_ok=True)

    async def write_text(self, name: str, text: str) -> Path:
        final = self.path(name)
        temporary = anyio.Path(self.partial(final))
        with timed("storage", "write"):
            await temporary.write_text(text, encoding="utf-8")
            await temporary.rename(final)
        return final

    async def commit(self, partial: Path, final: Path) -> None:
        """Move a finished temporary file into place."""
        with timed("storage", "commit"):
            await anyio.Path(partial).rename(final)

    async def finished_stage(self, stage: str) -> dict[str, Any] | None:
        """What a finished stage recorded, or None if it has not finished."""
        marker = anyio.Path(self.root / "stages" / f"{stage}.json")
        with timed("storage", "read"):
            if not await marker.exists():
                return None
            data: dict[str, Any] = json.loads(await marker.read_text(encoding="utf-8"))
        return data

    async def finish_stage(self, stage: str, data: dict[str, Any]) -> None:
        await self.write_text(f"stages/{stage}.json", json.dumps(data))

    async def remove_partials(self) -> None:
        """Delete temporary files left by a stage that did not finish."""
        async for path in anyio.Path(self.root).rglob(".*.part"):
            await path.unlink(missing_ok=True)
