"""How long to wait before trying again: exponential, capped, with jitter."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first).

    Doubles per attempt up to ``cap``; the random half spreads out retries of
    many jobs that failed together, so they do not all come back at once.
    """
    # The exponent is bounded: a loop that retries for hours must not overflow a float.
    ceiling = min(cap, base * 2 ** min(max(attempt - 1, 0), 64))
    return random.uniform(ceiling / 2, ceiling)
