"""Queue limits hold exactly when many batches arrive at once (no count-then-insert race)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from aivideo.core.config import Settings
from aivideo.db.models import User, Video
from aivideo.runtime.resources import Resources
from tests.support.server import Api, running_api

SERVERS = pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
BATCH = {"videos": [{"text": f"Video {n} of a batch."} for n in range(5)]}


@pytest.fixture
async def limited_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    limited = settings.model_copy(
        update={"render_slots": 0, "max_queued_per_user": 12, "max_queued_total": 17}
    )
    async with running_api(limited, resources) as api:
        # Connections opened beforehand: requests that each had to open one would be
        # spread out by it, and race less than a busy server's do.
        await asyncio.gather(*(api.alice.get("/v1/videos") for _ in range(10)))
        yield api


async def _queued(resources: Resources, owner_name: str | None = None) -> int:
    async with resources.sessions() as session:
        query = select(func.count()).select_from(Video).where(Video.status == "queued")
        if owner_name is not None:
            query = query.join(User).where(User.name == owner_name)
        return int(await session.scalar(query) or 0)


@SERVERS
async def test_twenty_batches_at_once_never_overshoot_the_user_s_limit(
    limited_api: Api, resources: Resources
) -> None:
    answers = await asyncio.gather(
        *(limited_api.alice.post("/v1/videos/batch", json=BATCH) for _ in range(20))
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [202] * 2 + [429] * 18  # 5 + 5 fit under 12; a third batch would not
    assert await _queued(resources, "alice") == 10


@SERVERS
async def test_batches_of_two_users_at_once_never_overshoot_the_service_s_limit(
    limited_api: Api, resources: Resources
) -> None:
    clients = [limited_api.alice, limited_api.bob] * 10
    answers = await asyncio.gather(
        *(client.post("/v1/videos/batch", json=BATCH) for client in clients)
    )

    assert sum(answer.status_code == 202 for answer in answers) == 3  # 3 x 5 fit under 17
    assert await _queued(resources) == 15
    assert all(answer.status_code in (202, 429) for answer in answers)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql", "mariadb"], indirect=True)
async def test_single_creates_at_once_are_committed_together_and_never_overshoot(
    limited_api: Api, resources: Resources
) -> None:
    # Creates that arrive together are committed in one transaction (a group
    # commit): each accepted one is in the database, and the limits are exact.
    clients = [limited_api.alice, limited_api.bob] * 20
    answers = await asyncio.gather(
        *(client.post("/v1/videos", json={"text": f"One of many {n}."}) for n, client in
          enumerate(clients))
    )  # fmt: skip

    accepted = [answer.json()["id"] for answer in answers if answer.status_code == 202]
    refused = [answer.json()["error"] for answer in answers if answer.status_code == 429]
    assert len(accepted) == 17 and len(refused) == 23
    assert {error["code"] for error in refused} == {"queue_full"}
    assert await _queued(resources, "alice") <= 12 and await _queued(resources, "bob") <= 12
    async with resources.sessions() as session:
        stored = set(await session.scalars(select(Video.id).where(Video.id.in_(accepted))))
    assert stored == set(accepted)
