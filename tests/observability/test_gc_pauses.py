"""The collector's passes: a long full pass freezes what is alive, a thaw frees the dead."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from aivideo.observability import gc_pauses


class _Node:
    """An object in a reference cycle: only the collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def timed_passes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(gc_pauses, "FREEZE_AFTER", 0.0)  # every full pass counts as long here
    monkeypatch.setattr(gc_pauses, "THAW_EVERY", 3600.0)
    monkeypatch.setattr(gc_pauses, "_thawed_at", gc_pauses.time.monotonic())
    gc_pauses.install()
    try:
        yield
    finally:
        gc_pauses.remove()
        gc.unfreeze()  # what these tests froze goes back to the collector


def test_a_long_full_pass_freezes_what_it_found_alive(timed_passes: None) -> None:
    alive = [_Node() for _ in range(1000)]
    before = gc.get_freeze_count()

    gc.collect()  # a full pass

    assert gc.get_freeze_count() >= before + len(alive)


def test_a_dead_frozen_cycle_is_collected_once_thawed(
    timed_passes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = _Node()
    gone = weakref.ref(node)
    gc.collect()  # frozen while alive
    del node

    gc.collect()
    assert gone() is not None  # frozen: the price of short passes, until the next thaw

    monkeypatch.setattr(gc_pauses, "THAW_EVERY", 0.0)
    gc.collect()  # this pass ends with a thaw
    gc.collect()  # and the next one walks the thawed objects
    assert gone() is None
