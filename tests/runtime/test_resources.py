"""The resource manager's lifecycle: open once, close in reverse, survive a bad part."""

from __future__ import annotations

import logging
import os
import threading

import pytest

from aivideo.core.config import Settings
from aivideo.core.errors import ResourceLifecycleError
from aivideo.runtime.resources import Resources, ResourceState


@pytest.fixture
def settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(data_dir=tmp_path, process_pool_size=1, thread_pool_size=2)


async def test_open_twice_is_an_error(settings: Settings) -> None:
    async with Resources(settings) as resources:
        with pytest.raises(ResourceLifecycleError, match="already opened"):
            await resources.open()


async def test_use_before_open_and_after_close_is_a_clear_error(settings: Settings) -> None:
    resources = Resources(settings)
    with pytest.raises(ResourceLifecycleError, match="resources are unopened"):
        _ = resources.engine

    async with resources:
        assert resources.state is ResourceState.OPENED
    assert resources.state is ResourceState.CLOSED

    with pytest.raises(ResourceLifecycleError, match="resources are closed"):
        _ = resources.http
    with pytest.raises(ResourceLifecycleError, match="cannot be opened"):
        await resources.open()


async def test_close_goes_on_when_one_part_fails(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    resources = Resources(settings)
    await resources.open()
    http = resources.http

    async def broken_dispose() -> None:
        raise OSError("disk on fire")

    # The engine is the last part opened, so it is the first closed.
    resources._closers[-1] = ("database engine", broken_dispose)
    with caplog.at_level(logging.ERROR):
        await resources.close()

    assert "closing the database engine failed" in caplog.text
    assert http.is_closed  # closed after the failing part
    assert resources.state is ResourceState.CLOSED


async def test_sync_work_runs_in_the_thread_pool(settings: Settings) -> None:
    async with Resources(settings) as resources:
        thread_name = await resources.run_in_thread(lambda: threading.current_thread().name)
    assert thread_name.startswith("aivideo-io")


async def test_cpu_work_runs_in_another_process(settings: Settings) -> None:
    async with Resources(settings) as resources:
        pid = await resources.run_in_process(os.getpid)
    assert pid != os.getpid()
