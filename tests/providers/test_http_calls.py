"""Outgoing provider calls against a real HTTP server on loopback.

The fake provider counts what it received (requests per path, their arrival
times, requests in flight) so each test can say what went over the wire: how
many tries, how far apart, how many at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import gzip
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from aivideo.providers.errors import ProviderUnavailable
from aivideo.providers.http_calls import (
    ProviderHttp,
    RetryPolicy,
    TooLarge,
    provider_message,
    retry_after_seconds,
)
from tests.support.server import serve_on_loopback

FAST = RetryPolicy(attempts=3, timeout=10, wait_initial=0.01, wait_max=0.05, attempt_timeout=0.5)


def _http_date(seconds_from_now: float) -> str:
    return email.utils.format_datetime(
        datetime.now(UTC) + timedelta(seconds=seconds_from_now), usegmt=True
    )


class FakeProvider:
    """A provider with one endpoint per behaviour, counting every request it gets."""

    def __init__(self) -> None:
        self.base_url = ""  # known once the server is listening
        self.arrivals: defaultdict[str, list[float]] = defaultdict(list)
        self.in_flight = 0
        self.max_in_flight = 0
        # Holds /slow open until the test ends, so shutting the server down never waits.
        self.released = asyncio.Event()
        self._app = Starlette(
            routes=[
                Route("/flaky", self.flaky),
                Route("/overloaded", self.overloaded),
                Route("/bad-request", self.bad_request, methods=["POST"]),
                Route("/rate-limited", self.rate_limited),
                Route("/rate-limited-oddly", self.rate_limited_oddly),
                Route("/rate-limited-for-an-hour/{form}", self.rate_limited_for_an_hour),
                Route("/slow", self.slow),
                Route("/large", self.large),
                Route("/large-streamed", self.large_streamed),
                Route("/busy", self.busy),
                Route("/gzipped", self.gzipped),
                Route("/echo-headers", self.echo_headers),
                Route("/cut-short", self.cut_short),
            ]
        )

    def hits(self, path: str) -> int:
        return len(self.arrivals[path])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        self.arrivals[scope["path"]].append(time.monotonic())
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        finished = False

        async def send_counted(message: Message) -> None:
            nonlocal finished
            # Out of flight before the last byte leaves: the client cannot start
            # its next request while this one still counts.
            if message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
                self.in_flight -= 1
            await send(message)

        try:
            await self._app(scope, receive, send_counted)
        finally:
            if not finished:
                self.in_flight -= 1

    async def flaky(self, request: Request) -> Response:
        if self.hits("/flaky") <= 2:
            return PlainTextResponse("try again", status_code=503)
        return JSONResponse({"ok": True})

    async def overloaded(self, request: Request) -> Response:
        return PlainTextResponse("  upstream overloaded\n", status_code=503)

    async def bad_request(self, request: Request) -> Response:
        error = {"message": "Unknown voice 'nova2'", "type": "invalid_request_error"}
        return JSONResponse({"error": error}, status_code=400)

    async def rate_limited(self, request: Request) -> Response:
        if self.hits("/rate-limited") == 1:
            return Response(status_code=429, headers={"Retry-After": "1"})
        return JSONResponse({"ok": True})

    async def rate_limited_oddly(self, request: Request) -> Response:
        if self.hits("/rate-limited-oddly") == 1:
            # A digit to str.isdigit() but not to float(): "²", sent as one latin-1 byte.
            return Response(status_code=429, headers={"Retry-After": "\u00b2"})
        return JSONResponse({"ok": True})

    async def rate_limited_for_an_hour(self, request: Request) -> Response:
        retry_after = "3600" if request.path_params["form"] == "seconds" else _http_date(3600)
        return Response(status_code=429, headers={"Retry-After": retry_after})

    async def slow(self, request: Request) -> Response:
        await self.released.wait()
        return JSONResponse({"ok": True})

    async def large(self, request: Request) -> Response:
        return Response(b"x" * 2_000)

    async def large_streamed(self, request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(20):
                yield b"x" * 100

        return StreamingResponse(chunks())

    async def busy(self, request: Request) -> Response:
        await asyncio.sleep(0.2)
        return JSONResponse({"ok": True})

    async def gzipped(self, request: Request) -> Response:
        body = gzip.compress(json.dumps({"text": "hello " * 100}).encode())
        return Response(body, headers={"Content-Encoding": "gzip"}, media_type="application/json")

    async def cut_short(self, request: Request) -> Response:
        """A download whose first try breaks off half way (the connection drops)."""
        first = self.hits("/cut-short") == 1

        async def chunks() -> AsyncIterator[bytes]:
            yield (b"x" if first else b"y") * 500
            if not first:
                yield b"y" * 1_500

        # The length promises 2 000 bytes: the first try's 500 are a broken reply.
        return StreamingResponse(chunks(), headers={"Content-Length": "2000"})

    async def echo_headers(self, request: Request) -> Response:
        return JSONResponse(dict(request.headers))


@pytest.fixture
async def provider() -> AsyncIterator[FakeProvider]:
    fake = FakeProvider()
    async with serve_on_loopback(fake) as base_url:
        fake.base_url = base_url
        try:
            yield fake
        finally:
            fake.released.set()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as opened:
        yield opened


def _http(
    client: httpx.AsyncClient, provider: FakeProvider, *, concurrency: int = 4, **policy: Any
) -> ProviderHttp:
    return ProviderHttp(
        client,
        "Acme TTS",
        base_url=provider.base_url,
        concurrency=concurrency,
        policy=dataclasses.replace(FAST, **policy),
    )


async def test_a_503_is_retried_until_the_provider_answers(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request("GET", "/flaky")

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert provider.hits("/flaky") == 3


async def test_the_last_5xx_is_returned_when_the_tries_run_out(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request("GET", "/overloaded")

    assert response.status_code == 503
    assert provider_message(response) == "upstream overloaded"
    assert provider.hits("/overloaded") == 3


async def test_a_400_is_not_retried_and_keeps_the_providers_message(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request(
        "POST", "/bad-request", json={"voice": "nova2"}
    )

    assert response.status_code == 400
    assert provider_message(response) == "Unknown voice 'nova2'"
    assert provider.hits("/bad-request") == 1


async def test_a_429_waits_for_its_retry_after(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request("GET", "/rate-limited")

    assert response.status_code == 200
    first, second = provider.arrivals["/rate-limited"]
    # Measured by the server; only a lower bound, since a loaded machine is slower.
    assert second - first >= 0.9


async def test_a_429_with_an_unreadable_retry_after_is_retried_as_usual(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request("GET", "/rate-limited-oddly")

    assert response.status_code == 200
    assert provider.hits("/rate-limited-oddly") == 2


@pytest.mark.parametrize("form", ["seconds", "http-date"])
async def test_a_429_asking_for_too_long_a_wait_is_returned_at_once(
    provider: FakeProvider, client: httpx.AsyncClient, form: str
) -> None:
    path = f"/rate-limited-for-an-hour/{form}"

    response = await _http(client, provider, retry_after_max=30).request("GET", path)

    assert response.status_code == 429
    assert provider.hits(path) == 1


async def test_an_attempt_that_takes_too_long_is_retried_then_reported_as_timed_out(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    http = _http(client, provider, attempt_timeout=0.3)

    with pytest.raises(ProviderUnavailable, match="timed out") as raised:
        await http.request("GET", "/slow")

    assert "Acme TTS" in raised.value.message
    assert provider.hits("/slow") == 3


async def test_a_refused_connection_is_retried_then_names_the_provider(
    client: httpx.AsyncClient,
) -> None:
    # A port that was just listening and is now closed: connecting to it is refused.
    listener = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()
    http = ProviderHttp(client, "Acme TTS", base_url=f"http://127.0.0.1:{port}", policy=FAST)

    with pytest.raises(ProviderUnavailable) as raised:
        await http.request("GET", "/anything")

    assert raised.value.message.startswith("Acme TTS did not answer after 3 tries")


@pytest.mark.parametrize("path", ["/large", "/large-streamed"])
async def test_a_reply_over_max_bytes_is_too_large_and_not_retried(
    provider: FakeProvider, client: httpx.AsyncClient, path: str
) -> None:
    with pytest.raises(TooLarge) as raised:
        await _http(client, provider).request("GET", path, max_bytes=1_000)

    assert raised.value.limit == 1_000
    assert raised.value.size > 1_000
    assert provider.hits(path) == 1


async def test_a_reply_of_max_bytes_is_read_whole(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request("GET", "/large", max_bytes=2_000)

    assert response.content == b"x" * 2_000


async def test_a_download_broken_off_is_retried_into_a_whole_file(
    provider: FakeProvider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    into = tmp_path / "clip.part"

    response = await _http(client, provider).request("GET", "/cut-short", into=into)

    assert response.status_code == 200
    assert provider.hits("/cut-short") == 2
    # The second try started the file afresh: nothing of the first one is left.
    assert await asyncio.to_thread(into.read_bytes) == b"y" * 2_000


async def test_an_error_reply_is_not_written_to_the_download_file(
    provider: FakeProvider, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    into = tmp_path / "clip.part"

    response = await _http(client, provider).request("POST", "/bad-request", into=into)

    assert response.status_code == 400
    assert "Unknown voice" in provider_message(response)  # kept in memory, for the message
    assert not await asyncio.to_thread(into.exists)


async def test_a_compressed_reply_is_returned_decoded(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    response = await _http(client, provider).request("GET", "/gzipped")

    assert response.json() == {"text": "hello " * 100}
    assert "content-encoding" not in response.headers


async def test_concurrent_requests_are_bounded_per_provider(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    http = _http(client, provider, concurrency=3, attempt_timeout=10)

    responses = await asyncio.gather(*(http.request("GET", "/busy") for _ in range(20)))

    assert [response.status_code for response in responses] == [200] * 20
    assert provider.hits("/busy") == 20
    assert provider.max_in_flight == 3


async def test_provider_and_call_headers_are_both_sent(
    provider: FakeProvider, client: httpx.AsyncClient
) -> None:
    http = ProviderHttp(
        client,
        "Acme TTS",
        base_url=provider.base_url + "/",
        headers={"Authorization": "Bearer secret", "X-Client": "aivideo"},
        policy=FAST,
    )

    response = await http.request("GET", "/echo-headers", headers={"X-Client": "override"})

    received = response.json()
    assert received["authorization"] == "Bearer secret"
    assert received["x-client"] == "override"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(" 120 ") == 120.0
    in_two_minutes = retry_after_seconds(_http_date(120))
    assert in_two_minutes is not None
    assert 100 < in_two_minutes <= 120
    assert retry_after_seconds(_http_date(-60)) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5", "\u00b2"])
def test_retry_after_that_is_not_a_delay_is_ignored(value: str | None) -> None:
    assert retry_after_seconds(value) is None


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(401, json={"error": {"message": "Invalid API key"}}), "Invalid API key"),
        (httpx.Response(422, json={"detail": "text is empty"}), "text is empty"),
        (httpx.Response(400, json={"error": "quota exceeded"}), "quota exceeded"),
        (httpx.Response(502, text="  Bad gateway\n"), "Bad gateway"),
    ],
    ids=["openai-json", "detail-json", "error-string", "plain-text"],
)
def test_provider_message_is_the_providers_own_words(
    response: httpx.Response, message: str
) -> None:
    assert provider_message(response) == message


def test_provider_message_is_cut_to_a_sentence() -> None:
    assert len(provider_message(httpx.Response(500, text="x" * 5_000))) == 300
