"""Local mode: which requests without an API key may act as the user ``local``.

A server bound to loopback can only be reached from this machine, but a web
page open in this machine's browser can still send it requests: by DNS
rebinding (a name of the attacker's that resolves to 127.0.0.1, so the page is
"same origin" with the server) or cross-site (a form or fetch aimed at
http://127.0.0.1:8000). The first carries the attacker's host name in
``Host``; the second carries the attacker's page in ``Origin``. A reverse
proxy in front makes every request look local, and says so in its
``Forwarded``/``X-Forwarded-*`` headers.
"""

from __future__ import annotations

from starlette.requests import Request

from aivideo.core.errors import Forbidden

# The names this machine is reached by from itself; any port.
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
# Headers a reverse proxy adds: a request that went through one came from elsewhere.
_PROXY_HEADERS = ("forwarded", "x-forwarded-", "x-real-ip")
# Requests that change nothing: the only ones a page of another site may send.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _host_name(host: str) -> str:
    """``localhost:8000`` -> ``localhost``, ``[::1]:8000`` -> ``[::1]``."""
    name, _, port = host.rpartition(":")
    return name if port.isdigit() else host


def is_from_this_machine(request: Request) -> bool:
    """Whether the request names this machine as its host and came through no proxy."""
    host = request.headers.get("host", "").lower()
    if _host_name(host) not in _LOCAL_HOSTS:
        return False
    return not any(name.startswith(_PROXY_HEADERS) for name in request.headers)


def refuse_cross_site(request: Request) -> None:
    """Refuse (403) a change sent by a web page of another origin than this server's.

    Browsers send ``Origin`` with every POST, PUT, PATCH and DELETE; programs
    such as curl send none, and are let through.
    """
    origin = request.headers.get("origin")
    if origin is None or request.method in _SAFE_METHODS:
        return
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin.lower() != own.lower():
        raise Forbidden(
            f"a web page of {origin} may not change anything on this server without an API "
            f"key: only this server's own page ({own}) may; a program sends no Origin header, "
            "or sends `Authorization: Bearer <key>`"
        )
