"""An overloaded server says so (503, Retry-After), keeps its probes up, and recovers."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import text

from aivideo.api.middleware.load_shedding import MIN_IN_PROGRESS, REFUSAL_DELAY, is_sheddable
from aivideo.auth.service import create_api_key
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.server import running_api

CROWD = MIN_IN_PROGRESS + 20


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_requests_stuck_behind_a_locked_table_make_new_ones_refused_until_they_finish(
    settings: Settings, resources: Resources
) -> None:
    limits = {"max_queued_per_user": 1000, "max_queued_total": 1000}
    busy = settings.model_copy(update={"render_slots": 0, "serve_max_wait": 0.2, **limits})
    async with resources.sessions() as session:
        key = (await create_api_key(session, "crowd")).key
    async with (
        running_api(busy, resources) as api,
        httpx.AsyncClient(
            base_url=api.base_url,
            headers={"Authorization": f"Bearer {key}"},
            limits=httpx.Limits(max_connections=CROWD + 50),
            timeout=60,
        ) as crowd,
    ):
        batch = {"videos": [{"text": f"Video {n}."} for n in range(50)]}
        ids = [
            video["id"]
            for _ in range(CROWD // 50 + 1)
            for video in (await crowd.post("/v1/videos/batch", json=batch)).json()["videos"]
        ]
        async with resources.engine.connect() as holder:
            # Every read of a video (none is cached yet) now waits for this transaction.
            await holder.execute(text("LOCK TABLE videos IN ACCESS EXCLUSIVE MODE"))
            stuck = [asyncio.create_task(crowd.get(f"/v1/videos/{i}")) for i in ids[:CROWD]]

            let_in_probes = 0

            async def refused() -> httpx.Response | None:
                nonlocal let_in_probes
                try:
                    answer = await crowd.get(f"/v1/videos/{ids[-1]}", timeout=REFUSAL_DELAY + 1.5)
                except httpx.TimeoutException:
                    let_in_probes += 1  # the crowd is not old enough yet: it waits with it
                    return None
                return answer if answer.status_code == 503 else None

            answer = await wait_for(refused, seconds=30)
            assert answer.json()["error"]["code"] == "server_busy"
            assert "busy" in answer.json()["error"]["message"]
            assert int(answer.headers["Retry-After"]) >= 1
            assert (await api.anonymous.get("/healthz")).status_code == 200
            # A client that asks again at once, ignoring Retry-After, is refused at a
            # pace: it cannot make refusals the loop's main work.
            asked = time.monotonic()
            again = [(await crowd.get(f"/v1/videos/{ids[-1]}")).status_code for _ in range(3)]
            assert again == [503] * 3
            assert time.monotonic() - asked >= 3 * REFUSAL_DELAY
            await holder.rollback()

        answers = await asyncio.gather(*stuck)
        # Nothing lost: each request of the crowd was served once the table was
        # free, or refused at once as busy (on a slow machine, one arriving after
        # MIN_IN_PROGRESS others, probes included, had waited too long); never a
        # timeout or an error.
        served = [a for a in answers if a.status_code == 200]
        refused_at_once = [a for a in answers if a.status_code == 503]
        assert len(served) + len(refused_at_once) == CROWD
        assert all(a.json()["error"]["code"] == "server_busy" for a in refused_at_once)
        assert len(served) + let_in_probes >= MIN_IN_PROGRESS
        assert (await crowd.get(f"/v1/videos/{ids[-1]}")).status_code == 200


def test_streams_downloads_and_probes_are_never_refused() -> None:
    video = "/v1/videos/01a237b4-371a-73d3-b8a3-1ca02b8bc412"
    assert is_sheddable(video) and is_sheddable("/v1/videos") and is_sheddable(video + "/cancel")
    for path in ("/progress", "/file", "/thumbnail.jpg", "/subtitles.vtt", "/words.json"):
        assert not is_sheddable(video + path)
    for path in ("/healthz", "/readyz", "/metrics", "/"):
        assert not is_sheddable(path)
