"""``aivideo generate --server URL``: the same command, made by a running service.

Submits the video, follows its progress stream with the same bars as a local
run, then downloads the video, subtitles, thumbnail, word timings and storyboard
beside ``--output`` (each to a temporary name, renamed when complete). Ctrl-C
cancels the video on the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from aivideo.cli.generate import StageBars
from aivideo.client import AivideoError as ServerError
from aivideo.client import AsyncClient, DoneEvent, NotFound, ProgressEvent, VideoFile
from aivideo.core.errors import AivideoError, RenderFailed
from aivideo.core.status import VideoStatus
from aivideo.pipeline.stages import STAGES

_TOTAL_WEIGHT = sum(stage.weight for stage in STAGES)
_STAGE_START = {
    stage.name: sum(s.weight for s in STAGES[:index]) for index, stage in enumerate(STAGES)
}


@dataclass(frozen=True)
class _Download:
    """One file fetched beside ``--output``: its route, its suffix and how it is listed."""

    route: VideoFile
    suffix: str
    label: str
    # A server older than the file answers 404: the file is skipped, not an error.
    optional: bool = False


_DOWNLOADS = (
    _Download("file", "", "video"),
    _Download("subtitles.srt", ".srt", "subtitles (SRT)"),
    _Download("subtitles.vtt", ".vtt", "subtitles (WebVTT)"),
    _Download("thumbnail.jpg", ".jpg", "thumbnail"),
    _Download("words.json", ".words.json", "word timings", optional=True),
    _Download("scenes", ".scenes.json", "storyboard", optional=True),
)


class ServerUnreachable(AivideoError):
    pass


def _show_progress(bars: StageBars, stage: str | None, percent: int) -> None:
    """Turn the stream's overall percent back into the per-stage bars."""
    if stage not in _STAGE_START:
        return
    for name, start in _STAGE_START.items():
        if start < _STAGE_START[stage]:
            bars.report(name, 1.0, percent)
    weight = next(s.weight for s in STAGES if s.name == stage)
    done_in_stage = percent * _TOTAL_WEIGHT / 100 - _STAGE_START[stage]
    bars.report(stage, min(max(done_in_stage / weight, 0.0), 1.0), percent)


async def _follow(client: AsyncClient, video_id: str, bars: StageBars) -> DoneEvent:
    """Show progress until the video ends (the client reconnects a dropped stream)."""
    done = None
    async for event in client.progress(video_id):
        if isinstance(event, ProgressEvent):
            _show_progress(bars, event.stage, event.percent)
        elif isinstance(event, DoneEvent):
            done = event
    assert done is not None  # the stream ends only with it
    if done.status == VideoStatus.COMPLETED:
        for stage in STAGES:
            bars.report(stage.name, 1.0, 100)
    return done


async def download_outputs(
    client: AsyncClient | httpx.AsyncClient, video_id: str, output: Path
) -> dict[str, Path]:
    """Fetch the finished video's files beside ``output``; returns each saved file by label.

    ``client`` may be an httpx client already pointed at the server, with its key.
    """
    if isinstance(client, httpx.AsyncClient):
        client = AsyncClient(http_client=client, api_key="")
    saved = {}
    for download in _DOWNLOADS:
        target = output.with_suffix(download.suffix) if download.suffix else output
        if await _fetch(client, video_id, target, download):
            saved[download.label] = target
    return saved


async def _fetch(client: AsyncClient, video_id: str, target: Path, download: _Download) -> bool:
    """Save the file as ``target``, whole or not at all; False if an optional one is absent."""
    try:
        # Not resumed: each run makes a video of its own, so nothing half-written is kept.
        await client.download(video_id, target, download.route, resume=False)
    except NotFound as exc:
        if download.optional:
            return False
        raise RenderFailed(f"could not download {download.route}: {exc.message}") from exc
    except ServerError as exc:
        raise RenderFailed(f"could not download {download.route}: {exc.message}") from exc
    return True


async def generate_remotely(
    server: str, api_key: str | None, request: dict[str, Any], output: Path, bars: StageBars
) -> dict[str, Path]:
    # The command has read AIVIDEO_API_KEY already: no key is "" (none), not None (read it again).
    async with AsyncClient(server, api_key=api_key or "") as client:
        try:
            video = await client.create(request)
        except httpx.TransportError as exc:
            raise ServerUnreachable(f"cannot reach the server at {server}: {exc}") from exc
        try:
            with bars.progress:
                done = await _follow(client, video.id, bars)
        except asyncio.CancelledError:
            # Ctrl-C: the video is not wanted any more (a video that has just finished stays).
            with contextlib.suppress(ServerError, httpx.TransportError):
                await asyncio.shield(client.cancel(video.id))
            raise
        if done.status != VideoStatus.COMPLETED:
            reason = (done.video.error if done.video else None) or done.status
            raise RenderFailed(f"the server did not make the video: {reason}")
        return await download_outputs(client, video.id, output)
