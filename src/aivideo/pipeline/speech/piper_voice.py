"""Piper neural TTS inside a worker process: one voice loaded once, one sentence at a time.

Synthesis is CPU work, so these functions run in the process pool. Each
worker process loads a voice once and keeps it (``_loaded_voices``); the
event loop only waits. The model loaded is the voice's aligned copy when
there is one (``aligned_model``): then every word is timed by the voice
itself, in the same run as its samples.
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aivideo.pipeline.speech.narration import spoken_form
from aivideo.pipeline.speech.piper_voice_file import config_path as config_path_of
from aivideo.pipeline.speech.sound import trim_to_sound
from aivideo.pipeline.speech.spoken_audio import SpokenAudio, WordSpan, word_tokens
from aivideo.pipeline.speech.voices import Voice
from aivideo.pipeline.speech.word_estimates import estimated_word_spans, letter_weight
from aivideo.pipeline.speech.word_timings import match_keys, timed_phonemes, word_spans

if TYPE_CHECKING:
    from piper import AudioChunk, PiperVoice

logger = logging.getLogger(__name__)

# Per voice name: the model file (and version) it was asked with, and the voice loaded for it.
_loaded_voices: dict[str, tuple[tuple[Path, str], PiperVoice]] = {}


def model_files(voice: Voice) -> tuple[Path, Path]:
    """The ONNX model and its JSON config: a voice file's, or its package's (imported here)."""
    if voice.model_path is not None:
        return voice.model_path, config_path_of(voice.model_path)
    module = importlib.import_module(voice.package)
    return Path(module.model_path()), Path(module.config_path())


def _voice(voice: Voice, aligned: Path | None) -> PiperVoice:
    model, config_path = model_files(voice)
    wanted = (aligned or model, voice.revision)  # a voice file replaced: loaded again
    loaded = _loaded_voices.get(voice.name)
    if loaded is None or loaded[0] != wanted:
        _loaded_voices.pop(voice.name, None)  # the old session goes before a new one loads
        _loaded_voices[voice.name] = (wanted, _load(wanted[0], model, config_path))
    return _loaded_voices[voice.name][1]


def _load(wanted: Path, model: Path, config_path: Path) -> PiperVoice:
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    options = onnxruntime.SessionOptions()
    # One thread per worker process: the pool already runs one sentence per core,
    # and more threads would only fight over the same cores.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # Without onnxruntime's memory arena, the memory of a long sentence goes
    # back to the system afterwards (see aivideo.runtime.worker_memory): an idle worker holds
    # about 140 MB instead of 350 MB, for about 15 % slower speech.
    options.enable_cpu_mem_arena = False
    # The basic graph rewrites only: the extended ones took a cold worker 0.5-0.8 s more
    # to load the voice and spoke no faster (0.22 s of CPU a sentence with either).
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
    config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))

    def session(path: Path) -> onnxruntime.InferenceSession:
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )

    try:
        return PiperVoice(session=session(wanted), config=config)
    except Exception as exc:  # onnxruntime's own errors have no common base but Exception
        if wanted == model:
            raise
        # The aligned copy is only a convenience: its voice is the same model's.
        logger.warning("cannot load %s (%s): words will be timed by estimate", wanted, exc)
        return PiperVoice(session=session(model), config=config)


def import_piper() -> None:
    """Import Piper and onnxruntime in this worker process, before the model is known."""
    import onnxruntime  # noqa: F401
    import piper  # noqa: F401


def preload_voice(voice: Voice, aligned: Path | None) -> None:
    """Load the voice in this worker process ahead of time (runs in the process pool)."""
    _voice(voice, aligned)


def synthesize_sentence(
    voice: Voice, aligned: Path | None, sentence: str, rate: float
) -> SpokenAudio:
    """One spoken sentence: its samples and when each word is said (in a worker process).

    ``aligned``: the voice's model with alignments, if there is one.
    """
    from piper import SynthesisConfig

    piper = _voice(voice, aligned)
    text = spoken_form(sentence)
    config = SynthesisConfig(length_scale=1.0 / rate)
    chunks = list(piper.synthesize(text, config, include_alignments=True))
    parts = [chunk.audio_int16_array for chunk in chunks]
    samples = (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)).tobytes()
    words = _word_times(piper, text, chunks, samples)
    return SpokenAudio(samples, piper.config.sample_rate, tuple(words))


def _word_times(
    piper: PiperVoice, text: str, chunks: list[AudioChunk], samples: bytes
) -> list[WordSpan]:
    """Each word's span: from the voice's alignments, or estimated where it has none."""
    tokens = word_tokens(text)
    # Each word alone, by the phonemizer the voice reads the sentence with.
    token_phonemes = [[p for part in piper.phonemize(token) for p in part] for token in tokens]
    weights = [
        len(match_keys(phonemes)) or letter_weight(token)
        for token, phonemes in zip(tokens, token_phonemes, strict=True)
    ]
    if chunks and all(chunk.phoneme_alignments is not None for chunk in chunks):
        timed = timed_phonemes(
            (
                len(chunk.audio_float_array),
                [(a.phoneme, a.num_samples) for a in chunk.phoneme_alignments or ()],
            )
            for chunk in chunks
        )
        spans = word_spans(token_phonemes, timed, piper.config.sample_rate, weights)
        # A word's last phoneme often holds the quiet before a pause: words sit on sound.
        return trim_to_sound(spans, samples, piper.config.sample_rate)
    return estimated_word_spans(text, samples, piper.config.sample_rate, weights)
