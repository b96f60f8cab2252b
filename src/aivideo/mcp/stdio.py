"""``aivideo mcp``: the tools over standard input and output, for an agent on this machine."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, cast

from mcp.server.mcpserver import Context, MCPServer

from aivideo.core.config import Settings
from aivideo.mcp.backend import VideoBackend
from aivideo.mcp.embedded import embedded_videos
from aivideo.mcp.remote import remote_videos
from aivideo.mcp.tools import build_server


def _process_backend(ctx: Context) -> VideoBackend:
    # What the lifespan below yielded: one backend for the whole process.
    return cast(VideoBackend, ctx.request_context.lifespan_context)


async def serve_stdio(settings: Settings, server_url: str | None, api_key: str | None) -> None:
    """Serve until the client closes standard input.

    Without ``server_url`` the videos are made here (embedded, the local user's, in
    the data folder); with it, by the API there, as the user of ``api_key``.
    """

    def opened(_: MCPServer[Any]) -> AbstractAsyncContextManager[VideoBackend]:
        if server_url is None:
            return embedded_videos(settings)
        return remote_videos(server_url, api_key)

    # The SDK opens the backend inside its stdio transport, which has already moved
    # fd 1 aside: a child process (ffmpeg, the CPU pool) that prints cannot corrupt it.
    server = build_server(_process_backend, lifespan=opened)
    await server.run_stdio_async()
