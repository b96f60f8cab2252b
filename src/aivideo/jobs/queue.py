"""What the API needs from a job system; the in-process runner provides it today."""

from __future__ import annotations

from typing import Protocol


class JobQueue(Protocol):
    def submit(self, video_id: str) -> None:
        """Make a committed, queued video eventually run."""

    def cancel(self, video_id: str) -> None:
        """Stop a video's work now if it is running here (its status is already cancelled)."""


class NoLocalWork:
    """For a process that only takes requests (``AIVIDEO_RENDER_SLOTS=0``).

    Videos stay queued in the database for a process that makes them.
    """

    def submit(self, video_id: str) -> None:
        pass

    def cancel(self, video_id: str) -> None:
        pass
