"""Run the real app under uvicorn on a loopback port, inside the test's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from starlette.types import ASGIApp

from aivideo.api.app import create_app
from aivideo.auth.service import create_api_key
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources


@asynccontextmanager
async def serve_on_loopback(app: ASGIApp) -> AsyncIterator[str]:
    """Serve ``app`` (the real API, or a fake provider) on 127.0.0.1; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # start-up failed: raise its error here
                raise RuntimeError("the server stopped during start-up")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def api_client(base_url: str, key: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as client:
        yield client


@dataclass
class Api:
    """A running server and a client per user: ``alice`` and ``bob`` have keys."""

    base_url: str
    alice: httpx.AsyncClient
    bob: httpx.AsyncClient
    anonymous: httpx.AsyncClient


@asynccontextmanager
async def running_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    # ``resources`` has emptied the database; the server opens its own.
    async with resources.sessions() as session:
        alice_key = (await create_api_key(session, "alice")).key
        bob_key = (await create_api_key(session, "bob")).key
    async with (
        serve_on_loopback(create_app(settings)) as base_url,
        api_client(base_url, alice_key) as alice,
        api_client(base_url, bob_key) as bob,
        api_client(base_url) as anonymous,
    ):
        yield Api(base_url, alice, bob, anonymous)
