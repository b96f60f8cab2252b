"""Webhook deliveries to real receivers on loopback that answer badly, slowly or greedily.

The sender runs as in a process (``run_forever``) or one round at a time
(``deliver_due``), over the real database, with the settings of each test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from aivideo.auth.service import get_or_create_user
from aivideo.core.config import Settings
from aivideo.db.models import Video, VideoEvent
from aivideo.db.types import utcnow
from aivideo.runtime.resources import Resources
from aivideo.webhooks.sender import WebhookSender
from tests.support.polling import wait_for
from tests.support.server import serve_on_loopback

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BODY_TEXT = "Traceback: the receiver's own words, with db-password=hunter2"


class Receiver:
    """A webhook receiver with one path per way of answering; remembers what it was sent."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.answered_ok = asyncio.Event()
        self.trickling = asyncio.Event()
        self.in_progress = 0  # requests being answered right now
        self.most_at_once = 0
        self.app = Starlette(
            routes=[
                Route(f"/{name}", getattr(self, name), methods=["POST"])
                for name in ("ok", "fail", "moved", "silent", "endless", "trickle")
            ]
        )

    def _hit(self, request: Request) -> None:
        self.hits.append((request.url.path, dict(request.headers)))

    async def ok(self, request: Request) -> Response:
        self._hit(request)
        self.answered_ok.set()
        return PlainTextResponse("thanks")

    async def fail(self, request: Request) -> Response:
        self._hit(request)
        return PlainTextResponse(BODY_TEXT, status_code=500)

    async def moved(self, request: Request) -> Response:
        self._hit(request)
        return RedirectResponse("/ok", status_code=302)

    async def silent(self, request: Request) -> Response:
        self._hit(request)
        await request.body()
        await request.receive()  # the next message is the sender hanging up
        return Response(status_code=200)  # to no one

    async def endless(self, request: Request) -> Response:
        """200, then a body that never ends, as fast as the connection takes it."""
        self._hit(request)

        async def chunks() -> AsyncIterator[bytes]:
            # Until the sender hangs up (uvicorn takes more body after that without a word).
            while not await request.is_disconnected():
                yield b"x" * 65536

        return StreamingResponse(chunks())

    async def trickle(self, request: Request) -> Response:
        """200, then a body of one byte a second, for ever: no read ever waits long."""
        self._hit(request)

        async def chunks() -> AsyncIterator[bytes]:
            self.in_progress += 1
            self.most_at_once = max(self.most_at_once, self.in_progress)
            self.trickling.set()
            try:
                while not await request.is_disconnected():
                    yield b"x"
                    await asyncio.sleep(1)  # the receiver's pace, not a stand-in for work
            finally:
                self.in_progress -= 1

        return StreamingResponse(chunks())

    def paths(self) -> list[str]:
        return [path for path, _ in self.hits]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    fake = Receiver()
    async with serve_on_loopback(fake.app) as base_url:
        yield fake, base_url


@dataclass
class SenderTools:
    """What the sender needs, with this test's settings (the process's own otherwise)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient


def sender(resources: Resources, **settings: Any) -> WebhookSender:
    chosen = {"allow_private_urls": True, **settings}  # the receivers are on loopback
    tools = SenderTools(
        resources.settings.model_copy(update=chosen), resources.sessions, resources.http
    )
    return WebhookSender(tools)


async def finished_video(resources: Resources, webhook_url: str) -> str:
    """A completed video whose webhook is due now; its id."""
    async with resources.sessions() as session:
        owner = await get_or_create_user(session, "alice")
        now = utcnow()
        video = Video(
            owner_id=owner.id,
            status="completed",
            text="Done.",
            options={},
            webhook_url=webhook_url,
            finished_at=now,
            webhook_due_at=now,
        )
        session.add(video)
        await session.commit()
        return video.id


async def webhook_events(resources: Resources, video_id: str) -> list[VideoEvent]:
    async with resources.sessions() as session:
        events = await session.scalars(
            select(VideoEvent)
            .where(VideoEvent.video_id == video_id, VideoEvent.kind.startswith("webhook"))
            .order_by(VideoEvent.id)
        )
        return list(events)


async def only_event(resources: Resources, video_id: str) -> VideoEvent:
    (event,) = await webhook_events(resources, video_id)
    return event


async def test_a_name_that_resolves_to_loopback_is_refused_at_delivery(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    fake, base_url = receiver
    # Accepted when the video was created (the setting was on, or the name was public then).
    url = base_url.replace("127.0.0.1", "localhost") + "/ok"
    video_id = await finished_video(resources, url)

    await sender(resources, allow_private_urls=False).deliver_due()

    assert fake.hits == []
    event = await only_event(resources, video_id)
    assert event.kind == "webhook_attempt_failed"
    assert event.data["result"] == (
        "localhost is a loopback address (127.0.0.1), which this server does not send webhooks to"
    )


async def test_the_log_shows_the_status_and_its_reason_never_the_body(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    fake, base_url = receiver
    video_id = await finished_video(resources, f"{base_url}/fail")

    await sender(resources).deliver_due()

    event = await only_event(resources, video_id)
    assert event.kind == "webhook_attempt_failed"
    assert event.data == {"attempt": 1, "result": "HTTP 500 Internal Server Error"}
    assert "(HTTP 500 Internal Server Error); next attempt in" in event.message
    assert "hunter2" not in event.message and "Traceback" not in event.message


async def test_a_receiver_that_is_not_listening_is_connection_refused(
    resources: Resources,
) -> None:
    async with serve_on_loopback(Receiver().app) as base_url:
        pass  # stopped: nothing listens on its port any more
    video_id = await finished_video(resources, f"{base_url}/ok")

    await sender(resources).deliver_due()

    event = await only_event(resources, video_id)
    assert event.data["result"] == "connection refused"


async def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    fake, base_url = receiver
    video_id = await finished_video(resources, f"{base_url}/moved")

    await sender(resources).deliver_due()

    assert fake.paths() == ["/moved"]
    event = await only_event(resources, video_id)
    assert event.kind == "webhook_attempt_failed"
    assert event.data["result"] == "HTTP 302 Found; redirects are not followed"


async def test_a_receiver_that_never_answers_fails_at_the_time_limit(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    _, base_url = receiver
    video_id = await finished_video(resources, f"{base_url}/silent")

    await sender(resources, webhook_timeout=1).deliver_due()

    event = await only_event(resources, video_id)
    assert event.data["result"] == "no answer within 1 s"


async def test_a_receiver_that_streams_without_end_costs_one_small_read(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    fake, base_url = receiver
    video_id = await finished_video(resources, f"{base_url}/endless")

    # The time limit is far away: the attempt ends because the body is not read.
    async with asyncio.timeout(10):
        await sender(resources, webhook_timeout=60).deliver_due()

    event = await only_event(resources, video_id)
    assert event.kind == "webhook_delivered"
    assert event.data["result"] == "HTTP 200 OK"
    ((_, headers),) = fake.hits
    assert headers["accept-encoding"] == "identity"  # no compressed body to inflate


async def test_a_trickling_receiver_is_cut_at_the_time_limit_and_delays_no_other_video(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    fake, base_url = receiver
    loop = asyncio.get_running_loop()
    slow_id = await finished_video(resources, f"{base_url}/trickle")
    running = asyncio.create_task(sender(resources, webhook_timeout=4).run_forever())
    try:
        async with asyncio.timeout(10):
            await fake.trickling.wait()
        trickle_began = loop.time()
        # Due while the slow attempt runs: it goes out at the next poll, not after it.
        await finished_video(resources, f"{base_url}/ok")
        async with asyncio.timeout(3):
            await fake.answered_ok.wait()
        assert await webhook_events(resources, slow_id) == []  # still trickling

        slow = await wait_for(lambda: webhook_events(resources, slow_id), seconds=10)
        attempt_took = loop.time() - trickle_began
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert 3.5 < attempt_took < 6
    # The status came at once: the receiver said 200, only its body was slow.
    assert [event.kind for event in slow] == ["webhook_delivered"]


async def test_a_delivery_being_attempted_is_not_sent_again_by_another_process(
    resources: Resources, receiver: tuple[Receiver, str]
) -> None:
    fake, base_url = receiver
    video_id = await finished_video(resources, f"{base_url}/trickle")
    # Two senders, as in two processes. The claim lets one of them send; its attempt
    # ends (2 s) before the claim runs out (2 + 5 s), so the other never sends it too.
    # A byte a second never lets httpx's own read timeout (2 s) end the attempt.
    senders = [
        asyncio.create_task(sender(resources, webhook_timeout=2).run_forever()) for _ in range(2)
    ]
    try:
        events = await wait_for(lambda: webhook_events(resources, video_id), seconds=10)
    finally:
        for task in senders:
            task.cancel()
        await asyncio.gather(*senders, return_exceptions=True)

    assert [event.kind for event in events] == ["webhook_delivered"]
    assert fake.paths() == ["/trickle"]
    assert fake.most_at_once == 1
