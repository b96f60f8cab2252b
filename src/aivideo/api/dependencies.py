"""FastAPI dependencies, as ``Annotated`` aliases so routes read like sentences.

Each is ``async def``, even with nothing to await: FastAPI runs a plain ``def``
dependency in its thread pool, a thread hop per request for a dictionary read.
Each one FastAPI solves also costs every request its bookkeeping: the hottest
routes (one video's GET and POST) take the app's services as one
(:data:`ServicesDep`). Two dependencies fewer made a create about 5% cheaper in
the server's CPU (wrk at 100 connections, bench/api_bench.py's load).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import AfterValidator
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.api import local_mode
from aivideo.api.bearer import bearer_key
from aivideo.auth.key_cache import Caller
from aivideo.auth.key_owners import KeyOwners
from aivideo.core.errors import NotAuthenticated
from aivideo.core.ids import canonical_id
from aivideo.db.availability import is_database_unavailable
from aivideo.db.models import User, Video
from aivideo.jobs.queue import JobQueue
from aivideo.jobs.system import JobSystem
from aivideo.runtime.resources import Resources
from aivideo.videos import service
from aivideo.videos.batched_reads import VideoReads
from aivideo.videos.group_commit import GroupCommit
from aivideo.videos.service import QueueLimits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiServices:
    """What the routes work with, made once in the app's lifespan (``app.state.services``)."""

    resources: Resources
    jobs: JobSystem
    group_commit: GroupCommit
    video_reads: VideoReads
    key_owners: KeyOwners


def services_of(request: Request) -> ApiServices:
    """The services of the app that ``request`` came to."""
    services: ApiServices = request.app.state.services
    return services


async def get_services(request: Request) -> ApiServices:
    return services_of(request)


ServicesDep = Annotated[ApiServices, Depends(get_services)]


async def get_resources(request: Request) -> Resources:
    return services_of(request).resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    session = resources.sessions()
    try:
        yield session
    finally:
        try:
            await session.close()
        except DBAPIError as exc:
            if not is_database_unavailable(exc):
                raise
            # The connection died under the request, which has already been
            # answered (503): drop the connection instead of failing again.
            logger.warning("database connection lost while closing a session: %s", exc)
            await session.invalidate()


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_current_user(request: Request) -> Caller:
    """The owner of the request's API key, or the local user where that is allowed.

    Without a key, only a request this machine sends to itself (see
    ``local_mode``) is the local user's, and a change only from this server's
    own page; anything else is answered as if there were no local mode.
    A known key costs no query (see ``auth.key_cache``).
    """
    # Nothing but the request: each dependency FastAPI solves costs every request.
    if (key := bearer_key(request.headers)) is not None:
        return await services_of(request).key_owners.caller(key)
    local_user_id: str | None = request.app.state.local_user_id
    if local_user_id is not None and local_mode.is_from_this_machine(request):
        local_mode.refuse_cross_site(request)
        async with services_of(request).resources.sessions() as session:
            user = await session.get(User, local_user_id)
        if user is not None:
            return Caller(user.id, user.name)
    raise NotAuthenticated(
        "an API key is required: send the header `Authorization: Bearer <key>` "
        "(create a key with `aivideo keys create --user NAME`)"
    )


CurrentUser = Annotated[Caller, Depends(get_current_user)]


_UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _video_id(text: str) -> str:
    try:
        return canonical_id(text)
    except ValueError:
        raise ValueError(
            f"{text[:50]!r} is not a video id: a video's id is a UUID such as "
            "01a22000-0000-7000-8000-000000000000 (the `id` in its JSON)"
        ) from None


# A video id from the path, checked (422) before any query and lower-cased:
# the id stored, so every database finds the same row.
VideoId = Annotated[
    str,
    Path(
        description="The video's id (a UUID).",
        examples=["01a22000-0000-7000-8000-000000000000"],
        # Described, not enforced here: _video_id refuses with a sentence instead.
        json_schema_extra={"format": "uuid", "pattern": _UUID_PATTERN},
    ),
    AfterValidator(_video_id),
]


async def get_owned_video(video_id: VideoId, session: SessionDep, user: CurrentUser) -> Video:
    """The user's video; another user's is "not found", exactly like a missing one."""
    return await service.get_owned_video(session, user, video_id)


OwnedVideo = Annotated[Video, Depends(get_owned_video)]


async def get_released_video(video: OwnedVideo, session: SessionDep) -> Video:
    """The user's video, with the request's database connection given back to the pool.

    For answers that stream (a file, Server-Sent Events): a client that reads
    slowly, or never, would otherwise hold a connection until it has read
    everything, and a few such clients would stop every other request.
    """
    await session.close()
    return video


ReleasedVideo = Annotated[Video, Depends(get_released_video)]


async def get_jobs(request: Request) -> JobQueue:
    return services_of(request).jobs


JobsDep = Annotated[JobQueue, Depends(get_jobs)]


async def get_video_reads(request: Request) -> VideoReads:
    return services_of(request).video_reads


VideoReadsDep = Annotated[VideoReads, Depends(get_video_reads)]


async def get_queue_limits(resources: ResourcesDep) -> QueueLimits:
    return QueueLimits.of(resources.settings)


QueueLimitsDep = Annotated[QueueLimits, Depends(get_queue_limits)]
