"""Videos made through the API by the embedded runner: progress, files, cancel."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from aivideo.api.app import create_app
from aivideo.core.config import Settings
from tests.support.server import Api, api_client, serve_on_loopback

SHORT = {"text": "A short video made through the API.", "quality": "low", "title": "API"}


async def _wait_for(client: httpx.AsyncClient, video_id: str, statuses: set[str]) -> dict:  # type: ignore[type-arg]
    async with asyncio.timeout(120):
        while True:
            video = (await client.get(f"/v1/videos/{video_id}")).json()
            if video["status"] in statuses:
                return video  # type: ignore[no-any-return]
            await asyncio.sleep(0.2)  # polling interval of a client, not a stand-in for work


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_created_video_is_made_and_served(rendering_api: Api) -> None:
    api = rendering_api
    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]

    video = await _wait_for(api.alice, video_id, {"completed", "failed"})

    assert video["status"] == "completed", video["error"]
    assert video["progress"] == 100
    assert video["output"]["width"] == 854 and video["output"]["format"] == "mp4"
    assert video["output"]["duration_seconds"] > 2.5
    file = await api.alice.get(f"/v1/videos/{video_id}/file")
    assert file.status_code == 200
    assert file.headers["content-type"] == "video/mp4"
    assert len(file.content) == video["output"]["size_bytes"]
    partial = await api.alice.get(f"/v1/videos/{video_id}/file", headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206 and len(partial.content) == 100
    thumbnail = await api.alice.get(f"/v1/videos/{video_id}/thumbnail.jpg")
    assert (
        thumbnail.headers["content-type"] == "image/jpeg" and thumbnail.content[:2] == b"\xff\xd8"
    )
    vtt = await api.alice.get(f"/v1/videos/{video_id}/subtitles.vtt")
    assert vtt.text.startswith("WEBVTT") and "A short video made through the API." in vtt.text
    srt = await api.alice.get(f"/v1/videos/{video_id}/subtitles.srt")
    assert srt.text.startswith("1\n")
    kinds = [
        e["kind"] for e in (await api.alice.get(f"/v1/videos/{video_id}/events")).json()["items"]
    ]
    assert kinds[:2] == ["created", "started"] and kinds[-1] == "completed"
    assert (await api.bob.get(f"/v1/videos/{video_id}/file")).status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_cancelling_a_running_video_stops_it(rendering_api: Api, settings: Settings) -> None:
    api = rendering_api
    long_text = " ".join(["This sentence keeps the encoder busy for a little while."] * 15)
    video_id = (await api.alice.post("/v1/videos", json={"text": long_text})).json()["id"]
    await _wait_for(api.alice, video_id, {"running"})

    cancelled = await api.alice.post(f"/v1/videos/{video_id}/cancel")

    assert cancelled.json()["status"] == "cancelled"
    # The runner stops the work and removes the video's files.
    folder = settings.storage_dir / video_id
    async with asyncio.timeout(30):
        while True:
            if not await asyncio.to_thread(folder.exists):
                break
            await asyncio.sleep(0.1)  # polling the filesystem for the clean-up to finish
    video = (await api.alice.get(f"/v1/videos/{video_id}")).json()
    assert video["status"] == "cancelled"
    assert (await api.alice.get(f"/v1/videos/{video_id}/file")).status_code == 404


async def test_files_of_an_unfinished_video_are_404_saying_why(api: Api) -> None:
    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    await api.alice.post(f"/v1/videos/{video_id}/cancel")

    response = await api.alice.get(f"/v1/videos/{video_id}/file")

    assert response.status_code == 404
    assert response.json()["error"]["message"].endswith("has no file yet: it is cancelled")


async def test_unknown_voice_and_bad_rate_are_422(api: Api) -> None:
    voice = await api.alice.post("/v1/videos", json={"text": "hi", "voice": "nobody"})
    rate = await api.alice.post("/v1/videos", json={"text": "hi", "rate": 5})
    nothing = await api.alice.post("/v1/videos", json={"text": "🎉 !!!"})

    assert voice.status_code == 422
    assert voice.json()["error"]["message"] == (
        "voice: unknown voice 'nobody'; installed voices: heart, joe"
    )
    assert rate.status_code == 422 and rate.json()["error"]["message"].startswith("rate:")
    assert nothing.status_code == 422
    assert "nothing to narrate" in nothing.json()["error"]["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_videos_queued_before_a_restart_are_made_after_it(
    api: Api, settings: Settings
) -> None:
    # ``api`` takes requests but makes no videos, like a server that stopped.
    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    assert (await api.alice.get(f"/v1/videos/{video_id}")).json()["status"] == "queued"

    async with serve_on_loopback(create_app(settings)) as base_url:
        async with api_client(base_url, api.alice.headers["authorization"][7:]) as client:
            video = await _wait_for(client, video_id, {"completed", "failed"})

    assert video["status"] == "completed", video["error"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_batch_created_videos_are_made_too(rendering_api: Api) -> None:
    batch = {"videos": [{**SHORT, "text": f"Batch video number {i}."} for i in range(2)]}
    created = (await rendering_api.alice.post("/v1/videos/batch", json=batch)).json()["videos"]

    finished = [
        await _wait_for(rendering_api.alice, video["id"], {"completed", "failed"})
        for video in created
    ]

    assert [video["status"] for video in finished] == ["completed", "completed"]
