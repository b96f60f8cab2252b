"""One live message about a video: its status now, and how far it is.

Workers publish these; progress streams read them. On Redis they travel as
JSON, so :meth:`LiveEvent.from_json` reads what another version may have
written and ignores what it does not know.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

EventType = Literal["progress", "status"]


@dataclass(frozen=True)
class LiveEvent:
    type: EventType  # "progress" while running; "status" when the status changed
    status: str
    percent: int | None = None
    stage: str | None = None
    message: str | None = None  # why the status changed

    @classmethod
    def progress(cls, status: str, percent: int, stage: str | None = None) -> LiveEvent:
        return cls("progress", status, percent=percent, stage=stage)

    @classmethod
    def status_changed(cls, status: str, message: str | None = None) -> LiveEvent:
        return cls("status", status, message=message)

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LiveEvent | None:
        """The event in ``data``, or None if it is not one (a message this version cannot read)."""
        kind, status = data.get("type"), data.get("status")
        if kind not in ("progress", "status") or not isinstance(status, str):
            return None
        percent = data.get("percent")
        stage, message = data.get("stage"), data.get("message")
        return cls(
            kind,
            status,
            percent=int(percent) if isinstance(percent, int | float) else None,
            stage=stage if isinstance(stage, str) else None,
            message=message if isinstance(message, str) else None,
        )
