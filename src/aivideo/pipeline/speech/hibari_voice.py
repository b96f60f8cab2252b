"""hibari-tts inside a worker process: its bundled voice loaded once, one sentence at a time.

hibari (Apache-2.0) is a small distilled Kokoro model with its own English
phonemizer, run by onnxruntime: synthesis is CPU work, so these functions run
in the process pool. The model gives no durations, so each word's time is
estimated within the sentence's sound. Only the voice inside the package is
used: hibari's other voices are downloaded from a model hub on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aivideo.pipeline.speech.narration import spoken_form
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.word_estimates import estimated_word_spans

if TYPE_CHECKING:
    from hibari import Hibari

SAMPLE_RATE = 24000  # hibari.SAMPLE_RATE, without importing it where no voice speaks
_SEED = 0  # the same noise every time: a sentence said again sounds the same (speech cache)

_loaded: dict[str, Hibari] = {}


def _voice(name: str) -> Hibari:
    if name not in _loaded:
        from hibari import Hibari

        # One thread: the pool already runs one sentence per core.
        _loaded[name] = Hibari(voice=name, threads=1)
    return _loaded[name]


def preload_voice(name: str) -> None:
    """Load the voice in this worker process ahead of time (runs in the process pool)."""
    _voice(name)


def synthesize_sentence(name: str, sentence: str, rate: float) -> SpokenAudio:
    """One spoken sentence: its 16-bit samples and each word's estimated span."""
    text = spoken_form(sentence)
    audio = _voice(name)(text, speed=rate, seed=_SEED)
    samples = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    return SpokenAudio(
        samples, SAMPLE_RATE, tuple(estimated_word_spans(text, samples, SAMPLE_RATE))
    )
