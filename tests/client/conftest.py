"""A real API on loopback for the client, and the keys of its two users.

The client speaks HTTP: one database (SQLite) behind the server is enough;
the databases themselves are tested under tests/db and tests/api.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aivideo.core.config import Settings
from aivideo.db.migrate import upgrade_to_head_blocking
from aivideo.runtime.resources import Resources
from tests.support.server import running_api

# Short and low quality: a video made in a few seconds.
SHORT = {"text": "A short video made through the client.", "quality": "low"}


@dataclass(frozen=True)
class Server:
    """A running API: its base URL and the keys of ``alice`` and ``bob``."""

    base_url: str
    alice: str
    bob: str


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'aivideo.db'}"
    upgrade_to_head_blocking(url)
    return url


async def _serve(settings: Settings, resources: Resources) -> AsyncIterator[Server]:
    async with running_api(settings, resources) as api:
        keys = [
            client.headers["authorization"].removeprefix("Bearer ")
            for client in (api.alice, api.bob)
        ]
        yield Server(api.base_url, *keys)


@pytest.fixture
async def server(settings: Settings, resources: Resources) -> AsyncIterator[Server]:
    """The API alone: videos stay queued, so each test sees the states it sets."""
    async for running in _serve(settings.model_copy(update={"render_slots": 0}), resources):
        yield running


@pytest.fixture
async def rendering_server(settings: Settings, resources: Resources) -> AsyncIterator[Server]:
    """The API with its embedded runner making the videos.

    A progress stream lasts 1 s at most: following a video is reconnecting to it.
    """
    update = {"stream_max_seconds": 1.0}
    async for running in _serve(settings.model_copy(update=update), resources):
        yield running
