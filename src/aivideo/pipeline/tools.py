"""What the pipeline needs from the process it runs in.

The stages ask for the settings, the configured providers and the bounded
pools, nothing else; the process's resources (``aivideo.runtime``) provide
them, and a test can hand in its own.
"""

from __future__ import annotations

from typing import Protocol

from aivideo.core.config import Settings
from aivideo.core.executors import Executors
from aivideo.providers.registry import Providers


class PipelineTools(Executors, Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def providers(self) -> Providers: ...

    async def renew_process_pool(self) -> None:
        """Replace the pool's processes by fresh ones, giving back what they held."""
        ...
