"""A request that loses a deadlock is run again, not answered 503 or 500."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from aivideo.db.locks import lock_video_queue
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources
from tests.support.lock_waits import never_the_deadlock_victim, wait_for_a_lock_wait
from tests.support.server import Api
from tests.support.video_state import video_row


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
async def test_a_retry_that_deadlocks_with_another_transaction_still_succeeds(
    api: Api, resources: Resources
) -> None:
    video_id = (await api.alice.post("/v1/videos", json={"text": "Deadlocked."})).json()["id"]
    await api.alice.post(f"/v1/videos/{video_id}/cancel")

    async with resources.sessions() as other:
        await never_the_deadlock_victim(other)
        await other.execute(update(Video).where(Video.id == video_id).values(title="meanwhile"))
        # The retry locks the queue, then waits for the video's row, which ``other`` holds...
        retry = asyncio.create_task(api.alice.post(f"/v1/videos/{video_id}/retry"))
        await wait_for_a_lock_wait(resources)
        # ...and ``other`` now wants the queue: each waits for the other, a deadlock.
        await lock_video_queue(other)
        await other.commit()
    response = await retry

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "queued"
    video = await video_row(resources, video_id)
    assert (video.status, video.title) == ("queued", "meanwhile")  # both transactions count
