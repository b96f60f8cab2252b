from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources


@pytest.fixture
async def resources(tmp_path: Path) -> AsyncIterator[Resources]:
    async with Resources(Settings(data_dir=tmp_path / "data")) as opened:
        yield opened
