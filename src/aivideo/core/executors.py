"""Where sync-only and CPU-heavy work runs: off the event loop, in bounded pools.

The process's resources (``aivideo.runtime.resources``) own the pools; the
layers below them ask only for this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Executors(Protocol):
    async def run_in_thread(self, func: Callable[..., T], *args: Any) -> T:
        """Run a sync-only library call in the bounded thread pool."""
        ...

    async def run_in_process(self, func: Callable[..., T], *args: Any) -> T:
        """Run CPU-heavy work in the process pool (``func`` and args must pickle)."""
        ...
