"""FastAPI dependencies, as ``Annotated`` aliases so routes read like sentences."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.service import authenticate
from aivideo.core.errors import NotAuthenticated
from aivideo.db.availability import is_database_unavailable
from aivideo.db.models import User
from aivideo.jobs.queue import JobQueue
from aivideo.runtime.resources import Resources
from aivideo.videos.service import QueueLimits

logger = logging.getLogger(__name__)


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


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

_bearer = HTTPBearer(auto_error=False, description="An API key from `aivideo keys create`.")


async def get_current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The owner of the request's API key, or the local user where that is allowed."""
    if credentials is not None:
        return await authenticate(session, credentials.credentials)
    local_user_id: str | None = request.app.state.local_user_id
    if local_user_id is not None:
        user = await session.get(User, local_user_id)
        if user is not None:
            return user
    raise NotAuthenticated(
        "an API key is required: send the header `Authorization: Bearer <key>` "
        "(create a key with `aivideo keys create --user NAME`)"
    )


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_jobs(request: Request) -> JobQueue:
    jobs: JobQueue = request.app.state.jobs
    return jobs


JobsDep = Annotated[JobQueue, Depends(get_jobs)]


def get_queue_limits(resources: ResourcesDep) -> QueueLimits:
    settings = resources.settings
    return QueueLimits(per_user=settings.max_queued_per_user, total=settings.max_queued_total)


QueueLimitsDep = Annotated[QueueLimits, Depends(get_queue_limits)]
