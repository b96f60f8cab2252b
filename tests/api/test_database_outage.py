"""The database going away is a 503 that says so, and the API recovers by itself."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from aivideo.api.app import create_app
from aivideo.auth.service import create_api_key
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.server import api_client, serve_on_loopback
from tests.support.tcp_proxy import tcp_proxy


async def test_database_outage_is_503_and_the_api_recovers(
    postgres_url: str, tmp_path: Path
) -> None:
    real = make_url(postgres_url)
    async with tcp_proxy(real.host or "127.0.0.1", real.port or 5432) as proxy:
        url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        settings = Settings(data_dir=tmp_path, database_url=url)
        async with Resources(settings) as resources, resources.sessions() as session:
            key = (await create_api_key(session, "outage")).key

        async with (
            serve_on_loopback(create_app(settings)) as base_url,
            api_client(base_url, key) as client,
        ):
            assert (await client.get("/v1/videos")).status_code == 200

            proxy.cut()
            down = await client.get("/v1/videos")
            ready = await client.get("/readyz")

            proxy.restore()
            recovered = await client.get("/v1/videos")

    assert down.status_code == 503
    assert down.headers["retry-after"] == "1"
    assert down.json()["error"]["message"] == (
        "the database cannot be reached right now; retry in a moment"
    )
    assert ready.status_code == 503 and "database" in ready.json()["error"]["message"]
    assert recovered.status_code == 200
