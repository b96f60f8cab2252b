"""From create to completed: a video made through MCP against the same video through the API.

Usage (from the repository root):

    .venv/bin/python -m bench.mcp_bench [--repetitions 5]

It starts a real `aivideo serve` on loopback (SQLite in a temporary data folder,
API keys required, the videos made in the same process) and makes an API key.
Each repetition makes two videos, one after the other, with the same options
(the lowest quality, a two-sentence text) and each its own text (so no cache
of one helps the other), in alternating order:

- MCP: the official MCP client over streamable HTTP at `/mcp`, one
  `create_video` call with `wait_seconds` (the server follows the video, woken
  by its live events, and answers once it is completed);
- API: `POST /v1/videos`, then its progress stream (Server-Sent Events) until
  the `done` event, with `aivideo.client.AsyncClient`.

Both clocks start just before the create and stop when the client knows the
video is completed. A first video of each kind, not counted, warms the server
up (the voice model, the first render).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from aivideo.client import AsyncClient
from aivideo.client.events import DoneEvent

ROOT = Path(__file__).resolve().parent.parent
AIVIDEO = [sys.executable, "-m", "aivideo"]
OPTIONS = {"quality": "low", "subtitles": "burned"}
WAIT_SECONDS = 300

Maker = Callable[[str], Awaitable[float]]


def _text(number: int) -> str:
    return f"Rain falls on hill number {number}. Rivers carry it down to the sea."


def _environment(data_dir: Path) -> dict[str, str]:
    # Only what this bench sets: not a database, cache or broker of the caller's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIVIDEO_")}
    return {**env, "AIVIDEO_DATA_DIR": str(data_dir), "AIVIDEO_REQUIRE_API_KEY": "true"}


async def _command(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *AIVIDEO, *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    if process.returncode:
        raise RuntimeError(f"aivideo {' '.join(args)} failed: {err.decode()}")
    return out.decode().strip()


@asynccontextmanager
async def running_serve(env: dict[str, str]) -> AsyncIterator[str]:
    """`aivideo serve` on a free loopback port; yields its base URL."""
    process = await asyncio.create_subprocess_exec(
        *AIVIDEO, "serve", "--port", "0", "--no-access-log",
        env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    drain: asyncio.Task[bytes] | None = None
    try:
        async with asyncio.timeout(60):
            while line := (await process.stderr.readline()).decode():
                if found := re.search(r"Uvicorn running on (http://\S+)", line):
                    break
            else:
                raise RuntimeError("aivideo serve stopped before it was ready")
        # Read what it logs from now on, so that a full pipe never stops it.
        drain = asyncio.create_task(process.stderr.read())
        yield found.group(1)
    finally:
        process.terminate()
        await process.wait()
        if drain is not None:
            await drain


@asynccontextmanager
async def mcp_agent(base_url: str, key: str) -> AsyncIterator[Maker]:
    """Make a video with one `create_video` call that waits for it."""
    headers = {"Authorization": f"Bearer {key}"}
    timeout = httpx2.Timeout(30, read=WAIT_SECONDS + 30)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
        transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
        async with Client(transport, read_timeout_seconds=WAIT_SECONDS + 30) as agent:

            async def make(text: str) -> float:
                started = time.perf_counter()
                arguments = {"text": text, **OPTIONS, "wait_seconds": WAIT_SECONDS}
                result = await agent.call_tool("create_video", arguments)
                elapsed = time.perf_counter() - started
                video = result.structured_content or {}
                if result.is_error or video.get("status") != "completed":
                    raise RuntimeError(f"MCP: the video did not complete: {result.content}")
                return elapsed

            yield make


@asynccontextmanager
async def api_client(base_url: str, key: str) -> AsyncIterator[Maker]:
    """Make a video with POST /v1/videos, then follow its progress stream to the end."""
    async with AsyncClient(base_url, api_key=key) as client:

        async def make(text: str) -> float:
            started = time.perf_counter()
            video = await client.create(text=text, **OPTIONS)
            async for event in client.progress(video.id):
                if isinstance(event, DoneEvent):
                    elapsed = time.perf_counter() - started
                    if event.status != "completed":
                        raise RuntimeError(f"API: the video ended {event.status}")
                    return elapsed
            raise RuntimeError("API: the progress stream ended without a done event")

        yield make


def _table(rows: list[tuple[float, float]]) -> str:
    lines = ["| repetition | MCP (s) | API (s) | MCP / API |", "|---|---|---|---|"]
    for number, (mcp, api) in enumerate(rows, 1):
        lines.append(f"| {number} | {mcp:.2f} | {api:.2f} | {mcp / api:.2f} |")
    mcp_median = statistics.median(mcp for mcp, _ in rows)
    api_median = statistics.median(api for _, api in rows)
    lines.append(
        f"| median | {mcp_median:.2f} | {api_median:.2f} | {mcp_median / api_median:.2f} |"
    )
    return "\n".join(lines)


async def main(repetitions: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as folder:
        env = _environment(Path(folder))
        key = await _command(env, "keys", "create", "--user", "bench")
        async with (
            running_serve(env) as base_url,
            mcp_agent(base_url, key) as through_mcp,
            api_client(base_url, key) as through_api,
        ):
            await through_mcp(_text(0))  # warm-up, not counted
            await through_api(_text(1))
            rows = []
            for repetition in range(repetitions):
                mcp_text, api_text = _text(2 * repetition + 2), _text(2 * repetition + 3)
                if repetition % 2:  # alternate who goes first
                    api = await through_api(api_text)
                    mcp = await through_mcp(mcp_text)
                else:
                    mcp = await through_mcp(mcp_text)
                    api = await through_api(api_text)
                rows.append((mcp, api))
                print(f"repetition {repetition + 1}: MCP {mcp:.2f} s, API {api:.2f} s", flush=True)
    print()
    print(f"create to completed, {OPTIONS}, {repetitions} repetitions:")
    print(_table(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=5)
    asyncio.run(main(parser.parse_args().repetitions))
