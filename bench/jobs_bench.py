"""Jobs at scale: many short videos through RabbitMQ to two workers, then chaos.

Usage (from the repository root; PostgreSQL, RabbitMQ and Redis running):

    .venv/bin/python -m bench.jobs_bench                       # 200 videos, 20 kills
    .venv/bin/python -m bench.jobs_bench --videos 50 --kills 5 --baseline 10

1. Throughput: an API process (``aivideo serve`` with no render slots) takes
   ``--videos`` short videos in batches of 50, all at once; two
   ``aivideo worker`` processes (one render slot each) make them. Videos per
   minute from the first request to the last completion.
2. Baseline: ``--baseline`` of the same videos made one after another in this
   one process with the pipeline ``aivideo generate`` runs; videos per minute.
3. Chaos: the throughput run again, while ``--kills`` times a random worker is
   killed with SIGKILL (a supervisor starts a new one at once). Reports videos
   lost (not completed), videos with more than one output, and per kill the
   recovery time: from the kill until every video the dead worker held is
   running on (or finished by) another worker.

With ``--compare-storage`` only the throughput run is made, twice in the same
run: videos kept in the data folder (file://), then in a fresh S3 bucket on
the S3-compatible server at ``--s3-endpoint`` (moto, as ``.ci/services``
starts it on loopback), with the API and the workers on separate data folders.

Each run uses a fresh database (``aivideo_bench`` on the local PostgreSQL),
a fresh RabbitMQ queue and a fresh storage folder (or bucket).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import obstore
from obstore.store import S3Store
from sqlalchemy import func, select

from aivideo.core.config import Settings
from aivideo.core.options import Aspect, OutputFormat, Quality, SubtitleMode
from aivideo.core.spec import VideoSpec
from aivideo.db.migrate import upgrade_to_head
from aivideo.db.models import Video, VideoEvent
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "aivideo_bench"
BROKER = "amqp://guest:guest@127.0.0.1:5672/"
REDIS = "redis://127.0.0.1:6379/0"
BATCH = 50
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}


def narration(n: int) -> str:
    return f"Short video number {n}. Water rises as vapour and falls again as rain."


@dataclass
class Cluster:
    """The API and the workers of one run, as child processes."""

    env: dict[str, str]
    logs: Path
    separate_disks: bool = False  # each process its own data folder (S3: nothing shared)
    workers: list[asyncio.subprocess.Process] = field(default_factory=list)
    api: asyncio.subprocess.Process | None = None
    started: int = 0

    async def start_worker(self) -> asyncio.subprocess.Process:
        log = (self.logs / f"worker-{self.started}.log").open("wb")
        env = {**self.env, "AIVIDEO_RENDER_SLOTS": "1"}
        if self.separate_disks:
            env["AIVIDEO_DATA_DIR"] = str(self.logs / f"worker-disk-{self.started}")
        self.started += 1
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aivideo", "worker", env=env, stdout=log, stderr=log,
        )  # fmt: skip
        self.workers.append(process)
        return process

    async def start_api(self) -> str:
        self.api = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aivideo", "serve", "--port", "0", "--no-access-log",
            env={**self.env, "AIVIDEO_RENDER_SLOTS": "0"}, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.api.stderr is not None
        while line := (await self.api.stderr.readline()).decode():
            if "Uvicorn running on " in line:
                return line.split("Uvicorn running on ")[1].split()[0]
        raise RuntimeError("aivideo serve did not start")

    async def stop(self) -> None:
        for process in [*self.workers, *([self.api] if self.api else [])]:
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()


async def fresh_database() -> str:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
    await upgrade_to_head(url)
    return url


async def submit(base_url: str, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        ids = []
        for first in range(0, count, BATCH):
            videos = [
                {"text": narration(n), "quality": "low"}
                for n in range(first, min(first + BATCH, count))
            ]
            response = await client.post("/v1/videos/batch", json={"videos": videos})
            response.raise_for_status()
            ids += [video["id"] for video in response.json()["videos"]]
        return ids


async def count_by_status(resources: Resources) -> dict[str, int]:
    async with resources.sessions() as session:
        rows = await session.execute(select(Video.status, func.count()).group_by(Video.status))
        return {status: n for status, n in rows}


async def wait_until_done(resources: Resources, total: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        counts = await count_by_status(resources)
        if counts.get("completed", 0) + counts.get("failed", 0) >= total:
            return
        await asyncio.sleep(0.5)


async def held_by(resources: Resources, pid: int) -> list[str]:
    async with resources.sessions() as session:
        rows = await session.scalars(
            select(Video.id).where(Video.status == "running", Video.worker_id.like(f"%:{pid}:%"))
        )
        return list(rows)


async def states(resources: Resources, video_ids: list[str]) -> list[tuple[str, str]]:
    async with resources.sessions() as session:
        rows = await session.execute(
            select(Video.status, Video.worker_id).where(Video.id.in_(video_ids))
        )
        return [(status, worker or "") for status, worker in rows]


def taken_back(rows: list[tuple[str, str]], pid: int) -> bool:
    """No video is still claimed by the dead worker."""
    return all(status != "running" or f":{pid}:" not in worker for status, worker in rows)


def going_again(rows: list[tuple[str, str]], pid: int) -> bool:
    """Every video is running on another worker, or finished."""
    return taken_back(rows, pid) and all(status != "queued" for status, _ in rows)


@dataclass
class Recovery:
    taken_back: float  # seconds from the kill until the dead worker's claims were ended
    going_again: float  # ... until another worker was making them (or had finished)


async def chaos(
    cluster: Cluster, resources: Resources, kills: int, interval: float
) -> list[Recovery]:
    """Kill a random worker every ``interval`` seconds; returns recovery times."""
    recoveries: list[asyncio.Task[Recovery]] = []

    async def measure(video_ids: list[str], pid: int, killed_at: float) -> Recovery:
        back = None
        while True:
            rows = await states(resources, video_ids)
            if back is None and taken_back(rows, pid):
                back = time.monotonic() - killed_at
            if going_again(rows, pid):
                assert back is not None
                return Recovery(back, time.monotonic() - killed_at)
            await asyncio.sleep(0.05)

    for _ in range(kills):
        await asyncio.sleep(random.uniform(0.5 * interval, 1.5 * interval))
        alive = [w for w in cluster.workers if w.returncode is None]
        victim = random.choice(alive)
        victim_videos = await held_by(resources, victim.pid)
        victim.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        await victim.wait()
        await cluster.start_worker()  # what a supervisor (systemd, Kubernetes) does
        if victim_videos:
            recoveries.append(asyncio.create_task(measure(victim_videos, victim.pid, killed_at)))
    return list(await asyncio.gather(*recoveries))


async def outputs_per_video(storage: Path, video_ids: list[str]) -> dict[str, int]:
    def count() -> dict[str, int]:
        return {vid: len(list((storage / vid).glob("video.*"))) for vid in video_ids}

    return await asyncio.to_thread(count)


def bucket_store(bucket: str, endpoint: str) -> S3Store:
    return S3Store(
        bucket, endpoint=endpoint, region="us-east-1", client_options={"allow_http": True},
        access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )  # fmt: skip


async def outputs_in_bucket(bucket: str, endpoint: str, video_ids: list[str]) -> dict[str, int]:
    found = await obstore.list(bucket_store(bucket, endpoint), prefix="videos/").collect_async()
    videos = [meta["path"].split("/") for meta in found]
    counts = dict.fromkeys(video_ids, 0)
    for _, video_id, name in videos:
        if name.startswith("video.") and video_id in counts:
            counts[video_id] += 1
    return counts


async def new_bucket(endpoint: str, label: str) -> str:
    """A bucket of this run's own on the S3-compatible server (moto takes unsigned requests)."""
    name = f"aivideo-bench-{label}-{os.getpid()}"
    async with httpx.AsyncClient(base_url=endpoint) as http:
        (await http.put(f"/{name}")).raise_for_status()
    return name


async def drop_bucket(bucket: str, endpoint: str) -> None:
    store = bucket_store(bucket, endpoint)
    keys = [meta["path"] for meta in await obstore.list(store).collect_async()]
    for first in range(0, len(keys), 1000):
        await obstore.delete_async(store, keys[first : first + 1000])
    async with httpx.AsyncClient(base_url=endpoint) as http:
        await http.delete(f"/{bucket}")


async def completed_events(resources: Resources) -> dict[str, int]:
    async with resources.sessions() as session:
        rows = await session.execute(
            select(VideoEvent.video_id, func.count())
            .where(VideoEvent.kind == "completed")
            .group_by(VideoEvent.video_id)
        )
        return {video_id: n for video_id, n in rows}


async def cluster_run(
    videos: int,
    kills: int,
    workdir: Path,
    label: str,
    expected_seconds: float = 0,
    s3_endpoint: str | None = None,
) -> dict[str, object]:
    """One run; with ``s3_endpoint``, videos go to a fresh bucket there, no disk is shared."""
    url = await fresh_database()
    data_dir = workdir / label
    settings = Settings(data_dir=data_dir, database_url=url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIVIDEO_")}
    env.update({
        "AIVIDEO_DATABASE_URL": url, "AIVIDEO_BROKER_URL": BROKER, "AIVIDEO_REDIS_URL": REDIS,
        "AIVIDEO_BROKER_QUEUE": f"aivideo.bench.{label}.{os.getpid()}",
        "AIVIDEO_DATA_DIR": str(data_dir), "AIVIDEO_MAX_QUEUED_PER_USER": "100000",
        "AIVIDEO_MAX_QUEUED_TOTAL": "100000", "AIVIDEO_LEASE_SECONDS": "10",
        "AIVIDEO_RECONCILE_INTERVAL": "1", "AIVIDEO_PROCESS_POOL_SIZE": "1",
    })  # fmt: skip
    bucket = None
    if s3_endpoint:
        bucket = await new_bucket(s3_endpoint, label)
        env.update({"AIVIDEO_STORAGE_URL": f"s3://{bucket}/videos",
                    "AIVIDEO_S3_ENDPOINT_URL": s3_endpoint, **S3_CREDENTIALS})  # fmt: skip
        os.environ.update(S3_CREDENTIALS)  # this process's own Resources reach the bucket too
        settings = settings.model_copy(
            update={"storage_url": env["AIVIDEO_STORAGE_URL"], "s3_endpoint_url": s3_endpoint}
        )
    cluster = Cluster(env, workdir / label, separate_disks=bucket is not None)
    cluster.logs.mkdir(parents=True, exist_ok=True)
    try:
        async with Resources(settings) as resources:
            base_url = await cluster.start_api()
            for _ in range(2):
                await cluster.start_worker()
            started = time.monotonic()
            ids = await submit(base_url, videos)
            chaos_task = None
            if kills:
                # Spread the kills over the time the calm run took.
                chaos_task = asyncio.create_task(
                    chaos(cluster, resources, kills, expected_seconds / (kills + 1))
                )
            await wait_until_done(resources, videos, started + 3600)
            elapsed = time.monotonic() - started
            recoveries = await chaos_task if chaos_task else []
            counts = await count_by_status(resources)
            if bucket and s3_endpoint:
                outputs = await outputs_in_bucket(bucket, s3_endpoint, ids)
            else:
                outputs = await outputs_per_video(settings.storage_dir, ids)
            completions = await completed_events(resources)
    finally:
        await cluster.stop()
        if bucket and s3_endpoint:
            await drop_bucket(bucket, s3_endpoint)
    return {
        "elapsed": elapsed,
        "per_minute": counts.get("completed", 0) / elapsed * 60,
        "lost": videos - counts.get("completed", 0),
        "statuses": counts,
        "multiple_outputs": sum(1 for n in outputs.values() if n > 1),
        "no_output": sum(1 for n in outputs.values() if n == 0),
        "completed_twice": sum(1 for n in completions.values() if n > 1),
        "recoveries": recoveries,
    }


async def baseline(count: int, workdir: Path) -> float:
    """Videos per minute, one after another in this process (what `aivideo generate` runs)."""
    settings = Settings(data_dir=workdir / "baseline", process_pool_size=1)
    async with Resources(settings) as resources:
        started = time.monotonic()
        for n in range(count):
            spec = VideoSpec(
                text=narration(n), title=None, voice=None, rate=1.0, quality=Quality.LOW,
                format=OutputFormat.MP4, aspect=Aspect.LANDSCAPE, subtitles=SubtitleMode.BURNED,
            )  # fmt: skip
            workspace = Workspace(settings.storage_dir / f"video-{n}")
            await generate_video(spec, workspace, resources, lambda *_: None)
        return count / (time.monotonic() - started) * 60


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=40, help="videos in the sequential run")
    parser.add_argument(
        "--compare-storage", action="store_true",
        help="only the throughput run, with file storage and then with S3 storage",
    )  # fmt: skip
    parser.add_argument(
        "--s3-endpoint", default="http://127.0.0.1:5055",
        help="the S3-compatible server of --compare-storage (on loopback)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.compare_storage:
        await compare_storage(args.videos, args.s3_endpoint)
        return
    with tempfile.TemporaryDirectory(prefix="aivideo-jobs-bench-") as tmp:
        workdir = Path(tmp)
        print(f"{args.videos} short videos (low quality), 2 workers x 1 slot, "
              f"{os.cpu_count()} cores", flush=True)  # fmt: skip
        calm = await cluster_run(args.videos, 0, workdir, "calm")
        print(f"throughput run: {calm['elapsed']:.0f} s, {calm['per_minute']:.1f} videos/min, "
              f"statuses {calm['statuses']}", flush=True)  # fmt: skip
        sequential = await baseline(args.baseline, workdir)
        print(f"sequential, one process ({args.baseline} videos): {sequential:.1f} videos/min; "
              f"ratio {calm['per_minute'] / sequential:.2f}", flush=True)  # type: ignore[operator]  # fmt: skip
        wild = await cluster_run(
            args.videos,
            args.kills,
            workdir,
            "chaos",
            expected_seconds=calm["elapsed"],  # type: ignore[arg-type]
        )
        recoveries: list[Recovery] = wild["recoveries"]  # type: ignore[assignment]
        print(f"chaos run ({args.kills} kill -9): {wild['elapsed']:.0f} s, "
              f"{wild['per_minute']:.1f} videos/min, statuses {wild['statuses']}")  # fmt: skip
        print(f"  videos lost: {wild['lost']}; with more than one output: "
              f"{wild['multiple_outputs']}; completed twice: {wild['completed_twice']}; "
              f"without output: {wild['no_output']}")  # fmt: skip
        if recoveries:
            print(f"  {len(recoveries)} kills caught a video in the making; seconds from the kill")
            for label, values in (
                ("until its claim was ended", [r.taken_back for r in recoveries]),
                ("until another worker was making it", [r.going_again for r in recoveries]),
            ):
                every = ", ".join(f"{v:.1f}" for v in sorted(values))
                median, longest = statistics.median(values), max(values)
                print(f"    {label}: median {median:.1f}, max {longest:.1f}; all: {every}")


async def compare_storage(videos: int, endpoint: str) -> None:
    """The throughput run with videos in the data folder, then in an S3 bucket; same run."""
    with tempfile.TemporaryDirectory(prefix="aivideo-jobs-bench-") as tmp:
        workdir = Path(tmp)
        print(f"{videos} short videos (low quality), 2 workers x 1 slot, "
              f"{os.cpu_count()} cores", flush=True)  # fmt: skip
        results = {}
        for label, s3 in (("file", None), ("s3", endpoint)):
            run = results[label] = await cluster_run(videos, 0, workdir, label, s3_endpoint=s3)
            where = f"S3 bucket at {s3}, no shared disk" if s3 else "data folder (file://)"
            print(f"{label:>4}: {run['elapsed']:.0f} s, {run['per_minute']:.1f} videos/min, "
                  f"statuses {run['statuses']}, without output {run['no_output']}, "
                  f"more than one {run['multiple_outputs']} ({where})", flush=True)  # fmt: skip
        ratio = results["s3"]["per_minute"] / results["file"]["per_minute"]  # type: ignore[operator]
        print(f"S3 / file throughput: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
