"""What the API needs from the job system (:class:`aivideo.jobs.system.JobSystem`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aivideo.jobs.live import LiveEvents


class JobQueue(Protocol):
    live: LiveEvents

    async def publish(self, video_ids: Sequence[str]) -> None:
        """Make committed, queued videos eventually run."""

    def cancel(self, video_id: str) -> None:
        """Stop a video's work now if it is running in this process (its status is cancelled)."""
