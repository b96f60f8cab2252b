from __future__ import annotations

from pathlib import Path

import pytest

from aivideo.api.app import create_app
from aivideo.core.config import Settings
from tests.support.server import Api, api_client, serve_on_loopback


async def test_healthz_needs_no_key(api: Api) -> None:
    response = await api.anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_every_component_up(api: Api) -> None:
    response = await api.anonymous.get("/readyz")

    assert response.status_code == 200
    components = response.json()["components"]
    assert set(components) == {"database", "cache", "broker", "storage", "process_pool"}
    assert all(c["status"] == "up" for c in components.values())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_readyz_is_503_naming_what_is_down(database_url: str, tmp_path: Path) -> None:
    # Nothing listens on port 1: the cache and the broker cannot be reached.
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        redis_url="redis://127.0.0.1:1/0",
        broker_url="amqp://guest:guest@127.0.0.1:1/",
        probe_timeout=1,
    )
    async with serve_on_loopback(create_app(settings)) as base_url, api_client(base_url) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    # Without its cache the service still answers (slower): that alone is not a 503.
    assert body["error"]["message"] == "not ready: broker down"
    assert body["components"]["database"]["status"] == "up"
    assert body["components"]["cache"]["status"] == "down"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_loopback_server_may_serve_a_local_user_without_key(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url)
    app = create_app(settings, allow_local_user=True)
    async with serve_on_loopback(app) as base_url, api_client(base_url) as client:
        created = await client.post("/v1/videos", json={"text": "no key needed here"})
        wrong_key = await client.get("/v1/videos", headers={"Authorization": "Bearer nope"})

    assert created.status_code == 202
    assert wrong_key.status_code == 401
