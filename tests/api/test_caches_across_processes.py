"""On PostgreSQL every process caches keys and videos, and hears of every change elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlalchemy import text, update

from aivideo.auth.key_cache import Caller, KeyCache
from aivideo.auth.service import get_or_create_user
from aivideo.core.config import Settings
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources
from aivideo.videos import service
from aivideo.videos.batched_reads import VideoReads
from aivideo.videos.cached import cached_videos
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.service import QueueLimits
from tests.support.cli import cli_env, run_cli, serve_cli
from tests.support.polling import wait_for

API_ONLY = {"AIVIDEO_REQUIRE_API_KEY": "true", "AIVIDEO_RENDER_SLOTS": "0"}
LIMITS = QueueLimits(per_user=100, total=1000, storage_per_user=10**12)


def _cache_hits(metrics: str) -> float:
    found = re.search(r'^aivideo_cache_requests_total\{result="hit"\} (\S+)$', metrics, re.M)
    return float(found.group(1)) if found else 0.0


async def test_a_revoked_key_stops_working_at_once_in_every_serving_process(
    tmp_path: Path, postgres_url: str
) -> None:
    env = cli_env(tmp_path, AIVIDEO_DATABASE_URL=postgres_url, **API_ONLY)
    _, key, _ = await run_cli(env, "keys", "create", "--user", "revoked-everywhere")
    key = key.strip()
    headers = {"Authorization": f"Bearer {key}"}
    async with serve_cli(env) as first, serve_cli(env) as second:
        for base_url in (first, second):
            async with httpx.AsyncClient(base_url=base_url, headers=headers) as api:
                for _ in range(3):  # known to each process now
                    assert (await api.get("/v1/videos")).status_code == 200

        code, _, err = await run_cli(env, "keys", "revoke", key[:10])
        assert code == 0, err

        for base_url in (first, second):
            async with httpx.AsyncClient(base_url=base_url, headers=headers) as api:
                refused = await api.get("/v1/videos")
                assert refused.status_code == 401
                assert "revoked" in refused.json()["error"]["message"]


async def test_an_api_only_process_serves_from_memory_and_sees_another_process_cancel(
    tmp_path: Path, postgres_url: str
) -> None:
    env = cli_env(tmp_path, AIVIDEO_DATABASE_URL=postgres_url, **API_ONLY)
    _, key, _ = await run_cli(env, "keys", "create", "--user", "two-processes")
    headers = {"Authorization": f"Bearer {key.strip()}"}
    async with (
        serve_cli(env) as reader_url,
        serve_cli(env) as writer_url,
        httpx.AsyncClient(base_url=reader_url, headers=headers) as reader,
        httpx.AsyncClient(base_url=writer_url, headers=headers) as writer,
    ):
        video_id = (await writer.post("/v1/videos", json={"text": "Cached."})).json()["id"]
        hits_before = _cache_hits((await reader.get("/metrics")).text)
        for _ in range(3):
            assert (await reader.get(f"/v1/videos/{video_id}")).json()["status"] == "queued"
        assert _cache_hits((await reader.get("/metrics")).text) >= hits_before + 2

        cancelled = await writer.post(f"/v1/videos/{video_id}/cancel")
        assert cancelled.json()["status"] == "cancelled"

        # No Redis, and the reader had it cached: the news reached it at the commit.
        assert (await reader.get(f"/v1/videos/{video_id}")).json()["status"] == "cancelled"


async def test_a_process_that_lost_its_change_feed_reads_afresh_once_it_listens_again(
    tmp_path: Path, postgres_url: str
) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url)
    async with Resources(settings) as resources:
        feed = resources.change_feed
        assert feed is not None and feed.live
        async with resources.sessions() as session:
            user = await get_or_create_user(session, "lost-feed")
            owner = Caller(user.id, user.name)
            created = await service.create_video(
                session, owner, VideoCreate(text="Hi."), None, LIMITS
            )
            video = created.video

        reads = VideoReads(resources.sessions)

        async def status() -> str:
            found = await cached_videos(resources.video_cache, reads, owner.id, [video.id])
            return found[video.id].status

        assert await status() == "queued"  # and cached now
        first_listener = feed.listener_pid
        async with resources.sessions() as session:
            await session.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": first_listener}
            )
            # A change whose news this process cannot hear: nobody announces it.
            await session.execute(
                update(Video).where(Video.id == video.id).values(status="cancelled")
            )
            await session.commit()

        async def listening_again() -> bool:
            return feed.live and feed.listener_pid != first_listener

        await wait_for(listening_again, seconds=30)
        assert await status() == "cancelled"  # what it held before was dropped


def test_a_key_read_before_a_revocation_is_not_remembered_after_it() -> None:
    cache = KeyCache(lambda: True, ttl=60, size=10)
    started_with = cache.revocations  # a lookup reads the key from the database...
    cache.forget_all()  # ...while the key is revoked...
    cache.put("hash", Caller("id", "name"), started_with)  # ...and stores what it read
    assert cache.get("hash") is None
