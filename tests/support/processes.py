"""Whether a process still exists, for tests that check what is left running."""

from __future__ import annotations

import os


def is_alive(pid: int) -> bool:
    """True while ``pid`` exists (a zombie not yet reaped counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
