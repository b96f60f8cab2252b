"""Start-up of each process of the CPU pool: it must not outlive its parent.

A parent that exits normally shuts its pool down. One killed with SIGKILL (by
an operator, the OOM killer, a chaos test) cannot, and its pool processes,
each holding a loaded voice model, would live on as orphans: measured here,
a day of killed workers leaves hundreds of them. A small thread in each pool
process notices that its parent is gone and ends the process.
"""

from __future__ import annotations

import os
import threading
import time

from aivideo.media.limits import decode_pictures_up_to

CHECK_EVERY = 1.0  # seconds


def start_pool_process(parent_pid: int, max_pixels: int) -> None:
    """``ProcessPoolExecutor`` initializer: exit with the parent, decode bounded pictures."""
    exit_with_parent(parent_pid)
    # Pool processes decode the users' pictures: Pillow refuses one beyond the bound.
    decode_pictures_up_to(max_pixels)


def exit_with_parent(parent_pid: int) -> None:
    """``ProcessPoolExecutor`` initializer: watch ``parent_pid``, exit when it is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(CHECK_EVERY)
        os._exit(0)  # the parent is gone: nobody will ever read our results

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
