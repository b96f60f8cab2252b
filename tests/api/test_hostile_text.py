"""A text built to be slow to clean does not stop the server from answering."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from aivideo.core.script import MAX_TEXT_CHARS
from tests.support.polling import wait_for
from tests.support.server import Api

# Before the cleaner's patterns were rewritten, this line held the GIL for seconds.
HOSTILE = "[" * (MAX_TEXT_CHARS - 20) + "\nThat is all."


async def _ask_healthz_again_and_again(client: httpx.AsyncClient, slowest: list[float]) -> None:
    """One request always in flight: a stalled server shows as a slow answer."""
    while True:
        started = time.perf_counter()
        assert (await client.get("/healthz")).status_code == 200
        slowest[0] = max(slowest[0], time.perf_counter() - started)


async def _watch_loop_lag(longest: list[float]) -> None:
    """How late a 10 ms timer fires, at worst: the time the loop could not run."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + 0.01
        await asyncio.sleep(0.01)
        longest[0] = max(longest[0], loop.time() - due)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_healthz_answers_while_a_hostile_text_is_split(rendering_api: Api) -> None:
    client = rendering_api.alice
    slowest, lag = [0.0], [0.0]
    watchers = [
        asyncio.create_task(_ask_healthz_again_and_again(rendering_api.anonymous, slowest)),
        asyncio.create_task(_watch_loop_lag(lag)),
    ]
    video_id = (await client.post("/v1/videos", json={"text": HOSTILE})).json()["id"]

    async def script_stage_over() -> bool:
        video = (await client.get(f"/v1/videos/{video_id}")).json()
        return video["status"] != "queued" and video["stage"] not in (None, "script")

    await wait_for(script_stage_over, seconds=60)
    for watcher in watchers:
        watcher.cancel()
    await client.post(f"/v1/videos/{video_id}/cancel")  # the rest of the video is not the point

    assert slowest[0] < 0.5, f"/healthz took {slowest[0]:.2f} s while the text was split"
    assert lag[0] < 0.5, f"the event loop was stalled for {lag[0]:.2f} s"
