"""Logs as an operator reads them: JSON lines, request ids, video ids, no secrets."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx

from aivideo.observability.logs import mask_secrets
from tests.support.cli import cli_env
from tests.support.polling import wait_for


async def _serve_logging_to(
    log: Path, env: dict[str, str]
) -> tuple[asyncio.subprocess.Process, str]:
    with log.open("wb") as sink:  # noqa: ASYNC230 - opening an empty file
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "aivideo", "serve", "--port", "0", env=env, stderr=sink
        )

    async def started() -> re.Match[str] | None:
        return re.search(r"Uvicorn running on (http://[0-9.:]+)", await anyio.Path(log).read_text())

    match = await wait_for(started, seconds=60)
    return process, match.group(1)


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


async def test_serve_logs_json_lines_with_request_and_video_ids_and_no_keys(
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    process, base_url = await _serve_logging_to(log, cli_env(tmp_path, AIVIDEO_RENDER_SLOTS="1"))
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            traced = await client.get("/v1/videos", headers={"X-Request-ID": "trace-42"})
            refused = await client.get(
                "/v1/videos", headers={"Authorization": "Bearer av_not-a-real-key-0123456789"}
            )
            created = await client.post("/v1/videos", json={"text": "Logged. Then done."})
            video_id = created.json()["id"]

            async def finished() -> bool:
                video = (await client.get(f"/v1/videos/{video_id}")).json()
                return video["status"] not in {"queued", "running"}

            await wait_for(finished)
    finally:
        process.terminate()
        await process.wait()

    text = await anyio.Path(log).read_text()
    lines = _lines(text)  # every line is one JSON object
    assert traced.headers["X-Request-ID"] == "trace-42"
    assert re.fullmatch(r"[0-9a-f]{32}", refused.headers["X-Request-ID"])
    assert any(line.get("request_id") == "trace-42" for line in lines)
    video_lines = [line for line in lines if line.get("video_id") == video_id]
    assert any(line["event"] == "video started" for line in video_lines)
    assert any(line["event"].startswith("video completed") for line in video_lines)
    assert "not-a-real-key" not in text
    assert all({"event", "level", "timestamp"} <= line.keys() for line in lines)


def test_secrets_are_masked() -> None:
    assert mask_secrets("postgresql+asyncpg://app:hunter2@db/aivideo") == (
        "postgresql+asyncpg://app:***@db/aivideo"
    )
    assert mask_secrets("key av_AbCdEf0123456789xyz used") == "key av_*** used"
    assert mask_secrets("Authorization: Bearer sk-live-123") == "Authorization: Bearer ***"
    assert mask_secrets("secret " + "ab" * 32) == "secret ***"
    assert mask_secrets("GET https://pixabay.com/api/?key=123-abc&q=rain") == (
        "GET https://pixabay.com/api/?key=***&q=rain"
    )
    assert mask_secrets("Incorrect API key provided: sk-proj-abcdef123456") == (
        "Incorrect API key provided: sk-***"
    )
