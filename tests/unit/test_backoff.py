"""Retry delays: they double per attempt, stop at the cap, and jitter within their upper half."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from aivideo.core.backoff import backoff_delay

DRAWS = 500


@pytest.fixture(autouse=True)
def seeded_random() -> Iterator[None]:
    """Reproducible draws, without changing the random state other tests see."""
    state = random.getstate()
    random.seed(1234)
    yield
    random.setstate(state)


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (50, 60.0)],  # 1 s doubled, cap 60
)
def test_delay_lies_in_the_upper_half_of_its_ceiling(attempt: int, ceiling: float) -> None:
    delays = [backoff_delay(attempt, base=1.0, cap=60.0) for _ in range(DRAWS)]

    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    # The jitter really spreads them over that half, not just one value.
    assert min(delays) < ceiling * 0.55 and max(delays) > ceiling * 0.95


def test_delays_never_shrink_while_below_the_cap() -> None:
    # Attempt n draws from [c/2, c], attempt n+1 from [c, 2c]: whatever the jitter.
    # Ceilings 0.5, 1, 2, 4, 8, 16 s; attempt 7 (32 s, capped to 30) could draw 15 < 16.
    for _ in range(DRAWS):
        delays = [backoff_delay(attempt, base=0.5, cap=30.0) for attempt in range(1, 7)]
        assert delays == sorted(delays)


def test_attempt_zero_waits_like_the_first() -> None:
    assert all(1.0 <= backoff_delay(0, base=2.0, cap=60.0) <= 2.0 for _ in range(DRAWS))


def test_a_cap_below_the_base_wins() -> None:
    assert all(2.5 <= backoff_delay(1, base=10.0, cap=5.0) <= 5.0 for _ in range(DRAWS))


def test_a_retry_loop_that_runs_for_hours_still_gets_the_cap() -> None:
    # A broker down for hours: the attempt count grows past what 2 ** n can hold in a float.
    assert all(15.0 <= backoff_delay(5000, base=1.0, cap=30.0) <= 30.0 for _ in range(DRAWS))
