"""Jobs against the real things: PostgreSQL, RabbitMQ, Redis, ``aivideo worker`` processes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aio_pika
import pytest
import uuid_utils

from aivideo.core.config import Settings
from tests.support.backends import RABBITMQ, REDIS, require
from tests.support.workers import FAST_RECOVERY, WorkerProcess, settings_env


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
