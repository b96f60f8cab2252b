"""`aivideo serve` at AIVIDEO_SERVE_MAX_REQUESTS: the next API request is refused with 503
and Retry-After (not uvicorn's bare 503, not a wait for the others), and nothing else is."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.cli import cli_env, serve_cli
from tests.support.polling import wait_for

MOST = 4
LIMITED = {"AIVIDEO_SERVE_MAX_REQUESTS": str(MOST), "AIVIDEO_RENDER_SLOTS": "0"}

# The page of videos GET /v1/videos reads: while the test locks the table, each
# such request waits in the database, in progress in the server.
_LISTINGS_WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock' AND query LIKE '%ORDER BY videos.id DESC%'"
)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_past_the_most_requests_the_next_is_refused_until_they_finish(
    tmp_path: Path, settings: Settings, resources: Resources
) -> None:
    env = cli_env(tmp_path, AIVIDEO_DATABASE_URL=settings.effective_database_url, **LIMITED)
    async with (
        serve_cli(env) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60) as client,
        resources.engine.connect() as holder,
    ):
        assert (await client.get("/v1/videos")).status_code == 200
        await holder.execute(text("LOCK TABLE videos IN ACCESS EXCLUSIVE MODE"))
        held = [asyncio.create_task(client.get("/v1/videos")) for _ in range(MOST)]

        async def all_waiting() -> bool:
            async with resources.engine.connect() as connection:
                return int(await connection.scalar(text(_LISTINGS_WAITING)) or 0) == MOST

        await wait_for(all_waiting, seconds=30)
        refused = await client.get("/v1/videos", timeout=5)  # before the lock is let go
        probe = await client.get("/healthz", timeout=5)
        await holder.rollback()
        answers = await asyncio.gather(*held)
        after = await client.get("/v1/videos")

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "server_busy"
    message = refused.json()["error"]["message"]
    assert message == (
        f"the server is busy: {MOST} requests are in progress, the most it takes at once; "
        "try again in a moment"
    )
    assert int(refused.headers["Retry-After"]) >= 1
    assert probe.status_code == 200  # probes are never counted
    assert [answer.status_code for answer in answers] == [200] * MOST
    assert after.status_code == 200


async def test_streams_and_bodies_still_arriving_leave_the_places_to_requests(
    tmp_path: Path,
) -> None:
    async with (
        serve_cli(cli_env(tmp_path, **LIMITED)) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
    ):
        video_id = (await client.post("/v1/videos", json={"text": "Never made."})).json()["id"]
        url = httpx.URL(base_url)
        senders = [await asyncio.open_connection(url.host, url.port) for _ in range(MOST)]
        for _, writer in senders:
            # A body announced, half sent: not yet a request in progress.
            writer.write(
                b"POST /v1/videos HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
                b'{"text": "Slow'
            )
            await writer.drain()
        async with asyncio.TaskGroup() as streams_open:
            # Nothing renders (AIVIDEO_RENDER_SLOTS=0): these streams never end.
            streams = [
                streams_open.create_task(_opened_stream(client, video_id)) for _ in range(MOST + 2)
            ]
        try:
            answers = [
                await client.get("/v1/videos"),
                await client.get(f"/v1/videos/{video_id}"),
                await client.post("/v1/videos", json={"text": "Still taken."}),
            ]
        finally:
            for stream in streams:
                await stream.result().aclose()
            for _, writer in senders:
                writer.close()
                await writer.wait_closed()

    assert [answer.status_code for answer in answers] == [200, 200, 202]


async def _opened_stream(client: httpx.AsyncClient, video_id: str) -> httpx.Response:
    """A progress stream that has sent its first event, held open until closed."""
    request = client.build_request("GET", f"/v1/videos/{video_id}/progress")
    response = await client.send(request, stream=True)
    assert response.status_code == 200
    first = await anext(response.aiter_lines())
    assert first.startswith("event:")
    return response
