"""Video ids in paths: checked before any query, and one video whatever their case."""

from __future__ import annotations

import anyio
import pytest

from aivideo.api.pagination import encode_cursor
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.finished_video import finish_video
from tests.support.server import Api

ROUTES = [
    ("GET", ""), ("POST", "/cancel"), ("POST", "/retry"), ("DELETE", ""), ("GET", "/events"),
    ("GET", "/progress"), ("GET", "/file"), ("GET", "/thumbnail.jpg"),
    ("GET", "/subtitles.vtt"), ("GET", "/subtitles.srt"),
]  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "bad_id",
    ["not-a-video", "01a22000-0000-7000-8000-00000000000", "01a22000000070008000000000000000"],
)
async def test_an_id_that_is_not_a_uuid_is_422_on_every_route(api: Api, bad_id: str) -> None:
    for method, suffix in ROUTES:
        response = await api.alice.request(method, f"/v1/videos/{bad_id}{suffix}")

        assert response.status_code == 422, (method, suffix, response.text)
        assert response.json()["error"]["message"] == (
            f"video_id: {bad_id!r} is not a video id: a video's id is a UUID such as "
            "01a22000-0000-7000-8000-000000000000 (the `id` in its JSON)"
        )


async def test_an_upper_cased_id_is_the_same_video_on_every_database(
    api: Api, resources: Resources, settings: Settings
) -> None:
    # MariaDB compares ids case-insensitively, PostgreSQL and SQLite do not:
    # the API lowers them, so all three find the same video, its files and its cache entry.
    video_id = (await api.alice.post("/v1/videos", json={"text": "Case."})).json()["id"]
    upper = video_id.upper()
    await finish_video(resources, video_id, {"video.mp4": b"the stored id's video"})
    assert (await api.alice.get(f"/v1/videos/{video_id}")).status_code == 200  # now cached

    fetched = await api.alice.get(f"/v1/videos/{upper}")
    file = await api.alice.get(f"/v1/videos/{upper}/file")
    deleted = await api.alice.delete(f"/v1/videos/{upper}")

    assert fetched.status_code == 200 and fetched.json()["id"] == video_id
    assert file.status_code == 200 and file.content == b"the stored id's video"
    assert deleted.status_code == 204
    assert (await api.alice.get(f"/v1/videos/{video_id}")).status_code == 404
    assert not await anyio.Path(settings.storage_dir / video_id).exists()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_ids_and_cursors_holding_nul_are_422_not_500(api: Api) -> None:
    # PostgreSQL's text cannot hold NUL: such a value must be refused before any query.
    batch = await api.alice.post("/v1/videos/batch-get", json={"ids": ["a\u0000b"]})
    listed = await api.alice.get("/v1/videos", params={"cursor": encode_cursor("a\u0000b")})

    assert batch.status_code == 422
    assert batch.json()["error"]["message"].startswith("ids[0]: must not contain the NUL")
    assert listed.status_code == 422
    assert listed.json()["error"]["message"].startswith("cursor is not valid")
