"""Embedded mode (SQLite, one connection, the worker in the process) under concurrent use."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.server import running_api
from tests.support.video_state import wait_for_status
from tests.support.workers import LONG_TEXT

POOL_TIMEOUT = 2.0  # a request that waits this long for SQLite's connection gets a 503


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_two_clients_cancelling_and_retrying_a_rendering_video_never_wait_for_the_database(
    settings: Settings, resources: Resources
) -> None:
    embedded = settings.model_copy(update={"db_pool_timeout": POOL_TIMEOUT, "render_slots": 1})
    answers: list[tuple[str, int, float]] = []

    async def cancel_then_retry(client: httpx.AsyncClient, video_id: str) -> None:
        for _ in range(6):
            for verb in ("cancel", "retry"):
                started = time.monotonic()
                answer = await client.post(f"/v1/videos/{video_id}/{verb}")
                answers.append((verb, answer.status_code, time.monotonic() - started))

    async with running_api(embedded, resources) as api:
        created = await api.alice.post("/v1/videos", json={"text": LONG_TEXT, "quality": "low"})
        video_id = created.json()["id"]
        await wait_for_status(resources, video_id, "running")

        await asyncio.gather(
            cancel_then_retry(api.alice, video_id), cancel_then_retry(api.alice, video_id)
        )
        await api.alice.post(f"/v1/videos/{video_id}/retry")  # if the last word was a cancel
        video = await wait_for_status(resources, video_id, "completed", "failed", seconds=120)

    assert {code for _, code, _ in answers} <= {200, 409}, answers  # never 503
    slowest = max(seconds for _, _, seconds in answers)
    assert slowest < POOL_TIMEOUT, answers
    assert video.status == "completed", video.error_message
