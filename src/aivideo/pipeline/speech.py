"""The speech stage: Piper neural TTS, one audio piece per sentence.

Synthesis is CPU work, so it runs in the process pool. Each worker process
loads a voice once and keeps it (``_loaded_voices``); the loop only waits.
The result is one WAV file for the whole narration and the start and end of
every sentence in it, which gives the subtitles exact timing for free.
"""

from __future__ import annotations

import json
import unicodedata
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aivideo.pipeline.voices import Voice

if TYPE_CHECKING:
    from piper import PiperVoice

PAUSE_BETWEEN_SENTENCES = 0.25  # seconds
PAUSE_BETWEEN_SCENES = 0.6
TAIL = 0.5  # silence after the last word, so the video does not cut it off

_loaded_voices: dict[str, PiperVoice] = {}


@dataclass(frozen=True)
class SpokenSentence:
    text: str
    start: float  # seconds from the start of the narration
    end: float


@dataclass(frozen=True)
class Narration:
    """Where each sentence sits in the narration's audio file."""

    sentences: list[SpokenSentence]
    duration: float
    sample_rate: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Narration:
        sentences = data["sentences"]
        assert isinstance(sentences, list)
        duration, sample_rate = data["duration"], data["sample_rate"]
        assert isinstance(duration, float | int) and isinstance(sample_rate, int)
        return cls([SpokenSentence(**s) for s in sentences], float(duration), sample_rate)


def spoken_form(sentence: str) -> str:
    """The sentence as the voice should read it: without emoji and other symbols."""
    return "".join(c for c in sentence if unicodedata.category(c) not in ("So", "Sk", "Cs", "Co"))


def _voice(voice: Voice) -> PiperVoice:
    if voice.name not in _loaded_voices:
        import onnxruntime
        from piper import PiperConfig, PiperVoice

        model, config_path = voice.model_files()
        options = onnxruntime.SessionOptions()
        # One thread per worker process: the pool already runs one sentence per core,
        # and more threads would only fight over the same cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Without onnxruntime's memory arena, the memory of a long sentence goes
        # back to the system afterwards (see aivideo.worker_memory): an idle worker holds
        # about 140 MB instead of 350 MB, for about 15 % slower speech.
        options.enable_cpu_mem_arena = False
        _loaded_voices[voice.name] = PiperVoice(
            session=onnxruntime.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            ),
            config=PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8"))),
        )
    return _loaded_voices[voice.name]


def preload_voice(voice: Voice) -> None:
    """Load the voice in this worker process ahead of time (runs in the process pool)."""
    _voice(voice)


def synthesize_sentence(voice: Voice, sentence: str, rate: float) -> tuple[bytes, int]:
    """16-bit mono samples of one spoken sentence, and their sample rate (in a worker process)."""
    from piper import SynthesisConfig

    piper = _voice(voice)
    config = SynthesisConfig(length_scale=1.0 / rate)
    chunks = [chunk.audio_int16_array for chunk in piper.synthesize(spoken_form(sentence), config)]
    audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return audio.tobytes(), piper.config.sample_rate


def assemble_narration(
    scenes: list[list[tuple[str, bytes]]], sample_rate: int, lead_in: float, output: Path
) -> Narration:
    """Join spoken sentences into one WAV file: a lead-in, pauses, and a tail of silence.

    ``scenes`` holds, per scene, each sentence's text and its 16-bit samples.
    """

    def silence(seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * sample_rate), dtype=np.int16)

    pieces = [silence(lead_in)]
    position = len(pieces[0])
    spoken = []
    for scene_index, scene in enumerate(scenes):
        for sentence_index, (text, samples) in enumerate(scene):
            if scene_index or sentence_index:
                pieces.append(
                    silence(PAUSE_BETWEEN_SENTENCES if sentence_index else PAUSE_BETWEEN_SCENES)
                )
                position += len(pieces[-1])
            audio = np.frombuffer(samples, dtype=np.int16)
            spoken.append(
                SpokenSentence(text, position / sample_rate, (position + len(audio)) / sample_rate)
            )
            pieces.append(audio)
            position += len(audio)
    pieces.append(silence(TAIL))
    audio = np.concatenate(pieces)
    with wave.open(str(output), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(audio.tobytes())
    return Narration(spoken, len(audio) / sample_rate, sample_rate)
