"""Requests that arrive while a batch runs are served together by the next one."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from aivideo.core.batches import Batches


class Recorder:
    """Work that doubles numbers, fails on negative ones, and can be held open."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def work(self, items: Sequence[int]) -> list[int | Exception]:
        self.batches.append(list(items))
        await self.release.wait()
        return [ValueError(f"negative: {n}") if n < 0 else 2 * n for n in items]


async def test_a_lone_request_is_served_at_once_in_a_batch_of_its_own() -> None:
    recorder = Recorder()
    batches = Batches(recorder.work, max_size=10, name="test")
    assert await batches.submit(21) == 42
    assert recorder.batches == [[21]]


async def test_requests_that_arrive_during_a_batch_share_the_next_one() -> None:
    recorder = Recorder()
    recorder.release.clear()  # the first batch runs until released
    batches = Batches(recorder.work, max_size=10, name="test")
    first = asyncio.create_task(batches.submit(1))
    await asyncio.sleep(0)  # the first batch has started with 1 alone
    later = [asyncio.create_task(batches.submit(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    assert recorder.batches == [[1]]
    recorder.release.set()
    assert await first == 2
    assert await asyncio.gather(*later) == [4, 6, 8]
    assert recorder.batches == [[1], [2, 3, 4]]


async def test_a_batch_takes_at_most_max_size_requests() -> None:
    recorder = Recorder()
    recorder.release.clear()
    batches = Batches(recorder.work, max_size=2, name="test")
    tasks = [asyncio.create_task(batches.submit(n)) for n in range(5)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert await asyncio.gather(*tasks) == [0, 2, 4, 6, 8]
    assert recorder.batches == [[0, 1], [2, 3], [4]]


async def test_an_item_s_error_is_raised_to_its_request_only() -> None:
    recorder = Recorder()
    recorder.release.clear()
    batches = Batches(recorder.work, max_size=10, name="test")
    good, bad = asyncio.create_task(batches.submit(5)), asyncio.create_task(batches.submit(-1))
    await asyncio.sleep(0)
    recorder.release.set()
    assert await good == 10
    with pytest.raises(ValueError, match="negative: -1"):
        await bad


async def test_a_failed_batch_fails_each_of_its_requests_and_the_next_batch_runs() -> None:
    calls = 0

    async def failing_once(items: Sequence[int]) -> list[int | Exception]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database gone")
        return list(items)

    batches = Batches(failing_once, max_size=10, name="test")
    with pytest.raises(ConnectionError, match="database gone"):
        await batches.submit(1)
    assert await batches.submit(2) == 2


async def test_a_request_cancelled_before_its_batch_starts_is_left_out() -> None:
    recorder = Recorder()
    recorder.release.clear()
    batches = Batches(recorder.work, max_size=10, name="test")
    first = asyncio.create_task(batches.submit(1))
    await asyncio.sleep(0)
    gone, kept = asyncio.create_task(batches.submit(2)), asyncio.create_task(batches.submit(3))
    await asyncio.sleep(0)
    gone.cancel()
    recorder.release.set()
    assert (await first, await kept) == (2, 6)
    assert gone.cancelled()
    assert recorder.batches == [[1], [3]]


async def test_up_to_concurrency_batches_run_at_once_and_the_rest_wait_together() -> None:
    recorder = Recorder()
    recorder.release.clear()
    batches = Batches(recorder.work, max_size=10, name="test", concurrency=2)
    first = asyncio.create_task(batches.submit(1))
    await asyncio.sleep(0)
    second = asyncio.create_task(batches.submit(2))
    await asyncio.sleep(0)
    later = [asyncio.create_task(batches.submit(n)) for n in (3, 4)]
    await asyncio.sleep(0)
    assert recorder.batches == [[1], [2]]  # both running, 3 and 4 waiting
    recorder.release.set()
    assert await asyncio.gather(first, second, *later) == [2, 4, 6, 8]
    assert recorder.batches == [[1], [2], [3, 4]]
