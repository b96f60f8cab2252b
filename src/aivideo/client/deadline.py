"""How ``wait`` waits: how often it looks at the video, and the time it has left."""

from __future__ import annotations

import time

from aivideo.client.errors import WaitTimeout

# ``wait`` looks at the video this often: a GET the server's cache answers. Not the
# stream: a user may have only a few open (AIVIDEO_MAX_STREAMS_PER_USER), and a
# program may wait for many videos at once.
POLL_SECONDS = 1.0


class Deadline:
    """A moment after which waiting for a video stops; ``seconds=None``: never."""

    def __init__(self, video_id: str, seconds: float | None) -> None:
        self.video_id = video_id
        self.seconds = seconds
        self._ends_at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self._ends_at is None else max(self._ends_at - time.monotonic(), 0.0)

    def check(self) -> None:
        """Raise :class:`WaitTimeout` if the time is up."""
        if self.seconds is not None and self.remaining() == 0.0:
            raise WaitTimeout(self.video_id, self.seconds)

    def sleep_time(self, wanted: float) -> float:
        """``wanted``, or less if the time is up sooner."""
        remaining = self.remaining()
        return wanted if remaining is None else min(wanted, remaining)
