"""``GET /metrics`` and ``aivideo stats``: what an operator watches."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import pytest
from blockbuster import BlockBuster
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console

from aivideo.cli.stats import parse, render
from aivideo.observability import gc_pauses
from tests.api.test_video_files import SHORT, _wait_for
from tests.support.server import Api


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, metric: str, **labels: str) -> float:
    return _samples(text).get((metric, frozenset(labels.items())), 0.0)


async def _metrics(api: Api) -> str:
    response = await api.anonymous.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_requests_and_database_operations_are_counted(api: Api) -> None:
    before = await _metrics(api)

    video_id = (await api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    for _ in range(3):
        assert (await api.alice.get(f"/v1/videos/{video_id}")).status_code == 200
    missing = "01a22000-0000-7000-8000-000000000000"
    assert (await api.alice.get(f"/v1/videos/{missing}")).status_code == 404
    after = await _metrics(api)

    route = "/v1/videos/{video_id}"
    counted = _value(after, "aivideo_http_requests_total", method="GET", route=route, status="200")
    assert (
        counted
        - _value(before, "aivideo_http_requests_total", method="GET", route=route, status="200")
        == 3
    )
    assert _value(after, "aivideo_http_requests_total", method="GET", route=route, status="404")
    selects = "aivideo_operation_seconds_count"
    assert _value(after, selects, kind="database", name="SELECT") > _value(
        before, selects, kind="database", name="SELECT"
    )
    assert _value(after, "aivideo_operation_seconds_count", kind="database", name="INSERT") >= 1
    assert _value(after, "aivideo_videos", status="queued") == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_pipeline_stages_are_timed(rendering_api: Api) -> None:
    video_id = (await rendering_api.alice.post("/v1/videos", json=SHORT)).json()["id"]
    await _wait_for(rendering_api.alice, video_id, {"completed", "failed"})

    text = await _metrics(rendering_api)

    for stage in ("speech", "render", "thumbnail"):
        assert _value(text, "aivideo_operation_seconds_count", kind="stage", name=stage) >= 1
        assert _value(text, "aivideo_operation_max_seconds", kind="stage", name=stage) > 0
    assert _value(text, "aivideo_operation_seconds_count", kind="storage", name="write") >= 1
    assert _value(text, "aivideo_worker_slots") >= 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_blocking_the_event_loop_shows_in_the_lag_metric(
    api: Api, blockbuster: BlockBuster
) -> None:
    before = _value(await _metrics(api), "aivideo_event_loop_lag_seconds_bucket", le="+Inf")

    # On purpose, in this test only: what a blocking call in a handler does to the server.
    blockbuster.deactivate()
    time.sleep(0.4)  # noqa: ASYNC251
    await asyncio.sleep(0.3)  # let the monitor wake up late and record it

    text = await _metrics(api)
    assert _value(text, "aivideo_event_loop_lag_max_seconds") >= 0.3
    assert _value(text, "aivideo_event_loop_lag_seconds_bucket", le="+Inf") > before
    # The blocked wake-up fell beyond the 0.25 s bucket.
    beyond = _value(text, "aivideo_event_loop_lag_seconds_bucket", le="+Inf") - _value(
        text, "aivideo_event_loop_lag_seconds_bucket", le="0.25"
    )
    assert beyond >= 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_pass_of_the_garbage_collector_is_timed_and_a_long_one_logged(
    api: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = "aivideo_gc_pause_seconds_count"
    before = _value(await _metrics(api), count, generation="2")
    monkeypatch.setattr(gc_pauses, "WARN_AFTER", 0.0)  # every pass counts as long here

    with caplog.at_level(logging.WARNING, logger=gc_pauses.__name__):
        gc.collect()  # a full pass, as thousands of open streams bring about

    assert _value(await _metrics(api), count, generation="2") >= before + 1
    assert "the garbage collector stopped the process for" in caplog.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_stats_shows_the_metrics_as_tables(api: Api) -> None:
    await api.alice.post("/v1/videos", json=SHORT)
    console = Console(record=True, width=140)

    render(parse(await _metrics(api)), console)

    shown = console.export_text()
    assert "videos queued" in shown
    assert "/v1/videos" in shown
    assert "database" in shown and "INSERT" in shown
    assert "event-loop lag, maximum" in shown
