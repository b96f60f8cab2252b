"""Deleting what the disk caches no longer serve: old files and leftovers of a crash.

Spoken sentences, stock footage and other downloads are kept under
``data_dir/cache/`` and ignored once older than ``cache_provider_ttl``; this
is what actually frees their space. A ``.part`` file older than an hour
belongs to a process that died while writing it. Runs in a thread.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from aivideo.core.atomic_files import is_partial

logger = logging.getLogger(__name__)

ABANDONED_PART_SECONDS = 3600.0


def disk_cache_folder(data_dir: Path) -> Path:
    return data_dir / "cache"


def sweep_disk_cache(folder: Path, max_age: float) -> int:
    """Delete files under ``folder`` older than ``max_age`` seconds; returns how many."""
    now, removed = time.time(), 0
    if not folder.is_dir():
        return 0
    for path in folder.rglob("*"):
        try:
            if not path.is_file():
                continue
            age = now - path.stat().st_mtime
            limit = ABANDONED_PART_SECONDS if is_partial(path) else max_age
            if age > limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another process swept or replaced it first
        except OSError as exc:  # one file we may not delete must not stop the sweep
            logger.warning("disk cache: could not delete %s: %s", path, exc)
    if removed:
        logger.info("disk cache: %d old files deleted from %s", removed, folder)
    return removed
