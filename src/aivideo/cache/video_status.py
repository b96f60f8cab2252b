"""Read-through cache of videos as the API shows them (``GET /v1/videos/{id}``, batch-get).

A poll must never see a video go back (``completed`` then ``running``), so
entries are versioned instead of merely deleted. Each video has a generation:
a token that every change to the video, once committed, replaces with a new
one that was never used before (:meth:`VideoStatusCache.invalidate`). A
reader notes the generation *before* it reads the database and stores what it
read under that generation; an entry is served only while its generation is
the current one. A reader that raced a change stored its stale row under the
old generation, which is never current again: one ``MGET`` reads an entry and
its generation. (Unique tokens, not a counter: a counter that expired or was
evicted would count again through numbers old entries still carry.)

When an invalidation cannot reach the cache (down, too slow), the video is
remembered and delivered again with the next invalidation or lookup; until
then this process does not use the cache for it. Another process may serve
its older entry until the entry's TTL ends (``AIVIDEO_CACHE_VIDEO_TTL``).

On PostgreSQL the entries are kept in each process's memory instead, no Redis
needed, and changes reach the other processes as news (``news``: the
database's change feed). A process that hears of a change treats the video
as changed here too. While the feed is not listening this cache is bypassed,
and when it listens again everything it held is dropped (:meth:`forget_all`):
it may have missed news meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aivideo.core.ids import new_id

logger = logging.getLogger(__name__)

GENERATION_TTL = 86400.0  # outlives every entry
VIDEOS_CHANNEL = "videos"  # the change feed's channel for changed videos


class Store(Protocol):
    """Where entries live: :class:`~aivideo.cache.store.Cache` or ``LocalStore``."""

    async def get_many(self, keys: list[str]) -> list[Any | None]: ...

    async def set_many(self, values: Mapping[str, Any], ttl: float) -> bool: ...


class ChangeNews(Protocol):
    """How changes reach the other processes (``aivideo.db.change_feed``)."""

    @property
    def live(self) -> bool: ...

    async def publish(self, channel: str, items: Iterable[str]) -> None: ...


@dataclass(frozen=True)
class Lookup:
    """What the cache had: owner and public fields of hits; the generation of misses."""

    hits: dict[str, tuple[str, dict[str, Any]]]
    misses: dict[str, str | None]  # video id -> generation seen before the database read
    generations: dict[str, str | None]  # of every video looked up (hits too)

    def miss(self, video_id: str) -> None:
        """Treat a hit as a miss (an entry the caller cannot use)."""
        self.misses[video_id] = self.generations[video_id]


class VideoStatusCache:
    def __init__(
        self, cache: Store, ttl: float, *, enabled: bool = True, news: ChangeNews | None = None
    ) -> None:
        self.cache = cache
        self.ttl = ttl
        self.enabled = enabled
        self.news = news
        self._undelivered: set[str] = set()  # invalidations the cache has not received
        self._epoch = ""  # part of every key: a new one drops every entry at once

    @property
    def in_use(self) -> bool:
        return self.enabled and (self.news is None or self.news.live)

    async def lookup(self, video_ids: Iterable[str]) -> Lookup:
        ids = list(dict.fromkeys(video_ids))
        if not self.in_use:
            return Lookup({}, {}, {})
        await self._deliver_invalidations()
        keys = [key for video_id in ids for key in self._keys(video_id)]
        values = await self.cache.get_many(keys)
        lookup = Lookup({}, {}, {})
        for index, video_id in enumerate(ids):
            generation, entry = values[2 * index], values[2 * index + 1]
            if video_id in self._undelivered:
                continue  # the cache may hold what it missed: straight to the database
            current = generation if isinstance(generation, str) else None
            lookup.generations[video_id] = current
            if isinstance(entry, dict) and entry.get("generation") == current:
                lookup.hits[video_id] = (entry["owner"], entry["video"])
            else:
                lookup.misses[video_id] = current
        return lookup

    async def remember(self, found: dict[str, tuple[str, dict[str, Any]]], lookup: Lookup) -> None:
        """Store videos read from the database after ``lookup`` missed them."""
        if not self.in_use:
            return  # read while news may have been missed: it may be stale already
        entries = {
            self._keys(video_id)[1]: {
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
        if not self.enabled:
            return
        self._undelivered.update(video_ids)
        await self._deliver_invalidations()
        if self.news is not None:
            await self.news.publish(VIDEOS_CHANNEL, video_ids)

    def heard(self, video_ids: list[str]) -> None:
        """Another process changed these videos: read them afresh from now on."""
        self._undelivered.update(video_ids)  # new generations with the next lookup

    def forget_all(self) -> None:
        """Drop every entry (news may have been missed)."""
        self._epoch = new_id()

    async def _deliver_invalidations(self) -> None:
        """New generations for every changed video, in one round trip."""
        if not self._undelivered:
            return  # (a cache that is down fails fast: see Cache)
        pending = list(self._undelivered)
        fresh = {self._keys(video_id)[0]: new_id() for video_id in pending}
        if await self.cache.set_many(fresh, GENERATION_TTL):
            self._undelivered.difference_update(pending)

    def _keys(self, video_id: str) -> tuple[str, str]:
        """The keys of a video's generation and of its entry."""
        entry = f"video:{self._epoch}{video_id}"
        return f"{entry}:generation", entry
