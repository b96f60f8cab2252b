"""``GET /v1/videos/{id}`` 20 times a second, one at a time, from a process of its own.

Started by bench/stream_bench.py: it asks whether the server still answers
while thousands of streams open. In the process that holds those streams its
own pauses (reading 10 000 sockets, collecting their garbage) would count as
the server's. Prints a line per request: when it was sent (``time.monotonic``,
the same clock in every process), how long the answer took, and the status
(0: no answer).

    .venv/bin/python -m bench.get_probe PORT KEY VIDEO_ID [VIDEO_ID ...]
"""

from __future__ import annotations

import asyncio
import random
import sys
import time

import aiohttp

EVERY = 0.05  # seconds from one request's start to the next one's, unless it took longer


async def probe(port: int, key: str, video_ids: list[str]) -> None:
    async with aiohttp.ClientSession(
        f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=aiohttp.ClientTimeout(total=10),
        connector=aiohttp.TCPConnector(limit=1),
    ) as http:
        while True:
            sent = time.monotonic()
            try:
                async with http.get(f"/v1/videos/{random.choice(video_ids)}") as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            took = time.monotonic() - sent
            print(f"{sent:.4f} {took:.4f} {status}", flush=True)
            await asyncio.sleep(max(0.0, EVERY - took))


if __name__ == "__main__":
    asyncio.run(probe(int(sys.argv[1]), sys.argv[2], sys.argv[3:]))
