"""One long video on one worker against two: parallel segments, each worker on a core of its own.

Usage (from the repository root; PostgreSQL, RabbitMQ and moto up: `bash .ci/services`):

    .venv/bin/python -m bench.scale_bench                   # 10 minutes of 720p, S3 store
    .venv/bin/python -m bench.scale_bench --minutes 1       # a short try
    .venv/bin/python -m bench.scale_bench --storage file    # a shared folder instead of a bucket

In one run:

1. **one worker**: an API-only ``aivideo serve`` (``AIVIDEO_RENDER_SLOTS=0``)
   takes the create; one ``aivideo worker`` pinned to core 0
   (``taskset -c 0``) makes the video.
2. **two workers**: the same text and settings, made by two workers pinned to
   cores 0 and 1; the one that takes the video offers its runs of sentences
   and its segments on the broker (``aivideo.take_part``) and the other takes
   some.
3. **re-encode**: ffmpeg re-encoding the two-worker video's own pictures and
   sound with aivideo's settings (``render_bench.reencode``), on the same two
   cores: the floor a renderer of these pictures is held to.

The text is a held-out narration long enough for ``--minutes``
(render_bench's ``long_narration``: no sentence twice, so none is spoken
from the cache).
Each process has a data folder of its own (``AIVIDEO_DATA_DIR``); the store
is common to all: a fresh bucket per run on the S3-compatible server at
``--s3-endpoint`` (moto on loopback, so no disk is shared), or with
``--storage file`` a fresh shared folder. Each run has a fresh PostgreSQL
database, RabbitMQ queue and speech cache: the workers' data folders keep
only the aligned voice model, made once before the runs (as a user's first
video makes it). Each worker has one render slot and one pool process: a
pinned process still sees every core in ``os.cpu_count()``, and on a
one-core machine the defaults would be one.

Times run from the create (POST) to the API reporting the video completed.
Per-stage times come from the video's log (``GET /v1/videos/{id}/events``):
from a stage's ``stage`` event to the next one (the last to ``completed``);
runs and segments per worker from its ``speech_spoken`` and
``segment_rendered`` events. Peak memory is the
largest resident memory of a worker and its children (pool, ffmpeg), sampled
every 0.1 s. Every process the bench starts is killed (its whole process
group: pool processes and encoders too) when the bench ends, fails, or gets
Ctrl-C or SIGTERM, and the run's database, queue and bucket are dropped. A
bench killed with SIGKILL still takes the servers and workers with it (their
parent-death signal, with ``setpriv`` on the machine), but an encoder of theirs
may finish its segment alone, and ``aivideo_scalebench_*`` (database),
``aivideo.scalebench.*`` (queue) and ``aivideo-bench-scale-*`` (bucket) stay.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import asyncpg
import httpx

from aivideo.core.options import OutputFormat
from aivideo.db.migrate import upgrade_to_head
from aivideo.media.probe import probe_video
from aivideo.pipeline.ffmpeg import ffmpeg_executable
from aivideo.pipeline.stages import STAGES
from bench.api_bench import clean_env, delete_queue
from bench.jobs_bench import ADMIN_DSN, BROKER, S3_CREDENTIALS, drop_bucket, new_bucket
from bench.render_bench import SIZES, TITLE, PeakMemory, long_narration, make_cold, reencode

GOAL = 1.8  # the speed-up of two workers over one
READY = re.compile(r"worker (\S+): \d+ render slots")  # aivideo worker's line once it listens
LISTENING = re.compile(r"Uvicorn running on (http://[\d.:]+)")
KEPT_IN_DATA_FOLDER = "voices"  # the aligned voice model: made once, like a user's first video


def narration(minutes: float) -> str:
    """render_bench's long text: about ``minutes`` long when spoken, no sentence twice."""
    return long_narration(minutes)


@dataclass
class Processes:
    """The processes of one run, each in a process group of its own, logging to a file."""

    logs: Path
    started: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def start(self, name: str, command: list[str], env: dict[str, str]) -> Path:
        log = self.logs / f"{name}.log"
        # Killed even if the bench is (SIGKILL): the parent-death signal survives exec.
        guard = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *guard, *command, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip
        self.started.append(process)
        return log

    async def wait_for(self, log: Path, pattern: re.Pattern[str], seconds: float = 120) -> str:
        """The first match of ``pattern`` in the log; fails if its process ends first."""
        process = self.started[-1]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = await anyio.Path(log).read_text(errors="replace")
            if match := pattern.search(text):
                return match.group(1)
            if process.returncode is not None:
                raise SystemExit(f"{log.stem} stopped before it was ready:\n{text[-3000:]}")
            await asyncio.sleep(0.1)
        raise SystemExit(f"{log.stem} was not ready within {seconds:.0f} s")

    async def kill_all(self) -> None:
        """SIGKILL to each process group: the worker's ffmpeg and pool processes go too."""
        for process in self.started:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it and all its group ended already
            await process.wait()


@dataclass
class Store:
    """Where the run's finished videos go: a fresh bucket, or a fresh shared folder."""

    kind: str
    endpoint: str
    folder: Path
    label: str
    bucket: str | None = None

    async def __aenter__(self) -> dict[str, str]:
        if self.kind == "file":
            await anyio.Path(self.folder).mkdir(parents=True)
            return {"AIVIDEO_STORAGE_URL": f"file://{self.folder}"}
        self.bucket = await new_bucket(self.endpoint, f"scale-{self.label}")
        return {
            "AIVIDEO_STORAGE_URL": f"s3://{self.bucket}/videos",
            "AIVIDEO_S3_ENDPOINT_URL": self.endpoint, **S3_CREDENTIALS,
        }  # fmt: skip

    async def __aexit__(self, *_exc: object) -> None:
        if self.bucket:
            await drop_bucket(self.bucket, self.endpoint)
        else:
            await asyncio.to_thread(shutil.rmtree, self.folder, True)


@asynccontextmanager
async def fresh_database(name: str) -> AsyncIterator[str]:
    """A database of this run's own, migrated; dropped afterwards."""

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(ADMIN_DSN)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        await upgrade_to_head(url)
        yield url
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Made:
    label: str
    seconds: float  # from the create to the API saying completed
    video_id: str
    events: list[dict[str, Any]]
    workers: dict[str, str]  # worker id: which one ("core 0")
    peak_memory: dict[str, int]  # by worker name
    cache_files: dict[str, int]  # speech made fresh, by worker name
    logs: dict[str, Path]

    def stages(self) -> dict[str, float]:
        """Seconds of each stage: from its ``stage`` event to the next (the last to completed)."""
        marks = [
            (event["message"].removesuffix(" started"), _when(event))
            for event in self.events
            if event["kind"] == "stage"
        ]
        ends = [_when(event) for event in self.events if event["kind"] == "completed"]
        times = [when for _, when in marks[1:]] + ends[:1]
        return {name: end - start for (name, start), end in zip(marks, times, strict=False)}

    def parts(self, kind: str) -> dict[str, list[tuple[int, float]]]:
        """(part, seconds) each worker did of ``kind`` ("segment", "speech"), by worker name."""
        event_kind = {"segment": "segment_rendered", "speech": "speech_spoken"}[kind]
        done: dict[str, list[tuple[int, float]]] = {name: [] for name in self.workers.values()}
        for event in self.events:
            if event["kind"] == event_kind:
                data = event["data"]
                name = self.workers.get(data["worker_id"], data["worker_id"])
                done.setdefault(name, []).append((data[kind], data["seconds"]))
        return done

    def maker(self) -> str:
        """The worker that took the video (its ``started`` event names it)."""
        for event in self.events:
            if event["kind"] == "started":
                for worker_id, name in self.workers.items():
                    if worker_id in event["message"]:
                        return name
        return "?"


def _when(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["created_at"]).timestamp()


@contextmanager
def watching(pids: dict[str, int]) -> Iterator[dict[str, PeakMemory]]:
    with ExitStack() as stack:
        yield {name: stack.enter_context(PeakMemory(pid).watching()) for name, pid in pids.items()}


async def events_of(client: httpx.AsyncClient, video_id: str) -> list[dict[str, Any]]:
    events, cursor = [], None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = await client.get(f"/v1/videos/{video_id}/events", params=params)
        response.raise_for_status()
        page = response.json()
        events += page["items"]
        if not (cursor := page["next_cursor"]):
            return events


async def until_done(client: httpx.AsyncClient, video_id: str, deadline: float) -> dict[str, Any]:
    while time.monotonic() < deadline:
        response = await client.get(f"/v1/videos/{video_id}")
        response.raise_for_status()
        video: dict[str, Any] = response.json()
        if video["status"] in ("completed", "failed", "cancelled"):
            return video
        await asyncio.sleep(0.2)
    raise SystemExit(f"video {video_id} was not done in time")


async def download(client: httpx.AsyncClient, video_id: str, target: Path) -> Path:
    """The video file through the API (a redirect to the bucket, or the file itself)."""
    async with client.stream("GET", f"/v1/videos/{video_id}/file") as response:
        response.raise_for_status()
        async with await anyio.open_file(target, "wb") as out:
            async for chunk in response.aiter_bytes():
                await out.write(chunk)
    return target


async def cache_files(data_dir: Path) -> int:
    return await asyncio.to_thread(
        lambda: sum(1 for path in (data_dir / "cache").rglob("*") if path.is_file())
    )


async def empty_data_folder(data_dir: Path) -> None:
    """Nothing of an earlier run helps: only the voice model stays."""

    def empty() -> None:
        for path in data_dir.iterdir():
            if path.name != KEPT_IN_DATA_FOLDER:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        if (data_dir / "cache").exists():
            raise SystemExit(f"{data_dir / 'cache'} is still there: speech would be reused")

    await asyncio.to_thread(empty)


@dataclass(frozen=True)
class Setup:
    text: str
    storage: str
    endpoint: str
    workdir: Path
    disks: list[Path]  # each worker's data folder, voice model already made
    token: str  # names this bench's database, queues and buckets
    deadline: float  # seconds a run may take


async def make(setup: Setup, cores: list[int], target: Path | None = None) -> Made:
    """The video made by one pinned worker per core; downloaded to ``target`` if given."""
    label = {1: "one worker", 2: "two workers"}.get(len(cores), f"{len(cores)} workers")
    logs = setup.workdir / label.replace(" ", "-")
    await anyio.Path(logs).mkdir()
    queue = f"aivideo.scalebench.{setup.token}.{len(cores)}"
    store = Store(setup.storage, setup.endpoint, logs / "store", f"{len(cores)}")
    processes = Processes(logs)
    try:
        async with fresh_database(f"aivideo_scalebench_{setup.token}") as url, store as where:
            env = clean_env()
            for name in [*env]:
                if name.startswith("AWS_"):
                    del env[name]  # only the bench's own credentials reach the store
            env.update({
                "AIVIDEO_DATABASE_URL": url, "AIVIDEO_BROKER_URL": BROKER,
                "AIVIDEO_BROKER_QUEUE": queue, "AIVIDEO_WORKER_METRICS_PORT": "0", **where,
            })  # fmt: skip
            try:
                return await _made_by(setup, cores, processes, env, label, target)
            finally:
                await processes.kill_all()  # before their database and store go
    finally:
        try:
            await delete_queue(BROKER, queue)
        except Exception as exc:  # the run's failure, if any, says more
            print(f"could not delete queue {queue}: {exc}", file=sys.stderr)


async def _made_by(
    setup: Setup, cores: list[int], processes: Processes, env: dict[str, str], label: str,
    target: Path | None,
) -> Made:  # fmt: skip
    api_log = await processes.start(
        "api",
        [sys.executable, "-m", "aivideo", "serve", "--host", "127.0.0.1", "--port", "0",
         "--no-access-log"],
        {**env, "AIVIDEO_RENDER_SLOTS": "0",
         "AIVIDEO_DATA_DIR": str(processes.logs / "api-data")},
    )  # fmt: skip
    base_url = await processes.wait_for(api_log, LISTENING)
    disks = dict(zip([f"core {core}" for core in cores], setup.disks, strict=False))
    workers, pids, logs = {}, {}, {}
    for core, (name, disk) in zip(cores, disks.items(), strict=True):
        await empty_data_folder(disk)
        log = logs[name] = await processes.start(
            f"worker-core-{core}",
            ["taskset", "-c", str(core), sys.executable, "-m", "aivideo", "worker"],
            {**env, "AIVIDEO_RENDER_SLOTS": "1", "AIVIDEO_PROCESS_POOL_SIZE": "1",
             "AIVIDEO_DATA_DIR": str(disk)},
        )  # fmt: skip
        pids[name] = processes.started[-1].pid
        workers[await processes.wait_for(log, READY)] = name
    async with httpx.AsyncClient(base_url=base_url, timeout=60, follow_redirects=True) as client:
        with watching(pids) as memory:
            started = time.monotonic()
            body = {"text": setup.text, "title": TITLE, "quality": "medium"}
            response = await client.post("/v1/videos", json=body)
            response.raise_for_status()
            video_id = response.json()["id"]
            video = await until_done(client, video_id, started + setup.deadline)
            seconds = time.monotonic() - started
        events = await events_of(client, video_id)
        if video["status"] != "completed":
            lines = "\n".join(f"  {e['kind']}: {e['message']}" for e in events)
            raise SystemExit(f"{label}: video {video['status']}: {video['error']}\n{lines}\n"
                             f"logs in {processes.logs}")  # fmt: skip
        if target is not None:
            await download(client, video_id, target)
    fresh = {name: await cache_files(disk) for name, disk in disks.items()}
    peaks = {name: sampled.peak for name, sampled in memory.items()}
    return Made(label, seconds, video_id, events, workers, peaks, fresh, logs)


def report(one: Made, two: Made, again: float, length: float) -> None:
    print(f"\n720p, {length / 60:.1f} minutes of video")
    print(f"  {'':<28} {'one worker':>11} {'two workers':>12}")
    print(f"  {'create to completed':<28} {one.seconds:9.1f} s {two.seconds:10.1f} s")
    stages_one, stages_two = one.stages(), two.stages()
    for stage in STAGES:
        first, second = stages_one.get(stage.name), stages_two.get(stage.name)
        cells = [f"{value:9.1f} s" if value is not None else f"{'-':>11}"
                 for value in (first, second)]  # fmt: skip
        print(f"  {'  ' + stage.name:<28} {cells[0]} {cells[1]:>12}")
    speedup = one.seconds / two.seconds
    verdict = "meets" if speedup >= GOAL else "below"
    print(f"  {'speed-up (one / two)':<28} {speedup:10.2f}x   ({verdict} the goal of {GOAL}x)")
    shared = [name for name in ("speech", "render") if name in stages_one and name in stages_two]
    for name in shared:
        ratio = stages_one[name] / stages_two[name]
        print(f"  {'  of the ' + name + ' stage':<28} {ratio:10.2f}x")
    if shared:
        # Amdahl: the speech and the render are shared; the rest runs on the video's worker.
        alone = one.seconds - sum(stages_one[name] for name in shared)
        best = one.seconds / (alone + (one.seconds - alone) / 2)
        print(f"  {'  best, sharing those two':<28} {best:10.2f}x   (its other stages: "
              f"{alone:.1f} s on one worker)")  # fmt: skip
    print(f"  {'re-encode of its output':<28} {again:24.1f} s   (cores 0 and 1)")
    print(f"  {'two workers / re-encode':<28} {two.seconds / again:23.2f}x")
    for made in (one, two):
        print(f"  {made.label}: video {made.video_id} taken by {made.maker()}")
        for kind, what in (("speech", "runs of sentences"), ("segment", "segments")):
            for name, done in made.parts(kind).items():
                numbers = ", ".join(str(number) for number, _ in sorted(done))
                busy = sum(seconds for _, seconds in done)
                print(f"    {name}: {len(done)} {what}, their seconds add up to {busy:.1f} s: "
                      f"{numbers or '-'}")  # fmt: skip
        for name in made.logs:
            memory, cached = made.peak_memory[name] / 2**20, made.cache_files[name]
            print(f"    {name}: peak memory {memory:.0f} MiB; {cached} files in its speech "
                  "cache (empty before the run)")  # fmt: skip


def helper_missing(two: Made) -> str | None:
    """The finding if a worker rendered no segment of the two-worker video."""
    done = two.parts("segment")
    idle = [name for name in two.logs if not done.get(name)]
    if not idle:
        return None
    logs = "\n".join(
        f"--- {name} ({path}):\n{path.read_text(errors='replace')[-4000:]}"
        for name, path in two.logs.items()
    )
    return f"\nFINDING: {', '.join(idle)} rendered no segment of the two-worker video\n{logs}"


async def prepare_disks(workdir: Path, count: int) -> list[Path]:
    """Each worker's data folder with the aligned voice model, made once by a first video."""
    first = workdir / "disk-0"
    await make_cold("A first video.", SIZES["720p"], first, workdir)
    disks = [first]
    for n in range(1, count):
        disk = workdir / f"disk-{n}"
        await asyncio.to_thread(
            shutil.copytree, first / KEPT_IN_DATA_FOLDER, disk / KEPT_IN_DATA_FOLDER
        )
        disks.append(disk)
    return disks


async def bench(args: argparse.Namespace, workdir: Path) -> None:
    text = narration(args.minutes)
    where = f"S3 at {args.s3_endpoint}" if args.storage == "s3" else "a shared folder"
    print(f"{os.cpu_count()} cores; {len(text.split())} words for {args.minutes:g} minutes; "
          f"store: {where}; ffmpeg {ffmpeg_executable()}", flush=True)  # fmt: skip
    setup = Setup(
        text, args.storage, args.s3_endpoint, workdir, await prepare_disks(workdir, 2),
        uuid.uuid4().hex[:8], deadline=600 + args.minutes * 60 * 8,
    )  # fmt: skip
    one = await make(setup, [0])
    print(f"one worker: {one.seconds:.1f} s", flush=True)
    output = workdir / "two-workers.mp4"
    two = await make(setup, [0, 1], output)
    print(f"two workers: {two.seconds:.1f} s", flush=True)
    again = await pinned_reencode(output, workdir, {0, 1})
    length = (await asyncio.to_thread(probe_video, output)).duration
    report(one, two, again, length)
    if finding := await asyncio.to_thread(helper_missing, two):
        print(finding)


async def pinned_reencode(video: Path, folder: Path, cores: set[int]) -> float:
    """render_bench's re-encode on ``cores``: ffmpeg inherits this thread's affinity."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cores)
    try:
        return await reencode(video, OutputFormat.MP4, folder)
    finally:
        os.sched_setaffinity(0, before)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10, help="how long the video is")
    parser.add_argument("--storage", choices=("s3", "file"), default="s3")
    parser.add_argument(
        "--s3-endpoint", default="http://127.0.0.1:5055",
        help="the S3-compatible server (on loopback; .ci/services starts moto there)",
    )  # fmt: skip
    parser.add_argument("--logs", type=Path, help="keep the processes' logs in this folder")
    args = parser.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("two cores are needed (workers on cores 0 and 1)")
    # A SIGTERM unwinds like Ctrl-C does, so every process started is killed.
    main_task = asyncio.current_task()
    assert main_task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        await bench(args, Path(tempfile.mkdtemp(prefix="aivideo-scale-bench-", dir=args.logs)))
        return
    with tempfile.TemporaryDirectory(prefix="aivideo-scale-bench-") as tmp:
        await bench(args, Path(tmp))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except asyncio.CancelledError:  # SIGTERM
        raise SystemExit("stopped: every process the bench started was killed") from None
