"""Values in this process's memory with a TTL and a size bound: the video cache on PostgreSQL.

The hot path of ``GET /v1/videos/{id}`` reads here. Unlike :class:`~aivideo.cache.store.Cache`,
nothing can be down or slow, so there is no timeout, no JSON round trip and no
backend: a dictionary in least-recently-used order. Values are stored as given,
so callers store values they never change afterwards.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aivideo.observability.metrics import CACHE_REQUESTS


class LocalStore:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[Any, float]] = OrderedDict()

    async def get_many(self, keys: list[str]) -> list[Any | None]:
        now = time.monotonic()
        values: list[Any | None] = []
        for key in keys:
            found = self._entries.get(key)
            if found is None or found[1] <= now:
                values.append(None)
            else:
                self._entries.move_to_end(key)
                values.append(found[0])
        hits = sum(value is not None for value in values)
        CACHE_REQUESTS.labels("hit").inc(hits)
        CACHE_REQUESTS.labels("miss").inc(len(keys) - hits)
        return values

    async def set_many(self, values: Mapping[str, Any], ttl: float) -> bool:
        expires_at = time.monotonic() + ttl
        for key, value in values.items():
            self._entries[key] = (value, expires_at)
            self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return True
