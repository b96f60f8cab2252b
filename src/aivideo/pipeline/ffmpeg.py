"""Running the ffmpeg that ships inside the imageio-ffmpeg package.

ffmpeg runs as a subprocess through asyncio, so the loop never waits on it.
Its progress comes from ``-progress pipe:1``; if the awaiting task is cancelled
(Ctrl-C, a cancelled video), the process is killed and reaped: no orphan is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import imageio_ffmpeg

from aivideo.core.errors import DiskFull, RenderFailed

ProgressCallback = Callable[[float], None]


@cache
def ffmpeg_executable() -> str:
    """The path of the bundled ffmpeg. Touches the filesystem: first call off the loop."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _explain(stderr: str, returncode: int) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    detail = lines[-1] if lines else f"exit code {returncode}"
    return f"ffmpeg could not make the video: {detail}"


async def run_ffmpeg(
    args: Sequence[str],
    *,
    total_frames: int | None = None,
    on_progress: ProgressCallback | None = None,
    environment: Mapping[str, str] | None = None,
) -> None:
    """Run ffmpeg with ``args``; raise :class:`RenderFailed` with its own words if it fails.

    ``environment``: variables set for ffmpeg on top of this process's own.
    """
    executable = await asyncio.to_thread(ffmpeg_executable)
    process = await asyncio.create_subprocess_exec(
        executable,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-nostats",
        "-progress",
        "pipe:1",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **environment} if environment else None,
    )
    assert process.stdout is not None and process.stderr is not None
    stdout, stderr = process.stdout, process.stderr

    async def follow_progress() -> None:
        while line := await stdout.readline():
            key, _, value = line.decode(errors="replace").strip().partition("=")
            if key == "frame" and total_frames and on_progress and value.isdigit():
                on_progress(min(1.0, int(value) / total_frames))

    try:
        _, errors, _ = await asyncio.gather(follow_progress(), stderr.read(), process.wait())
    except BaseException:
        # Cancelled (or failed) while ffmpeg runs: stop it and reap it before leaving.
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await asyncio.shield(process.wait())
        raise
    if process.returncode != 0:
        said = errors.decode(errors="replace")
        if "No space left on device" in said:
            raise DiskFull()
        raise RenderFailed(_explain(said, process.returncode or 0))
