"""What the job system needs from the process it runs in.

The pipeline's tools, and the database, the video cache, the storage folder
and the shared HTTP client; the process's resources (``aivideo.runtime``) provide them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aivideo.cache.video_status import VideoStatusCache
from aivideo.pipeline.tools import PipelineTools


class JobTools(PipelineTools, Protocol):
    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def video_cache(self) -> VideoStatusCache: ...

    @property
    def storage_dir(self) -> Path: ...

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared HTTP client (webhook deliveries)."""
        ...
