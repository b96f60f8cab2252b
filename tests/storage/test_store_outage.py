"""A store that stops answering in the middle of a video: retried, never completed early.

The bucket is reached through a TCP proxy on loopback that the test cuts once
the video is rendering: the stage copies and the final files cannot go up.
"""

from __future__ import annotations

import pytest

from aivideo.core.config import Settings
from aivideo.observability.metrics import OPERATION_SECONDS
from aivideo.runtime.resources import Resources
from tests.support.object_store import S3, object_names, s3_settings
from tests.support.polling import wait_for
from tests.support.server import running_api
from tests.support.tcp_proxy import tcp_proxy
from tests.support.video_state import event_kinds, video_row, wait_for_stage, wait_for_status
from tests.support.workers import LONG_TEXT

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

OUTPUTS = [
    *(f"scene-{index}.jpg" for index in range(4)), "scenes.json", "subtitles.srt",
    "subtitles.vtt", "thumbnail.jpg", "video.mp4", "words.json",
]  # fmt: skip


def _renders() -> float:
    """How many renders this process has run (the stage's timing histogram counts them)."""
    labels = {"kind": "stage", "name": "render"}
    (metric,) = OPERATION_SECONDS.collect()
    counts = [s.value for s in metric.samples if s.name.endswith("_count") and s.labels == labels]
    return sum(counts)


async def test_a_store_cut_during_a_video_delays_it_and_its_render_is_not_redone(
    settings: Settings, resources: Resources, s3_bucket: str
) -> None:
    renders_before = _renders()
    async with tcp_proxy("127.0.0.1", int(S3.url.rsplit(":", 1)[1])) as proxy:
        settings = s3_settings(
            settings, s3_bucket, endpoint=f"http://127.0.0.1:{proxy.port}",
            retry_backoff=0.2, retry_backoff_max=0.5, reconcile_interval=0.2, dispatch_grace=0.5,
        )  # fmt: skip
        async with running_api(settings, resources) as api:
            created = await api.alice.post("/v1/videos", json={"text": LONG_TEXT, "quality": "low"})
            video_id = created.json()["id"]
            await wait_for_stage(resources, video_id, "render")
            proxy.cut()

            async def retried_for_the_store() -> bool:
                events = (await api.alice.get(f"/v1/videos/{video_id}/events")).json()["items"]
                return any(
                    e["kind"] == "retry_scheduled" and "did not answer" in e["message"]
                    for e in events
                )

            await wait_for(retried_for_the_store, seconds=60)
            waiting = await video_row(resources, video_id)
            proxy.restore()
            stored_while_cut = await object_names(s3_bucket, f"videos/{video_id}/video")
            video = await wait_for_status(resources, video_id, "completed", "failed")

    assert waiting.status in ("queued", "running")  # not completed without its files
    assert stored_while_cut == []
    assert video.status == "completed", video.error_message
    assert (await event_kinds(resources, video_id)).count("completed") == 1
    stored = await object_names(s3_bucket, f"videos/{video_id}/")
    # The stage copies (work/) go once the video is recorded completed.
    assert [name for name in stored if "/work/" not in name] == [
        f"videos/{video_id}/{name}" for name in OUTPUTS
    ]
    # The render finished while the store was cut: the retry kept it (and put its copy).
    assert _renders() - renders_before == 1
