"""Worker ids that say where a worker runs, so a restarted one can tell its dead peers."""

from __future__ import annotations

import os
import socket

import uuid_utils


def new_worker_id() -> str:
    """``host:pid:random``: unique, and readable in a video's events."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid_utils.uuid4().hex[:6]}"


def is_dead_local_worker(worker_id: str) -> bool:
    """True if ``worker_id`` names a process of this host that no longer exists."""
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, under another user
    return False
