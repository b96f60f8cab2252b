from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.server import Api, running_api


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
