"""Piper neural TTS inside a worker process: one voice loaded once, one sentence at a time.

Synthesis is CPU work, so these functions run in the process pool. Each
worker process loads a voice once and keeps it (``_loaded_voices``); the
event loop only waits.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aivideo.pipeline.speech.narration import spoken_form
from aivideo.pipeline.speech.voices import Voice

if TYPE_CHECKING:
    from piper import PiperVoice

_loaded_voices: dict[str, PiperVoice] = {}


def model_files(voice: Voice) -> tuple[Path, Path]:
    """The ONNX model and its JSON config, from the voice's package (imported here)."""
    module = importlib.import_module(voice.package)
    return Path(module.model_path()), Path(module.config_path())


def _voice(voice: Voice) -> PiperVoice:
    if voice.name not in _loaded_voices:
        import onnxruntime
        from piper import PiperConfig, PiperVoice

        model, config_path = model_files(voice)
        options = onnxruntime.SessionOptions()
        # One thread per worker process: the pool already runs one sentence per core,
        # and more threads would only fight over the same cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Without onnxruntime's memory arena, the memory of a long sentence goes
        # back to the system afterwards (see aivideo.runtime.worker_memory): an idle worker holds
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
