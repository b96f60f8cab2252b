"""Throughput and latency of `aivideo serve` under wrk, as ratios to bare FastAPI apps.

Usage (from the repository root, services up: `bash .ci/services`, which also
installs wrk):

    .venv/bin/python -m bench.api_bench [--seconds 10] [--connections 100,1000]
        [--only bare|postgres|aivideo|fixed,one-query,pg-redis,pg,sqlite]

To measure another checkout's code, put its `src` first on PYTHONPATH (e.g.
`PYTHONPATH=/tmp/before/src .venv/bin/python -m bench.api_bench`): the servers
are subprocesses that inherit it, and the header says which aivideo they import.

Everything runs in one go, so all ratios come from the same machine state.
Servers, each a real process under the same uvicorn options (those `aivideo
serve` passes, aivideo/cli/server_options.py: asyncio's loop, h11, its
limit_concurrency, backlog and keep-alive timeout; access log off; aivideo's
logging):

- `bare fixed` (bench/bare_app.py): GET returns fixed JSON, POST validates a
  small pydantic body: what FastAPI and uvicorn alone cost;
- `bare one-query`: GET is one asyncpg primary-key SELECT, POST one INSERT, on
  a PostgreSQL database of its own (aivideo_bench_bare, made fresh);
- `aivideo pg+redis`, `aivideo pg`, `aivideo sqlite`: `python -m aivideo serve
  --no-access-log` on a fresh PostgreSQL database (`--postgres-url`) with and
  without Redis (`--redis-url`, flushed first), and on the embedded SQLite
  database. API only (AIVIDEO_RENDER_SLOTS=0): the embedded queue takes the
  created videos and nothing renders them, so the figures are the API's alone.
- `aivideo pg+rabbitmq`: as `aivideo pg`, with RabbitMQ as the broker
  (`--broker-url`, a queue of its own, deleted afterwards): every create is
  also published and recorded as sent, as in production.
  Every created video stays queued, so the per-user and total queue limits
  (AIVIDEO_MAX_QUEUED_PER_USER, AIVIDEO_MAX_QUEUED_TOTAL) are raised to a
  million; otherwise the POST runs would be refused with 429. Requests carry an
  API key made with `aivideo keys create` (AIVIDEO_REQUIRE_API_KEY=true).

For each server: 1000 items first (aivideo: created through its API; bare: rows
inserted), an unreported warm-up of `--warmup` seconds per method (5: long
enough for aivideo's cache to hold the 1000; after 1 s, the GET run's first
second was a cold start, and its p99 2.2-2.4x one-query's against 0.7-0.9x warm),
then wrk (-t2, keep-alive, --timeout 2s) for `--seconds` at each
`--connections`, each run once the server is done
with the previous one's requests (settle()): GETs of a random one of those 1000
ids per request (bench/wrk/get.lua), then POSTs of {"text": ...}
(bench/wrk/post.lua). wrk reports through a Lua done() (bench/wrk/report.lua).

The table: requests per second (all answers, then 2xx only), median and p99
latency, socket errors (connect, read, write) plus timeouts, and non-2xx
answers; for aivideo, its 2xx/s divided by the bare fixed and the bare
one-query server's for the same method and connections, and its p99 divided by
bare one-query's. As wrk counts them, an answer slower than --timeout (2 s) is
a timeout and left out of the latencies, and so is, at each of its checks
(every 2 s), a connection whose request has waited longer: with timeouts, the
p99 is that of the answers faster than 2 s, and req/s tells the rest. While
the oldest request in progress has waited more than AIVIDEO_SERVE_MAX_WAIT
(1 s), aivideo answers new ones 503 with Retry-After, after a pause of 0.5 s
(its load shedding); at more connections than uvicorn's limit_concurrency, uvicorn
answers 503 without running the app: both count as non-2xx, and are in the
latencies. The progress lines name the kinds of socket errors. others%:
the share of all cores' time during the run that processes other than the
bench's own (itself, the server, wrk) and PostgreSQL's and Redis's kept busy,
from /proc: on a shared machine, a run with much of it measured less than the
machine could do. The open-file limit is raised to the hard limit for wrk and
the servers.

Caveat: wrk runs on the same cores as the server it measures (2 here), and
its two threads take part of them, so the absolute figures are lower than the
server alone could do; the ratios share that cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aio_pika
import asyncpg
import httpx
import redis.asyncio as redis

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TEXT = "Water evaporates from the sea, rises, cools into clouds and falls again as rain."
ITEMS = 1000
BARE_DATABASE = "aivideo_bench_bare"
ERROR_KINDS = ("connect", "read", "write", "timeout")  # wrk's socket errors
SERVICES = {"postgres", "redis-server"}  # their CPU counts as the server's

TARGETS = ("fixed", "one-query", "pg-redis", "pg", "pg-rabbitmq", "sqlite")
GROUPS = {
    "bare": ("fixed", "one-query"),
    "postgres": ("pg-redis", "pg", "pg-rabbitmq"),
    "aivideo": TARGETS[2:],
}


@dataclass(frozen=True)
class Run:
    """One wrk run's figures."""

    label: str
    method: str
    connections: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int  # connect, read and write errors, and timeouts
    non_2xx: int
    others_cpu: float  # % of the machine's CPU that other processes used meanwhile

    @classmethod
    def from_wrk(
        cls, label: str, method: str, connections: int, out: dict[str, float], others_cpu: float
    ) -> Run:
        return cls(
            label,
            method,
            connections,
            others_cpu=others_cpu,
            requests=int(out["requests"]),
            seconds=out["duration_us"] / 1e6,
            p50_ms=out["p50_us"] / 1000,
            p99_ms=out["p99_us"] / 1000,
            socket_errors=int(sum(out[kind] for kind in ERROR_KINDS)),
            non_2xx=int(out["status"]),
        )

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def ok_per_second(self) -> float:
        return (self.requests - self.non_2xx) / self.seconds


@dataclass(frozen=True)
class Target:
    """A server that is up, and what to send it."""

    label: str
    base_url: str
    get_prefix: str  # + an id
    post_path: str
    ids_file: Path
    key: str | None = None


@asynccontextmanager
async def server(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> AsyncIterator[str]:
    """Run a uvicorn server; yield its base URL once it listens."""
    # Its log goes to a file, not a pipe: nobody reads a pipe during a run, and a
    # full one would stall the server (uvicorn logs every 503 it answers).
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(*command, env=env, cwd=cwd, stderr=log)
        try:
            yield await _listening_url(process, log, command)
        finally:
            process.terminate()
            await process.wait()


async def _listening_url(
    process: asyncio.subprocess.Process, log: IO[bytes], command: list[str]
) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        text = log.read().decode(errors="replace")
        if match := re.search(r"Uvicorn running on (http://[\d.:]+)", text):
            return match.group(1)
        if process.returncode is not None:
            raise RuntimeError(f"{command} stopped before it listened:\n{text[-2000:]}")
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{command} did not listen within 60 s")


async def run(env: dict[str, str], *args: str, cwd: Path = ROOT) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"{args} failed:\n{err.decode(errors='replace')[-2000:]}")
    return out.decode().strip()


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def fresh_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(asyncpg_dsn(url).rsplit("/", 1)[0] + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def clean_env() -> dict[str, str]:
    """This process's environment without AIVIDEO_ settings, which would change a server."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AIVIDEO_")}


def raise_file_limit() -> int:
    """Open files up to the hard limit, for 1000 connections; subprocesses inherit it."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


@dataclass(frozen=True)
class CpuTicks:
    """Clock ticks of CPU used so far: by the machine, by us, and in all."""

    busy: int
    ours: int  # this process, its children (servers, wrk), PostgreSQL and Redis
    total: int


def cpu_ticks() -> CpuTicks:
    # /proc/stat's first line: user nice system idle iowait irq softirq steal ...
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    processes: dict[int, tuple[int, str, int]] = {}  # pid: (parent, name, ticks)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # utime, stime, and the same of the children it has waited for (wrk's, here).
        used = sum(int(n) for n in fields[11:15])
        processes[int(stat.parent.name)] = (int(fields[1]), name, used)
    ours, new = set(), {os.getpid()}
    while new:  # descendants, a generation at a time
        ours |= new
        new = {pid for pid, (parent, _, _) in processes.items() if parent in new}
    ours |= {pid for pid, (_, name, _) in processes.items() if name in SERVICES}
    return CpuTicks(
        busy=sum(ticks) - ticks[3] - ticks[4],
        ours=sum(processes[pid][2] for pid in ours if pid in processes),
        total=sum(ticks),
    )


def others_cpu(before: CpuTicks, after: CpuTicks) -> float:
    """% of all cores' time between the two that processes not ours kept busy."""
    others = (after.busy - before.busy) - (after.ours - before.ours)
    return max(0.0, 100 * others / max(1, after.total - before.total))


def write_ids(path: Path, ids: list[str]) -> Path:
    path.write_text("".join(f"{item_id}\n" for item_id in ids))
    return path


async def wrk(
    url: str, script: str, script_args: list[str], connections: int, seconds: int
) -> dict[str, float]:
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "2s", "--latency",
        "-s", str(BENCH / "wrk" / script), url, "--", *script_args,
    ]  # fmt: skip
    out = await run(os.environ.copy(), *command)
    for line in out.splitlines():
        if line.startswith("wrk-json "):
            figures: dict[str, float] = json.loads(line.removeprefix("wrk-json "))
            return figures
    raise RuntimeError(f"no wrk-json line in wrk's output:\n{out}")


async def measure(target: Target, args: argparse.Namespace) -> list[Run]:
    """A warm-up, then GETs and POSTs at each number of connections."""
    key = [target.key] if target.key else []
    loads = {
        "GET": (target.base_url, "get.lua", [str(target.ids_file), target.get_prefix, *key]),
        "POST": (
            target.base_url + target.post_path,
            "post.lua",
            [json.dumps({"text": TEXT}), *key],
        ),
    }
    runs = []
    for method, (url, script, script_args) in loads.items():
        await wrk(url, script, script_args, min(args.connections), args.warmup)
        for connections in args.connections:
            waited = await settle(target)
            before = cpu_ticks()
            out = await wrk(url, script, script_args, connections, args.seconds)
            others = others_cpu(before, cpu_ticks())
            runs.append(Run.from_wrk(target.label, method, connections, out, others))
            errors = ", ".join(f"{k} {out[k]:.0f}" for k in ERROR_KINDS if out[k])
            print(
                f"  {target.label} {method} {connections}: {runs[-1].per_second:.0f} req/s "
                f"(started {waited:.1f} s after the previous run){'; ' + errors if errors else ''}"
            )
    return runs


async def settle(target: Target) -> float:
    """Wait until the server is done with the previous run: a GET and a POST answered 2xx fast.

    uvicorn goes on with the requests wrk left unanswered; until they are done,
    a new run would be answered 503 (limit_concurrency) or queue behind them. A
    GET alone would not wait for POSTs (aivideo's hold the queue's lock).
    """
    item = target.ids_file.read_text().split("\n", 1)[0]
    headers = {"Authorization": f"Bearer {target.key}"} if target.key else {}
    started = time.monotonic()
    async with httpx.AsyncClient(
        base_url=target.base_url, headers=headers, timeout=60, trust_env=False
    ) as http:
        while time.monotonic() - started < 120:
            sent = time.monotonic()
            got = await http.get(target.get_prefix + item)
            posted = await http.post(target.post_path, json={"text": TEXT})
            if got.is_success and posted.is_success and time.monotonic() - sent < 0.5:
                return time.monotonic() - started
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{target.label} was still busy 120 s after a run")


def bare_command(app: str, *options: str) -> list[str]:
    return [sys.executable, str(BENCH / "bare_app.py"), app, "--port", "0", *options]


async def bench_fixed(args: argparse.Namespace, workdir: Path) -> list[Run]:
    ids = write_ids(workdir / "fixed.ids", [uuid.uuid4().hex for _ in range(ITEMS)])
    async with server(bare_command("fixed"), clean_env(), workdir) as url:
        return await measure(Target("bare fixed", url, "/bare/", "/bare", ids), args)


async def bench_one_query(args: argparse.Namespace, workdir: Path) -> list[Run]:
    database_url = args.postgres_url.rsplit("/", 1)[0] + "/" + BARE_DATABASE
    await fresh_postgres_database(database_url)
    item_ids = [uuid.uuid4().hex for _ in range(ITEMS)]
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute(
            "CREATE TABLE bench_item (id text PRIMARY KEY, text text NOT NULL, title text, "
            "status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
        await connection.executemany(
            "INSERT INTO bench_item (id, text, status) VALUES ($1, $2, 'queued')",
            [(item_id, TEXT) for item_id in item_ids],
        )
    finally:
        await connection.close()
    command = bare_command("one-query", "--database-url", asyncpg_dsn(database_url))
    async with server(command, clean_env(), workdir) as url:
        ids = write_ids(workdir / "one-query.ids", item_ids)
        return await measure(Target("bare one-query", url, "/bare/", "/bare", ids), args)


def aivideo_env(data_dir: str) -> dict[str, str]:
    return {
        **clean_env(),
        "AIVIDEO_DATA_DIR": data_dir,
        "AIVIDEO_REQUIRE_API_KEY": "true",
        # API only: the videos it queues are not made during the run.
        "AIVIDEO_RENDER_SLOTS": "0",
        # Every created video stays queued here: lift the queue limits (429).
        "AIVIDEO_MAX_QUEUED_PER_USER": "1000000",
        "AIVIDEO_MAX_QUEUED_TOTAL": "1000000",
    }


async def bench_aivideo(target: str, args: argparse.Namespace, workdir: Path) -> list[Run]:
    aivideo = [sys.executable, "-m", "aivideo"]
    label = {
        "pg-redis": "aivideo pg+redis",
        "pg": "aivideo pg",
        "pg-rabbitmq": "aivideo pg+rabbitmq",
        "sqlite": "aivideo sqlite",
    }
    with tempfile.TemporaryDirectory() as data_dir:
        env = aivideo_env(data_dir)
        if target != "sqlite":
            await fresh_postgres_database(args.postgres_url)
            env["AIVIDEO_DATABASE_URL"] = args.postgres_url
            await run(env, *aivideo, "db", "upgrade", cwd=Path(data_dir))
        if target == "pg-redis":
            client = redis.Redis.from_url(args.redis_url)
            await client.flushdb()
            await client.aclose()
            env["AIVIDEO_REDIS_URL"] = args.redis_url
        if target == "pg-rabbitmq":
            env["AIVIDEO_BROKER_URL"] = args.broker_url
            env["AIVIDEO_BROKER_QUEUE"] = f"aivideo.bench.api.{os.getpid()}"
        created = await run(env, *aivideo, "keys", "create", "--user", "bench", cwd=Path(data_dir))
        key = created.splitlines()[-1]
        command = [*aivideo, "serve", "--port", "0", "--no-access-log"]
        try:
            async with server(command, env, Path(data_dir)) as url:
                ids = write_ids(workdir / f"{target}.ids", await create_videos(url, key))
                return await measure(
                    Target(label[target], url, "/v1/videos/", "/v1/videos", ids, key), args
                )
        finally:
            if "AIVIDEO_BROKER_QUEUE" in env:
                await delete_queue(args.broker_url, env["AIVIDEO_BROKER_QUEUE"])


async def delete_queue(broker_url: str, name: str) -> None:
    """Drop the run's RabbitMQ queue and the videos published to it."""
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


async def create_videos(base_url: str, key: str, concurrency: int = 16) -> list[str]:
    """ITEMS videos through the API, from ``concurrency`` keep-alive connections."""
    ids: list[str] = []
    todo = iter(range(ITEMS))
    headers = {"Authorization": f"Bearer {key}"}
    # trust_env=False: no proxy from the environment; every request stays on 127.0.0.1.
    async with httpx.AsyncClient(base_url=base_url, headers=headers, trust_env=False) as http:

        async def worker() -> None:
            for _ in todo:
                response = await http.post("/v1/videos", json={"text": TEXT, "title": "bench"})
                response.raise_for_status()
                ids.append(response.json()["id"])

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ids


async def describe(files: int) -> str:
    """Where the servers' aivideo comes from, and the machine's state."""
    probe = (
        "import aivideo; from aivideo.core.config import Settings; s = Settings(); "
        "from aivideo.cli.server_options import uvicorn_options as u; o = u(s); "
        "print(aivideo.__file__, o['loop'], o['limit_concurrency'], o['timeout_keep_alive'])"
    )
    with tempfile.TemporaryDirectory() as cwd:
        source, loop, limit, keep_alive = (
            await run(clean_env(), sys.executable, "-c", probe, cwd=Path(cwd))
        ).split()
    process = await asyncio.create_subprocess_exec("wrk", "-v", stdout=asyncio.subprocess.PIPE)
    version = (await process.communicate())[0].decode().split(" Copyright")[0]
    return (
        f"aivideo from {source}\n"
        f"uvicorn h11 on {loop}, limit_concurrency {limit}, keep-alive {keep_alive} s; "
        f"{version}; {os.cpu_count()} cores; Python {sys.version.split()[0]}; open files {files}"
    )


def ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}" if base else "-"


def ratios(run: Run, fixed: Run | None, query: Run | None) -> str:
    """aivideo's 2xx/s to bare fixed's and bare one-query's, and its p99 to one-query's."""
    return (
        f"{ratio(run.ok_per_second, fixed.ok_per_second if fixed else None):>7} "
        f"{ratio(run.ok_per_second, query.ok_per_second if query else None):>7} "
        f"{ratio(run.p99_ms, query.p99_ms if query else None):>7}"
    )


def report(runs: list[Run]) -> None:
    by_key = {(r.label, r.method, r.connections): r for r in runs}
    print(
        f"{'':18} {'':4} {'conns':>5} {'req/s':>7} {'2xx/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'sockerr':>7} {'non-2xx':>7} {'others%':>7} {'÷fixed':>7} {'÷1query':>7} "
        f"{'p99÷1q':>7}"
    )
    for method in ("GET", "POST"):
        for connections in sorted({r.connections for r in runs}):
            fixed = by_key.get(("bare fixed", method, connections))
            query = by_key.get(("bare one-query", method, connections))
            for r in runs:
                if (r.method, r.connections) != (method, connections):
                    continue
                line = (
                    f"{r.label:18} {method:4} {connections:5d} {r.per_second:7.0f} "
                    f"{r.ok_per_second:7.0f} {r.p50_ms:7.1f} {r.p99_ms:7.1f} "
                    f"{r.socket_errors:7d} {r.non_2xx:7d} {r.others_cpu:7.0f}"
                )
                if r.label.startswith("aivideo"):
                    line += " " + ratios(r, fixed, query)
                print(line)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="Each measured wrk run.")
    parser.add_argument(
        "--warmup", type=int, default=5, help="Seconds of an unreported run per method."
    )
    parser.add_argument(
        "--connections",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[100, 1000],
        help="Comma-separated, one wrk run each.",
    )
    parser.add_argument(
        "--only",
        type=lambda s: [t for name in s.split(",") for t in GROUPS.get(name, (name,))],
        default=list(TARGETS),
        help=f"Comma-separated servers among {', '.join(TARGETS)}, or {', '.join(GROUPS)}.",
    )
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/aivideo_bench"
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/1", help="Flushed before use."
    )
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672/")
    args = parser.parse_args()
    if unknown := set(args.only) - set(TARGETS):
        parser.error(f"--only: no server named {', '.join(sorted(unknown))}")
    return args


async def main(args: argparse.Namespace) -> None:
    started = time.monotonic()
    print(await describe(raise_file_limit()))
    print(f"{args.seconds} s per run at {args.connections} connections, wrk -t2")
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as workdir:
        for target in (t for t in TARGETS if t in args.only):
            if target == "fixed":
                runs += await bench_fixed(args, Path(workdir))
            elif target == "one-query":
                runs += await bench_one_query(args, Path(workdir))
            else:
                runs += await bench_aivideo(target, args, Path(workdir))
    report(runs)
    print(f"wall time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
