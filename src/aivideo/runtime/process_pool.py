"""The CPU pool: worker processes for the heavy work, replaced when one dies.

A pool process killed by the kernel (the OOM killer) or crashing in a native
library breaks a ``ProcessPoolExecutor`` for good: every later ``submit``
raises ``BrokenProcessPool``, so every later video would fail. Here the broken
executor is replaced by a new one, once however many calls notice it at the
same time. The work that was in the pool when it broke is lost: each call that
waited for it fails with :class:`WorkerProcessLost`, a transient error, so its
video is tried again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from aivideo.core.errors import WorkerProcessLost
from aivideo.runtime.pool_process import start_pool_process
from aivideo.runtime.worker_memory import call_then_release_memory

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ProcessPool:
    """``size`` worker processes; ``run`` hands them work, a broken pool is replaced.

    ``max_pixels``: the largest picture Pillow may open in them.
    """

    def __init__(self, size: int, max_pixels: int) -> None:
        self.size = size
        self.max_pixels = max_pixels
        self.replacements = 0  # pools replaced because a process died
        self.broken = False  # one died and no new pool could be made yet
        self._executor: ProcessPoolExecutor | None = None
        self._replacing = asyncio.Lock()

    async def start(self) -> None:
        self._executor = await asyncio.to_thread(self._new_executor)

    def _new_executor(self) -> ProcessPoolExecutor:
        # "spawn": a forked child would inherit the event loop and open sockets.
        # Made in a thread: creating it starts multiprocessing's resource tracker.
        return ProcessPoolExecutor(
            max_workers=self.size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_pool_process,
            initargs=(os.getpid(), self.max_pixels),
        )

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in a worker process (both must pickle).

        Raises:
            WorkerProcessLost: a process of the pool died while this work was in
                it; the pool is replaced, the work is not run again here.
        """
        executor = self._running()
        try:
            # submit() may spawn a worker process, which blocks: submit from a thread.
            future = await asyncio.to_thread(executor.submit, call_then_release_memory, func, *args)
        except BrokenProcessPool:
            # It broke before this work was handed over: nothing of it was lost.
            executor = await self._replace(executor)
            future = await asyncio.to_thread(executor.submit, call_then_release_memory, func, *args)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            await self._replace(executor)
            raise WorkerProcessLost(
                "a worker process died while making this video (killed by the system, "
                "perhaps for lack of memory); the video is tried again"
            ) from exc

    def _running(self) -> ProcessPoolExecutor:
        if self._executor is None:
            raise RuntimeError("the process pool is not started")
        return self._executor

    async def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A working executor instead of ``broken``; only the first caller makes it."""
        async with self._replacing:
            if self._executor is broken:
                self.broken = True  # until a new pool starts (making one may fail too)
                self._executor = await asyncio.to_thread(self._new_executor)
                self.broken = False
                self.replacements += 1
                logger.warning(
                    "a process of the CPU pool died; the pool is replaced (%d so far)",
                    self.replacements,
                )
                # Its processes are gone; this joins the threads that watched them.
                await asyncio.to_thread(broken.shutdown, wait=True, cancel_futures=True)
        return self._running()

    async def renew(self) -> None:
        """New processes for the pool, started when next needed; the old ones end.

        What the old ones held goes back to the system (a process that has spoken
        holds its voice, about 230 MB). Work already handed to them finishes there,
        without holding up the caller; then they end, reaped by the executor's thread.
        """
        old = self._running()
        self._executor = await asyncio.to_thread(self._new_executor)
        old.shutdown(wait=False)  # does not block: it only tells the old processes to end

    def describe(self) -> str:
        """The pool as ``/readyz`` shows it."""
        if not self.replacements:
            return f"{self.size} processes"
        return (
            f"{self.size} processes; replaced {self.replacements} time(s) since start "
            "because a process died (killed, perhaps for lack of memory)"
        )

    async def shutdown(self) -> None:
        if self._executor is not None:
            # shutdown(wait=True) joins processes: off the loop.
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
