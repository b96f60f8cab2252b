"""Sounds for tests that need audio: a plain tone, and samples as a WAV file."""

from __future__ import annotations

import io
import wave

import numpy as np


def tone(seconds: float, rate: int, frequency: float = 440.0) -> np.ndarray:
    """A quiet sine tone, samples from -1 to 1."""
    return 0.3 * np.sin(2 * np.pi * frequency * np.arange(int(seconds * rate)) / rate)


def wav_of(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV bytes of ``samples`` (from -1 to 1)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())
    return buffer.getvalue()
