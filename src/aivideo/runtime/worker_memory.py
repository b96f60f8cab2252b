"""Keeping long-lived worker processes small between tasks."""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def release_memory() -> None:
    """Give freed heap memory back to the system; glibc otherwise keeps it for later.

    A worker that painted a 1080p picture or spoke a long sentence would hold
    the peak of that task for as long as it lives.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to give back this way


def call_then_release_memory(func: Callable[..., T], *args: Any) -> T:
    """Run ``func`` in this worker process, then give back what it freed."""
    try:
        return func(*args)
    finally:
        release_memory()
