"""Third-party calls that blockbuster reports but that are safe on the event loop.

Only library code may be listed here, each entry with the reason it is safe.
Our own code gets no entry: when it blocks, the cause is fixed instead.
"""

from __future__ import annotations

from blockbuster import BlockBuster

# (file of the library, function in that file): any call it makes may block.
ALLOWED: list[tuple[str, str]] = [
    # asyncpg looks for ~/.pgpass and client certificates while it opens a new
    # connection: a few stat() calls on local files, once per pooled connection
    # (the pool keeps them open), and asyncpg offers no asynchronous way to do it.
    ("asyncpg/connect_utils.py", "_parse_connect_dsn_and_args"),
    # Test tooling, not the app: Playwright finds its bundled driver on disk once
    # as it starts, before any page is driven.
    ("playwright/_impl/_driver.py", "compute_driver_executable"),
]


def allow_known_safe_calls(detector: BlockBuster) -> None:
    for function in detector.functions.values():
        for filename, caller in ALLOWED:
            function.can_block_in(filename, caller)
