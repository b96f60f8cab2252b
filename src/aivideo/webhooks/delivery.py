"""One webhook attempt: to a checked address, within one time limit, reading little.

The receiver's host is checked again at every attempt (a name that was public
when the video was created may point inside since), and the POST goes to the
address that was checked. The attempt has a single time limit, from resolving
the name to the last byte read, so a receiver that trickles its answer holds a
delivery slot no longer than that. Of the reply only the status counts: its
body is read up to ``REPLY_CAP`` bytes, undecoded (``Accept-Encoding:
identity``), so one that streams without end costs nothing. Redirects are not
followed: a 3xx is a failed attempt like any other answer but a 2xx.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from os import strerror

import httpx

from aivideo.observability.operation_timing import PROVIDER
from aivideo.providers.address_guard import (
    NameServerSilent,
    NotPublic,
    RefusedHost,
    checked_destination,
)

# Enough for a receiver's short answer to arrive whole, so it sees a normal exchange.
REPLY_CAP = 4096
_USER_AGENT = "aivideo (webhook delivery)"


@dataclass(frozen=True)
class Outcome:
    """How an attempt went, in a few words for the video's log (never the reply's body)."""

    delivered: bool
    detail: str  # "HTTP 500 Internal Server Error", "connection refused", ...


async def attempt_delivery(
    http: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    time_limit: float,
    allow_private: bool,
) -> Outcome:
    """POST ``body`` to ``url`` once, within ``time_limit`` seconds in all.

    Every way it can go becomes an :class:`Outcome`: it never raises.
    """
    answered: list[int] = []  # the reply's status, once it has come
    try:
        async with asyncio.timeout(time_limit):
            await _post(http, httpx.URL(url), body, headers, time_limit, allow_private, answered)
    except NotPublic as exc:
        return Outcome(False, f"{exc}, which this server does not send webhooks to")
    except (RefusedHost, NameServerSilent) as exc:
        return Outcome(False, str(exc))
    except httpx.InvalidURL as exc:
        return Outcome(False, f"not a valid URL ({exc})")
    except (TimeoutError, httpx.HTTPError) as exc:
        if not answered:
            return Outcome(False, _why_no_answer(exc, time_limit))
        # The status came; only the body was slow or broken, and the body does not count.
    return _judged(answered[0])


async def _post(
    http: httpx.AsyncClient,
    url: httpx.URL,
    body: bytes,
    headers: dict[str, str],
    time_limit: float,
    allow_private: bool,
    answered: list[int],
) -> None:
    destination = await checked_destination(url, allow_private=allow_private)
    async with http.stream(
        "POST",
        destination.address_url,
        content=body,
        headers={
            **headers,
            **destination.headers,
            "User-Agent": _USER_AGENT,
            # Undecoded, a capped read is capped in bytes on the wire: no gzip bomb.
            "Accept-Encoding": "identity",
        },
        extensions={**destination.extensions, PROVIDER: "webhooks"},  # metrics: not the host
        timeout=time_limit,  # httpx's own limits, per phase, never outlast the total
        follow_redirects=False,
    ) as response:
        answered.append(response.status_code)
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= REPLY_CAP:
                break  # leaving the block closes the connection: the rest is never read


def _judged(status: int) -> Outcome:
    # The standard phrase, not the receiver's own: what a receiver sends is not logged.
    answer = f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()
    if 300 <= status < 400:
        return Outcome(False, f"{answer}; redirects are not followed")
    return Outcome(200 <= status < 300, answer)


def _why_no_answer(error: BaseException, time_limit: float) -> str:
    """Why no reply came, in a few words ("connection refused")."""
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        return f"no answer within {time_limit:g} s"
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"its TLS certificate was refused ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed ({cause.reason or cause})"
        if isinstance(cause, OSError) and cause.errno:
            return strerror(cause.errno).lower()  # "connection refused"
        # httpcore raises its errors while handling the socket's, without ``from``.
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.RemoteProtocolError):
        return "the receiver closed the connection without a valid answer"
    if isinstance(error, httpx.ConnectError):
        return "could not connect"
    return "the connection failed"
