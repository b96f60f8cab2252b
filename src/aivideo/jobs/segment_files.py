"""Where a render's segments meet in the store: their jobs, the files they read, what they make.

Everything lives under ``<video id>/work/segments/``, so no worker needs
another's disk: the worker making the video puts each segment's job (JSON)
and the pictures it reads there; whoever encodes a segment reads them and
puts the segment file back. The folder goes when the render is over.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from aivideo.core.outputs import WORK_FOLDER, object_key
from aivideo.pipeline.segments import SegmentJob
from aivideo.storage import ObjectStore

SEGMENT_MEDIA_TYPE = "video/x-matroska"


def folder_key(video_id: str) -> str:
    return object_key(video_id, f"{WORK_FOLDER}/segments")


def job_key(video_id: str, number: int) -> str:
    return f"{folder_key(video_id)}/{number}.json"


def segment_key(video_id: str, number: int) -> str:
    return f"{folder_key(video_id)}/{number}.mkv"


def input_key(video_id: str, name: str) -> str:
    return f"{folder_key(video_id)}/inputs/{name}"


def input_name(path: str, workspace: Path) -> str:
    """A file's name among the render's inputs: its place in the workspace, if it is there.

    A file from elsewhere on the planning machine (a ``--media`` clip) gets a
    name from its path, so two files of the same name stay apart.
    """
    inside = PurePosixPath(path)
    if inside.is_relative_to(workspace.as_posix()):
        return inside.relative_to(workspace.as_posix()).as_posix()
    digest = hashlib.sha256(path.encode()).hexdigest()[:16]
    return f"elsewhere/{digest}-{inside.name}"


async def read_job(store: ObjectStore, video_id: str, number: int) -> SegmentJob | None:
    """The segment's job as the planning worker put it (its files by input name); None: gone."""
    raw = await store.read_bytes(job_key(video_id, number))
    return None if raw is None else SegmentJob.from_json(json.loads(raw))


async def put_job(store: ObjectStore, video_id: str, job: SegmentJob) -> None:
    await store.put_bytes(
        job_key(video_id, job.number), json.dumps(job.to_json()).encode(), "application/json"
    )
