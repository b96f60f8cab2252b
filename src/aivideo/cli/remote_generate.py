"""``aivideo generate --server URL``: the same command, made by a running service.

Submits the video, follows its progress stream with the same bars as a local
run, then downloads the video, subtitles, thumbnail, word timings and storyboard
beside ``--output`` (each to a temporary name, renamed when complete). Ctrl-C
cancels the video on the server.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
from httpx_sse import aconnect_sse

from aivideo.cli.generate import StageBars
from aivideo.core.atomic_files import atomic_path
from aivideo.core.errors import AivideoError, InvalidInput, RenderFailed
from aivideo.pipeline.stages import STAGES

_TOTAL_WEIGHT = sum(stage.weight for stage in STAGES)
_STAGE_START = {
    stage.name: sum(s.weight for s in STAGES[:index]) for index, stage in enumerate(STAGES)
}


@dataclass(frozen=True)
class _Download:
    """One file fetched beside ``--output``: its route, its suffix and how it is listed."""

    route: str
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


def _problem(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}: {response.text[:200]}"


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


async def _follow(client: httpx.AsyncClient, video_id: str, bars: StageBars) -> dict[str, Any]:
    """Show progress until the video ends; returns the final video."""
    while True:  # the stream ends only with the video; reconnect if the connection drops
        try:
            async with aconnect_sse(client, "GET", f"/v1/videos/{video_id}/progress") as source:
                if source.response.is_error:
                    await source.response.aread()
                    raise InvalidInput(_problem(source.response))
                async for event in source.aiter_sse():
                    data = json.loads(event.data)
                    if event.event == "progress":
                        _show_progress(bars, data.get("stage"), int(data.get("percent", 0)))
                    elif event.event == "done":
                        video: dict[str, Any] = data.get("video") or {"status": "deleted"}
                        if video["status"] == "completed":
                            for stage in STAGES:
                                bars.report(stage.name, 1.0, 100)
                        return video
        except httpx.TransportError:
            await asyncio.sleep(1.0)


async def download_outputs(
    client: httpx.AsyncClient, video_id: str, output: Path
) -> dict[str, Path]:
    """Fetch the finished video's files beside ``output``; returns each saved file by label."""
    saved = {}
    for download in _DOWNLOADS:
        target = output.with_suffix(download.suffix) if download.suffix else output
        if await _fetch(client, f"/v1/videos/{video_id}/{download.route}", target, download):
            saved[download.label] = target
    return saved


async def _fetch(client: httpx.AsyncClient, route: str, target: Path, download: _Download) -> bool:
    """Stream ``route`` into ``target``; False if an optional file is not there."""
    async with client.stream("GET", route) as response:
        if response.is_error:
            await response.aread()
            if download.optional and response.status_code == 404:
                return False
            raise RenderFailed(f"could not download {download.route}: {_problem(response)}")
        async with atomic_path(target) as partial:
            async with await anyio.open_file(partial, "wb") as sink:
                async for chunk in response.aiter_bytes(1 << 20):
                    await sink.write(chunk)
    return True


async def generate_remotely(
    server: str, api_key: str | None, request: dict[str, Any], output: Path, bars: StageBars
) -> dict[str, Path]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    timeout = httpx.Timeout(30.0, read=60.0)
    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=timeout) as client:
        try:
            response = await client.post("/v1/videos", json=request)
        except httpx.TransportError as exc:
            raise ServerUnreachable(f"cannot reach the server at {server}: {exc}") from exc
        if response.is_error:
            raise InvalidInput(_problem(response))
        video_id = response.json()["id"]
        try:
            with bars.progress:
                video = await _follow(client, video_id, bars)
        except asyncio.CancelledError:
            # Ctrl-C: the video is not wanted any more.
            await asyncio.shield(client.post(f"/v1/videos/{video_id}/cancel"))
            raise
        if video["status"] != "completed":
            reason = video.get("error") or video["status"]
            raise RenderFailed(f"the server did not make the video: {reason}")
        return await download_outputs(client, video_id, output)
