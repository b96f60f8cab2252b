"""Watching the garbage collector: how long does each of its passes stop the process?

A pass of CPython's cycle collector stops the process while it walks the
objects of its generation. With thousands of progress streams open those are
millions of objects: measured with bench/stream_bench.py, full passes of
0.3-0.5 s while 10 000 streams opened, and 0.7 s when they closed. Timed here,
by generation, so that a stall of the event loop (aivideo.observability.loop_lag)
can be told to be the collector's.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from aivideo.observability.metrics import GC_PAUSE_SECONDS

logger = logging.getLogger(__name__)

WARN_AFTER = 0.25  # seconds: as the loop lag monitor's

_started = 0.0  # when the pass in progress began
_users = 0  # apps of this process that want the passes timed (tests run several)


def install() -> None:
    """Time every pass of the collector from now on, until as many :func:`remove` calls."""
    global _users
    _users += 1
    if _users == 1:
        gc.callbacks.append(_record)


def remove() -> None:
    global _users
    _users -= 1
    if _users == 0:
        gc.callbacks.remove(_record)


def _record(phase: str, info: dict[str, Any]) -> None:
    global _started
    if phase == "start":
        _started = time.perf_counter()
        return
    took = time.perf_counter() - _started
    generation = info["generation"]
    GC_PAUSE_SECONDS.labels(str(generation)).observe(took)
    if took > WARN_AFTER:
        logger.warning(
            "the garbage collector stopped the process for %.0f ms (a pass of generation %d)",
            took * 1000, generation,
        )  # fmt: skip
