"""The tools' backend that makes videos in this process, as ``aivideo serve`` does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from aivideo.auth.key_cache import Caller
from aivideo.auth.service import LOCAL_USER_NAME, get_or_create_user
from aivideo.core import outputs
from aivideo.core.config import Settings
from aivideo.core.errors import InvalidInput, NotFound
from aivideo.core.ids import canonical_id
from aivideo.core.status import VideoStatus
from aivideo.db import repository
from aivideo.db.migrate import prepare_schema
from aivideo.jobs.live import Subscription
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.system import JobSystem
from aivideo.mcp.backend import FileTooLarge
from aivideo.mcp.results import VideoFiles, VoiceList
from aivideo.pipeline.speech.registry import current_voice_catalogue
from aivideo.runtime.resources import Resources
from aivideo.videos import service
from aivideo.videos.create_checks import check_new_videos
from aivideo.videos.schemas import VideoCreate, VideoPublic, video_public
from aivideo.videos.service import QueueLimits


def checked_video_id(text: str) -> str:
    """A video id as stored, or the API's 422 sentence for one that is not a UUID."""
    try:
        return canonical_id(text)
    except ValueError:
        raise InvalidInput(
            f"{text[:50]!r} is not a video id: a video's id is a UUID such as "
            "01a22000-0000-7000-8000-000000000000 (the `id` in its JSON)"
        ) from None


class EmbeddedVideos:
    """One user's videos, made by this process's job system with the same checks as the API."""

    def __init__(self, resources: Resources, jobs: JobSystem, user: Caller) -> None:
        self.resources = resources
        self.jobs = jobs
        self.user = user

    async def create(self, request: VideoCreate) -> VideoPublic:
        settings = self.resources.settings
        await check_new_videos([request], settings, self.resources.providers, batch=False)
        async with self.resources.sessions() as session:
            created = await service.create_video(
                session, self.user, request, None, QueueLimits.of(settings)
            )
        await self.jobs.publish([created.video.id])
        return video_public(created.video)

    async def get(self, video_id: str) -> VideoPublic:
        async with self.resources.read_sessions() as session:
            video = await service.get_owned_video(session, self.user, checked_video_id(video_id))
            return video_public(video)

    async def list(self, status: VideoStatus | None, limit: int) -> list[VideoPublic]:
        async with self.resources.read_sessions() as session:
            videos = await repository.list_videos(
                session, self.user.id, status=status, limit=limit, before_id=None
            )
            return [video_public(video) for video in videos]

    async def cancel(self, video_id: str) -> VideoPublic:
        async with self.resources.sessions() as session:
            video = await service.cancel_video(session, self.user, checked_video_id(video_id))
        # As the API's cancel route: forget the cached copy, stop the work, tell followers.
        await self.resources.video_cache.invalidate(video.id)
        self.jobs.cancel(video.id)
        await self.jobs.live.publish(video.id, LiveEvent.status_changed(video.status))
        return video_public(video)

    async def voices(self) -> VoiceList:
        return VoiceList.of(await current_voice_catalogue(self.resources.settings))

    def changes(self, video_id: str) -> AbstractAsyncContextManager[Subscription]:
        return self.jobs.live.subscribe(video_id)

    def files(self, video: VideoPublic) -> VideoFiles:
        return VideoFiles.in_store(self.resources.store, video)

    async def read_file(self, video: VideoPublic, name: str, max_bytes: int) -> bytes:
        # From the store, as the API serves it: the worker's folder is only scratch.
        store = self.resources.store
        key = outputs.object_key(video.id, name)
        found = await store.stat(key)
        if found is not None and found.size > max_bytes:
            raise FileTooLarge(found.size)
        content = None if found is None else await store.read_bytes(key)
        if content is None:
            raise NotFound(f"video {video.id} has no {name} in {store.description}")
        return content


@asynccontextmanager
async def embedded_videos(settings: Settings) -> AsyncIterator[EmbeddedVideos]:
    """Open what ``serve`` opens (resources, schema, job system) for the local user."""
    async with Resources(settings) as resources:
        await prepare_schema(settings, resources.engine)
        async with resources.sessions() as session:
            user = await get_or_create_user(session, LOCAL_USER_NAME)
            await session.commit()
            caller = Caller(user.id, user.name)
        jobs = JobSystem(resources, settings)
        await jobs.start()
        try:
            yield EmbeddedVideos(resources, jobs, caller)
        finally:
            await jobs.stop()
