"""A TCP proxy on loopback that hangs up after the first N bytes of each answer.

A download through it breaks off part-way, every time at the same place: the
connection a flaky network drops, without waiting for the moment to come.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limit: int) -> None:
    """Copy at most ``limit`` bytes from ``reader`` to ``writer``."""
    sent = 0
    while sent < limit and (data := await reader.read(min(65536, limit - sent))):
        writer.write(data)
        await writer.drain()
        sent += len(data)


@asynccontextmanager
async def cutting_proxy(base_url: str, answer_bytes: int) -> AsyncIterator[str]:
    """Forward to ``base_url``, cutting each answer after ``answer_bytes``; yields its base URL."""
    target = httpx.URL(base_url)

    async def handle(client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        server_reader, server = await asyncio.open_connection(target.host, target.port)
        request = asyncio.create_task(_pipe(client_reader, server, limit=1 << 62))
        try:
            with contextlib.suppress(OSError):
                await _pipe(server_reader, client, limit=answer_bytes)
        finally:
            request.cancel()
            await asyncio.gather(request, return_exceptions=True)
            for writer in (client, server):
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    proxy = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        port = proxy.sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        proxy.close()
        await proxy.wait_closed()
