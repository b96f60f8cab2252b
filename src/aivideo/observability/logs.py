"""Logging: structlog for every line, ours and the libraries' alike.

JSON lines when the output is not a terminal (production: one object per line,
easy to ship and search), readable colours when it is. Lines carry what is
bound to the current context: ``request_id`` during a request, ``video_id``
while a video is made. Passwords in URLs, API keys and secrets are masked
before anything is written.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

_QUERY_SECRET = re.compile(
    r"([?&](?:key|api_key|apikey|token|access_token|sig|signature|X-Amz-[A-Za-z-]+)=)[^&\s\"']+",
    re.I,
)
_SECRETS = [
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]+:)[^@\s]+@", re.I), r"\1***@"),  # URL password
    (re.compile(r"\bav_[A-Za-z0-9_-]{8,}"), "av_***"),  # aivideo API keys
    (re.compile(r"(\bBearer\s+)\S+", re.I), r"\1***"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "***"),  # webhook secrets, key digests
    (_QUERY_SECRET, r"\1***"),  # keys in query strings (Pixabay's, signed storage URLs)
    (re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"), "sk-***"),  # OpenAI-style keys in provider replies
]


def mask_secrets(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _mask(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = mask_secrets(value)
    return event


def configure_logging(*, json: bool | None = None, level: int = logging.INFO) -> None:
    """Route all logging through structlog; ``json`` None: JSON unless stderr is a terminal."""
    if json is None:
        json = not sys.stderr.isatty()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=True)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _mask,
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # httpx logs every request's full URL at INFO: query strings may hold keys.
    for noisy in ("aiormq", "aio_pika", "taskiq.receiver.receiver", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
