"""`GET /v1/videos/{id}` with no cache, the in-process cache and Redis, as ratios.

Usage (from the repository root, services up: `bash .ci/services`):

    .venv/bin/python -m bench.cache_bench [--requests 5000] [--concurrency 32] [--videos 200]

For each variant it starts a real `aivideo serve` on PostgreSQL (a fresh
database), creates `--videos` videos and cancels them (so nothing renders
during the run), then sends `--requests` gets of random ones among them from
`--concurrency` keep-alive connections (aiohttp), after a warm-up that fills
the cache. The server has one render slot: without Redis, only a `serve` that
makes its own videos caches them in memory. The
variants differ only in their settings: `AIVIDEO_CACHE_VIDEOS=false` (every get
reads the database), the in-process memory cache, and Redis
(`AIVIDEO_REDIS_URL`, the machine's Redis, database 15, flushed first).
Ratios are to the no-cache run. Every get still reads the API key's owner from
the database (keys are not cached: a revoked key must stop working at once).
Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile

import redis.asyncio as redis

from bench.aiohttp_load import Client, Result, drive
from bench.api_bench import ROOT, TEXT, fresh_postgres_database, run, server

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/aivideo_cache_bench"
REDIS_URL = "redis://127.0.0.1:6379/15"

VARIANTS = {
    "no cache": {"AIVIDEO_CACHE_VIDEOS": "false"},
    "memory": {},
    "redis": {"AIVIDEO_REDIS_URL": REDIS_URL},
}


async def bench_variant(label: str, extra_env: dict[str, str], args: argparse.Namespace) -> Result:
    aivideo = str(ROOT / ".venv/bin/aivideo")
    client = redis.Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "AIVIDEO_DATA_DIR": data_dir,
            "AIVIDEO_DATABASE_URL": POSTGRES_URL,
            "AIVIDEO_REQUIRE_API_KEY": "true",
            "AIVIDEO_RENDER_SLOTS": "1",
            "AIVIDEO_MAX_QUEUED_PER_USER": "1000000",
            **extra_env,
        }
        await fresh_postgres_database(POSTGRES_URL)
        await run(env, aivideo, "db", "upgrade")
        key = (await run(env, aivideo, "keys", "create", "--user", "bench")).splitlines()[-1]
        command = [aivideo, "serve", "--port", "0", "--no-access-log"]
        async with server(command, env) as base_url, Client(base_url, args, key) as http:
            ids: list[str] = []

            async def create(i: int) -> int:
                status, body = await http.post_json("/v1/videos", f"{TEXT} {i}")
                ids.append(body["id"])
                return status

            await drive("create", args.videos, args.concurrency, create)
            await drive("cancel", len(ids), args.concurrency, lambda i: http.cancel(ids[i]))

            async def get(i: int) -> int:
                return await http.get(f"/v1/videos/{random.choice(ids)}")

            await drive("warm-up", args.requests // 5, args.concurrency, get)
            return await drive(label, args.requests, args.concurrency, get)


async def main(args: argparse.Namespace) -> None:
    results = [await bench_variant(label, env, args) for label, env in VARIANTS.items()]
    base = results[0]
    print(f"GET /v1/videos/{{id}}: {args.requests} requests, {args.concurrency} connections, "
          f"{args.videos} videos, PostgreSQL")  # fmt: skip
    print(f"{'variant':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
          f" {'× req/s':>8} {'× p99':>7}")  # fmt: skip
    for result in results:
        print(
            f"{result.label:<10} {result.per_second:>8.0f} {result.percentile(50):>8.1f} "
            f"{result.percentile(99):>8.1f} {result.errors:>7} "
            f"{result.per_second / base.per_second:>8.2f} "
            f"{result.percentile(99) / base.percentile(99):>7.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--videos", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
