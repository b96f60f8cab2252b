"""The ``aivideo`` command, run as a user runs it: a real process, a real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.cli import cli_env, run_cli, serve_cli


async def test_invalid_configuration_stops_with_a_message(tmp_path: Path) -> None:
    env = cli_env(tmp_path, AIVIDEO_DATABASE_URL="mysql://root@db/x")

    code, _, err = await run_cli(env, "db", "upgrade")

    assert code == 2
    assert "AIVIDEO_DATABASE_URL='mysql://root@db/x'" in err
    assert "mysql+aiomysql://" in err


@pytest.mark.timeout(180)
async def test_a_key_from_the_cli_drives_the_whole_api_of_a_served_process(
    tmp_path: Path,
) -> None:
    # An API-only process (no render slots): each video stays in the state the test sets.
    env = cli_env(tmp_path, AIVIDEO_REQUIRE_API_KEY="true", AIVIDEO_RENDER_SLOTS="0")
    code, key, _ = await run_cli(env, "keys", "create", "--user", "dana")
    assert code == 0
    key = key.strip()

    async with (
        serve_cli(env) as base_url,
        httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api,
    ):
        assert (
            await api.get("/v1/videos", headers={"Authorization": "Bearer x"})
        ).status_code == 401
        created = await api.post("/v1/videos", json={"text": "Hello from the CLI test."})
        assert created.status_code == 202
        video_id = created.json()["id"]
        assert (await api.get(f"/v1/videos/{video_id}")).json()["status"] == "queued"
        batch = await api.post("/v1/videos/batch", json={"videos": [{"text": "a"}, {"text": "b"}]})
        assert batch.status_code == 202
        listed = (await api.get("/v1/videos")).json()["items"]
        assert len(listed) == 3
        found = (await api.post("/v1/videos/batch-get", json={"ids": [video_id, "x"]})).json()
        assert found["not_found"] == ["x"]
        cancelled = await api.post(f"/v1/videos/{video_id}/cancel")
        assert cancelled.json()["status"] == "cancelled"
        assert (await api.delete(f"/v1/videos/{video_id}")).status_code == 204
        assert (await api.get("/docs")).status_code == 200
        assert (await api.get("/readyz")).status_code == 200

    # The database outlives the process: a restarted server still has the videos.
    async with (
        serve_cli(env) as base_url,
        httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as api,
    ):
        assert len((await api.get("/v1/videos")).json()["items"]) == 2


async def test_revoked_key_no_longer_works(tmp_path: Path) -> None:
    env = cli_env(tmp_path, AIVIDEO_REQUIRE_API_KEY="true")
    _, key, _ = await run_cli(env, "keys", "create", "--user", "erin")

    code, _, err = await run_cli(env, "keys", "revoke", key.strip()[:10])
    assert code == 0, err

    async with serve_cli(env) as base_url, httpx.AsyncClient(base_url=base_url) as api:
        response = await api.get("/v1/videos", headers={"Authorization": f"Bearer {key.strip()}"})
    assert response.status_code == 401
