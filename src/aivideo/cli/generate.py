"""``aivideo generate``: one video from text, on this machine, with no server."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from aivideo.core.atomic_files import atomic_path_sync
from aivideo.core.config import Settings
from aivideo.core.errors import InvalidInput
from aivideo.core.spec import GeneratedVideo, MediaFile, VideoSpec
from aivideo.media import probe
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.stages import STAGES
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources


def check_output_path(output: Path) -> None:
    """Fail before any work if the video could not be written where asked."""
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"cannot write {output}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InvalidInput(f"cannot write {output}: the folder {folder} is not writable")
    if output.is_dir():
        raise InvalidInput(f"cannot write {output}: it is a folder")


def workspace_for(settings: Settings, spec: VideoSpec) -> Workspace:
    """The same request always gets the same folder, so a re-run resumes the last one."""
    described = json.dumps(asdict(spec), default=str, sort_keys=True)
    digest = hashlib.sha256(described.encode()).hexdigest()[:16]
    return Workspace(settings.data_dir / "generate" / digest)


def _publish(source: Path, target: Path) -> None:
    """Copy next to the target, then rename: the target is never half-written."""
    with atomic_path_sync(target) as partial:
        shutil.copyfile(source, partial)


def publish_outputs(video: GeneratedVideo, output: Path) -> dict[str, Path]:
    """Put the video at ``output``; the subtitles, thumbnail, words and storyboard beside it."""
    targets = {
        "video": output,
        "subtitles (SRT)": output.with_suffix(".srt"),
        "subtitles (WebVTT)": output.with_suffix(".vtt"),
        "thumbnail": output.with_suffix(".jpg"),
        "word timings": output.with_suffix(".words.json"),
        "storyboard": output.with_suffix(".scenes.json"),
    }
    sources = [video.video, video.srt, video.vtt, video.thumbnail, video.words, video.storyboard]
    for source, target in zip(sources, targets.values(), strict=True):
        _publish(source, target)
    return targets


class StageBars:
    """A progress bar per stage, fed by the pipeline's progress reports."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {
            stage.name: self.progress.add_task(stage.name, total=1.0, start=False)
            for stage in STAGES
        }

    def report(self, stage: str, fraction: float, _overall: int) -> None:
        task = self.tasks[stage]
        self.progress.start_task(task)
        self.progress.update(task, completed=fraction)


class Stopped(Exception):
    """SIGTERM asked the command to stop; everything has been cleaned up."""


async def run_generate(
    settings: Settings, spec: VideoSpec, output: Path, console: Console
) -> dict[str, Path]:
    """Make the video and publish it; SIGTERM stops it as cleanly as Ctrl-C does."""
    task = asyncio.current_task()
    assert task is not None
    terminated = asyncio.Event()

    def on_sigterm() -> None:
        terminated.set()
        task.cancel()

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        return await _generate_and_publish(settings, spec, output, console)
    except asyncio.CancelledError:
        if terminated.is_set():
            raise Stopped from None
        raise  # Ctrl-C: asyncio.run turns this into KeyboardInterrupt
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def _generate_and_publish(
    settings: Settings, spec: VideoSpec, output: Path, console: Console
) -> dict[str, Path]:
    workspace = workspace_for(settings, spec)
    bars = StageBars(console)
    async with Resources(settings) as resources:
        with bars.progress:
            video = await generate_video(
                spec,
                workspace,
                resources,
                bars.report,
                lambda _kind, message: console.print(f"[yellow]note:[/] {message}"),
                only_video=True,
            )
        return await asyncio.to_thread(publish_outputs, video, output)


def scan_media(folder: Path | None, max_pixels: int) -> tuple[tuple[MediaFile, ...], list[str]]:
    if folder is None:
        return (), []
    usable, warnings = probe.scan_media_folder(folder, max_pixels)
    return tuple(usable), warnings
