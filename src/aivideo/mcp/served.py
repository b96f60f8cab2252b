"""The tools' backend inside ``aivideo serve``: one API caller's videos, made by serve itself.

Made for each call (the caller is the owner of the call's API key): it holds no
state of its own, only serve's resources and job system, and reaches the videos
the way the /v1 routes do — creates committed together, reads through the cache
— so MCP and the API see the same videos at the same cost.
"""

from __future__ import annotations

from aivideo.auth.key_cache import Caller
from aivideo.jobs.system import JobSystem
from aivideo.mcp.embedded import EmbeddedVideos, checked_video_id
from aivideo.mcp.results import VideoFiles
from aivideo.runtime.resources import Resources
from aivideo.videos.batched_reads import VideoReads
from aivideo.videos.cached import cached_video
from aivideo.videos.create_checks import check_new_videos
from aivideo.videos.group_commit import GroupCommit
from aivideo.videos.schemas import VideoCreate, VideoPublic, video_public


class ServedVideos(EmbeddedVideos):
    """``user``'s videos in this ``serve`` process; their files are URLs of its API."""

    def __init__(
        self,
        resources: Resources,
        jobs: JobSystem,
        user: Caller,
        *,
        group_commit: GroupCommit,
        reads: VideoReads,
        base_url: str,
    ) -> None:
        super().__init__(resources, jobs, user)
        self.group_commit = group_commit
        self.reads = reads
        self.base_url = base_url

    async def create(self, request: VideoCreate) -> VideoPublic:
        resources = self.resources
        await check_new_videos([request], resources.settings, resources.providers, batch=False)
        video = await self.group_commit.create(self.user, request)
        await self.jobs.publish([video.id])
        return video_public(video)

    async def get(self, video_id: str) -> VideoPublic:
        # An agent waiting on a video asks twice a second: from the cache, as GET /v1 does.
        cache = self.resources.video_cache
        return await cached_video(cache, self.reads, self.user.id, checked_video_id(video_id))

    def files(self, video: VideoPublic) -> VideoFiles:
        return VideoFiles.at_api(self.base_url, video.id)
