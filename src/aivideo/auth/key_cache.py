"""Who owns an API key, remembered in this process so a request needs no query.

A revoked key must stop working at once in every process, so the cache is
used only while news of revocations reaches this process (``is_live``: the
database's change feed is listening), and any revocation anywhere empties it.
Entries also expire after ``ttl``, and at most ``size`` keys are kept.

A lookup that raced a revocation (read the key before it was revoked, stores
it after) must not bring it back: ``put`` takes the number of revocations
heard when the lookup started, and stores nothing if another came since.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

API_KEYS_CHANNEL = "api_keys"  # the change feed's channel for revocations


@dataclass(frozen=True)
class Caller:
    """The user a request acts for."""

    id: str
    name: str


class KeyCache:
    def __init__(self, is_live: Callable[[], bool], ttl: float, size: int) -> None:
        self.is_live = is_live
        self.ttl = ttl
        self.size = size
        self._callers: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        self.revocations = 0  # heard so far; see ``put``

    def get(self, key_hash: str) -> Caller | None:
        if not self.is_live():
            return None
        found = self._callers.get(key_hash)
        if found is None:
            return None
        caller, expires_at = found
        if time.monotonic() >= expires_at:
            del self._callers[key_hash]
            return None
        self._callers.move_to_end(key_hash)
        return caller

    def put(self, key_hash: str, caller: Caller, revocations_before: int) -> None:
        """Remember a lookup that started when ``revocations_before`` had been heard."""
        if not self.is_live() or revocations_before != self.revocations:
            return
        self._callers[key_hash] = (caller, time.monotonic() + self.ttl)
        self._callers.move_to_end(key_hash)
        while len(self._callers) > self.size:
            self._callers.popitem(last=False)

    def forget_all(self, _revoked: object = None) -> None:
        """A key was revoked somewhere (or news may have been missed)."""
        self.revocations += 1
        self._callers.clear()
