"""Prometheus metrics: what every part of aivideo counts and times.

One module holds every metric so their names stay consistent. Operations are
timed into one histogram by kind (``database``, ``http``, ``storage``,
``stage``, ``cache``) and name; histograms give count, sum (so the average)
and a distribution, and two gauges keep each operation's exact minimum and
maximum, which a histogram cannot.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram

# From a cached lookup (under a millisecond) to a long render (half an hour).
_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    300, 1800,
)  # fmt: skip

HTTP_REQUESTS = Counter(
    "aivideo_http_requests_total", "Requests answered, by route and status.",
    ["method", "route", "status"],
)  # fmt: skip
HTTP_REQUEST_SECONDS = Histogram(
    "aivideo_http_request_seconds", "Time to answer a request, by route.",
    ["method", "route"], buckets=_BUCKETS,
)  # fmt: skip

OPERATION_SECONDS = Histogram(
    "aivideo_operation_seconds", "Time taken by one operation, by kind and name.",
    ["kind", "name"], buckets=_BUCKETS,
)  # fmt: skip
OPERATION_MIN_SECONDS = Gauge(
    "aivideo_operation_min_seconds", "Fastest operation of its kind so far.", ["kind", "name"]
)
OPERATION_MAX_SECONDS = Gauge(
    "aivideo_operation_max_seconds", "Slowest operation of its kind so far.", ["kind", "name"]
)

VIDEOS = Gauge("aivideo_videos", "Videos in the database, by status.", ["status"])
WORKER_SLOTS = Gauge("aivideo_worker_slots", "Videos this process may make at once.")
WORKER_SLOTS_BUSY = Gauge("aivideo_worker_slots_busy", "Videos this process is making now.")
RETRIES = Counter("aivideo_retries_total", "Retries, by cause.", ["cause"])
CACHE_REQUESTS = Counter("aivideo_cache_requests_total", "Cache lookups, by result.", ["result"])

EVENT_LOOP_LAG_SECONDS = Histogram(
    "aivideo_event_loop_lag_seconds",
    "How late the event loop ran a timer: the time something blocked it.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENT_LOOP_LAG_MAX_SECONDS = Gauge(
    "aivideo_event_loop_lag_max_seconds", "The longest event-loop lag seen by this process."
)
GC_PAUSE_SECONDS = Histogram(
    "aivideo_gc_pause_seconds", "How long a pass of the garbage collector stopped the process.",
    ["generation"], buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)  # fmt: skip

_extremes: dict[tuple[str, str], tuple[float, float]] = {}


def observe(kind: str, name: str, seconds: float) -> None:
    """Record one operation that took ``seconds``."""
    OPERATION_SECONDS.labels(kind, name).observe(seconds)
    low, high = _extremes.get((kind, name), (seconds, seconds))
    low, high = min(low, seconds), max(high, seconds)
    _extremes[(kind, name)] = (low, high)
    OPERATION_MIN_SECONDS.labels(kind, name).set(low)
    OPERATION_MAX_SECONDS.labels(kind, name).set(high)


@contextmanager
def timed(kind: str, name: str) -> Iterator[None]:
    """Time the block as one operation, whether it succeeds or raises."""
    started = time.perf_counter()
    try:
        yield
    finally:
        observe(kind, name, time.perf_counter() - started)
