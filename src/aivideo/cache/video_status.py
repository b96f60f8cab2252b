"""Read-through cache of videos as the API shows them (``GET /v1/videos/{id}``, batch-get).

A poll must never see a video go back (``completed`` then ``running``), so
entries are versioned instead of merely deleted. Each video has a generation
counter; every change to the video, once committed, increments it
(:meth:`VideoStatusCache.invalidate`). A reader notes the generation
*before* it reads the database and stores what it read under that
generation; an entry is served only while its generation is the current one.
A reader that raced a change stored its stale row under the old generation,
which nobody is served again: one ``MGET`` reads an entry and its counter.

When an invalidation cannot reach the cache (down, too slow), the video is
remembered and the cache is not used for it until the invalidation is
delivered, so a cache that comes back cannot serve what it missed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aivideo.cache.store import Cache

logger = logging.getLogger(__name__)

GENERATION_TTL = 86400.0  # outlives every entry, so a forgotten counter never revives one


@dataclass(frozen=True)
class Lookup:
    """What the cache had: owner and public fields of hits; the generation of misses."""

    hits: dict[str, tuple[str, dict[str, Any]]]
    misses: dict[str, int]  # video id -> generation seen before the database read


class VideoStatusCache:
    def __init__(self, cache: Cache, ttl: float, *, enabled: bool = True) -> None:
        self.cache = cache
        self.ttl = ttl
        self.enabled = enabled
        self._undelivered: set[str] = set()  # invalidations the cache has not received

    async def lookup(self, video_ids: Iterable[str]) -> Lookup:
        ids = list(dict.fromkeys(video_ids))
        if not self.enabled:
            return Lookup({}, {})
        await self._deliver_invalidations()
        keys = [key for video_id in ids for key in (_generation(video_id), _entry(video_id))]
        values = await self.cache.get_many(keys)
        hits, misses = {}, {}
        for index, video_id in enumerate(ids):
            generation, entry = values[2 * index], values[2 * index + 1]
            current = generation if isinstance(generation, int) else 0
            if video_id in self._undelivered:
                continue  # the cache may hold what it missed: straight to the database
            if isinstance(entry, dict) and entry.get("generation") == current:
                hits[video_id] = (entry["owner"], entry["video"])
            else:
                misses[video_id] = current
        return Lookup(hits, misses)

    async def remember(self, found: dict[str, tuple[str, dict[str, Any]]], lookup: Lookup) -> None:
        """Store videos read from the database after ``lookup`` missed them."""
        entries = {
            _entry(video_id): {
                "generation": lookup.misses[video_id],
                "owner": owner,
                "video": video,
            }
            for video_id, (owner, video) in found.items()
            if video_id in lookup.misses
        }
        if entries:
            await self.cache.set_many(entries, self.ttl)

    async def invalidate(self, *video_ids: str) -> None:
        """The videos changed (committed): cached copies must not be served any more."""
        for video_id in video_ids:
            if await self.cache.incr(_generation(video_id), GENERATION_TTL) is None:
                self._undelivered.add(video_id)

    async def _deliver_invalidations(self) -> None:
        if not self._undelivered or not self.cache.is_up:
            return
        for video_id in list(self._undelivered):
            if await self.cache.incr(_generation(video_id), GENERATION_TTL) is None:
                return
            self._undelivered.discard(video_id)
        logger.info("the cache is back: its copies of videos changed meanwhile are discarded")


def _generation(video_id: str) -> str:
    return f"video:{video_id}:generation"


def _entry(video_id: str) -> str:
    return f"video:{video_id}"
