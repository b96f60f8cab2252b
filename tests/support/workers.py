"""``aivideo worker`` processes and RabbitMQ outages, for the job tests."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aivideo.core.config import Settings

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
