"""Text to MP4: wall time per stage and in total, against a bare ffmpeg encode.

Usage (from the repository root):

    .venv/bin/python -m bench.render_bench                 # ~60 s narration at 720p and 1080p
    .venv/bin/python -m bench.render_bench --minutes 10    # also: peak memory, 10 min at 1080p

For each quality it makes the video from scratch (fresh workspace, fresh
process pool, so worker start-up and voice loading are counted), timing each
stage. It then pipes the same number of raw RGB frames of the same size into
the same ffmpeg with the same x264 preset (veryfast, CRF 23): the encoder's own
speed on this machine, the floor for any renderer. The ratio is job / encode.
The long video is made as a user makes it, by `aivideo generate` in a new
process; its peak memory is the largest sum of the resident memory of that
process and all its children (pool processes, ffmpeg), sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psutil

from aivideo.core.config import Settings
from aivideo.core.options import Aspect, Quality
from aivideo.core.spec import VideoSpec
from aivideo.media.probe import probe_video
from aivideo.pipeline.ffmpeg import ffmpeg_executable, run_ffmpeg
from aivideo.pipeline.frame import FPS, frame_for
from aivideo.pipeline.painting import paint_background
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources

NARRATION = (
    "Water covers most of our planet, yet the same water has been moving for billions of "
    "years. The sun warms oceans, lakes and rivers, and some of that water rises into the air "
    "as vapour. High above the ground the air is cold, so the vapour condenses into tiny "
    "droplets that gather as clouds.\n\n"
    "When the droplets grow heavy enough they fall back as rain, snow or hail. Some of it "
    "soaks into the soil and feeds plants and underground springs. The rest flows over the "
    "land into streams, then rivers, and finally back to the sea.\n\n"
    "Plants also return water to the sky through their leaves, a process called "
    "transpiration. Together these steps form the water cycle, a loop with no beginning and "
    "no end. It shapes our weather, carves valleys, and brings fresh water to every living "
    "thing. Next time you see a puddle dry up on a sunny afternoon, remember that its water "
    "is already on its way to becoming a cloud."
)


TILES = Path("test-artifacts")  # frames of each benchmark video, to look at


class PeakMemory:
    """Samples the resident memory of one process (this one if none is named) and
    all its descendants.

    ``at_peak`` says which process held how much at the peak: what to shrink.
    """

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid
        self.peak = 0
        self.at_peak: list[tuple[str, int]] = []
        self._stop = threading.Event()

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return  # it ended before the first sample
        while not self._stop.wait(0.1):
            parts = []
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in tree:
                try:
                    parts.append((process.name(), process.memory_info().rss))
                except psutil.Error:
                    pass  # it ended between listing and reading
            total = sum(rss for _, rss in parts)
            if total > self.peak:
                self.peak, self.at_peak = total, parts

    @contextmanager
    def watching(self) -> Iterator[PeakMemory]:
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


async def make_video(
    text: str, quality: Quality, folder: Path, resources: Resources
) -> tuple[dict[str, float], float, Path]:
    """Make one video; returns seconds per stage and in total, and the video's path."""
    stages: dict[str, float] = {}
    current: list[str] = []
    started = time.perf_counter()
    mark = [started]

    def report(stage: str, _fraction: float, _percent: int) -> None:
        if not current or current[-1] != stage:
            now = time.perf_counter()
            if current:
                stages[current[-1]] = now - mark[0]
            current.append(stage)
            mark[0] = now

    spec = VideoSpec(text, title="The Water Cycle", quality=quality)
    video = await generate_video(spec, Workspace(folder), resources, report)
    finished = time.perf_counter()
    stages[current[-1]] = finished - mark[0]
    stages["video seconds"] = video.duration
    return stages, finished - started, video.video


async def reencode(video: Path, folder: Path) -> float:
    """Seconds to re-encode ``video``'s own pictures and sound with the same settings."""
    started = time.perf_counter()
    await run_ffmpeg(
        [
            "-i", str(video), "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-y",
            str(folder / "reencoded.mp4"),
        ]
    )  # fmt: skip
    return time.perf_counter() - started


async def save_tile(video: Path, duration: float, output: Path) -> None:
    """A 4 x 3 tile of frames taken evenly through ``video``, for a person to look at."""
    every = duration / 12
    await run_ffmpeg(
        [
            "-i", str(video), "-vf", f"fps=1/{every:.3f},scale=480:-2,tile=4x3",
            "-frames:v", "1", "-y", str(output),
        ]
    )  # fmt: skip


async def bare_encode(quality: Quality, frames: int, folder: Path) -> float:
    """Pipe ``frames`` raw RGB frames into ffmpeg/x264 veryfast; returns the seconds taken."""
    frame = frame_for(quality, Aspect.LANDSCAPE)
    wide, tall = frame.width + 160, frame.height + 90
    picture = folder / "bare.png"
    await asyncio.to_thread(paint_background, wide, tall, 1, 1, picture)
    pixels = await asyncio.to_thread(
        lambda: np.asarray(__import__("PIL.Image").Image.open(picture))
    )
    # Frames are prepared up front (a slow pan, as in a real video), so the timing
    # below is the encoder reading and encoding them, nothing else.
    distinct = [
        np.ascontiguousarray(pixels[y : y + frame.height, x : x + frame.width]).tobytes()
        for x, y in zip(range(0, 160, 2), range(0, 90), strict=False)
    ]
    process = await asyncio.create_subprocess_exec(
        ffmpeg_executable(), "-hide_banner", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{frame.width}x{frame.height}",
        "-r", str(FPS), "-i", "pipe:0",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-f", "mp4", "-y", str(folder / "bare.mp4"),
        stdin=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    started = time.perf_counter()
    for index in range(frames):
        process.stdin.write(distinct[(index // 6) % len(distinct)])
        await process.stdin.drain()
    process.stdin.close()
    await process.wait()
    return time.perf_counter() - started


async def bench_quality(quality: Quality) -> None:
    """The same video twice: with new worker processes (as `aivideo generate` does),
    then again on the now warm ones (as a running service does)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        async with Resources(Settings(data_dir=folder / "data")) as resources:
            made = await make_video(NARRATION, quality, folder / "cold", resources)
            cold, cold_total, video = made
            warm, warm_total, _ = await make_video(NARRATION, quality, folder / "warm", resources)
        seconds = cold.pop("video seconds")
        frames = round(seconds * FPS)
        warm.pop("video seconds")
        encode = await bare_encode(quality, frames, folder)
        again = await reencode(video, folder)
        label = {Quality.MEDIUM: "720p", Quality.HIGH: "1080p"}[quality]
        await asyncio.to_thread(TILES.mkdir, exist_ok=True)
        await save_tile(video, seconds, TILES / f"render-bench-{label}.png")
    print(f"\n{label}: {frames} frames ({frames / FPS:.1f} s of video)   cold     warm")
    for stage in cold:
        print(f"  {stage:<38} {cold[stage]:6.2f} s {warm[stage]:6.2f} s")
    print(f"  {'total':<38} {cold_total:6.2f} s {warm_total:6.2f} s")
    print(
        f"  {'bare encode of as many frames':<38} {encode:6.2f} s ({frames / encode:.0f} frames/s)"
    )
    ratios = f"{cold_total / encode:6.2f}x {warm_total / encode:6.2f}x"
    print(f"  {'ratio to the bare encode':<38} {ratios}")
    print(f"  {'re-encode of the output (same settings)':<38} {again:6.2f} s")
    ratios = f"{cold_total / again:6.2f}x {warm_total / again:6.2f}x"
    print(f"  {'ratio to the re-encode':<38} {ratios}")


async def bench_memory(minutes: float) -> None:
    """A long video made as a user makes it: `aivideo generate` in a new process."""
    words = NARRATION.split()
    target = int(minutes * 175)  # this voice speaks about 165 words a minute, plus pauses
    text = "\n\n".join(NARRATION for _ in range(target // len(words) + 1))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        await asyncio.to_thread((folder / "long.txt").write_text, text, encoding="utf-8")
        command = [
            str(Path(sys.executable).with_name("aivideo")), "generate",
            "--file", str(folder / "long.txt"), "--title", "The Water Cycle",
            "--quality", "high", "--output", str(folder / "long.mp4"),
        ]  # fmt: skip
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            *command,
            env={**os.environ, "AIVIDEO_DATA_DIR": str(folder / "data")},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        with PeakMemory(process.pid).watching() as memory:
            _, errors = await process.communicate()
        total = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"aivideo generate failed: {errors.decode(errors='replace')}")
        length = (await asyncio.to_thread(probe_video, folder / "long.mp4")).duration
    print(f"\n1080p, {length / 60:.1f} minutes of video by `aivideo generate`: "
          f"made in {total:.0f} s, peak memory of all its processes "
          f"{memory.peak / 2**20:.0f} MiB")  # fmt: skip
    print(
        "  at the peak: "
        + ", ".join(f"{name} {rss / 2**20:.0f} MiB" for name, rss in memory.at_peak)
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, help="also measure peak memory at this length")
    parser.add_argument("--memory-only", action="store_true", help="skip the 60 s videos")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; ffmpeg {ffmpeg_executable()}")
    for quality in () if args.memory_only else (Quality.MEDIUM, Quality.HIGH):
        await bench_quality(quality)
    if args.minutes:
        await bench_memory(args.minutes)


if __name__ == "__main__":
    asyncio.run(main())
