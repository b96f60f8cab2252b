"""What the job system needs from the process it runs in.

The pipeline's tools, and the database, the video cache, the scratch folder,
the store of finished videos and the shared HTTP client; the process's
resources (``aivideo.runtime``) provide them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aivideo.cache.video_status import VideoStatusCache
from aivideo.pipeline.tools import PipelineTools
from aivideo.storage import ObjectStore


class JobTools(PipelineTools, Protocol):
    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]: ...

    @property
    def video_cache(self) -> VideoStatusCache: ...

    @property
    def storage_dir(self) -> Path:
        """This machine's folder where videos are made (scratch; the store by default)."""
        ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def http(self) -> httpx.AsyncClient:
        """The shared HTTP client (webhook deliveries)."""
        ...
