"""A storyboard's scenes through the pipeline: each its own voice, held long enough, and its
media_url checked like any URL a user gives."""

from __future__ import annotations

import asyncio
import json
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aivideo.core.config import Settings
from aivideo.core.errors import InvalidInput
from aivideo.core.options import Quality
from aivideo.core.spec import SceneSpec, VideoSpec
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.speech.narration import (
    PAUSE_BETWEEN_SCENES,
    TAIL,
    Narration,
    assemble_narration,
)
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.workspace import Workspace
from aivideo.providers.remote_speech import SAMPLE_RATE
from aivideo.runtime.resources import Resources
from tests.support import sounds
from tests.support.server import serve_on_loopback

SECONDS_PER_CHARACTER = 0.02


def _storyboard(*scenes: SceneSpec) -> VideoSpec:
    return VideoSpec(
        "\n\n".join(scene.text for scene in scenes), quality=Quality.LOW, scenes=scenes
    )


@pytest.fixture
async def speech_requests() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A remote speech service on loopback that says a tone as long as the text; its requests."""
    requests: list[dict[str, Any]] = []

    async def speech(request: Request) -> Response:
        body = await request.json()
        requests.append(body)
        tone = sounds.tone(len(body["input"]) * SECONDS_PER_CHARACTER, SAMPLE_RATE)
        return Response(sounds.wav_of(tone, SAMPLE_RATE), media_type="audio/wav")

    app = Starlette(routes=[Route("/v1/audio/speech", speech, methods=["POST"])])
    async with serve_on_loopback(app) as base_url:
        yield f"{base_url}/v1", requests


async def _narration(workspace: Workspace) -> Narration:
    record = await workspace.finished_stage("speech")
    assert record is not None
    return Narration.from_json(record)


def _wav_rate(path: Path) -> int:
    with wave.open(str(path)) as wav:
        return wav.getframerate()


async def test_each_scene_speaks_with_its_own_voice(
    speech_requests: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    speech_url, requests = speech_requests
    settings = Settings(data_dir=tmp_path / "data", speech_base_url=speech_url)
    spec = _storyboard(
        SceneSpec("The offline voice says this.", voice="joe"),
        SceneSpec("Echo says this.", voice="echo"),
        SceneSpec("The video's voice says this."),
    )
    workspace = Workspace(tmp_path / "w")

    async with Resources(settings) as resources:
        video = await generate_video(spec, workspace, resources)

    # The remote service's default voice (alloy) is the video's; joe is spoken offline.
    assert sorted((r["voice"], r["input"]) for r in requests) == [
        ("alloy", "The video's voice says this."),
        ("echo", "Echo says this."),
    ]
    narration = await _narration(workspace)
    assert narration.sample_rate == max(SAMPLE_RATE, 22_050)
    assert await asyncio.to_thread(_wav_rate, workspace.path("narration.wav")) == SAMPLE_RATE
    echo = narration.sentences[1]
    assert echo.end - echo.start == pytest.approx(len("Echo says this.") * 0.02, abs=1e-3)
    board = json.loads(await asyncio.to_thread(video.storyboard.read_text))
    assert [scene["narration"] for scene in board["scenes"]] == [s.text for s in spec.scenes]


async def test_a_scene_media_url_passes_the_address_guard_like_media_urls(
    resources: Resources, tmp_path: Path
) -> None:
    # Loopback, refused by the guard before anything is sent (private URLs are not allowed).
    spec = _storyboard(
        SceneSpec("A painted scene."),
        SceneSpec("A linked one.", media_url="http://127.0.0.1:9/inside.jpg"),
    )

    with pytest.raises(InvalidInput) as refused:
        await generate_video(spec, Workspace(tmp_path / "w"), resources)

    assert refused.value.message.startswith(
        "scenes[1].media_url (http://127.0.0.1:9/inside.jpg): 127.0.0.1 is "
    )
    assert "use a URL on the public internet" in refused.value.message


async def test_an_unknown_scene_voice_fails_before_any_work_naming_the_scene(
    resources: Resources, tmp_path: Path
) -> None:
    spec = _storyboard(SceneSpec("Hello."), SceneSpec("Again.", voice="nobody"))

    with pytest.raises(InvalidInput, match=r"^scenes\[1\]\.voice: unknown voice 'nobody'"):
        await generate_video(spec, Workspace(tmp_path / "w"), resources)


# --- the narration, joined: pure, in milliseconds ------------------------------------------


def _said(seconds: float, rate: int) -> SpokenAudio:
    samples = (sounds.tone(seconds, rate) * 32767).astype(np.int16).tobytes()
    return SpokenAudio(samples, rate, ((0.0, seconds),))


def test_a_scene_is_held_for_its_min_seconds_with_silence_after_its_words(tmp_path: Path) -> None:
    scenes = [[("One.", _said(1.0, 24_000))], [("Two.", _said(1.0, 24_000))]]

    held = assemble_narration(scenes, 24_000, 0.0, tmp_path / "n.wav", [3.0, 2.5])

    # A scene lasts until the next one's first word (the pause between them is its own).
    second = held.sentences[1]
    assert second.start == pytest.approx(3.0, abs=1e-4)
    # The last one lasts until the narration ends, its tail included.
    assert held.duration - second.start == pytest.approx(2.5, abs=1e-4)
    unheld = assemble_narration(scenes, 24_000, 0.0, tmp_path / "m.wav", [0.5])
    assert unheld.sentences[1].start == pytest.approx(1.0 + PAUSE_BETWEEN_SCENES, abs=1e-4)
    assert unheld.duration == pytest.approx(2.0 + PAUSE_BETWEEN_SCENES + TAIL, abs=1e-4)


def test_voices_of_two_sample_rates_join_at_one(tmp_path: Path) -> None:
    scenes = [[("Piper.", _said(1.0, 22_050))], [("Remote.", _said(1.0, 24_000))]]

    joined = assemble_narration(scenes, 24_000, 0.0, tmp_path / "n.wav", [])

    assert [s.end - s.start for s in joined.sentences] == pytest.approx([1.0, 1.0], abs=1e-3)
    with wave.open(str(tmp_path / "n.wav")) as wav:
        assert wav.getframerate() == 24_000
        assert wav.getnframes() / 24_000 == pytest.approx(joined.duration, abs=1e-3)
