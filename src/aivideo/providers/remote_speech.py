"""A remote voice: an OpenAI-compatible ``POST /audio/speech`` that answers in WAV.

OpenAI, and servers that copy its API (openedai-speech, Kokoro-FastAPI,
LocalAI), turn one sentence into one audio file. WAV is asked for because it
needs no decoder: the samples are read here, mixed down to mono and brought
to one sample rate (:data:`SAMPLE_RATE`), so the sentences of a video join
into one narration whichever server, model or voice spoke them.

Whatever goes wrong — a refused key, an unknown model or voice, an exhausted
quota, a reply that is not audio — ends in a :class:`ProviderFailed` whose
message says what happened and what to do.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

import httpx
import numpy as np
import numpy.typing as npt

from aivideo.providers.errors import ProviderFailed
from aivideo.providers.http_calls import ProviderHttp, TooLarge, provider_message
from aivideo.providers.refusals import Refusal, RefusalWording, common_sentences

SAMPLE_RATE = 24_000  # OpenAI's own rate: its replies need no resampling
MAX_REPLY_BYTES = 50_000_000  # four minutes of 48 kHz stereo: far beyond one sentence

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE

Samples = npt.NDArray[np.float64]  # from -1 to 1


class RemoteVoice:
    """Sentences spoken by an OpenAI-compatible speech API with one model."""

    def __init__(self, http: ProviderHttp, model: str, *, has_key: bool) -> None:
        self.http = http
        self.model = model
        self.has_key = has_key

    async def synthesize(self, sentence: str, voice_name: str, rate: float) -> tuple[bytes, int]:
        """16-bit mono samples of ``sentence`` spoken by ``voice_name``, and their sample rate.

        Raises:
            ProviderFailed: the service refused, or sent something that is not
                WAV audio; the message says why and what to do.
            ProviderUnavailable: the service did not answer, or kept failing.
        """
        if not sentence.strip():
            return b"", SAMPLE_RATE  # nothing to say; the API would refuse empty input
        request = {
            "model": self.model,
            "input": sentence,
            "voice": voice_name,
            "speed": rate,
            "response_format": "wav",
        }
        try:
            response = await self.http.request(
                "POST", "/audio/speech", json=request, max_bytes=MAX_REPLY_BYTES
            )
        except TooLarge as exc:
            raise ProviderFailed(
                f"{self.http.name} sent more than {MAX_REPLY_BYTES // 1_000_000} MB of audio "
                "for one sentence; it is not answering like a speech API"
            ) from exc
        if not response.is_success:
            raise self._refusal(response, voice_name)
        if not response.content:
            raise ProviderFailed(f"{self.http.name} sent an empty reply instead of audio")
        try:
            # Decoding and resampling a sentence is a few milliseconds of numpy:
            # a thread keeps even that off the loop.
            samples = await asyncio.to_thread(decode_wav, response.content)
        except ValueError as exc:
            raise self._not_audio(response, str(exc)) from exc
        if not samples:
            raise ProviderFailed(f"{self.http.name} sent a WAV file without any sound in it")
        return samples, SAMPLE_RATE

    def _refusal(self, response: httpx.Response, voice_name: str) -> ProviderFailed:
        name = self.http.name
        key_setting = "AIVIDEO_SPEECH_API_KEY"
        wording = RefusalWording(
            other=lambda said: (
                f"{name} refused to speak with the model {self.model!r} and the voice "
                f"{voice_name!r} ({said})"
            ),
            sentences={
                # A rate limit passes: sentences already spoken are in the speech cache,
                # so trying the video again later costs little.
                **common_sentences(name),
                Refusal.KEY_REFUSED: lambda said: (
                    f"{name} refused the API key ({said}); check {key_setting}"
                    if self.has_key
                    else f"{name} wants an API key ({said}); set {key_setting}"
                ),
                Refusal.NOT_FOUND: lambda said: (
                    f"{name} does not know the model {self.model!r} or the voice "
                    f"{voice_name!r}, or the URL is wrong ({said}); check AIVIDEO_SPEECH_MODEL, "
                    "the video's voice, and that AIVIDEO_SPEECH_BASE_URL points at the API's "
                    "/v1 root"
                ),
                Refusal.REDIRECTED: lambda said: (
                    f"{name} redirects to {response.headers.get('Location', 'elsewhere')} "
                    f"({said}); set AIVIDEO_SPEECH_BASE_URL to the address it redirects to"
                ),
            },
        )
        return wording.error(
            response.status_code, provider_message(response) or response.reason_phrase
        )

    def _not_audio(self, response: httpx.Response, problem: str) -> ProviderFailed:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        name = self.http.name
        if kind == "text/html":
            return ProviderFailed(
                f"{name} answered with a web page, not audio; check that "
                "AIVIDEO_SPEECH_BASE_URL points at the API's /v1 root"
            )
        return ProviderFailed(
            f"{name} did not send WAV audio ({kind}, {len(response.content)} bytes: {problem}); "
            'it must support response_format "wav"'
        )


def decode_wav(data: bytes) -> bytes:
    """16-bit mono samples at :data:`SAMPLE_RATE` from the bytes of a WAV file.

    Reads integer PCM (8 to 32 bits) and float samples, with any number of
    channels (mixed down) at any sample rate (resampled).

    Raises:
        ValueError: not a WAV file, or one in an encoding this does not read.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    position, layout = 12, None
    while position + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, position)
        start = position + 8
        if chunk == b"fmt ":
            layout = _Layout.read(data[start : start + size])
        elif chunk == b"data":
            if layout is None:
                raise ValueError("the audio comes before its format")
            # A streamed WAV is written before its length is known: OpenAI puts
            # 0xFFFFFFFF there. Any length past the end means "the rest of the file".
            return layout.to_mono_int16(data[start : min(start + size, len(data))])
        position = start + size + (size & 1)  # chunks are padded to an even length
    raise ValueError("no audio data in the file")


@dataclass(frozen=True)
class _Layout:
    """How a WAV file's samples are stored: its ``fmt `` chunk."""

    encoding: int  # _PCM or _FLOAT
    channels: int
    rate: int
    width: int  # bytes per sample

    @classmethod
    def read(cls, fmt: bytes) -> _Layout:
        if len(fmt) < 16:
            raise ValueError("a format chunk too short to read")
        encoding, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", fmt)
        if encoding == _EXTENSIBLE and len(fmt) >= 26:
            encoding = struct.unpack_from("<H", fmt, 24)[0]  # the sub-format GUID's first field
        if not channels or not rate or block % channels:
            raise ValueError(f"an impossible format ({channels} channels at {rate} Hz)")
        layout = cls(encoding, channels, rate, block // channels)
        readable = {_PCM: (1, 2, 3, 4), _FLOAT: (4, 8)}
        if layout.width not in readable.get(encoding, ()):
            raise ValueError(f"an encoding this cannot read (format {encoding}, {bits} bits)")
        return layout

    def to_mono_int16(self, raw: bytes) -> bytes:
        frame = self.width * self.channels
        raw = raw[: len(raw) - len(raw) % frame]  # a cut-off last frame is dropped
        samples: Samples = self._as_float(raw).reshape(-1, self.channels).mean(axis=1)
        if self.rate != SAMPLE_RATE and len(samples):
            # Linear interpolation: plain, and enough for speech, whose sound lies
            # far below the 12 kHz that 24 kHz can carry.
            count = round(len(samples) * SAMPLE_RATE / self.rate)
            at = np.arange(count) * (self.rate / SAMPLE_RATE)
            samples = np.interp(at, np.arange(len(samples)), samples)
        pcm: bytes = np.clip(np.round(samples * 32768), -32768, 32767).astype("<i2").tobytes()
        return pcm

    def _as_float(self, raw: bytes) -> Samples:
        """Samples from -1 to 1, whatever their width and encoding."""
        if self.encoding == _FLOAT:
            return np.frombuffer(raw, dtype="<f4" if self.width == 4 else "<f8").astype(np.float64)
        if self.width == 1:  # 8-bit WAV is unsigned
            return (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128) / 128
        if self.width == 3:
            triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
            values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
            values = np.where(values >= 1 << 23, values - (1 << 24), values)  # the sign
            return values / float(1 << 23)
        dtype, scale = ("<i2", 1 << 15) if self.width == 2 else ("<i4", 1 << 31)
        return np.frombuffer(raw, dtype=dtype).astype(np.float64) / scale
