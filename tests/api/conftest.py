from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from aivideo.api.app import create_app
from aivideo.auth.service import create_api_key
from aivideo.config import Settings
from aivideo.resources import Resources
from tests.server import api_client, serve_on_loopback


@dataclass
class Api:
    """A running server and a client per user: ``alice`` and ``bob`` have keys."""

    base_url: str
    alice: httpx.AsyncClient
    bob: httpx.AsyncClient
    anonymous: httpx.AsyncClient


@pytest.fixture
async def api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    """The API alone: videos stay queued, so each test sees the states it sets."""
    async with _running_api(settings.model_copy(update={"render_slots": 0}), resources) as api:
        yield api


@pytest.fixture
async def rendering_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    """The API with its embedded runner making the videos."""
    async with _running_api(settings, resources) as api:
        yield api


@asynccontextmanager
async def _running_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
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
