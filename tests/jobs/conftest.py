"""Jobs against the real things: PostgreSQL, RabbitMQ, Redis, ``aivideo worker`` processes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aio_pika
import pytest
import uuid_utils

from aivideo.config import Settings
from tests.backends import RABBITMQ, REDIS
from tests.conftest import require

# Short leases and quick reconciling, so a dead worker's video moves on in seconds.
FAST_RECOVERY = {
    "lease_seconds": 2.0,
    "reconcile_interval": 0.5,
    "dispatch_grace": 1.0,
    "cancel_check_interval": 0.2,
    "render_slots": 1,
}

# Long enough that a test can catch the render in the middle.
LONG_TEXT = " ".join(
    f"Sentence number {n} tells a little more about how rain becomes rivers and seas."
    for n in range(1, 13)
)


@pytest.fixture
def rabbitmq_url() -> str:
    require(RABBITMQ)
    return RABBITMQ.url


@pytest.fixture
async def broker_queue(rabbitmq_url: str) -> AsyncIterator[str]:
    """A RabbitMQ queue of this test's own, deleted afterwards."""
    name = f"aivideo.test.{uuid_utils.uuid4().hex[:12]}"
    yield name
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


@pytest.fixture
def settings(postgres_url: str, tmp_path: Path, broker_queue: str) -> Settings:
    """Production layout: PostgreSQL, RabbitMQ and Redis; a shared storage folder."""
    require(REDIS)
    return Settings(
        data_dir=tmp_path / "shared",
        database_url=postgres_url,
        broker_url=RABBITMQ.url,
        broker_queue=broker_queue,
        redis_url=REDIS.url,
        **FAST_RECOVERY,
    )


def settings_env(settings: Settings, **overrides: object) -> dict[str, str]:
    """The environment that gives a child process these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIVIDEO_")}
    values = {**settings.model_dump(exclude_none=True), **overrides}
    env.update({f"AIVIDEO_{name.upper()}": str(value) for name, value in values.items()})
    return env


class WorkerProcess:
    """An ``aivideo worker`` in a process of its own, its output in a log file."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    async def wait(self, seconds: float = 60) -> int:
        async with asyncio.timeout(seconds):
            return await self.process.wait()


@pytest.fixture
async def start_worker(
    settings: Settings, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[WorkerProcess]]]:
    started: list[WorkerProcess] = []

    async def start(**overrides: object) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as sink:  # noqa: ASYNC230 - opening an empty file
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "aivideo", "worker",
                env=settings_env(settings, **overrides), stdout=sink, stderr=sink,
            )  # fmt: skip
        worker = WorkerProcess(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.returncode is None:
            worker.kill()
            await worker.process.wait()


@asynccontextmanager
async def rabbitmq_stopped() -> AsyncIterator[None]:
    """RabbitMQ's application stopped for the block, started again after it."""

    async def rabbitmqctl(*args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            "rabbitmqctl", *args, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        assert await process.wait() == 0, f"rabbitmqctl {' '.join(args)} failed"

    await rabbitmqctl("stop_app")
    try:
        yield
    finally:
        await rabbitmqctl("start_app")
        await rabbitmqctl("await_startup")
