"""How many cores this process may run on."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may use: fewer than the machine's when pinned (``taskset``,
    a container's cpuset), so one worker per core starts one encoder and one speech
    process, not as many as the machine has."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
