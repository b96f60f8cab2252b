"""How `aivideo serve` runs uvicorn: the options every serve process (and the benchmark's
bare apps, for a fair comparison) is started with."""

from __future__ import annotations

from typing import Any

from aivideo.cli.open_files import room_for_connections
from aivideo.core.config import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run's keyword arguments, but for the app, host and port."""
    return {
        # asyncio's own loop, not uvloop: libuv accepts one connection per turn of
        # the loop (libuv/libuv#3696), and a turn takes tens of milliseconds under
        # load, so 1 000 clients connecting at once waited up to 25 s to be accepted.
        # asyncio accepts every waiting connection at each turn. Measured with
        # bench/api_bench.py: GET p99 at 100 connections 570 -> 40 ms, same req/s.
        "loop": "asyncio",
        # h11, not httptools: httptools buffers a request's headers however long they get.
        "http": "h11",
        "h11_max_incomplete_event_size": settings.serve_max_header_bytes,
        # Every connection, streams and idle keep-alives too; the app refuses API
        # requests well before it (AIVIDEO_SERVE_MAX_REQUESTS, at most 90% of it) with a
        # Retry-After, which uvicorn's own 503 lacks: that one is the last resort.
        "limit_concurrency": room_for_connections(settings.serve_limit_concurrency),
        "backlog": settings.serve_backlog,
        "timeout_keep_alive": settings.serve_keep_alive_timeout,
        "timeout_graceful_shutdown": settings.serve_shutdown_timeout,
        "log_config": None,  # aivideo's logging (observability.logs), set up before
    }
