"""Stock footage for a video's scenes: searched, chosen without repeats, downloaded.

Each scene is searched for in the configured libraries in order (Pexels,
then Pixabay): the first that finds anything gives that scene's candidates.
A library that refuses or fails is skipped for the rest of the video, and a
warning logged; the others still serve. Each scene then takes its best
candidate that no earlier scene took, and the files are downloaded in
parallel (each library's bound on concurrent requests holds). A scene left
without footage of its own shows another scene's.

Only when no scene gets anything at all does this fail, with a
:class:`ProviderFailed` that says why in the libraries' own words: the
video then shows generated pictures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from aivideo.core.options import Aspect
from aivideo.core.script import Scene
from aivideo.core.spec import MediaFile
from aivideo.media.limits import DEFAULT_MAX_PIXELS
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.stock_files import download_media
from aivideo.providers.stock_query import search_queries
from aivideo.providers.stock_search import Candidate, StockSearch

logger = logging.getLogger(__name__)

DEFAULT_SHORT_SIDE = 1080  # the largest frame aivideo renders (1080p)
# Candidates one scene may try to download before it settles for another scene's footage.
MAX_DOWNLOADS_PER_SCENE = 3

_Queries = tuple[str, ...]


class StockLibrary:
    """Pictures and clips for scenes, from stock libraries in order of preference."""

    def __init__(
        self,
        searches: Sequence[StockSearch],
        folder: Path,
        max_bytes: int,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.searches = list(searches)
        self.folder = folder  # the disk cache of downloaded files
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._by_name = {search.name: search for search in self.searches}

    async def media_for_scenes(
        self, scenes: Sequence[Scene], aspect: Aspect, *, short_side: int = DEFAULT_SHORT_SIDE
    ) -> list[MediaFile | None]:
        """One picture or clip per scene, none used twice while others are left.

        ``short_side`` is the frame's short side: each file is the smallest
        size the library offers that fills it.

        Raises:
            ProviderFailed: no scene could get any footage; the message says why.
        """
        if not scenes:
            return []
        failures: dict[str, ProviderFailed] = {}
        queries = [tuple(search_queries(scene)) for scene in scenes]
        found = await self._search_all(queries, aspect, failures)
        problems: list[str] = []
        media = await self._download_distinct([found[q] for q in queries], short_side, problems)
        if not any(media):
            raise ProviderFailed(self._why_nothing(queries, failures, problems))
        return _filled(media)

    async def _search_all(
        self, queries: list[_Queries], aspect: Aspect, failures: dict[str, ProviderFailed]
    ) -> dict[_Queries, list[Candidate]]:
        """Candidates for each distinct scene query, searched at most once per video."""
        distinct = list(dict.fromkeys(queries))
        found: dict[_Queries, list[Candidate]] = {}

        async def search(scene_queries: _Queries) -> None:
            found[scene_queries] = await self._search(scene_queries, aspect, failures)

        if distinct:
            # The first search alone: a refused key or a library that is down then
            # costs one request (and its retries), not one per scene.
            await search(distinct[0])
            await asyncio.gather(*(search(q) for q in distinct[1:]))
        return found

    async def _search(
        self, queries: _Queries, aspect: Aspect, failures: dict[str, ProviderFailed]
    ) -> list[Candidate]:
        for library in self.searches:
            for query in queries:
                if library.name in failures:
                    break  # it failed this video once (maybe another scene's search): skip it
                try:
                    candidates = await library.search(query, aspect)
                except ProviderFailed as exc:
                    if library.name not in failures:
                        failures[library.name] = exc
                        logger.warning("stock footage from %s is skipped: %s", library.name, exc)
                    break
                if candidates:
                    return candidates
        return []

    async def _download_distinct(
        self, per_scene: list[list[Candidate]], short_side: int, problems: list[str]
    ) -> list[MediaFile | None]:
        """Each scene's best candidate not taken by another scene, downloaded."""
        taken: set[tuple[str, str]] = set()

        async def first_usable(candidates: list[Candidate]) -> MediaFile | None:
            tries = 0
            for candidate in candidates:
                if tries == MAX_DOWNLOADS_PER_SCENE:
                    break
                if candidate.key in taken:
                    continue
                # Taken before the first await: the scenes claim in order, none twice.
                taken.add(candidate.key)
                tries += 1
                try:
                    return await self._download(candidate, short_side)
                except ProviderFailed as exc:
                    problems.append(exc.message)
                    logger.warning("a stock file is skipped: %s", exc)
            return None

        return list(await asyncio.gather(*(first_usable(c) for c in per_scene)))

    async def _download(self, candidate: Candidate, short_side: int) -> MediaFile:
        file = candidate.file_for(short_side)
        return await download_media(
            self._by_name[candidate.provider].http,
            file.url,
            self.folder,
            is_clip=candidate.is_clip,
            max_bytes=self.max_bytes,
            max_pixels=self.max_pixels,
        )

    def _why_nothing(
        self, queries: list[_Queries], failures: dict[str, ProviderFailed], problems: list[str]
    ) -> str:
        reasons = [failure.message for failure in failures.values()]
        if problems:
            reasons.append(f"no file found could be used ({problems[-1]})")
        searched = [library.name for library in self.searches if library.name not in failures]
        asked = [scene_queries[0] for scene_queries in dict.fromkeys(queries) if scene_queries]
        if not asked:
            reasons.append("the scenes have no words to search stock footage for")
        elif searched and not problems:
            listed = ", ".join(repr(query) for query in asked[:5])
            reasons.append(f"{' and '.join(searched)} found nothing for {listed}")
        return "; ".join(reasons)


def _filled(media: list[MediaFile | None]) -> list[MediaFile | None]:
    """Scenes without footage of their own take other scenes' footage, in turn."""
    usable = [item for item in media if item is not None]
    gaps = 0
    filled: list[MediaFile | None] = []
    for item in media:
        if item is None:
            item = usable[gaps % len(usable)]
            gaps += 1
        filled.append(item)
    return filled
