"""Timing the operations of shared clients: database statements and outgoing HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from aivideo.observability.metrics import observe

_STARTED = "aivideo_started"


def time_database_statements(engine: AsyncEngine) -> None:
    """Every statement is one ``database`` operation named by its verb (SELECT, UPDATE...)."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault(_STARTED, []).append(time.perf_counter())

    @event.listens_for(sync_engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started = conn.info[_STARTED].pop()
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        observe("database", verb, time.perf_counter() - started)

    @event.listens_for(sync_engine, "handle_error")
    def _failed(context: Any) -> None:
        stack = context.connection.info.get(_STARTED) if context.connection else None
        if stack:
            stack.pop()


async def _request_started(request: httpx.Request) -> None:
    request.extensions[_STARTED] = time.perf_counter()


# Who the request went to, set by the caller: not the host, which for user-given
# URLs (media_urls, webhooks) would make a metric series per address anyone sent.
PROVIDER = "aivideo_provider"


async def _response_received(response: httpx.Response) -> None:
    request = response.request
    started = request.extensions.get(_STARTED)
    if started is not None:
        name = request.extensions.get(PROVIDER, "other")
        observe("http", name, time.perf_counter() - started)


HTTP_EVENT_HOOKS: dict[str, list[Callable[..., Any]]] = {
    "request": [_request_started],
    "response": [_response_received],
}
