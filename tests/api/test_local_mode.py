"""Local mode trusts only this machine: not a rebound host name, a proxy, or another site."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from aivideo.api.app import create_app
from aivideo.auth.service import create_api_key
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.server import api_client, serve_on_loopback

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

NO_KEY = "an API key is required"


@dataclass
class Laptop:
    """A server in local mode, a client without a key and one with alice's key."""

    base_url: str
    port: int
    anonymous: httpx.AsyncClient
    alice: httpx.AsyncClient


@pytest.fixture
async def laptop(settings: Settings, resources: Resources) -> AsyncIterator[Laptop]:
    async with resources.sessions() as session:
        key = (await create_api_key(session, "alice")).key
    app = create_app(settings.model_copy(update={"render_slots": 0}), allow_local_user=True)
    async with (
        serve_on_loopback(app) as base_url,
        api_client(base_url) as anonymous,
        api_client(base_url, key) as alice,
    ):
        yield Laptop(base_url, httpx.URL(base_url).port or 0, anonymous, alice)


async def test_keyless_requests_are_local_only_under_this_machines_names(laptop: Laptop) -> None:
    port = laptop.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
        answer = await laptop.anonymous.get("/v1/videos", headers={"Host": host})
        assert answer.status_code == 200, host

    # A page whose own name was made to point at 127.0.0.1 (DNS rebinding) names itself.
    for host in (f"rebound.example:{port}", "localhost.example", "127.0.0.1.nip.io", ""):
        answer = await laptop.anonymous.post(
            "/v1/videos",
            json={"text": "Made by a page of another site."},
            headers={"Host": host, "Origin": f"http://{host}"},
        )
        assert answer.status_code == 401, host
        assert answer.json()["error"]["message"].startswith(NO_KEY)
    assert (await laptop.anonymous.get("/v1/videos")).json()["items"] == []


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.7"},
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Host": "video.example.com"},
        {"Forwarded": "for=203.0.113.7;proto=https"},
        {"X-Real-IP": "203.0.113.7"},
    ],
)
async def test_keyless_requests_through_a_proxy_need_a_key(
    laptop: Laptop, header: dict[str, str]
) -> None:
    answer = await laptop.anonymous.get("/v1/videos", headers=header)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"]["message"].startswith(NO_KEY)
    # With a key, the proxy is no reason to refuse.
    assert (await laptop.alice.get("/v1/videos", headers=header)).status_code == 200


async def test_a_page_of_another_site_cannot_change_anything_without_a_key(
    laptop: Laptop,
) -> None:
    video_id = (await laptop.anonymous.post("/v1/videos", json={"text": "Mine."})).json()["id"]
    elsewhere = {"Origin": "https://attacker.example"}

    created = await laptop.anonymous.post("/v1/videos", json={"text": "Theirs."}, headers=elsewhere)
    cancelled = await laptop.anonymous.post(f"/v1/videos/{video_id}/cancel", headers=elsewhere)
    deleted = await laptop.anonymous.delete(f"/v1/videos/{video_id}", headers=elsewhere)
    read = await laptop.anonymous.get(f"/v1/videos/{video_id}", headers=elsewhere)

    for refused in (created, cancelled, deleted):
        assert refused.status_code == 403
        assert refused.json()["error"] == {
            "code": "forbidden",
            "message": "a web page of https://attacker.example may not change anything on "
            f"this server without an API key: only this server's own page ({laptop.base_url}) "
            "may; a program sends no Origin header, or sends `Authorization: Bearer <key>`",
        }
    # Reading is harmless: without CORS the other site's page cannot see the answer.
    assert read.status_code == 200 and read.json()["status"] == "queued"
    videos = (await laptop.anonymous.get("/v1/videos")).json()["items"]
    assert [video["id"] for video in videos] == [video_id]

    # This server's own page may; so may a program, which sends no Origin.
    own = {"Origin": laptop.base_url}
    assert (await laptop.anonymous.post(f"/v1/videos/{video_id}/cancel", headers=own)).json()[
        "status"
    ] == "cancelled"
    assert (await laptop.anonymous.delete(f"/v1/videos/{video_id}")).status_code == 204
    # A key is not sent cross-site by a browser (it would need CORS): with one, Origin is moot.
    keyed = await laptop.alice.post("/v1/videos", json={"text": "Keyed."}, headers=elsewhere)
    assert keyed.status_code == 202
