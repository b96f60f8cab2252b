"""Where a spoken sentence's samples are sound, and where they are quiet.

Measured on 10 ms frames against the sentence's loudest one, so a quiet
voice and a loud one are judged alike; cheap enough (numpy over the
samples) to run on every sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from aivideo.pipeline.speech.spoken_audio import WordSpan

_FRAME_SECONDS = 0.01
_SOUND_THRESHOLD = 0.05  # a frame is sound above 5 % of the loudest frame's RMS
_SILENCE_RMS = 1e-4  # the loudest frame of true silence, from -1 to 1


def sound_span(samples: bytes, sample_rate: int) -> tuple[float, float]:
    """Where the sound is in ``samples`` (seconds): without the silence before and after."""
    duration = len(samples) / 2 / sample_rate
    loud = _loud_frames(samples, sample_rate)
    if loud is None or not loud.any():
        return 0.0, duration
    frames = np.flatnonzero(loud)
    return float(frames[0]) * _FRAME_SECONDS, min(duration, float(frames[-1] + 1) * _FRAME_SECONDS)


def trim_to_sound(spans: Sequence[WordSpan], samples: bytes, sample_rate: int) -> list[WordSpan]:
    """Each span without the quiet at its ends (a stop's closure, a breath before a pause).

    Spans only shrink, so they stay in order; a span with no sound in it is left as it is.
    """
    loud = _loud_frames(samples, sample_rate)
    if loud is None:
        return list(spans)
    trimmed = []
    for start, end in spans:
        first = int(start / _FRAME_SECONDS)
        frames = np.flatnonzero(loud[first : math.ceil(end / _FRAME_SECONDS)]) + first
        if not len(frames):
            trimmed.append((start, end))
            continue
        sound_start = max(start, float(frames[0]) * _FRAME_SECONDS)
        trimmed.append((sound_start, min(end, float(frames[-1] + 1) * _FRAME_SECONDS)))
    return trimmed


def _loud_frames(samples: bytes, sample_rate: int) -> npt.NDArray[np.bool_] | None:
    """Per 10 ms frame, whether it is sound; None if there is no sound at all."""
    audio = np.frombuffer(samples, dtype=np.int16).astype(np.float32) / 32768
    frame = max(1, round(_FRAME_SECONDS * sample_rate))
    count = -(-len(audio) // frame)  # the last frame may be short
    if not count:
        return None
    padded = np.zeros(count * frame, dtype=np.float32)
    padded[: len(audio)] = audio
    rms = np.sqrt(np.mean(padded.reshape(count, frame) ** 2, axis=1))
    if rms.max() < _SILENCE_RMS:
        return None
    loud: npt.NDArray[np.bool_] = rms > rms.max() * _SOUND_THRESHOLD
    return loud
