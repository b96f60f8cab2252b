"""Room for many connections: the process's limit of open files, raised at start-up.

Every connection is an open file. Linux starts a process with a soft limit
(often 1024) below the hard one the system allows; a server raises its own
soft limit to what it needs, as far as the hard limit lets it.
"""

from __future__ import annotations

import logging
import resource

logger = logging.getLogger(__name__)

SPARE = 200  # files for everything that is not a client: the database, logs, models


def room_for_connections(wanted: int) -> int:
    """Raise the open-files limit for ``wanted`` connections; returns how many fit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + SPARE
    if soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    fits = max(soft - SPARE, 1)
    if fits < wanted:
        logger.warning(
            "AIVIDEO_SERVE_LIMIT_CONCURRENCY is %d, but this system lets a process open only "
            "%d files: serving at most %d connections (raise `ulimit -Hn` for more)",
            wanted, soft, fits,
        )  # fmt: skip
    return min(wanted, fits)
