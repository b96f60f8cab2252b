"""Text to video against re-encoding the same pictures: how close the whole job is to the encoder.

Usage (from the repository root):

    .venv/bin/python -m bench.render_bench                  # 720p, 1080p, 9:16, WebM, ~60 s each
    .venv/bin/python -m bench.render_bench --sizes 720p     # only some of them
    .venv/bin/python -m bench.render_bench --minutes 10     # also: 10 min at 1080p, peak memory
    .venv/bin/python -m bench.render_bench --voice heart    # spoken by another voice

For each size, in one run:

- **cold**: ``aivideo generate`` in a new process, as a user runs it (its data
  folder already holds the aligned voice model a first run makes once, and no
  speech of this text). When each stage finished is read from the stage
  records it writes (``stages/<name>.json``), so a stage's time is from the
  end of the one before it.
- **warm**: the same kind of video from another text (nothing of it cached), in
  this process, whose worker processes and voice are already loaded, as a
  running ``serve`` or ``worker`` makes it. Each stage's interval runs from its
  first progress report to its last, so time two stages shared shows up as
  overlap.
- **re-encode**: ffmpeg re-encoding the cold video's own pictures and sound
  with the settings aivideo uses (x264 veryfast CRF 23 + AAC for MP4, VP9
  realtime + Opus for WebM): the floor a renderer of these pictures is held to.

The ratio is job / re-encode. CPU seconds (user + system, of the process and
all its children) are counted for each job and its re-encode; warm, the job's
are those this process and its worker processes spent on it. The job
cannot take less time than its CPU seconds spread over every core, so that
time over the re-encode's is the lowest ratio any overlap could reach on this
machine ("CPU floor"). The peak memory is the largest sum of the resident
memory of ``aivideo generate`` and all its children (pool processes, ffmpeg),
sampled every 0.1 s, with which process held how much; warm, that of this
process and its children (the worker processes keep their voices).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from aivideo.core.config import Settings
from aivideo.core.options import Aspect, OutputFormat, Quality
from aivideo.core.spec import VideoSpec
from aivideo.media.probe import probe_video
from aivideo.pipeline.ffmpeg import ffmpeg_executable, run_ffmpeg
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.stages import STAGES
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources

# Two held-out texts of about a minute each: the cold run speaks one, the warm run the other.
COLD_TEXT = (
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
WARM_TEXT = (
    "A honey bee visits hundreds of flowers on a single trip away from its hive. At each one "
    "it drinks nectar and, without meaning to, carries pollen from flower to flower. That "
    "dust of pollen is how many plants make their seeds and fruit.\n\n"
    "Back at the hive the bees pass the nectar from mouth to mouth and fan it with their "
    "wings until most of its water is gone. What is left is honey, stored in wax cells they "
    "build themselves, each one a perfect six sided shape.\n\n"
    "A colony works like one large animal. The queen lays the eggs, young workers clean and "
    "feed, older ones guard the door or fly out to forage. They tell each other where food "
    "is with a dance that points the way against the sun. Apples, almonds, melons and "
    "coffee all depend on this quiet work, so a garden full of flowers helps the bees that "
    "help feed us."
)
TITLE = "Benchmark"
WORDS_PER_MINUTE = 165  # the bundled voice, about


def long_narration(minutes: float) -> str:
    """COLD_TEXT again and again, about ``minutes`` long when spoken, no sentence twice.

    Every sentence of copy ``n`` begins "In part n, ": a sentence said twice in
    one video is spoken once (the speech cache), which would make speech look
    nearly free.
    """
    copies = max(1, round(minutes * WORDS_PER_MINUTE / len(COLD_TEXT.split())))
    sentences = [re.split(r"(?<=[.!?]) ", paragraph) for paragraph in COLD_TEXT.split("\n\n")]
    return "\n\n".join(
        " ".join(f"In part {n}, {sentence[0].lower()}{sentence[1:]}" for sentence in paragraph)
        for n in range(1, copies + 1)
        for paragraph in sentences
    )


@dataclass(frozen=True)
class Size:
    label: str
    quality: Quality
    aspect: Aspect = Aspect.LANDSCAPE
    output_format: OutputFormat = OutputFormat.MP4

    @property
    def suffix(self) -> str:
        return f".{self.output_format.value}"


SIZES = {
    "720p": Size("720p", Quality.MEDIUM),
    "1080p": Size("1080p", Quality.HIGH),
    "9:16": Size("9:16", Quality.MEDIUM, Aspect.PORTRAIT),
    "webm": Size("webm", Quality.MEDIUM, output_format=OutputFormat.WEBM),
}

# The encoders aivideo renders with (pipeline/render.py), for the re-encode.
_REENCODE = {
    OutputFormat.MP4: [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k",
    ],
    OutputFormat.WEBM: [
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-crf", "33", "-b:v", "0", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "96k",
    ],
}  # fmt: skip


class PeakMemory:
    """Samples the resident memory of one process and all its descendants."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.at_peak: list[tuple[str, int]] = []  # which process held how much at the peak
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


def children_cpu_seconds() -> float:
    """User + system CPU of every child process of this one that has ended and been reaped."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class TreeCpu:
    """CPU seconds so far of this process, its reaped children and each live descendant."""

    own: float  # this process and its reaped children (the encoders)
    live: dict[int, float]  # by pid: the pool's processes, alive between videos

    @classmethod
    def now(cls) -> TreeCpu:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        live = {}
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it ended meanwhile: counted once reaped
                times = child.cpu_times()
                live[child.pid] = times.user + times.system
        return cls(usage.ru_utime + usage.ru_stime + children_cpu_seconds(), live)

    def since(self, before: TreeCpu) -> float:
        """The CPU seconds spent between ``before`` and this, by the whole tree."""
        live = sum(cpu - before.live.get(pid, 0.0) for pid, cpu in self.live.items())
        return self.own - before.own + live


@dataclass
class Made:
    total: float
    stages: dict[str, tuple[float, float]]  # stage: (start, end), seconds from the job's start
    video: Path
    peak_memory: int = 0
    cpu: float = 0.0  # seconds of CPU, all its processes
    at_peak: list[tuple[str, int]] = field(default_factory=list)

    def held_at_peak(self) -> str:
        """Who held the peak memory, largest first: "ffmpeg 420, python 310, ..." MiB."""
        parts = sorted(self.at_peak, key=lambda part: -part[1])
        return ", ".join(f"{name} {rss / 2**20:.0f}" for name, rss in parts)

    def overlap(self) -> float:
        """Seconds during which two or more stages were running."""
        spans = sorted(self.stages.values())
        busy = sum(end - start for start, end in spans)
        union, reach = 0.0, float("-inf")
        for start, end in spans:
            union += max(0.0, end - max(start, reach))
            reach = max(reach, end)
        return busy - union


async def make_cold(
    text: str, size: Size, data: Path, folder: Path, voice: str | None = None
) -> Made:
    """``aivideo generate`` in a new process; stage ends from its stage records."""
    # Nothing of an earlier run may help: its finished stages and its speech are removed.
    for kept in (data / "generate", data / "cache"):
        await asyncio.to_thread(shutil.rmtree, kept, True)
    source, output = folder / "cold.txt", folder / f"cold{size.suffix}"
    await asyncio.to_thread(source.write_text, text, encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("aivideo")), "generate", "--file", str(source),
        "--title", TITLE, "--quality", size.quality.value, "--aspect", size.aspect.value,
        *(["--voice", voice] if voice else []), "--output", str(output),
    ]  # fmt: skip
    started_wall, started, cpu_before = time.time(), time.perf_counter(), children_cpu_seconds()
    process = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, "AIVIDEO_DATA_DIR": str(data)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    with PeakMemory(process.pid).watching() as memory:
        _, errors = await process.communicate()
    total, cpu = time.perf_counter() - started, children_cpu_seconds() - cpu_before
    if process.returncode != 0:
        raise SystemExit(f"aivideo generate failed: {errors.decode(errors='replace')}")
    records = await asyncio.to_thread(lambda: list((data / "generate").glob("*/stages")))
    ends = {
        stage.name: (
            await asyncio.to_thread(records[0].joinpath(f"{stage.name}.json").stat)
        ).st_mtime
        - started_wall
        for stage in STAGES
    }
    stages, previous = {}, 0.0
    for name, end in ends.items():
        stages[name] = (previous, end)
        previous = end
    return Made(total, stages, output, memory.peak, cpu, memory.at_peak)


async def make_warm(
    text: str, size: Size, resources: Resources, folder: Path, voice: str | None = None
) -> Made:
    """One video on ``resources``, already warm; stage intervals from its progress reports."""
    # Nothing of an earlier warm run may help either: its speech is removed.
    await asyncio.to_thread(shutil.rmtree, resources.settings.data_dir / "cache", True)
    stages: dict[str, tuple[float, float]] = {}
    started = time.perf_counter()

    def report(stage: str, _fraction: float, _percent: int) -> None:
        now = time.perf_counter() - started
        first, _ = stages.get(stage, (now, now))
        stages[stage] = (first, now)

    spec = VideoSpec(
        text,
        title=TITLE,
        voice=voice,
        quality=size.quality,
        aspect=size.aspect,
        format=size.output_format,
    )
    # This process, its worker processes (voices loaded) and their encoders.
    cpu_before = TreeCpu.now()
    with PeakMemory(os.getpid()).watching() as memory:
        made = await generate_video(spec, Workspace(folder / "warm"), resources, report)
    total, cpu = time.perf_counter() - started, TreeCpu.now().since(cpu_before)
    return Made(total, stages, made.video, memory.peak, cpu)


@dataclass(frozen=True)
class Reencoded:
    seconds: float
    cpu: float  # user + system of its ffmpeg


async def reencode(video: Path, output_format: OutputFormat, folder: Path) -> Reencoded:
    """Re-encode ``video``'s own pictures and sound with aivideo's settings."""
    started, cpu_before = time.perf_counter(), children_cpu_seconds()
    target = folder / f"reencoded.{output_format.value}"
    await run_ffmpeg(["-i", str(video), *_REENCODE[output_format], "-y", str(target)])
    return Reencoded(time.perf_counter() - started, children_cpu_seconds() - cpu_before)


def cpu_floor(job_cpu: float, again: Reencoded) -> float:
    """The lowest job / re-encode ratio the job's CPU work allows on this machine's cores.

    The job cannot take less than its CPU seconds spread over every core.
    """
    return job_cpu / (os.cpu_count() or 1) / again.seconds


async def bench_size(size: Size, data: Path, resources: Resources, voice: str | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        cold = await make_cold(COLD_TEXT, size, data, folder, voice)
        again = await reencode(cold.video, size.output_format, folder)
        warm = await make_warm(WARM_TEXT, size, resources, folder, voice)
        warm_again = await reencode(warm.video, size.output_format, folder)
        seconds = (await asyncio.to_thread(probe_video, cold.video)).duration
    print(f"\n{size.label}: {seconds:.1f} s of video          cold      warm")
    for stage in STAGES:
        cold_start, cold_end = cold.stages[stage.name]
        warm_start, warm_end = warm.stages.get(stage.name, (0.0, 0.0))
        print(
            f"  {stage.name:<28} {cold_end - cold_start:6.2f} s  {warm_end - warm_start:6.2f} s"
            f"   (warm: {warm_start:5.2f}-{warm_end:5.2f} s)"
        )
    print(f"  {'before the first stage':<28} {cold.stages['script'][0]:6.2f} s")
    print(f"  {'overlap of stages':<28} {cold.overlap():6.2f} s  {warm.overlap():6.2f} s")
    print(f"  {'total':<28} {cold.total:6.2f} s  {warm.total:6.2f} s")
    print(f"  {'re-encode of its output':<28} {again.seconds:6.2f} s  {warm_again.seconds:6.2f} s")
    ratios = f"{cold.total / again.seconds:6.2f}x  {warm.total / warm_again.seconds:6.2f}x"
    print(f"  {'ratio (job / re-encode)':<28} {ratios}")
    print(f"  {'CPU of the job':<28} {cold.cpu:6.2f} s  {warm.cpu:6.2f} s")
    print(f"  {'CPU of its re-encode':<28} {again.cpu:6.2f} s  {warm_again.cpu:6.2f} s")
    floors = f"{cpu_floor(cold.cpu, again):6.2f}x  {cpu_floor(warm.cpu, warm_again):6.2f}x"
    print(f"  {'CPU floor of the ratio':<28} {floors}")
    peaks = f"{cold.peak_memory / 2**20:6.0f} MiB {warm.peak_memory / 2**20:6.0f} MiB"
    print(f"  {'peak memory':<28} {peaks}")


async def bench_long(minutes: float, data: Path, voice: str | None) -> None:
    """A long 1080p video by ``aivideo generate``: time against its re-encode, and peak memory."""
    text = long_narration(minutes)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        made = await make_cold(text, SIZES["1080p"], data, folder, voice)
        again = await reencode(made.video, OutputFormat.MP4, folder)
        length = (await asyncio.to_thread(probe_video, made.video)).duration
    print(
        f"\n1080p, {length / 60:.1f} minutes by `aivideo generate`: {made.total:.0f} s, "
        f"re-encode {again.seconds:.0f} s, ratio {made.total / again.seconds:.2f}x; "
        f"CPU {made.cpu:.0f} s against {again.cpu:.0f} s, floor {cpu_floor(made.cpu, again):.2f}x"
        f"\n  peak memory of all its processes {made.peak_memory / 2**20:.0f} MiB "
        f"({made.held_at_peak()} MiB)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="of " + ", ".join(SIZES))
    parser.add_argument("--minutes", type=float, help="also a video this long at 1080p")
    parser.add_argument("--long-only", action="store_true", help="skip the one-minute videos")
    parser.add_argument("--voice", help="the voice of every video (default: the default voice)")
    args = parser.parse_args()
    sizes = [SIZES[name] for name in args.sizes.split(",") if name]
    print(
        f"{os.cpu_count()} cores; voice {args.voice or 'the default'}; ffmpeg {ffmpeg_executable()}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"
        async with Resources(Settings(data_dir=Path(scratch) / "warm-data")) as resources:
            # Once, as a user's first run does: the aligned voice model (kept in the data
            # folder) for the cold runs, and warm worker processes and voice for the warm ones.
            await make_cold("A first video.", SIZES["720p"], data, Path(scratch), args.voice)
            await make_warm("A warm-up.", SIZES["720p"], resources, Path(scratch), args.voice)
            for size in [] if args.long_only else sizes:
                await bench_size(size, data, resources, args.voice)
        if args.minutes:
            await bench_long(args.minutes, data, args.voice)


if __name__ == "__main__":
    asyncio.run(main())
