"""A real ``serve`` on loopback for the MCP client over streamable HTTP, and its users' keys.

MCP rides on the API: one database (SQLite) behind the server is enough; the
databases themselves are tested under tests/db and tests/api.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aivideo.core.config import Settings
from aivideo.db.migrate import upgrade_to_head_blocking
from aivideo.runtime.resources import Resources
from tests.support.server import Api, running_api


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'aivideo.db'}"
    upgrade_to_head_blocking(url)
    return url


@pytest.fixture
async def api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    """The API alone: videos stay queued, so each test sees the states it sets."""
    async with running_api(settings.model_copy(update={"render_slots": 0}), resources) as api:
        yield api


@pytest.fixture
async def rendering_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    """The API with its embedded runner making the videos."""
    async with running_api(settings, resources) as api:
        yield api
