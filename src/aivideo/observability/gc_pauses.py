"""The garbage collector's passes: timed, and kept short.

A pass of CPython's cycle collector stops the process while it walks the
objects of its generation, and a full pass walks every object alive. With
10 000 progress streams open those are about two million: measured with
bench/stream_bench.py, full passes of 0.3-0.5 s while the streams opened and
0.7 s when they closed, each a stall of the event loop. Every pass is timed
here, by generation, and one over ``WARN_AFTER`` is logged, so that a stall
of the loop (aivideo.observability.loop_lag) can be told to be the collector's.

A full pass longer than ``FREEZE_AFTER`` freezes what it found alive
(``gc.freeze``: never walked again), so later passes walk only newer objects:
0.11-0.14 s in the same benchmark. Right after a full pass everything the
collector tracks is alive, so no garbage is frozen. But a cycle of frozen
objects that dies later is only collected once thawed: every ``THAW_EVERY``
the frozen objects go back to the collector, whose next full pass walks them
once (and may freeze the survivors again).
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from aivideo.observability.metrics import GC_PAUSE_SECONDS

logger = logging.getLogger(__name__)

WARN_AFTER = 0.25  # seconds: as the loop lag monitor's
FREEZE_AFTER = 0.1  # seconds of a full pass
THAW_EVERY = 600.0  # seconds: how long a dead frozen cycle may hold its memory

_started = 0.0  # when the pass in progress began
_thawed_at = time.monotonic()
_users = 0  # apps of this process that want the passes timed (tests run several)


def install() -> None:
    """Time every pass of the collector (freezing after long ones) until as many :func:`remove`."""
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
    if generation == 2:
        _after_full_pass(took)


def _after_full_pass(took: float) -> None:
    """Thaw what is frozen if it is time to, else freeze the survivors of a long pass."""
    global _thawed_at
    now = time.monotonic()
    if now - _thawed_at >= THAW_EVERY:
        _thawed_at = now
        gc.unfreeze()
    elif took > FREEZE_AFTER:
        gc.freeze()
        logger.info("froze the objects a %.0f ms pass of the collector found alive", took * 1000)
