"""Many requests at once that the caches cannot answer: a few queries, each answer right."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from aivideo.auth.key_cache import KeyCache
from aivideo.auth.key_owners import KeyOwners
from aivideo.auth.service import create_api_key, get_or_create_user, revoke_api_keys
from aivideo.core.errors import NotAuthenticated
from aivideo.runtime.resources import Resources
from aivideo.videos.batched_reads import VideoReads
from tests.support.server import Api

CONCURRENT = 200


@contextmanager
def counted_selects(engine: AsyncEngine) -> Iterator[list[str]]:
    selects: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield selects
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_concurrent_lookups_of_one_key_share_a_few_queries(resources: Resources) -> None:
    async with resources.sessions() as session:
        key = (await create_api_key(session, "many-at-once")).key
    owners = KeyOwners(resources.sessions, KeyCache(lambda: False, ttl=60, size=10))  # no cache
    with counted_selects(resources.engine) as selects:
        callers = await asyncio.gather(*(owners.caller(key) for _ in range(CONCURRENT)))
    assert {caller.name for caller in callers} == {"many-at-once"}
    assert len(selects) <= 3, f"{len(selects)} queries for {CONCURRENT} lookups"


async def test_a_key_revoked_before_a_lookup_is_refused_even_among_valid_ones(
    resources: Resources,
) -> None:
    async with resources.sessions() as session:
        valid = (await create_api_key(session, "kept")).key
        revoked = (await create_api_key(session, "revoked")).key
        assert await revoke_api_keys(session, revoked[:10]) == 1
    owners = KeyOwners(resources.sessions, KeyCache(lambda: False, ttl=60, size=10))
    outcomes = await asyncio.gather(
        *(owners.caller(key) for key in [valid, revoked] * 20), return_exceptions=True
    )
    assert {o.name for o in outcomes[::2] if not isinstance(o, BaseException)} == {"kept"}
    assert all(isinstance(o, NotAuthenticated) for o in outcomes[1::2])


async def test_concurrent_reads_of_many_videos_share_a_few_queries(
    api: Api, resources: Resources
) -> None:
    created = [
        (await api.alice.post("/v1/videos", json={"text": f"Video {n}."})).json()["id"]
        for n in range(20)
    ]
    reads = VideoReads(resources.sessions)
    async with resources.sessions() as session:
        alice_id = (await get_or_create_user(session, "alice")).id
    with counted_selects(resources.engine) as selects:
        found = await asyncio.gather(
            *(reads.read(alice_id, [created[n % 20]]) for n in range(CONCURRENT))
        )
    assert [videos[0].id for videos in found] == [created[n % 20] for n in range(CONCURRENT)]
    assert len(selects) <= 3, f"{len(selects)} queries for {CONCURRENT} reads"


async def test_users_asking_at_once_see_only_their_own_videos(api: Api) -> None:
    alices = (await api.alice.post("/v1/videos", json={"text": "Alice's."})).json()["id"]
    bobs = (await api.bob.post("/v1/videos", json={"text": "Bob's."})).json()["id"]
    # Nothing cached yet: the misses of both users are read in the same batches.
    answers = await asyncio.gather(
        *(api.alice.get(f"/v1/videos/{alices}") for _ in range(20)),
        *(api.alice.get(f"/v1/videos/{bobs}") for _ in range(20)),
        *(api.bob.get(f"/v1/videos/{bobs}") for _ in range(20)),
        *(api.bob.get(f"/v1/videos/{alices}") for _ in range(20)),
    )
    codes = [answer.status_code for answer in answers]
    assert codes == [200] * 20 + [404] * 20 + [200] * 20 + [404] * 20
    assert (answers[0].json()["text"], answers[40].json()["text"]) == ("Alice's.", "Bob's.")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_read_whose_connection_the_database_dropped_is_tried_again(
    resources: Resources,
) -> None:
    async with resources.sessions() as session:
        key = (await create_api_key(session, "dropped")).key
    owners = KeyOwners(resources.read_sessions, KeyCache(lambda: False, ttl=60, size=10))
    assert (await owners.caller(key)).name == "dropped"  # the read pool has a connection now
    async with resources.sessions() as session:
        dropped = await session.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'idle' AND application_name = ''"
            )
        )
    assert dropped
    assert (await owners.caller(key)).name == "dropped"  # not a 503: read again
