"""A private redis-server on its own port, which a test may kill and start again."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from tests.support.polling import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self._process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await wait_for(self._answers, seconds=10)

    async def kill(self) -> None:
        """Gone at once, as after a crash: no shutdown, no goodbye to clients."""
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGKILL)  # works on a paused process too
            await self._process.wait()

    async def pause(self) -> None:
        """Stop answering, keeping the data (SIGSTOP): a hung server or a network cut."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    async def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)
        await wait_for(self._answers, seconds=10)

    async def _answers(self) -> bool:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.write(b"PING\r\n")
        reply = await reader.readline()
        writer.close()
        await writer.wait_closed()
        return reply == b"+PONG\r\n"


@contextlib.asynccontextmanager
async def redis_server(folder: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(folder)
    await server.start()
    try:
        yield server
    finally:
        await server.kill()
