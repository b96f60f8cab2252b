"""Where a client's requests go and what they carry: the server, the key, the time limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx

from aivideo import __version__
from aivideo.client.calls import Call

API_KEY_ENV = "AIVIDEO_API_KEY"
# Generous reads: a progress stream is quiet for up to 15 s between its pings.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, read=60.0)


@dataclass(frozen=True)
class Connection:
    """The part of every request that is the same for all of them."""

    base_url: str  # "": the given httpx client's own base_url
    headers: dict[str, str]

    @classmethod
    def of(cls, base_url: str | None, api_key: str | None, *, has_http_client: bool) -> Connection:
        """Arguments of a client's constructor, checked, with the key from the environment."""
        if base_url is None and not has_http_client:
            raise TypeError("give the server's base_url (or an httpx client that has one)")
        key = os.environ.get(API_KEY_ENV) if api_key is None else api_key
        headers = {"User-Agent": f"aivideo-client/{__version__}"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return cls((base_url or "").rstrip("/"), headers)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def request_arguments(self, call: Call[Any]) -> dict[str, Any]:
        """Keyword arguments of httpx's ``request`` and ``stream`` for ``call``."""
        return {
            "method": call.method,
            "url": self.url(call.path),
            "params": call.params,
            "json": call.json,
            "headers": {**self.headers, **call.headers},
            "follow_redirects": call.follow_redirects,
        }


def check_transport_arguments(transport: object, http_client: object) -> None:
    if transport is not None and http_client is not None:
        raise TypeError("give a transport or an httpx client, not both")
