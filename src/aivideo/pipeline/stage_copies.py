"""A video's finished stages kept in a remote store, so a worker on another machine resumes it.

With a store off this machine (a bucket: ``ObjectStore.is_remote``), each
finished stage's files go up under ``<video id>/work/`` before the next stage
starts, then its record, which lists every file the finished stages left in
the workspace. A worker that finds no record of a stage on its own disk looks
in the store: it downloads the files it lacks, records the stage as done
here, and does not run it again. A record goes up only after its files, so a
worker that died between the two leaves a stage that is run again elsewhere;
on its own machine a retry finds the record here and puts the copy then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from pathlib import Path
from typing import Any

import anyio

from aivideo.core.atomic_files import is_partial
from aivideo.core.outputs import STAGES_FOLDER, WORK_FOLDER, media_type, object_key
from aivideo.pipeline.workspace import Workspace
from aivideo.storage import ObjectStore, Upload
from aivideo.storage.uploads import a_few_at_once, put_all

logger = logging.getLogger(__name__)


class StageCopies:
    """The store's copy of one video's finished stages."""

    def __init__(self, store: ObjectStore, video_id: str, workspace: Workspace) -> None:
        self.store = store
        self.video_id = video_id
        self.workspace = workspace
        self._stored: dict[str, int] = {}  # workspace file -> size, as the store has it
        # Stages finish in order: once one has no record, the later ones have none.
        self._may_have_records = True

    def _key(self, name: str) -> str:
        return object_key(self.video_id, f"{WORK_FOLDER}/{name}")

    def _record_key(self, stage: str) -> str:
        return self._key(f"{STAGES_FOLDER}/{stage}.json")

    async def fetch(self, stage: str) -> dict[str, Any] | None:
        """The stage's record from the store, with its files brought into the workspace.

        None if the store has no record of it (it did not finish anywhere).

        Raises:
            StorageUnavailable: the store did not answer (transient).
        """
        kept = await self._kept(stage)
        if kept is None:
            return None
        files: dict[str, int] = kept["files"]
        await self._download_missing(files)
        self._stored.update(files)
        record: dict[str, Any] = _relocated(kept["record"], kept["root"], str(self.workspace.root))
        return record

    async def remember(self, stage: str, record: dict[str, Any]) -> None:
        """A stage this machine has finished: learn which files the store holds (or put them)."""
        kept = await self._kept(stage)
        if kept is None:
            await self.save(stage, record)  # finished before the store was a bucket
        else:
            self._stored.update(kept["files"])

    async def save(self, stage: str, record: dict[str, Any]) -> None:
        """Put the files the store lacks, then the stage's record listing them all.

        Raises:
            StorageUnavailable: the store did not take them (transient: the stage is run
            again on the next attempt).
        """
        root = self.workspace.root
        files = await asyncio.to_thread(_workspace_files, root)
        missing = [name for name, size in files.items() if self._stored.get(name) != size]
        await put_all(
            self.store, (Upload(self._key(name), root / name, media_type(name)) for name in missing)
        )
        self._stored.update(files)
        kept = {"record": record, "files": files, "root": str(root)}
        await self.store.put_bytes(
            self._record_key(stage), json.dumps(kept).encode(), "application/json"
        )
        logger.info("stage %s kept in %s (%d files sent)", stage, self.store.description,
                    len(missing))  # fmt: skip

    async def remove(self) -> None:
        """Delete the copies: the video is done, no retry will need them."""
        await self.store.delete_folder(object_key(self.video_id, WORK_FOLDER))

    async def _kept(self, stage: str) -> dict[str, Any] | None:
        if not self._may_have_records:
            return None
        raw = await self.store.read_bytes(self._record_key(stage))
        if raw is None:
            self._may_have_records = False
            return None
        kept: dict[str, Any] = json.loads(raw)
        return kept

    async def _download_missing(self, files: dict[str, int]) -> None:
        workspace = self.workspace

        async def download(name: str) -> None:
            target = workspace.path(name)
            await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
            async with workspace.atomic(name) as temporary:
                if not await self.store.get_file(self._key(name), temporary):
                    raise FileNotFoundError(f"{self._key(name)} is not in {self.store.description}")

        async def has(name: str, size: int) -> bool:
            try:
                return (await anyio.Path(workspace.path(name)).stat()).st_size == size
            except FileNotFoundError:
                return False

        wanted = [name for name, size in files.items() if not await has(name, size)]
        await a_few_at_once([partial(download, name) for name in wanted])


def _workspace_files(root: Path) -> dict[str, int]:
    """Every finished file of the workspace by its name there, with its size (no records)."""
    return {
        path.relative_to(root).as_posix(): path.stat().st_size
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not is_partial(path)
        and path.relative_to(root).parts[0] != STAGES_FOLDER
    }


def _relocated(value: Any, old_root: str, new_root: str) -> Any:
    """``value`` with the paths into the workspace of the machine that made it moved here.

    A record may name a file by its absolute path (a scene's clip): the same file
    is at the same place under this machine's workspace.
    """
    if isinstance(value, str) and value.startswith(f"{old_root}/"):
        return new_root + value[len(old_root) :]
    if isinstance(value, list):
        return [_relocated(item, old_root, new_root) for item in value]
    if isinstance(value, dict):
        return {key: _relocated(item, old_root, new_root) for key, item in value.items()}
    return value
