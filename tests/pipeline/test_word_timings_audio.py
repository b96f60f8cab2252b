"""Word times that agree with the sound: a real video's silences fall between its words.

The video is made by ``aivideo generate`` as a person runs it, with the
bundled Piper voice (its model patched once for alignments); its own audio
track is searched for silences with ffmpeg's silencedetect. The speech cache
and the remote voice's estimated times are checked here too.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import types
from itertools import pairwise
from pathlib import Path

import anyio
import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aivideo.core.atomic_files import PARTIAL_GLOB
from aivideo.core.config import Settings
from aivideo.pipeline.ffmpeg import ffmpeg_executable
from aivideo.pipeline.speech.aligned_model import aligned_model, aligned_model_path
from aivideo.pipeline.speech.cache import Speaker, SpeechCache
from aivideo.pipeline.speech.engines.piper import BUNDLED
from aivideo.pipeline.speech.registry import speaker_for, voice_catalogue
from aivideo.pipeline.speech.spoken_audio import SpokenAudio, word_tokens
from aivideo.pipeline.speech.voices import Voice
from aivideo.runtime.resources import Resources
from tests.support.cli import cli_env, run_cli
from tests.support.server import serve_on_loopback
from tests.support.sounds import tone, wav_of

TITLE_SECONDS = 2.5  # the title card's lead-in: words are in video time, after it
TEXT = (
    "Dr. Smith paid $3.50 for a coffee, e.g. at noon. 🎉\n\n"
    "In 1969, three men flew to the Moon — and back!"
)
SILENCE = 0.25  # the shortest silence looked for, in seconds
SLACK = 0.06  # how far a word may reach into a silence (an AAC frame, a fade)


async def silences(video: Path) -> list[tuple[float, float]]:
    """Every stretch of the video's own audio quieter than -40 dB for longer than SILENCE."""
    ffmpeg = await asyncio.to_thread(ffmpeg_executable)  # finding it touches the disk
    process = await asyncio.create_subprocess_exec(
        ffmpeg, "-hide_banner", "-nostats", "-i", str(video), "-vn",
        "-af", f"silencedetect=noise=-40dB:d={SILENCE}", "-f", "null", "-",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, log = await process.communicate()
    assert process.returncode == 0, log.decode()
    starts = [float(s) for s in re.findall(r"silence_start: ([\d.]+)", log.decode())]
    ends = [float(s) for s in re.findall(r"silence_end: ([\d.]+)", log.decode())]
    return list(zip(starts, ends, strict=False))  # a silence to the very end has no end


def overlap(one: tuple[float, float], two: tuple[float, float]) -> float:
    return max(0.0, min(one[1], two[1]) - max(one[0], two[0]))


async def test_every_silence_of_a_real_video_falls_between_two_words(tmp_path: Path) -> None:
    data_dir, output = tmp_path / "data", tmp_path / "words.mp4"

    code, _, err = await run_cli(
        cli_env(data_dir), "generate", TEXT, "-o", str(output), "--title", "Words",
        "--quality", "low", "--subtitles", "none",
    )  # fmt: skip

    assert code == 0, err
    [words_file] = await asyncio.to_thread(lambda: list(data_dir.glob("generate/*/words.json")))
    words = json.loads(await anyio.Path(words_file).read_text())["words"]
    spans = [(word["start"], word["end"]) for word in words]
    assert [word["text"] for word in words] == word_tokens(TEXT)  # no emoji among them
    assert TITLE_SECONDS < spans[0][0]
    assert all(a < b <= c for (a, b), (c, _) in pairwise(spans))

    quiet = await silences(output)

    # Pauses between the scenes, after "Dr." and at the commas and the dash. Piper draws
    # each sentence's timing at random: one run in a clean clone had only 2 of 0.25 s or more.
    assert len([s for s in quiet if spans[0][0] < s[0] < spans[-1][1]]) >= 2
    for silence in quiet:
        inside = [
            w["text"]
            for w, span in zip(words, spans, strict=True)
            if overlap(span, silence) > SLACK
        ]
        assert not inside, f"the silence {silence} is inside {inside}"
    for word, span in zip(words, spans, strict=True):
        silent = sum(overlap(span, silence) for silence in quiet)
        assert silent < 0.5 * (span[1] - span[0]), f"{word['text']} is not on sound"


async def test_the_speech_cache_keeps_the_words_with_the_samples(tmp_path: Path) -> None:
    made: list[str] = []
    spoken = SpokenAudio(b"\x01\x00" * 1600, 16_000, ((0.01, 0.04), (0.05, 0.09)))

    async def synthesize(text: str, rate: float) -> SpokenAudio:
        made.append(text)
        return spoken

    speaker = Speaker("test", "v1", "test", synthesize)
    folder = tmp_path / "speech"

    first = await SpeechCache(folder, ttl=60).speak(speaker, "Two words.", 1.0)
    again = await SpeechCache(folder, ttl=60).speak(speaker, "Two words.", 1.0)

    assert first == again == spoken and made == ["Two words."]


async def test_a_cache_file_from_before_words_were_timed_is_spoken_again(tmp_path: Path) -> None:
    made: list[str] = []

    async def synthesize(text: str, rate: float) -> SpokenAudio:
        made.append(text)
        return SpokenAudio(bytes(3200), 16_000, ((0.0, 0.1),))

    speaker, folder = Speaker("test", "v1", "test", synthesize), tmp_path / "speech"
    await SpeechCache(folder, ttl=60).speak(speaker, "Old.", 1.0)
    [entry] = await asyncio.to_thread(lambda: list(folder.glob("*.pcm")))
    old_format = b"PCM1" + (16_000).to_bytes(4, "little") + bytes(3200)
    await anyio.Path(entry).write_bytes(old_format)

    again = await SpeechCache(folder, ttl=60).speak(speaker, "Old.", 1.0)

    assert made == ["Old.", "Old."] and again.words == ((0.0, 0.1),)


def wav_of_tone(before: float, sound: float, after: float, rate: int = 24_000) -> bytes:
    silence_before, silence_after = np.zeros(int(before * rate)), np.zeros(int(after * rate))
    return wav_of(np.concatenate([silence_before, tone(sound, rate, 220), silence_after]), rate)


async def test_the_remote_voice_times_its_words_by_estimate_on_its_sound(tmp_path: Path) -> None:
    async def speech(request: Request) -> Response:
        await request.json()
        return Response(wav_of_tone(0.5, 2.0, 0.4), media_type="audio/wav")

    app = Starlette(routes=[Route("/v1/audio/speech", speech, methods=["POST"])])
    async with serve_on_loopback(app) as base_url:
        settings = Settings(data_dir=tmp_path / "data", speech_base_url=f"{base_url}/v1")
        async with Resources(settings) as resources:
            voice = voice_catalogue(settings).find(None)
            spoken = await speaker_for(voice, resources).synthesize(
                "Rain falls, rivers run. Then seas rise.", 1.0
            )

    assert len(spoken.words) == 7
    assert spoken.words[0][0] == pytest.approx(0.5, abs=0.011)
    assert spoken.words[-1][1] == pytest.approx(2.5, abs=0.011)
    assert all(a < b <= c for (a, b), (c, _) in pairwise(spoken.words))


async def test_the_voice_model_is_patched_once_and_shared(tmp_path: Path) -> None:
    [joe] = BUNDLED

    made = await asyncio.gather(*(aligned_model(joe, tmp_path) for _ in range(3)))

    assert made == [aligned_model_path(joe, tmp_path)] * 3
    assert not await asyncio.to_thread(lambda: list(tmp_path.rglob(PARTIAL_GLOB)))
    assert await aligned_model(joe, tmp_path) == made[0]


async def test_a_model_that_cannot_be_patched_leaves_the_voice_unaligned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.onnx"
    await anyio.Path(broken).write_bytes(b"not a model")
    package = types.ModuleType("broken_test_voice")
    package.model_path = lambda: broken  # type: ignore[attr-defined]
    package.config_path = lambda: broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "broken_test_voice", package)
    voice = Voice("broken", "piper", "a voice whose model is not ONNX", "broken_test_voice")

    assert await aligned_model(voice, tmp_path / "data") is None
    assert not await anyio.Path(aligned_model_path(voice, tmp_path / "data")).exists()
    assert not await asyncio.to_thread(lambda: list(tmp_path.rglob(PARTIAL_GLOB)))
