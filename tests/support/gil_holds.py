"""How long a call holds the GIL at a stretch, measured in CPU time (not wall time).

Python code lets the GIL go every few milliseconds; C code (a regular
expression's ``sub``, say) keeps it until it returns or calls Python. So the
longest stretch spent in C between two Python steps is the longest time every
other thread, the event loop's among them, was kept waiting. CPU time, not wall time, so a
busy machine does not change the answer.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any


def longest_gil_hold(func: Callable[[], object]) -> float:
    """Run ``func``; the most CPU seconds spent in C code between two Python steps."""
    running: list[bool] = []  # per call in progress: is it a C one?
    longest, since = 0.0, time.thread_time()

    def watch(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal longest, since
        now = time.thread_time()
        if running and running[-1]:  # C code ran since the last event, no Python inside
            longest = max(longest, now - since)
        if event in ("call", "c_call"):
            running.append(event == "c_call")
        elif running:
            running.pop()
        since = time.thread_time()  # the hook's own time does not count

    sys.setprofile(watch)
    try:
        func()
    finally:
        sys.setprofile(None)
    return longest
