"""A small filesystem of its own (tmpfs), to run out of space on purpose. Needs root."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest


async def _mount(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec("mount", *args, stderr=asyncio.subprocess.PIPE)
    _, error = await process.communicate()
    return process.returncode or 0, error.decode().strip()


@asynccontextmanager
async def small_disk(mount_point: Path, size: str) -> AsyncIterator[Path]:
    """A tmpfs of ``size`` (e.g. "800k") at ``mount_point``; the test is skipped without root."""
    await asyncio.to_thread(mount_point.mkdir, parents=True, exist_ok=True)
    code, error = await _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point))
    if code != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {error}")
    try:
        yield mount_point
    finally:
        unmount = await asyncio.create_subprocess_exec("umount", "--lazy", str(mount_point))
        await unmount.wait()


async def grow(mount_point: Path, size: str) -> None:
    """Make the tmpfs at ``mount_point`` larger: room appears, as when an operator frees some."""
    code, error = await _mount("-o", f"remount,size={size}", str(mount_point))
    assert code == 0, error
