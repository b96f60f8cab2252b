"""`aivideo serve --workers N`: several processes on one port, as production runs it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import psutil

from tests.support.cli import cli_env, run_cli, serve_cli_process
from tests.support.polling import wait_for


async def test_two_processes_serve_one_port_and_a_revoked_key_stops_in_both(
    tmp_path: Path, postgres_url: str
) -> None:
    env = cli_env(
        tmp_path,
        AIVIDEO_DATABASE_URL=postgres_url,
        AIVIDEO_REQUIRE_API_KEY="true",
        AIVIDEO_RENDER_SLOTS="0",
    )
    _, key, _ = await run_cli(env, "keys", "create", "--user", "two-workers")
    key = key.strip()
    # A new connection per request: the system hands each to either process.
    headers = {"Authorization": f"Bearer {key}", "Connection": "close"}
    async with (
        serve_cli_process(env, "--workers", "2") as (process, base_url),
        httpx.AsyncClient(base_url=base_url, headers=headers) as api,
    ):
        await wait_for(lambda: _answers(base_url), seconds=60)  # each process started
        children = await asyncio.to_thread(lambda: psutil.Process(process.pid).children())
        assert len(children) >= 2  # and the resource tracker
        created = await api.post("/v1/videos", json={"text": "Served by either."})
        video_id = created.json()["id"]
        for _ in range(20):
            assert (await api.get(f"/v1/videos/{video_id}")).json()["status"] == "queued"
        assert (await api.post(f"/v1/videos/{video_id}/cancel")).status_code == 200
        for _ in range(20):  # whichever process answers has heard of the cancel
            assert (await api.get(f"/v1/videos/{video_id}")).json()["status"] == "cancelled"

        code, _, err = await run_cli(env, "keys", "revoke", key[:10])
        assert code == 0, err
        for _ in range(20):
            assert (await api.get(f"/v1/videos/{video_id}")).status_code == 401


async def _answers(base_url: str) -> bool:
    # The parent process opens the port; the processes listen once started.
    try:
        async with httpx.AsyncClient(base_url=base_url) as client:
            return (await client.get("/healthz")).status_code == 200
    except httpx.ConnectError:
        return False


async def test_more_than_one_process_needs_postgresql(tmp_path: Path) -> None:
    code, _, err = await run_cli(cli_env(tmp_path), "serve", "--port", "0", "--workers", "2")

    assert code == 2
    assert "--workers above 1 needs PostgreSQL" in err
