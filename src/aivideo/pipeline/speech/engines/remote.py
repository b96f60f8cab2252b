"""A remote OpenAI-compatible speech service (``AIVIDEO_SPEECH_BASE_URL``).

When one is configured, its voices join the offline ones and its configured
voice (``AIVIDEO_SPEECH_VOICE``) becomes the default. The service sends
audio only, so its words are timed by estimate, within the sound it sent.
"""

from __future__ import annotations

from aivideo.core.config import Settings
from aivideo.core.errors import InvalidInput
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.voices import Origin, Voice
from aivideo.pipeline.speech.word_estimates import estimated_word_spans
from aivideo.pipeline.tools import PipelineTools

NAME = "remote"

# OpenAI's original six voices: tts-1 speaks them, and so do the OpenAI-compatible
# servers that map OpenAI's names onto their own voices.
OPENAI_VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")


class RemoteEngine:
    name = NAME

    def voices(self, settings: Settings) -> list[Voice]:
        if settings.speech_base_url is None:
            return []
        # The configured voice first: it may be one of the server's own, beyond OpenAI's six.
        names = dict.fromkeys([settings.speech_voice, *OPENAI_VOICES])
        return [
            Voice(name, NAME, "a voice of the remote speech service", origin=Origin.REMOTE)
            for name in names
        ]

    def default_voice(self, settings: Settings) -> str | None:
        return settings.speech_voice if settings.speech_base_url is not None else None

    def speaker(self, voice: Voice, tools: PipelineTools) -> Speaker:
        remote = tools.providers.remote_voice
        if remote is None:
            raise InvalidInput(
                f"the voice {voice.name!r} belongs to a remote speech service, and this "
                "server has none: set AIVIDEO_SPEECH_BASE_URL, or choose an installed voice"
            )

        async def synthesize(text: str, rate: float) -> SpokenAudio:
            samples, sample_rate = await remote.synthesize(text, voice.name, rate)
            # Letters, not espeak's phonemes: the service may speak any language.
            # A few milliseconds of numpy over the samples: in a thread.
            words = await tools.run_in_thread(estimated_word_spans, text, samples, sample_rate)
            return SpokenAudio(samples, sample_rate, tuple(words))

        return Speaker(remote.http.base_url, remote.model, voice.name, synthesize)

    async def preload(self, voice: Voice, tools: PipelineTools) -> None:
        """Nothing to load: the service is asked per sentence."""
