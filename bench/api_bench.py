"""Throughput and latency of `aivideo serve`: create and get, on SQLite and PostgreSQL.

Usage (from the repository root, services up: `bash .ci/services`):

    .venv/bin/python -m bench.api_bench [--requests 3000] [--concurrency 32]

For each database it starts a real `aivideo serve` process (access log off, no
render slots, so it only takes requests),
creates an API key with `aivideo keys create`, then drives it from this process
with `--concurrency` keep-alive connections (aiohttp): first `--requests` creates, then as
many gets of random ids among those created. The same load then goes to a bare
FastAPI app under the same uvicorn (bench/bare_app.py), and the table shows each
figure as a ratio of that baseline. Client and server share this machine's
cores, so the absolute numbers include the load generator's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Water evaporates from the sea, rises, cools into clouds and falls again as rain."


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def drive(
    label: str, total: int, concurrency: int, send: Callable[[int], Awaitable[int]]
) -> Result:
    """Send ``total`` requests from ``concurrency`` workers; time each one."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        for i in counter:
            started = time.perf_counter()
            status = await send(i)
            latencies.append(time.perf_counter() - started)
            errors += status >= 400

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(label, total, time.perf_counter() - started, latencies, errors)


@asynccontextmanager
async def server(command: list[str], env: dict[str, str]) -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    try:
        while line := (await process.stderr.readline()).decode():
            if match := re.search(r"Uvicorn running on (http://\S+)", line):
                break
        else:
            raise RuntimeError(f"{command} stopped before it was ready")
        yield match.group(1)
    finally:
        process.terminate()
        await process.wait()


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


async def bench_aivideo(
    label: str, database_url: str | None, args: argparse.Namespace
) -> list[Result]:
    aivideo = [str(ROOT / ".venv/bin/aivideo")]
    with tempfile.TemporaryDirectory() as data_dir:
        # An API-only process (AIVIDEO_RENDER_SLOTS=0): the videos it queues are not
        # made during the run, so the figures are the API's alone.
        env = {
            **os.environ,
            "AIVIDEO_DATA_DIR": data_dir,
            "AIVIDEO_REQUIRE_API_KEY": "true",
            "AIVIDEO_RENDER_SLOTS": "0",
            # Every created video stays queued here: lift the queue limits (429).
            "AIVIDEO_MAX_QUEUED_PER_USER": "1000000",
            "AIVIDEO_MAX_QUEUED_TOTAL": "1000000",
        }
        if database_url:
            await fresh_postgres_database(database_url)
            env["AIVIDEO_DATABASE_URL"] = database_url
            await run(env, *aivideo, "db", "upgrade")
        key = (await run(env, *aivideo, "keys", "create", "--user", "bench")).splitlines()[-1]
        command = [*aivideo, "serve", "--port", "0", "--no-access-log"]
        async with server(command, env) as base_url, Client(base_url, args, key) as http:
            await drive("warm-up", 200, args.concurrency, lambda i: http.post("/v1/videos", TEXT))
            ids: list[str] = []

            async def create(i: int) -> int:
                status, body = await http.post_json("/v1/videos", f"{TEXT} {i}")
                if status == 202:
                    ids.append(body["id"])
                return status

            created = await drive(f"{label} create", args.requests, args.concurrency, create)
            got = await drive(
                f"{label} get",
                args.requests,
                args.concurrency,
                lambda i: http.get(f"/v1/videos/{random.choice(ids)}"),
            )
    return [created, got]


async def bench_bare(args: argparse.Namespace) -> list[Result]:
    uvicorn = str(ROOT / ".venv/bin/uvicorn")
    command = [uvicorn, "bench.bare_app:app", "--port", "0", "--no-access-log"]
    async with server(command, dict(os.environ)) as base_url, Client(base_url, args) as http:
        await drive("warm-up", 200, args.concurrency, lambda i: http.get("/bare/x"))
        created = await drive(
            "bare POST",
            args.requests,
            args.concurrency,
            lambda i: http.post("/bare", f"{TEXT} {i}"),
        )
        got = await drive(
            "bare GET", args.requests, args.concurrency, lambda i: http.get(f"/bare/{i}")
        )
    return [created, got]


class Client:
    """Keep-alive connections to one server; each call returns the status code."""

    def __init__(self, base_url: str, args: argparse.Namespace, key: str | None = None) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.connector = aiohttp.TCPConnector(limit=args.concurrency)

    async def __aenter__(self) -> Client:
        self.session = aiohttp.ClientSession(
            self.base_url, connector=self.connector, headers=self.headers
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.session.close()

    async def post_json(self, path: str, text: str) -> tuple[int, dict[str, Any]]:
        body = {"text": text, "title": "bench"}
        async with self.session.post(path, json=body) as response:
            return response.status, await response.json()

    async def post(self, path: str, text: str) -> int:
        return (await self.post_json(path, text))[0]

    async def cancel(self, video_id: str) -> int:
        async with self.session.post(f"/v1/videos/{video_id}/cancel") as response:
            await response.read()
            return response.status

    async def get(self, path: str) -> int:
        async with self.session.get(path) as response:
            await response.read()
            return response.status


def report(results: list[Result], bare: list[Result]) -> None:
    baseline = {"create": bare[0].per_second, "get": bare[1].per_second}
    print(f"{'':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs bare':>8}")
    for result in [*bare, *results]:
        kind = "create" if result.label.endswith(("create", "POST")) else "get"
        ratio = result.per_second / baseline[kind]
        print(
            f"{result.label:22} {result.per_second:8.0f} {result.percentile(50):8.1f} "
            f"{result.percentile(99):8.1f} {result.errors:7d} {ratio:8.2f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/aivideo_bench"
    )
    args = parser.parse_args()
    print(
        f"{args.requests} requests per phase, {args.concurrency} concurrent clients, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    bare = await bench_bare(args)
    results = await bench_aivideo("sqlite", None, args)
    results += await bench_aivideo("postgresql", args.postgres_url, args)
    report(results, bare)


if __name__ == "__main__":
    asyncio.run(main())
