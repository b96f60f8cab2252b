"""``aivideo serve`` facing clients without a proxy: its limits, in a real process."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx

from tests.support.cli import cli_env, serve_cli, serve_cli_process
from tests.support.polling import wait_for


async def _connect(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = httpx.URL(base_url)
    return await asyncio.open_connection(url.host, url.port)


async def test_headers_that_never_end_are_cut_off(tmp_path: Path) -> None:
    async with serve_cli(cli_env(tmp_path)) as base_url, httpx.AsyncClient() as client:
        usual = await client.get(f"{base_url}/healthz", headers={"X-Note": "n" * 8_000})
        reader, writer = await _connect(base_url)
        # 20 kB of headers, still going: past AIVIDEO_SERVE_MAX_HEADER_BYTES (16 KiB) the
        # server stops buffering them and refuses, instead of waiting for the end.
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: " + b"n" * 20_000)
        async with asyncio.timeout(10):
            answer = await reader.read()
        writer.close()

    assert usual.status_code == 200
    assert answer.startswith(b"HTTP/1.1 400 ")


async def test_connections_past_the_concurrency_limit_are_answered_503(tmp_path: Path) -> None:
    env = cli_env(tmp_path, AIVIDEO_SERVE_LIMIT_CONCURRENCY="3")
    async with serve_cli(env) as base_url, httpx.AsyncClient() as client:
        idle = [await _connect(base_url) for _ in range(3)]
        refused = await client.get(f"{base_url}/healthz")
        for _, writer in idle:
            writer.close()
            await writer.wait_closed()

        async def answered() -> httpx.Response | None:
            # The server learns of the closed connections a moment later.
            response = await client.get(f"{base_url}/healthz")
            return response if response.status_code == 200 else None

        await wait_for(answered, seconds=10)

    assert refused.status_code == 503


async def test_an_idle_keep_alive_connection_is_closed(tmp_path: Path) -> None:
    env = cli_env(tmp_path, AIVIDEO_SERVE_KEEP_ALIVE_TIMEOUT="1")
    async with serve_cli(env) as base_url:
        reader, writer = await _connect(base_url)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)

        async with asyncio.timeout(4):  # the connection is closed after about 1 s idle
            rest = await reader.read()
        writer.close()

    assert head.startswith(b"HTTP/1.1 200") and rest == b""


async def test_sigterm_stops_the_server_even_with_a_stream_that_never_ends(
    tmp_path: Path,
) -> None:
    env = cli_env(tmp_path, AIVIDEO_RENDER_SLOTS="0", AIVIDEO_SERVE_SHUTDOWN_TIMEOUT="1")
    async with (
        serve_cli_process(env) as (process, base_url),
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
    ):
        # Served on loopback: no key needed. Nothing renders, so the stream never ends.
        video_id = (await client.post("/v1/videos", json={"text": "Waiting."})).json()["id"]
        async with client.stream("GET", f"/v1/videos/{video_id}/progress") as stream:
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith("event:")

            process.send_signal(signal.SIGTERM)
            # The stream gets 1 s of grace, then is cut off; without a limit it never would be.
            async with asyncio.timeout(20):
                await process.wait()
