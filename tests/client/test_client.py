"""``aivideo.client.Client`` against a real server on loopback.

The client blocks, so each test runs it in a thread of its own while the
server answers on the test's event loop, as it would in another process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from aivideo.client import (
    Client,
    Conflict,
    NotFound,
    QueueFull,
    Unauthorized,
    ValidationFailed,
    VideoCreate,
    VideoStatus,
)
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.client.conftest import SHORT, Server
from tests.support.server import running_api

UNKNOWN_ID = "01890a5d-ac96-774b-bcce-b302099a8057"


async def test_a_video_is_made_waited_for_and_downloaded(
    rendering_server: Server, tmp_path: Path
) -> None:
    folder = tmp_path / "downloads"

    def make() -> tuple[bytes, bytes, str, list[str]]:
        folder.mkdir()
        with Client(rendering_server.base_url, api_key=rendering_server.alice) as client:
            video = client.create(VideoCreate(**SHORT))
            finished = client.wait(video.id, timeout=120)
            assert finished.status == VideoStatus.COMPLETED, finished.error
            assert finished.output is not None and finished.output.duration_seconds
            saved = client.download(video.id, folder / "made.mp4")
            subtitles = client.download(video.id, folder / "made.vtt", "subtitles.vtt")
        served = httpx.get(
            f"{rendering_server.base_url}/v1/videos/{video.id}/file",
            headers={"Authorization": f"Bearer {rendering_server.alice}"},
        )
        listing = sorted(path.name for path in folder.iterdir())
        return saved.read_bytes(), served.content, subtitles.read_text(), listing

    saved, served, subtitles, listing = await asyncio.to_thread(make)

    assert saved == served and saved[4:8] == b"ftyp"
    assert subtitles.startswith("WEBVTT")
    assert listing == ["made.mp4", "made.vtt"]  # nothing temporary left beside them


async def test_list_goes_through_every_page_newest_first(server: Server) -> None:
    def scenario() -> tuple[list[str], list[str], list[str]]:
        with Client(server.base_url, api_key=server.alice) as client:
            made = client.create_batch([{"text": f"Video number {n}."} for n in range(5)])
            client.cancel(made[1].id)
            listed = [video.id for video in client.list(page_size=2)]
            cancelled = [video.id for video in client.list(status="cancelled", page_size=2)]
        return [video.id for video in made], listed, cancelled

    made, listed, cancelled = await asyncio.to_thread(scenario)

    assert listed == made[::-1]
    assert cancelled == [made[1]]


async def test_cancel_retry_and_delete_change_the_video(server: Server) -> None:
    def scenario() -> None:
        with Client(server.base_url, api_key=server.alice) as client:
            video = client.create(text="Cancelled, then queued again.")
            assert client.cancel(video.id).status == VideoStatus.CANCELLED
            with pytest.raises(Conflict):
                client.cancel(video.id)
            assert client.retry(video.id).status == VideoStatus.QUEUED
            client.cancel(video.id)
            client.delete(video.id)
            with pytest.raises(NotFound):
                client.get(video.id)

    await asyncio.to_thread(scenario)


async def test_the_same_idempotency_key_gives_the_same_video(server: Server) -> None:
    def scenario() -> tuple[str, str, str]:
        with Client(server.base_url, api_key=server.alice) as client:
            first = client.create(text="Once.", idempotency_key="launch-1")
            again = client.create(text="Once.", idempotency_key="launch-1")
            other = client.create(text="Once.", idempotency_key="launch-2")
        return first.id, again.id, other.id

    first, again, other = await asyncio.to_thread(scenario)

    assert again == first and other != first


async def test_get_many_tells_found_from_not_found(server: Server) -> None:
    def scenario() -> None:
        with (
            Client(server.base_url, api_key=server.alice) as alice,
            Client(server.base_url, api_key=server.bob) as bob,
        ):
            mine = alice.create(text="Alice's video.")
            theirs = bob.create(text="Bob's video.")
            found = alice.get_many([mine.id, theirs.id, UNKNOWN_ID])
        assert [video.id for video in found.videos] == [mine.id]
        assert found.not_found == [theirs.id, UNKNOWN_ID]

    await asyncio.to_thread(scenario)


async def test_another_user_s_video_is_not_found(server: Server) -> None:
    def scenario() -> NotFound:
        with (
            Client(server.base_url, api_key=server.alice) as alice,
            Client(server.base_url, api_key=server.bob) as bob,
        ):
            video = alice.create(text="Only for Alice.")
            with pytest.raises(NotFound) as raised:
                bob.get(video.id)
        return raised.value

    error = await asyncio.to_thread(scenario)

    assert (error.status_code, error.code) == (404, "not_found")
    assert "no video with id" in error.message


async def test_a_wrong_key_is_unauthorized(server: Server) -> None:
    def scenario() -> Unauthorized:
        with Client(server.base_url, api_key="av_not-a-key") as client:
            with pytest.raises(Unauthorized) as raised:
                client.get(UNKNOWN_ID)
        return raised.value

    error = await asyncio.to_thread(scenario)

    assert (error.status_code, error.code) == (401, "not_authenticated")


async def test_the_key_comes_from_the_environment(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIVIDEO_API_KEY", server.alice)

    def scenario() -> str:
        with Client(server.base_url) as client:
            return client.create(text="Keyed from the environment.").id

    video_id = await asyncio.to_thread(scenario)

    assert video_id


async def test_a_wrong_request_names_each_wrong_field(server: Server) -> None:
    def scenario() -> ValidationFailed:
        with Client(server.base_url, api_key=server.alice) as client:
            with pytest.raises(ValidationFailed) as raised:
                client.create(text="Fine text.", quality="ultra", rate=9)
        return raised.value

    error = await asyncio.to_thread(scenario)

    assert (error.status_code, error.code) == (422, "invalid_input")
    assert sorted(field.field for field in error.field_errors) == ["quality", "rate"]
    assert "quality:" in error.message and "rate:" in error.message


async def test_a_full_queue_says_when_to_come_back(
    settings: Settings, resources: Resources
) -> None:
    one_waiting = settings.model_copy(update={"render_slots": 0, "max_queued_per_user": 1})
    async with running_api(one_waiting, resources) as api:
        key = api.alice.headers["authorization"].removeprefix("Bearer ")

        def scenario() -> QueueFull:
            with Client(api.base_url, api_key=key) as client:
                client.create(text="The one that waits.")
                with pytest.raises(QueueFull) as raised:
                    client.create(text="One too many.")
            return raised.value

        error = await asyncio.to_thread(scenario)

    assert (error.status_code, error.code) == (429, "queue_full")
    assert error.retry_after is not None and error.retry_after > 0
