"""Calls to one HTTP provider: pooled, bounded, timed out and retried.

Every provider talks through the process's one ``httpx.AsyncClient`` (its
connection pool and timeouts come from the resource manager). On top of that
each provider gets a bound on concurrent requests, a total time limit per
attempt, and retries with exponential backoff and jitter (stamina) on
connection errors, timeouts, 429 and 5xx — never on any other 4xx, which
would fail again the same way. A 429's ``Retry-After`` sets the wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import stamina

from aivideo.core.config import Settings
from aivideo.core.retry_after import retry_after_seconds
from aivideo.observability.logs import mask_secrets
from aivideo.observability.metrics import RETRIES
from aivideo.observability.operation_timing import PROVIDER
from aivideo.providers.errors import ProviderUnavailable

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_BODY_FRAMING = ("content-encoding", "content-length", "transfer-encoding")
WRITE_BATCH = 1 << 20  # bytes of a download kept in memory before they go to disk


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    timeout: float = 60.0  # seconds for all attempts together
    retry_after_max: float = 30.0  # a longer Retry-After is not waited for
    wait_initial: float = 0.5
    wait_max: float = 10.0
    attempt_timeout: float = 120.0  # seconds for one attempt, from connect to the last byte

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            attempts=settings.http_retry_attempts,
            timeout=settings.http_retry_timeout,
            retry_after_max=settings.http_retry_after_max,
            attempt_timeout=settings.http_total_timeout,
        )


class _RetryableReply(Exception):
    """A 429 or 5xx reply: carried through stamina so it can decide on a retry."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class ProviderHttp:
    """Requests to one provider (``name`` appears in errors and metrics)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        name: str,
        *,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
        concurrency: int = 4,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.client = client
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.policy = policy or RetryPolicy()
        self._slots = asyncio.Semaphore(concurrency)
        # A provider may think longer than the client's read timeout before its first
        # byte (an LLM writing a long script): each try's own bound is the limit.
        self._timeout = httpx.Timeout(self.policy.attempt_timeout, connect=client.timeout.connect)

    def _should_retry(self, error: Exception) -> bool | float:
        """stamina's backoff hook: retry or not, or how long to wait (``Retry-After``)."""
        if isinstance(error, _RetryableReply):
            wait = retry_after_seconds(error.response.headers.get("Retry-After"))
            if wait is None:
                retry: bool | float = True
            elif wait > self.policy.retry_after_max:
                return False  # not worth holding a video for: report the 429 now
            else:
                retry = wait
            RETRIES.labels(f"http_{error.response.status_code}").inc()
            return retry
        if isinstance(error, httpx.TransportError | TimeoutError):
            RETRIES.labels("http_transport").inc()
            return True
        return False

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        max_bytes: int = 20_000_000,
        into: Path | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """The provider's reply, after retries, its body read (at most ``max_bytes``).

        With ``into``, a successful (2xx) reply's body is written to that file
        as it arrives instead of being kept in memory (large downloads); the
        caller removes the file if it does not keep it.

        Returns every reply that is not retried (2xx, 3xx, other 4xx) and the
        last 429/5xx when the retries ran out: the caller turns a status into
        the message that fits its provider.

        Raises:
            ProviderUnavailable: no reply at all after every retry.
            TooLarge: the body is longer than ``max_bytes`` (not retried).
        """
        url = path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"
        request_headers = {**self.headers, **kwargs.pop("headers", {})}
        # The metrics label the request by provider (not by host: see operation_timing).
        kwargs["extensions"] = {PROVIDER: self.name, **kwargs.get("extensions", {})}
        policy = self.policy
        try:
            async for attempt in stamina.retry_context(
                on=self._should_retry,
                attempts=policy.attempts,
                timeout=policy.timeout,
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
            ):
                with attempt:
                    return await self._attempt(
                        method, url, request_headers, max_bytes, into, kwargs
                    )
        except _RetryableReply as reply:
            return reply.response
        except (httpx.TransportError, TimeoutError) as exc:
            raise ProviderUnavailable(
                f"{self.name} did not answer after {policy.attempts} tries "
                f"({why_no_answer(exc)}); it may be down or overloaded: try again later"
            ) from exc
        raise AssertionError("unreachable: stamina either returns or raises")

    async def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        into: Path | None,
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        async with (
            self._slots,
            asyncio.timeout(self.policy.attempt_timeout),
            self.client.stream(
                method,
                url,
                headers=headers,
                timeout=self._timeout,
                **kwargs,
            ) as streamed,
        ):
            if into is not None and streamed.is_success:
                await _write_at_most(streamed, into, max_bytes)
                body = b""
            else:
                body = await _read_at_most(streamed, max_bytes)
        # The body is already decoded: the copy must not claim an encoding.
        reply_headers = httpx.Headers(streamed.headers)
        for name in _BODY_FRAMING:
            reply_headers.pop(name, None)
        response = httpx.Response(
            streamed.status_code, headers=reply_headers, content=body, request=streamed.request
        )
        if response.status_code in RETRIED_STATUSES:
            raise _RetryableReply(response)
        return response


def _check_declared_size(response: httpx.Response, limit: int) -> None:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(int(declared), limit)


async def _write_at_most(response: httpx.Response, path: Path, limit: int) -> None:
    """Stream the body into ``path`` (emptied first: an earlier try may have begun it).

    Written a megabyte at a time, each piece opened, written and closed in one
    thread call: a cancelled download can never leave an open file behind.
    """
    _check_declared_size(response, limit)
    size, pending, mode = 0, bytearray(), "wb"
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit)
        pending += chunk
        if len(pending) >= WRITE_BATCH:
            await asyncio.to_thread(_write_file, path, mode, bytes(pending))
            pending.clear()
            mode = "ab"
    await asyncio.to_thread(_write_file, path, mode, bytes(pending))


def _write_file(path: Path, mode: str, data: bytes) -> None:
    with path.open(mode) as file:
        file.write(data)


async def _read_at_most(response: httpx.Response, limit: int) -> bytes:
    _check_declared_size(response, limit)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


class TooLarge(Exception):
    """A reply longer than the caller allows."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"larger than the limit of {limit} bytes")
        self.size, self.limit = size, limit


def why_no_answer(error: BaseException | None) -> str:
    """Why a provider did not answer, in a few words."""
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    if error is None:
        return "no reply"
    return str(error) or type(error).__name__


def provider_message(response: httpx.Response) -> str:
    """The provider's own explanation from an error reply, short enough for a sentence.

    It ends up in the video's error, which its owner reads: anything that looks
    like a key is masked (providers echo part of a refused key).
    """
    try:
        body = response.json()
    except ValueError:
        return mask_secrets(response.text.strip()[:300])
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        error = error.get("message") or error.get("detail") or error
    return mask_secrets(str(error).strip()[:300])
