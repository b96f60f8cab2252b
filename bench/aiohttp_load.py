"""Load from this process (aiohttp), for benchmarks that need each response's body.

cache_bench.py drives `aivideo serve` with these; api_bench.py uses wrk instead,
which does not share a Python process's event loop with its own bookkeeping.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp


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
