"""MCP over streamable HTTP at ``/mcp``: the tools of ``aivideo mcp``, for each request's caller.

Every request is authenticated as a request to ``/v1`` is (the same dependency:
the owner of the API key, or the local user where that is allowed), before the
SDK sees it: a missing or wrong key is the API's own 401, and a revoked key is
refused from the next request on. The tools then serve that caller's videos only.

Stateless (the SDK's ``stateless_http``): each POST is served on its own and no
session outlives it, so ``serve --workers N`` may send a client's requests to
any of its processes, and no session stays open on a key that was revoked.
Answers are Server-Sent Events, so progress reaches the client while
``create_video`` waits.
"""

from __future__ import annotations

from fastapi import FastAPI
from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from aivideo.api.dependencies import get_current_user, services_of
from aivideo.auth.key_cache import Caller
from aivideo.mcp.backend import VideoBackend
from aivideo.mcp.served import ServedVideos
from aivideo.mcp.tools import build_server

MCP_PATH = "/mcp"
_CALLER = "aivideo.caller"  # the ASGI scope's key for the request's caller


class McpEndpoint:
    """The ASGI app at ``/mcp``: the caller found as ``/v1`` finds it, then the SDK."""

    def __init__(self, sessions: StreamableHTTPSessionManager) -> None:
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        # A refusal (401, 403, a 503 of the database) is raised to the app's
        # error handlers: the same JSON body as anywhere under /v1.
        scope[_CALLER] = await get_current_user(request)
        await self.sessions.handle_request(scope, receive, send)


def _caller_backend(ctx: Context) -> VideoBackend:
    """The videos of the caller of the HTTP request this call came in."""
    request = ctx.request_context.request
    if not isinstance(request, Request) or _CALLER not in request.scope:
        raise RuntimeError("an MCP call reached the tools without going through McpEndpoint")
    caller: Caller = request.scope[_CALLER]
    services = services_of(request)
    return ServedVideos(
        services.resources,
        services.jobs,
        caller,
        group_commit=services.group_commit,
        reads=services.video_reads,
        base_url=str(request.base_url),
    )


def mount_mcp(app: FastAPI) -> StreamableHTTPSessionManager:
    """Serve the MCP tools at ``/mcp``; run the returned manager in the app's lifespan."""
    server = build_server(_caller_backend)
    # Only for the session manager it makes: the route below is the one served.
    server.streamable_http_app(
        stateless_http=True,
        # The SDK's own Host/Origin checks (DNS rebinding) are off: the caller is
        # found as for /v1, where local mode refuses such requests already.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    sessions = server.session_manager
    # A route, not a mount: a mount would answer /mcp with a redirect to /mcp/.
    endpoint = McpEndpoint(sessions)
    methods = ["GET", "POST", "DELETE"]
    app.router.routes.append(Route(MCP_PATH, endpoint, methods=methods, include_in_schema=False))
    return sessions
