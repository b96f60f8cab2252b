"""Progress streams at scale: thousands on one `aivideo serve`, and how fast progress reaches them.

Usage (from the repository root, services up: `bash .ci/services`):

    .venv/bin/python -m bench.stream_bench [--layouts 100x100,1x10000] [--rounds 9]
        [--redis-url redis://127.0.0.1:6379/0 | --redis-url '']

It starts a real `aivideo serve` (PostgreSQL, Redis, no render slots: API
only; this process's open-file limit, which the server inherits, raised to
the hard limit), makes an API key and the videos, then for each layout
(``VxS``: V videos with S streams each) opens the streams from this process
with raw asyncio connections (a light client: one coroutine and a chunked-SSE
parser per stream) and waits until each has had its first event.

Progress is moved the way a worker moves it, with the worker's own code:
this process claims the videos (``jobs.claims.claim``, a worker id of this
process, so the reconciler leaves them alone) and reports progress through
``jobs.progress.ProgressWriter`` (the row updated, a log line for each new
stage, the cache invalidated, the live event published on Redis). Each round
reports a new stage and percent for every video of the layout at once (the
harshest case: every stream gets an event at the same moment) and measures,
per stream, the time from the report to the stream receiving that percent,
and from the moment the writer published it (the server's share: the
report's own database write, 100 at once, is this process's work). With
``--redis-url ''`` the server has no Redis: nothing reaches it live, and the
figures are those of its once-a-second database read alone.

Also measured: the server's RSS (psutil, sampled every 0.25 s; the serve
process itself, not its CPU pool), its CPU while the streams sit idle, the
latency of plain ``GET /v1/videos/{id}`` sent meanwhile (20 a second, one at
a time, by bench/get_probe.py in a process of its own: is the API still
answering?), and the server's own reports of its event loop stalling (over
250 ms). Client and server share this machine's cores: the delays include
this client's own time to read thousands of sockets; its garbage collector is
kept off the streams it holds (gc.freeze).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import math
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import psutil

from aivideo.cache.store import make_cache
from aivideo.cache.video_status import VideoStatusCache
from aivideo.core.config import Settings
from aivideo.db.engine import create_engine, create_session_factory
from aivideo.jobs import claims
from aivideo.jobs.live import LiveEvents, make_live_events
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.progress import ProgressWriter
from aivideo.jobs.worker_ids import new_worker_id

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["script", "speech", "visuals", "render", "thumbnail"]
OPENING_AT_ONCE = 64  # streams being opened at the same time (the listen backlog is finite)
WAIT_FOR_EVENT = 15.0  # seconds a round waits for every stream to get its percent


async def run(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"{args} failed")
    return out.decode().strip()


async def fresh_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(
        url.replace("postgresql+asyncpg", "postgresql").rsplit("/", 1)[0] + "/postgres"
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def raise_open_file_limit() -> int:
    """Raise this process's (and so the server's) open-file limit to the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


@dataclass
class Awaited:
    """The percent a round waits for, and how many streams have not had it yet."""

    percent: int = -1
    missing: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, percent: int, streams: int) -> None:
        self.percent, self.missing = percent, streams
        self.arrived.clear()

    def count(self, percent: int) -> None:
        if percent == self.percent:
            self.missing -= 1
            if not self.missing:
                self.arrived.set()


@dataclass
class Stream:
    """One client stream: when each running percent first arrived."""

    video_id: str
    awaited: Awaited
    status: int | None = None
    arrivals: dict[int, float] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def receive(self, block: bytes, now: float) -> None:
        kind, data = None, None
        for line in block.split(b"\n"):
            if line.startswith(b"event: "):
                kind = line[7:]
            elif line.startswith(b"data: "):
                data = line[6:]
        if kind is None:
            return  # a keep-alive comment
        if kind == b"progress" and data is not None:
            progress = json.loads(data)
            percent = progress["percent"]
            if progress["status"] == "running" and percent not in self.arrivals:
                self.arrivals[percent] = now
                self.awaited.count(percent)
            self.ready.set()
        elif kind in (b"done", b"reconnect"):
            self.ready.set()


async def follow(stream: Stream, port: int, key: str, opening: asyncio.Semaphore) -> None:
    """Open ``stream`` and read it until the server ends it or the task is cancelled."""
    async with opening:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"GET /v1/videos/{stream.video_id}/progress HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        stream.status = int(head.split(b" ", 2)[1])
        if stream.status != 200:
            stream.ready.set()
            return
        buffer = b""
        while size_line := await reader.readline():  # chunked transfer encoding
            size = int(size_line.strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return
            now = time.monotonic()
            *blocks, buffer = (buffer + chunk[:-2]).split(b"\n\n")
            for block in blocks:
                stream.receive(block, now)
    finally:
        stream.ready.set()
        writer.close()


@dataclass
class Sampler:
    """The server's RSS, sampled in the background; the peak of each phase."""

    process: psutil.Process
    peak: int = 0
    task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.process.memory_info().rss)
            await asyncio.sleep(0.25)

    def restart(self) -> int:
        """The peak since the last restart; sampling goes on from now."""
        peak, self.peak = self.peak, self.process.memory_info().rss
        if self.task is None:
            self.task = asyncio.create_task(self._sample())
        return peak

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


@dataclass
class Prober:
    """The answers of bench/get_probe.py's GETs (a process of its own), by when each was sent."""

    answers: list[tuple[float, float, int]] = field(default_factory=list)  # sent, took, status

    async def run(self, port: int, key: str, video_ids: list[str]) -> None:
        command = [sys.executable, "-m", "bench.get_probe", str(port), key, *video_ids[:50]]
        probe = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )
        assert probe.stdout is not None
        try:
            while line := await probe.stdout.readline():
                sent, took, status = line.split()
                self.answers.append((float(sent), float(took), int(status)))
        finally:
            probe.terminate()
            await probe.wait()

    def line(self, phase: str, start: float, end: float) -> str:
        answers = [(took, status) for sent, took, status in self.answers if start <= sent < end]
        values = [took * 1000 for took, _ in answers]
        return (
            f"GET /v1/videos/{{id}} while {phase:8}: {len(values):4d} requests, "
            f"p50 {percentile(values, 50):6.1f} ms, p99 {percentile(values, 99):7.1f} ms, "
            f"max {max(values, default=float('nan')):7.1f} ms, "
            f"{sum(status != 200 for _, status in answers)} failed"
        )


class BenchWorker:
    """What a worker has for reporting progress: the database, the video cache, live events."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cache = make_cache(settings)
        self.engine = create_engine(settings)
        self.sessions = create_session_factory(self.engine)
        self.video_cache = VideoStatusCache(self.cache, settings.cache_video_ttl, enabled=True)
        self.live: LiveEvents = make_live_events(settings.redis_url, settings.probe_timeout)
        self.id = new_worker_id()  # this process: alive, so the reconciler keeps its claims
        self.writers: dict[str, ProgressWriter] = {}
        # When each (video, percent) was published: the writer's share of a delay.
        self.published: dict[tuple[str, int | None], float] = {}

    async def __aenter__(self) -> BenchWorker:
        await self.cache.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for writer in self.writers.values():
            await writer.flush()
        await self.live.aclose()
        await self.cache.close()
        await self.engine.dispose()

    async def claim(self, video_ids: list[str]) -> None:
        async with self.sessions() as session:
            for video_id in video_ids:
                assert await claims.claim(session, video_id, self.id, lease=86400)
            await session.commit()
        for video_id in video_ids:
            await self.video_cache.invalidate(video_id)
            self.writers[video_id] = ProgressWriter(self, self, video_id, self.id)  # type: ignore[arg-type]

    async def publish(self, video_id: str, event: LiveEvent) -> None:
        """The writers' live events: timed, then published."""
        self.published.setdefault((video_id, event.percent), time.monotonic())
        await self.live.publish(video_id, event)

    def report(self, video_ids: list[str], stage: str, percent: int) -> dict[str, float]:
        """Report progress of every video now, as its worker would; when each report was made."""
        reported = {}
        for video_id in video_ids:
            reported[video_id] = time.monotonic()
            self.writers[video_id].report(stage, percent / 100, percent)
        return reported


@asynccontextmanager
async def server(env: dict[str, str]) -> AsyncIterator[tuple[psutil.Process, int, ServerLog]]:
    command = [str(ROOT / ".venv/bin/aivideo"), "serve", "--port", "0", "--no-access-log"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    try:
        while line := (await process.stderr.readline()).decode():
            if match := re.search(r"Uvicorn running on http://127.0.0.1:(\d+)", line):
                break
        else:
            raise RuntimeError("aivideo serve stopped before it was ready")
        # Its log goes on to stderr: keep reading, or a full pipe would stop the server.
        log = ServerLog()
        reading = asyncio.create_task(log.read(process.stderr))
        yield psutil.Process(process.pid), int(match.group(1)), log
        reading.cancel()
    finally:
        process.terminate()
        await process.wait()


@dataclass
class ServerLog:
    """What the server logs: its event-loop stalls noted, its other warnings echoed (a few)."""

    stalls: list[tuple[float, float]] = field(default_factory=list)  # (when, milliseconds)
    echoed: int = 0
    first_in_full: str = ""  # the echo is only the first 300 characters of each

    async def read(self, stderr: asyncio.StreamReader, most: int = 20) -> None:
        while line := await stderr.readline():
            text = line.decode(errors="replace")
            if stall := re.search(r"event loop was blocked for (\d+) ms", text):
                self.stalls.append((time.monotonic(), float(stall.group(1))))
            elif re.search(r'"level": "(warning|error|critical)"|Traceback|^(WARNING|ERROR)', text):
                self.echoed += 1
                self.first_in_full = self.first_in_full or text
                if self.echoed <= most:  # the first 300 characters: enough to tell what it is
                    sys.stderr.write("  server: " + text[:300].rstrip() + "\n")

    def stalls_between(self, start: float, end: float) -> str:
        lags = [ms for at, ms in self.stalls if start <= at < end]
        return f"{len(lags)} event-loop stalls over 250 ms, longest {max(lags, default=0):.0f} ms"


async def open_streams(
    video_ids: list[str], per_video: int, port: int, key: str
) -> tuple[list[Stream], list[asyncio.Task[None]]]:
    awaited = Awaited()
    streams = [Stream(video_id, awaited) for video_id in video_ids for _ in range(per_video)]
    opening = asyncio.Semaphore(OPENING_AT_ONCE)
    tasks = [asyncio.create_task(follow(s, port, key, opening)) for s in streams]
    for stream in streams:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(120):
                await stream.ready.wait()
    return streams, tasks


def round_line(
    label: str, streams: list[Stream], reported: dict[str, float], percent: int, worker: BenchWorker
) -> str:
    """How long the streams took to get ``percent``: from the report, and from its publishing."""
    got = [s for s in streams if percent in s.arrivals]
    delays = [(s.arrivals[percent] - reported[s.video_id]) * 1000 for s in got]
    published = {v: worker.published.get((v, percent), math.nan) for v in reported}
    after_publish = [(s.arrivals[percent] - published[s.video_id]) * 1000 for s in got]
    return (
        f"{label}: {len(got)}/{len(streams)} streams got it; delay p50 "
        f"{percentile(delays, 50):5.0f} ms, p99 {percentile(delays, 99):5.0f} ms, "
        f"max {max(delays, default=math.nan):5.0f} ms; from the publish: "
        f"p50 {percentile(after_publish, 50):5.0f} ms, p99 {percentile(after_publish, 99):5.0f} ms"
    )


async def bench_layout(
    label: str, video_ids: list[str], per_video: int, context: BenchContext
) -> None:
    """Open the layout's streams, let them idle, move progress ``rounds`` times, close them."""
    rss, prober, worker = context.rss, context.prober, context.worker
    print(f"\n{label}: {len(video_ids)} videos x {per_video} streams")
    await worker.claim(video_ids)
    rss.restart()
    starts = {"opening": time.monotonic()}
    started = time.monotonic()
    streams, tasks = await open_streams(video_ids, per_video, context.port, context.key)
    # This client's own collector must not stop it while it times arrivals: what
    # the streams hold is never garbage, so it is taken out of the collector's sight.
    gc.freeze()
    opened = sum(s.status == 200 for s in streams)
    refused = sorted({s.status for s in streams if s.status != 200}, key=str)
    print(
        f"  opened {opened}/{len(streams)} streams in {time.monotonic() - started:.1f} s"
        + (f" (others: status {refused})" if refused else "")
    )

    starts["idle"] = time.monotonic()
    cpu_before = context.server.cpu_times()
    await asyncio.sleep(context.args.idle_seconds)
    cpu_after = context.server.cpu_times()
    busy = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    print(f"  server CPU while the streams idle: {busy / context.args.idle_seconds:.0%} of a core")

    starts["rounds"] = time.monotonic()
    for n in range(context.args.rounds):
        percent = round(90 * (n + 1) / context.args.rounds)  # a worker reports 99 at most
        awaited = streams[0].awaited
        awaited.expect(percent, sum(s.status == 200 for s in streams))
        reported = worker.report(video_ids, STAGES[n % len(STAGES)], percent)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT_FOR_EVENT):
                await awaited.arrived.wait()
        print("  " + round_line(f"round {n + 1} ({percent} %)", streams, reported, percent, worker))
        await asyncio.sleep(1.0)
    print(f"  server RSS at the peak: {rss.restart() / 2**20:.0f} MB")

    starts["after"] = time.monotonic()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    gc.unfreeze()
    await asyncio.sleep(3.0)  # the server notices the closed sockets
    clients = [
        c
        for c in context.server.net_connections(kind="tcp")
        if c.laddr and c.laddr.port == context.port and c.status == psutil.CONN_ESTABLISHED
    ]
    print(
        f"  closed: server RSS {context.server.memory_info().rss / 2**20:.0f} MB, "
        f"{len(clients)} client connections left (the GET prober holds 1)"
    )
    for phase, end in (("opening", "idle"), ("idle", "rounds"), ("rounds", "after")):
        stalls = context.log.stalls_between(starts[phase], starts[end])
        print(f"  {prober.line(phase, starts[phase], starts[end])}; {stalls}")


@dataclass
class BenchContext:
    args: argparse.Namespace
    server: psutil.Process
    port: int
    log: ServerLog
    key: str
    worker: BenchWorker
    rss: Sampler
    prober: Prober


async def create_videos(port: int, key: str, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", headers=headers) as http:

        async def create(n: int) -> str:
            body = {"text": f"Progress stream benchmark, video {n}.", "title": "bench"}
            async with http.post("/v1/videos", json=body) as response:
                assert response.status == 202, await response.text()
                video_id: str = (await response.json())["id"]
                return video_id

        return list(await asyncio.gather(*(create(n) for n in range(count))))


def parse_layouts(text: str) -> list[tuple[int, int]]:
    return [(int(v), int(s)) for v, s in (part.split("x") for part in text.split(","))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layouts", default="100x100,1x10000", help="VIDEOSxSTREAMS, ...")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/aivideo_stream_bench",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="'': none")
    args = parser.parse_args()
    layouts = parse_layouts(args.layouts)
    # This process's own cache client gives up after 50 ms when the client side is
    # busy reading thousands of sockets; it says so at every round. Not the server's.
    logging.getLogger("aivideo.cache").setLevel(logging.ERROR)
    limit = raise_open_file_limit()
    most = max(videos * streams for videos, streams in layouts)
    print(
        f"layouts {args.layouts}, {args.rounds} rounds, open-file limit {limit}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"live events: {'Redis' if args.redis_url else 'none (database only)'}"
    )
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "AIVIDEO_DATA_DIR": data_dir,
            "AIVIDEO_DATABASE_URL": args.postgres_url,
            "AIVIDEO_REQUIRE_API_KEY": "true",
            "AIVIDEO_RENDER_SLOTS": "0",
            "AIVIDEO_MAX_STREAMS_PER_USER": str(most),
            # The videos are made in this process, not queued there: lift the queue limits.
            "AIVIDEO_MAX_QUEUED_PER_USER": "1000000",
            "AIVIDEO_MAX_QUEUED_TOTAL": "1000000",
            "AIVIDEO_SERVE_LIMIT_CONCURRENCY": str(most + 200),
        }
        if args.redis_url:
            env["AIVIDEO_REDIS_URL"] = args.redis_url
        await fresh_postgres_database(args.postgres_url)
        aivideo = str(ROOT / ".venv/bin/aivideo")
        await run(env, aivideo, "db", "upgrade")
        key = (await run(env, aivideo, "keys", "create", "--user", "bench")).splitlines()[-1]
        settings = Settings(
            data_dir=Path(data_dir),
            database_url=args.postgres_url,
            redis_url=args.redis_url or None,
        )
        async with (
            server(env) as (process, port, log),
            BenchWorker(settings) as worker,
        ):
            video_ids = await create_videos(port, key, sum(v for v, _ in layouts))
            print(
                f"server (pid {process.pid}) RSS with no stream open: "
                f"{process.memory_info().rss / 2**20:.0f} MB"
            )
            prober = Prober()
            probing = asyncio.create_task(prober.run(port, key, video_ids))
            context = BenchContext(args, process, port, log, key, worker, Sampler(process), prober)
            first = 0
            for videos, per_video in layouts:
                label = f"{videos}x{per_video}"
                await bench_layout(label, video_ids[first : first + videos], per_video, context)
                first += videos
            probing.cancel()
            context.rss.stop()
            if log.first_in_full:
                print(f"\nthe server's first warning, in full:\n{log.first_in_full}")


if __name__ == "__main__":
    try:
        import uvloop  # a faster loop for the client: it reads thousands of sockets
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
