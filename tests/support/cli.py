"""Running the ``aivideo`` command as a user runs it: a real process, a real server."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

AIVIDEO = [sys.executable, "-m", "aivideo"]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    # The suite's one patched voice model is shared (tests/conftest.py); nothing else is.
    shared = {"AIVIDEO_VOICE_MODELS_DIR"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIVIDEO_") or k in shared}
    return {**env, "AIVIDEO_DATA_DIR": str(data_dir), **extra}


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *AIVIDEO, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@asynccontextmanager
async def serve_cli(env: dict[str, str], *args: str) -> AsyncIterator[str]:
    """Start ``aivideo serve`` on a free port; yields its base URL."""
    async with serve_cli_process(env, *args) as (_, base_url):
        yield base_url


@asynccontextmanager
async def serve_cli_process(
    env: dict[str, str], *args: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """Start ``aivideo serve`` on a free port; yields the process and its base URL."""
    process = await asyncio.create_subprocess_exec(
        *AIVIDEO, "serve", "--port", "0", *args, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    try:
        async with asyncio.timeout(60):
            while line := (await process.stderr.readline()).decode():
                if match := re.search(r"Uvicorn running on (http://\S+)", line):
                    break
            else:
                raise AssertionError("aivideo serve stopped before it was ready")
        yield process, match.group(1)
    finally:
        if process.returncode is None:  # a test may have stopped it already
            process.terminate()
        await process.wait()
