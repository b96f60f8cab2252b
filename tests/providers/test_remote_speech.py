"""The remote voice against a fake OpenAI-compatible /audio/speech on loopback, and the
speech cache in front of both voices."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aivideo.core.config import Settings
from aivideo.core.options import Quality
from aivideo.core.spec import VideoSpec
from aivideo.observability.metrics import CACHE_REQUESTS
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.speech.cache import Speaker, SpeechCache
from aivideo.pipeline.speech.narration import Narration, spoken_form
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.workspace import Workspace
from aivideo.providers.errors import ProviderFailed, ProviderUnavailable
from aivideo.providers.http_calls import RetryPolicy
from aivideo.providers.remote_speech import SAMPLE_RATE, RemoteVoice, decode_wav
from aivideo.runtime.resources import Resources
from tests.support import sounds
from tests.support.probe import audio_seconds
from tests.support.server import running_api, serve_on_loopback
from tests.support.video_state import wait_for_status

TEXT = "Clouds form when warm air rises and cools. Then it rains.\n\nRivers carry water home."
SENTENCES = [
    "Clouds form when warm air rises and cools.",
    "Then it rains.",
    "Rivers carry water home.",
]
SECONDS_PER_CHARACTER = 0.02  # how long the fake speaks: it depends on the text


def tone(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A quiet 440 Hz tone, from -1 to 1."""
    return sounds.tone(seconds, rate)


def wav_of(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    return sounds.wav_of(samples, rate)


@dataclass
class FakeSpeech:
    """Replies in order from ``replies`` (None: speak the input); the last one repeats."""

    replies: list[Response | None] = field(default_factory=lambda: [None])
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    async def speech(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if reply is not None:
            return reply
        spoken = wav_of(tone(len(body["input"]) * SECONDS_PER_CHARACTER))
        return Response(spoken, media_type="audio/wav")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/audio/speech", self.speech, methods=["POST"])])


def error(status: int, message: str) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return JSONResponse(body, status_code=status)


@pytest.fixture
def fake() -> FakeSpeech:
    return FakeSpeech()


@pytest.fixture
async def speech_url(fake: FakeSpeech) -> AsyncIterator[str]:
    async with serve_on_loopback(fake.app()) as base_url:
        yield f"{base_url}/v1"


@pytest.fixture
async def remote(speech_url: str, tmp_path: Path) -> AsyncIterator[Resources]:
    settings = Settings(
        data_dir=tmp_path / "data",
        speech_base_url=speech_url,
        speech_api_key="sk-test",
        http_retry_attempts=3,
        http_retry_timeout=10,
    )
    async with Resources(settings) as resources:
        voice = resources.providers.remote_voice
        assert voice is not None
        # No waiting between tries: the tests count tries, not time.
        voice.http.policy = RetryPolicy(attempts=3, timeout=10, wait_initial=0.01, wait_max=0.02)
        yield resources


def remote_voice(resources: Resources) -> RemoteVoice:
    voice = resources.providers.remote_voice
    assert voice is not None
    return voice


async def narration(workspace: Workspace) -> Narration:
    record = await workspace.finished_stage("speech")
    assert record is not None
    return Narration.from_json(record)


def cache_hits() -> float:
    samples = [sample for metric in CACHE_REQUESTS.collect() for sample in metric.samples]
    return sum(
        sample.value
        for sample in samples
        if sample.name.endswith("_total") and sample.labels == {"result": "hit"}
    )


def cached_files(data_dir: Path) -> list[str]:
    return sorted(path.name for path in (data_dir / "cache" / "speech").glob("*.pcm"))


# --- the request and the reply ------------------------------------------------------


async def test_the_request_carries_the_key_model_voice_and_text(
    remote: Resources, fake: FakeSpeech
) -> None:
    samples, rate = await remote_voice(remote).synthesize("Hello there.", "nova", 1.25)

    assert fake.headers[0]["authorization"] == "Bearer sk-test"
    assert fake.requests == [
        {
            "model": "tts-1",
            "input": "Hello there.",
            "voice": "nova",
            "speed": 1.25,
            "response_format": "wav",
        }
    ]
    assert rate == SAMPLE_RATE
    assert len(samples) // 2 == int(len("Hello there.") * SECONDS_PER_CHARACTER * SAMPLE_RATE)


async def test_without_a_key_none_is_sent_and_a_refusal_says_to_set_one(
    speech_url: str, fake: FakeSpeech, tmp_path: Path
) -> None:
    fake.replies = [None, error(401, "You didn't provide an API key.")]
    async with Resources(
        Settings(data_dir=tmp_path / "data", speech_base_url=speech_url)
    ) as opened:
        await remote_voice(opened).synthesize("Hi.", "alloy", 1.0)
        with pytest.raises(ProviderFailed, match="wants an API key .* set AIVIDEO_SPEECH_API_KEY"):
            await remote_voice(opened).synthesize("Hi again.", "alloy", 1.0)

    assert "authorization" not in fake.headers[0]


async def test_a_503_is_retried(remote: Resources, fake: FakeSpeech) -> None:
    fake.replies = [error(503, "overloaded"), None]

    samples, _ = await remote_voice(remote).synthesize("Still here.", "alloy", 1.0)

    assert samples
    assert len(fake.requests) == 2


async def test_a_server_that_keeps_failing_is_worth_another_attempt_later(
    remote: Resources, fake: FakeSpeech
) -> None:
    fake.replies = [error(500, "internal error")]

    with pytest.raises(ProviderUnavailable, match="kept failing .HTTP 500: internal error"):
        await remote_voice(remote).synthesize("Anyone?", "alloy", 1.0)
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (error(401, "Incorrect API key provided: sk-test"), "refused the API key"),
        (error(404, "Unknown voice: nova"), "does not know the model 'tts-1' or the voice 'nova'"),
        (error(400, "input: too long"), "refused to speak"),
        (error(429, "You exceeded your current quota"), "quota is used up"),
    ],
)
async def test_a_refusal_says_what_happened_and_what_to_do(
    remote: Resources, fake: FakeSpeech, reply: Response, expected: str
) -> None:
    fake.replies = [reply]

    with pytest.raises(ProviderFailed) as caught:
        await remote_voice(remote).synthesize("Hello.", "nova", 1.0)

    message = caught.value.message
    assert expected in message
    assert json.loads(bytes(reply.body))["error"]["message"] in message  # the provider's words
    assert len(fake.requests) == (3 if reply.status_code == 429 else 1)
    if reply.status_code == 401:
        assert "check AIVIDEO_SPEECH_API_KEY" in message
    if reply.status_code == 404:
        assert "AIVIDEO_SPEECH_MODEL" in message


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Response("<html><body>Welcome</body></html>", media_type="text/html"), "a web page"),
        (Response(b"", media_type="audio/wav"), "an empty reply"),
        (Response(b"ID3\x04\x00" + bytes(200), media_type="audio/mpeg"), "did not send WAV"),
        (Response(wav_of(tone(0)), media_type="audio/wav"), "without any sound"),
    ],
)
async def test_a_reply_that_is_not_audio_is_a_clear_error(
    remote: Resources, fake: FakeSpeech, reply: Response, expected: str
) -> None:
    fake.replies = [reply]

    with pytest.raises(ProviderFailed, match=expected):
        await remote_voice(remote).synthesize("Hello.", "alloy", 1.0)


# --- WAV files as servers write them ------------------------------------------------


def wav_file(payload: bytes, *, rate: int, channels: int, width: int, encoding: int = 1,
             streamed: bool = False) -> bytes:  # fmt: skip
    """A WAV file written by hand, as a streaming server does: no length when ``streamed``."""
    fmt = struct.pack("<HHIIHH", encoding, channels, rate, rate * channels * width,
                      channels * width, width * 8)  # fmt: skip
    unknown = 0xFFFFFFFF
    data = b"data" + struct.pack("<I", unknown if streamed else len(payload)) + payload
    body = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"LIST\x04\x00\x00\x00INFO" + data
    )
    return b"RIFF" + struct.pack("<I", unknown if streamed else len(body)) + body


def int16_stereo(samples: np.ndarray) -> bytes:
    return np.repeat(samples * 32768, 2).astype("<i2").tobytes()


def int24(samples: np.ndarray) -> bytes:
    values = np.round(samples * (1 << 23)).astype("<i4")
    return np.frombuffer(values.tobytes(), dtype=np.uint8).reshape(-1, 4)[:, :3].tobytes()


def float32(samples: np.ndarray) -> bytes:
    return samples.astype("<f4").tobytes()


def uint8(samples: np.ndarray) -> bytes:
    return np.round(samples * 128 + 128).astype(np.uint8).tobytes()


@pytest.mark.parametrize(
    ("rate", "encode", "channels", "width", "encoding"),
    [
        (48_000, int16_stereo, 2, 2, 1),
        (24_000, int24, 1, 3, 1),
        (16_000, float32, 1, 4, 3),
        (24_000, uint8, 1, 1, 1),
    ],
)
def test_any_wav_becomes_16_bit_mono_at_one_rate(
    rate: int, encode: Callable[[np.ndarray], bytes], channels: int, width: int, encoding: int
) -> None:
    seconds = 0.2
    source = wav_file(encode(tone(seconds, rate)), rate=rate, channels=channels, width=width,
                      encoding=encoding, streamed=True)  # fmt: skip

    decoded = np.frombuffer(decode_wav(source), dtype="<i2") / 32768

    expected = tone(seconds)
    assert len(decoded) == len(expected)
    tolerance = 0.01 if width > 1 else 0.02  # 8 bits are coarse
    # The last sample of an upsampled file lies past the source's end: left out.
    assert np.max(np.abs(decoded - expected)[:-1]) < tolerance


def test_a_file_that_is_not_wav_is_refused() -> None:
    with pytest.raises(ValueError, match="not a RIFF/WAVE file"):
        decode_wav(b"ID3\x04" + bytes(100))
    with pytest.raises(ValueError, match="no audio data"):
        decode_wav(b"RIFF\x04\x00\x00\x00WAVE")


# --- whole videos, and the speech cache ---------------------------------------------


async def test_a_video_speaks_with_the_remote_voice_and_the_second_is_not_spoken_again(
    remote: Resources, fake: FakeSpeech, tmp_path: Path
) -> None:
    spec = VideoSpec(TEXT, quality=Quality.LOW)
    first = Workspace(tmp_path / "first")

    await generate_video(spec, first, remote)

    assert sorted(request["input"] for request in fake.requests) == sorted(SENTENCES)
    assert {request["voice"] for request in fake.requests} == {"alloy"}  # the configured default
    spoken = await narration(first)
    for sentence in spoken.sentences:
        expected = len(spoken_form(sentence.text)) * SECONDS_PER_CHARACTER
        assert sentence.end - sentence.start == pytest.approx(expected, abs=1e-3)
    assert spoken.sample_rate == SAMPLE_RATE
    written = await asyncio.to_thread(audio_seconds, first.path("narration.wav"))
    assert written == pytest.approx(spoken.duration, abs=1e-3)

    hits = cache_hits()
    second = Workspace(tmp_path / "again")
    await generate_video(spec, second, remote)

    assert len(fake.requests) == len(SENTENCES)  # the server was not asked again
    assert cache_hits() == hits + len(SENTENCES)
    assert await narration(second) == spoken


async def test_the_offline_voice_speaks_through_the_cache_too(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    spec = VideoSpec("Made once. Said once.", quality=Quality.LOW)
    async with Resources(Settings(data_dir=data_dir)) as resources:
        await generate_video(spec, Workspace(tmp_path / "first"), resources)
        kept = await asyncio.to_thread(cached_files, data_dir)
        hits = cache_hits()

        await generate_video(spec, Workspace(tmp_path / "again"), resources)

    assert len(kept) == 2
    assert await asyncio.to_thread(cached_files, data_dir) == kept
    assert cache_hits() == hits + 2
    assert await narration(Workspace(tmp_path / "again")) == await narration(
        Workspace(tmp_path / "first")
    )


@dataclass
class CountingSpeaker:
    """A speaker that says every text as one second of silence, and counts."""

    said: list[str] = field(default_factory=list)

    async def synthesize(self, text: str, rate: float) -> SpokenAudio:
        self.said.append(text)
        await asyncio.sleep(0.01)
        return SpokenAudio(bytes(2 * 16_000), 16_000, ((0.0, 1.0),) * len(text.split()))

    def speaker(self, voice: str = "test") -> Speaker:
        return Speaker("counting", "v1", voice, self.synthesize)


async def test_a_sentence_said_twice_at_once_is_made_once(tmp_path: Path) -> None:
    counting, cache = CountingSpeaker(), SpeechCache(tmp_path / "speech", ttl=60)

    said = await asyncio.gather(
        *(cache.speak(counting.speaker(), "Again and again. 🔁", 1.0) for _ in range(3))
    )

    assert counting.said == ["Again and again. "]  # the spoken form: no emoji
    assert said == [SpokenAudio(bytes(32_000), 16_000, ((0.0, 1.0),) * 3)] * 3


async def test_another_voice_or_rate_is_another_entry(tmp_path: Path) -> None:
    counting, cache = CountingSpeaker(), SpeechCache(tmp_path / "speech", ttl=60)

    await cache.speak(counting.speaker("a"), "Hello.", 1.0)
    await cache.speak(counting.speaker("b"), "Hello.", 1.0)
    await cache.speak(counting.speaker("a"), "Hello.", 1.5)
    await cache.speak(counting.speaker("a"), "Hello.", 1.0)

    assert len(counting.said) == 3


async def test_a_stale_or_damaged_entry_is_spoken_again(tmp_path: Path) -> None:
    counting, folder = CountingSpeaker(), tmp_path / "speech"
    await SpeechCache(folder, ttl=0.01).speak(counting.speaker(), "Fresh.", 1.0)
    await asyncio.sleep(0.05)
    await SpeechCache(folder, ttl=0.01).speak(counting.speaker(), "Fresh.", 1.0)
    [entry] = await asyncio.to_thread(lambda: list(folder.glob("*.pcm")))
    await asyncio.to_thread(entry.write_bytes, b"PCM")  # cut short
    await SpeechCache(folder, ttl=60).speak(counting.speaker(), "Fresh.", 1.0)

    assert len(counting.said) == 3


# --- the API ------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_api_offers_the_remote_voices_and_makes_a_video_with_one(
    settings: Settings, resources: Resources, speech_url: str, fake: FakeSpeech
) -> None:
    configured = settings.model_copy(
        update={
            "speech_base_url": speech_url,
            "speech_api_key": SecretStr("sk-test"),
            "max_attempts": 1,
        }
    )
    async with running_api(configured, resources) as api:
        voices = (await api.alice.get("/v1/voices")).json()
        unknown = await api.alice.post("/v1/videos", json={"text": "Hi.", "voice": "nobody"})
        created = await api.alice.post(
            "/v1/videos",
            json={"text": "Rain falls. Rivers run.", "voice": "nova", "quality": "low"},
        )
        assert created.status_code == 202, created.text
        video = await wait_for_status(resources, created.json()["id"], "completed", "failed")

    assert voices["voices"] == ["alloy", "echo", "fable", "heart", "joe", "nova", "onyx", "shimmer"]
    assert voices["default"] == "alloy"
    remote = next(voice for voice in voices["details"] if voice["name"] == "nova")
    assert (remote["engine"], remote["language"], remote["word_timings"]) == (
        "remote", None, "estimated",
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "unknown voice 'nobody'; installed voices: alloy, echo" in unknown.text
    assert video.status == "completed", video.error_message
    assert [request["voice"] for request in fake.requests] == ["nova", "nova"]
    assert {request["input"] for request in fake.requests} == {"Rain falls.", "Rivers run."}
