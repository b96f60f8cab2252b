"""The /v1/videos API against a real server and each real database."""

from __future__ import annotations

import asyncio

from tests.support.server import Api

VIDEO = {"text": "Water evaporates, rises and falls again as rain. 🌧️", "title": "The water cycle"}


async def test_create_returns_202_with_location_and_the_queued_video(api: Api) -> None:
    response = await api.alice.post("/v1/videos", json={**VIDEO, "aspect": "9:16"})

    assert response.status_code == 202
    video = response.json()
    assert response.headers["location"] == f"{api.base_url}/v1/videos/{video['id']}"
    assert video["status"] == "queued"
    assert video["text"] == VIDEO["text"]
    assert (video["aspect"], video["quality"], video["format"]) == ("9:16", "medium", "mp4")
    assert (video["caption_style"], video["visuals"]) == ("karaoke", "auto")
    assert video["progress"] == 0 and video["output"] is None

    fetched = await api.alice.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == video


async def test_created_video_is_logged(api: Api) -> None:
    video = (await api.alice.post("/v1/videos", json=VIDEO)).json()

    events = (await api.alice.get(f"/v1/videos/{video['id']}/events")).json()

    assert [event["kind"] for event in events["items"]] == ["created"]
    assert events["next_cursor"] is None


async def test_same_idempotency_key_and_body_returns_the_same_video(api: Api) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = await api.alice.post("/v1/videos", json=VIDEO, headers=headers)
    again = await api.alice.post("/v1/videos", json=VIDEO, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = (await api.alice.get("/v1/videos")).json()["items"]
    assert len(listed) == 1


async def test_same_idempotency_key_with_another_body_is_a_conflict(api: Api) -> None:
    headers = {"Idempotency-Key": "order-42"}
    await api.alice.post("/v1/videos", json=VIDEO, headers=headers)

    response = await api.alice.post(
        "/v1/videos", json={**VIDEO, "quality": "high"}, headers=headers
    )

    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["error"]["message"]


async def test_concurrent_requests_with_one_idempotency_key_make_one_video(api: Api) -> None:
    headers = {"Idempotency-Key": "double-click"}
    responses = await asyncio.gather(
        *(api.alice.post("/v1/videos", json=VIDEO, headers=headers) for _ in range(5))
    )

    assert {r.status_code for r in responses} == {202}
    assert len({r.json()["id"] for r in responses}) == 1


async def test_idempotency_keys_belong_to_one_user(api: Api) -> None:
    headers = {"Idempotency-Key": "same-key"}
    mine = await api.alice.post("/v1/videos", json=VIDEO, headers=headers)
    theirs = await api.bob.post("/v1/videos", json=VIDEO, headers=headers)

    assert theirs.status_code == 202
    assert theirs.json()["id"] != mine.json()["id"]


async def test_list_pages_through_own_videos_newest_first(api: Api) -> None:
    created = [
        (await api.alice.post("/v1/videos", json={"text": f"video {i}"})).json()["id"]
        for i in range(5)
    ]
    await api.bob.post("/v1/videos", json=VIDEO)

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.alice.get("/v1/videos", params=params)).json()
        seen += [video["id"] for video in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(created))


async def test_list_filters_by_status(api: Api) -> None:
    keep = (await api.alice.post("/v1/videos", json=VIDEO)).json()["id"]
    gone = (await api.alice.post("/v1/videos", json=VIDEO)).json()["id"]
    await api.alice.post(f"/v1/videos/{gone}/cancel")

    queued = (await api.alice.get("/v1/videos", params={"status": "queued"})).json()
    cancelled = (await api.alice.get("/v1/videos", params={"status": "cancelled"})).json()

    assert [v["id"] for v in queued["items"]] == [keep]
    assert [v["id"] for v in cancelled["items"]] == [gone]


async def test_batch_creates_all_videos(api: Api) -> None:
    batch = {"videos": [{"text": f"part {i}"} for i in range(50)]}

    response = await api.alice.post("/v1/videos/batch", json=batch)

    assert response.status_code == 202
    assert [v["text"] for v in response.json()["videos"]] == [f"part {i}" for i in range(50)]
    listed = (await api.alice.get("/v1/videos", params={"limit": 100})).json()["items"]
    assert len(listed) == 50


async def test_batch_with_one_bad_item_names_it_and_creates_nothing(api: Api) -> None:
    batch = {"videos": [{"text": "fine"}, {"text": "fine"}, {"text": "fine", "aspect": "4:3"}]}

    response = await api.alice.post("/v1/videos/batch", json=batch)

    assert response.status_code == 422
    assert "videos[2].aspect" in response.json()["error"]["message"]
    assert (await api.alice.get("/v1/videos")).json()["items"] == []


async def test_batch_of_more_than_50_is_refused(api: Api) -> None:
    response = await api.alice.post("/v1/videos/batch", json={"videos": [{"text": "x"}] * 51})

    assert response.status_code == 422
    assert "videos" in response.json()["error"]["message"]


async def test_batch_get_returns_found_and_lists_missing(api: Api) -> None:
    mine = (await api.alice.post("/v1/videos", json=VIDEO)).json()["id"]
    theirs = (await api.bob.post("/v1/videos", json=VIDEO)).json()["id"]

    response = await api.alice.post(
        "/v1/videos/batch-get", json={"ids": [mine, "no-such-id", theirs]}
    )

    assert response.status_code == 200
    assert [v["id"] for v in response.json()["videos"]] == [mine]
    assert response.json()["not_found"] == ["no-such-id", theirs]


async def test_cancel_a_queued_video(api: Api) -> None:
    video = (await api.alice.post("/v1/videos", json=VIDEO)).json()

    response = await api.alice.post(f"/v1/videos/{video['id']}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None
    events = (await api.alice.get(f"/v1/videos/{video['id']}/events")).json()["items"]
    assert [e["kind"] for e in events] == ["created", "cancelled"]


async def test_cancel_twice_is_a_conflict_that_says_why(api: Api) -> None:
    video = (await api.alice.post("/v1/videos", json=VIDEO)).json()
    await api.alice.post(f"/v1/videos/{video['id']}/cancel")

    response = await api.alice.post(f"/v1/videos/{video['id']}/cancel")

    assert response.status_code == 409
    assert "already cancelled" in response.json()["error"]["message"]


async def test_delete_removes_the_video_and_its_log(api: Api) -> None:
    video = (await api.alice.post("/v1/videos", json=VIDEO)).json()

    response = await api.alice.delete(f"/v1/videos/{video['id']}")

    assert response.status_code == 204
    assert (await api.alice.get(f"/v1/videos/{video['id']}")).status_code == 404
    assert (await api.alice.get(f"/v1/videos/{video['id']}/events")).status_code == 404


async def test_another_users_video_is_not_found_for_every_action(api: Api) -> None:
    theirs = (await api.bob.post("/v1/videos", json=VIDEO)).json()["id"]
    missing = "01a22000-0000-7000-8000-000000000000"

    for video_id in (theirs, missing):
        answers = [
            await api.alice.get(f"/v1/videos/{video_id}"),
            await api.alice.post(f"/v1/videos/{video_id}/cancel"),
            await api.alice.delete(f"/v1/videos/{video_id}"),
            await api.alice.get(f"/v1/videos/{video_id}/events"),
        ]
        assert [a.status_code for a in answers] == [404] * 4
        assert answers[0].json()["error"]["message"] == f"no video with id {video_id!r}"

    assert (await api.alice.get("/v1/videos")).json()["items"] == []
    assert (await api.bob.get(f"/v1/videos/{theirs}")).json()["status"] == "queued"


async def test_events_page_through_the_log(api: Api) -> None:
    video_id = (await api.alice.post("/v1/videos", json=VIDEO)).json()["id"]
    await api.alice.post(f"/v1/videos/{video_id}/cancel")

    first = (await api.alice.get(f"/v1/videos/{video_id}/events", params={"limit": 1})).json()
    second = (
        await api.alice.get(
            f"/v1/videos/{video_id}/events", params={"limit": 1, "cursor": first["next_cursor"]}
        )
    ).json()

    assert [e["kind"] for e in first["items"] + second["items"]] == ["created", "cancelled"]
    assert second["next_cursor"] is None


async def test_retry_queues_a_cancelled_video_again(api: Api) -> None:
    video_id = (await api.alice.post("/v1/videos", json=VIDEO)).json()["id"]
    await api.alice.post(f"/v1/videos/{video_id}/cancel")

    retried = await api.alice.post(f"/v1/videos/{video_id}/retry")

    assert retried.status_code == 200
    assert retried.json()["status"] == "queued"
    assert retried.json()["finished_at"] is None
    kinds = [
        e["kind"] for e in (await api.alice.get(f"/v1/videos/{video_id}/events")).json()["items"]
    ]
    assert kinds == ["created", "cancelled", "retried"]


async def test_retry_of_a_queued_video_is_a_conflict(api: Api) -> None:
    video_id = (await api.alice.post("/v1/videos", json=VIDEO)).json()["id"]

    response = await api.alice.post(f"/v1/videos/{video_id}/retry")

    assert response.status_code == 409
    assert "only failed or cancelled videos can be retried" in response.json()["error"]["message"]
    assert (await api.bob.post(f"/v1/videos/{video_id}/retry")).status_code == 404
