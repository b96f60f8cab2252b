"""A pool process killed by the system costs the work it held, not every later video."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path

import pytest
from PIL import Image

from aivideo.core.config import Settings
from aivideo.core.errors import WorkerProcessLost
from aivideo.core.options import Quality
from aivideo.core.spec import VideoSpec
from aivideo.jobs.worker import is_transient
from aivideo.pipeline.painting import fit_picture
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.readiness import check_components
from aivideo.runtime.resources import Resources
from tests.support.media_files import png_claiming
from tests.support.polling import wait_for
from tests.support.processes import is_alive


def _long_task(pid_file: Path) -> None:
    """Runs in a pool process: says which one, then works until the test kills it."""
    pid_file.write_text(str(os.getpid()))
    threading.Event().wait(timeout=60)  # a long task (a minute of speech, say)


async def _pid_of_process_running(pid_file: Path) -> int:
    async def written() -> int | None:
        text = await asyncio.to_thread(lambda: pid_file.read_text() if pid_file.exists() else "")
        return int(text) if text else None

    return await wait_for(written, seconds=30)


async def test_a_killed_pool_process_fails_its_call_as_transient_then_all_works(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", process_pool_size=1)
    async with Resources(settings) as resources:
        call = asyncio.create_task(resources.run_in_process(_long_task, tmp_path / "pid"))
        pid = await _pid_of_process_running(tmp_path / "pid")

        os.kill(pid, signal.SIGKILL)  # what the OOM killer does

        with pytest.raises(WorkerProcessLost, match="tried again") as lost:
            await call
        assert is_transient(lost.value)  # its video is retried, not failed for good
        assert await resources.run_in_process(os.getpid) not in (pid, os.getpid())
        pool = (await check_components(resources))["process_pool"]
        assert pool["status"] == "up"
        assert "replaced 1 time(s)" in pool["detail"]

        video = await generate_video(
            VideoSpec("The pool is back. This video is made.", quality=Quality.LOW),
            Workspace(tmp_path / "video"),
            resources,
        )
        assert await asyncio.to_thread(video.video.exists)


async def test_calls_that_find_the_pool_broken_together_replace_it_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", process_pool_size=2)
    async with Resources(settings) as resources:
        files = [tmp_path / "pid-0", tmp_path / "pid-1"]
        calls = [asyncio.create_task(resources.run_in_process(_long_task, f)) for f in files]
        pids = [await _pid_of_process_running(f) for f in files]

        os.kill(pids[0], signal.SIGKILL)

        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        # The executor fails every call it held; a call may also land on the new pool.
        assert any(isinstance(outcome, WorkerProcessLost) for outcome in outcomes), outcomes
        assert not [
            o
            for o in outcomes
            if isinstance(o, BaseException) and not isinstance(o, WorkerProcessLost)
        ], outcomes
        assert resources.process_pool.replacements == 1
        done = await asyncio.gather(*(resources.run_in_process(os.getpid) for _ in range(4)))
        assert not set(done) & {*pids, os.getpid()}


async def test_pool_processes_refuse_to_decode_a_picture_beyond_the_bound(tmp_path: Path) -> None:
    # 48 MP: Pillow's own limit (89 MP) would let it be decoded; the pool's is 40 MP.
    picture = tmp_path / "big.png"
    await asyncio.to_thread(picture.write_bytes, png_claiming(8000, 6000))
    settings = Settings(data_dir=tmp_path / "data", process_pool_size=1)

    async with Resources(settings) as resources:
        # Pillow only warns at this size: in the pool, the warning is an error.
        with pytest.raises(Image.DecompressionBombWarning):
            await resources.run_in_process(fit_picture, picture, 64, 36, tmp_path / "out.jpg")


async def _until_ended(pid: int) -> None:
    """Wait until the process has ended and been reaped."""

    async def ended() -> bool | None:
        return not is_alive(pid) or None

    await wait_for(ended, seconds=30)


def _finish_after(pid_file: Path, release: Path) -> int:
    """Runs in a pool process: says which one, then works until ``release`` exists."""
    pid_file.write_text(str(os.getpid()))
    while not release.exists():
        threading.Event().wait(timeout=0.05)
    return os.getpid()


async def test_a_renewed_pool_serves_at_once_and_its_old_process_ends_after_its_work(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", process_pool_size=1)
    async with Resources(settings) as resources:
        release = tmp_path / "release"
        call = asyncio.create_task(
            resources.run_in_process(_finish_after, tmp_path / "pid", release)
        )
        old = await _pid_of_process_running(tmp_path / "pid")

        await resources.renew_process_pool()  # does not wait for that work
        new = await resources.run_in_process(os.getpid)
        assert new not in (old, os.getpid())
        assert not call.done()

        await asyncio.to_thread(release.touch)
        assert await call == old  # the work the old process held was not lost
        await _until_ended(old)


async def test_a_one_shot_video_lets_its_speaking_processes_go_before_the_render(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", process_pool_size=1)
    spec = VideoSpec("One video, then the process ends.", quality=Quality.LOW)
    async with Resources(settings) as resources:
        speaker = await resources.run_in_process(os.getpid)
        await generate_video(spec, Workspace(tmp_path / "kept"), resources)
        # A running worker keeps its process, and the voice in it, for the next video.
        assert await resources.run_in_process(os.getpid) == speaker

        video = await generate_video(
            VideoSpec("Another, the last.", quality=Quality.LOW),
            Workspace(tmp_path / "one-shot"),
            resources,
            only_video=True,
        )
        assert await asyncio.to_thread(video.thumbnail.exists)  # made by a fresh process
        await _until_ended(speaker)  # and its memory with it
        assert await resources.run_in_process(os.getpid) != speaker
