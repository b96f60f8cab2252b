"""Videos by id as the API shows them: from the cache, else from the database."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from aivideo.cache.video_status import VideoStatusCache
from aivideo.core.errors import NotFound
from aivideo.videos.batched_reads import VideoReads
from aivideo.videos.schemas import VideoPublic


async def cached_videos(
    cache: VideoStatusCache,
    reads: VideoReads,
    owner_id: str,
    video_ids: Sequence[str],
) -> dict[str, VideoPublic]:
    """The owner's videos among ``video_ids``; others' and missing ones are left out.

    Only the videos the cache does not have are read from the database.
    """
    lookup = await cache.lookup(video_ids)
    found = {}
    for video_id, (owner, video) in lookup.hits.items():
        if owner != owner_id:
            continue  # someone else's: "not found", exactly as the database would say
        try:
            found[video_id] = VideoPublic.model_validate(video)
        except ValidationError:
            # Written by another version of aivideo (a rolling upgrade): read it afresh.
            lookup.miss(video_id)
    missed = [video_id for video_id in dict.fromkeys(video_ids) if video_id not in found]
    if missed:
        read = await reads.read(owner_id, missed)
        await cache.remember(
            {public.id: (owner_id, public.model_dump(mode="json")) for public in read}, lookup
        )
        found |= {public.id: public for public in read}
    return found


async def cached_video(
    cache: VideoStatusCache, reads: VideoReads, owner_id: str, video_id: str
) -> VideoPublic:
    """The owner's video; another user's is "not found", exactly like a missing one."""
    found = await cached_videos(cache, reads, owner_id, [video_id])
    if video_id not in found:
        raise NotFound(f"no video with id {video_id!r}")
    return found[video_id]
