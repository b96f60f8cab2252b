"""Webhooks to a real receiver on loopback: signed, retried after a 500, ended by a 200."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request, Response

from aivideo.core.config import Settings
from aivideo.webhooks.signing import verify
from tests.api.test_video_files import SHORT, _wait_for
from tests.support.server import Api, serve_on_loopback


@dataclass
class Receiver:
    """Answers 500 to the first delivery and 200 after that, keeping what it got."""

    statuses: list[int] = field(default_factory=lambda: [500])
    deliveries: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answered_ok: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            self.deliveries.append((dict(request.headers), await request.body()))
            status = self.statuses.pop(0) if self.statuses else 200
            if status == 200:
                self.answered_ok.set()
            return Response(status_code=status)

        return app


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receivers here are on loopback, which a real server would refuse."""
    return settings.model_copy(update={"allow_private_urls": True})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_webhook_is_signed_retried_after_a_500_and_ends_with_a_200(
    rendering_api: Api,
) -> None:
    receiver = Receiver()
    async with serve_on_loopback(receiver.app()) as receiver_url:
        secret = (await rendering_api.alice.get("/v1/webhooks/secret")).json()["secret"]
        created = await rendering_api.alice.post(
            "/v1/videos", json={**SHORT, "webhook_url": f"{receiver_url}/hook"}
        )
        video_id = created.json()["id"]
        await _wait_for(rendering_api.alice, video_id, {"completed", "failed"})
        async with asyncio.timeout(60):
            await receiver.answered_ok.wait()

    assert len(receiver.deliveries) == 2
    (first_headers, first_body), (headers, body) = receiver.deliveries
    # The same delivery, sent again: the receiver can tell it is a duplicate.
    assert headers["x-aivideo-delivery"] == first_headers["x-aivideo-delivery"]
    assert first_body == body
    timestamp, signature = headers["x-aivideo-timestamp"], headers["x-aivideo-signature"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert signature == "sha256=" + expected.hexdigest()
    assert verify(secret, body, timestamp, signature)
    assert not verify("another secret", body, timestamp, signature)
    payload = json.loads(body)
    assert payload["event"] == "video.completed"
    assert payload["video"]["id"] == video_id

    events = (await rendering_api.alice.get(f"/v1/videos/{video_id}/events")).json()["items"]
    kinds = [event["kind"] for event in events]
    assert kinds.count("webhook_attempt_failed") == 1
    assert kinds.count("webhook_delivered") == 1
    assert kinds.index("webhook_attempt_failed") < kinds.index("webhook_delivered")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_another_user_has_another_webhook_secret(api: Api) -> None:
    alice = (await api.alice.get("/v1/webhooks/secret")).json()["secret"]
    bob = (await api.bob.get("/v1/webhooks/secret")).json()["secret"]

    assert len(alice) == 64 and len(bob) == 64
    assert alice != bob
    assert (await api.alice.get("/v1/webhooks/secret")).json()["secret"] == alice
