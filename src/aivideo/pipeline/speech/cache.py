"""Spoken sentences kept on disk, so the same sentence is never synthesized twice.

A sentence said by the same engine, model and voice at the same rate sounds
the same every time. Its samples are kept under ``data_dir/cache/speech``, one
file per sentence named by a digest of those five, for ``cache_provider_ttl``
seconds: a retried video, or the same text made again, costs neither Piper's
CPU time nor the remote service's bill a second time. Each file is a small
header (a magic word, the sample rate and the number of words), each word's
start and end (two doubles), and the 16-bit mono samples: the words' times
belong to the samples they were measured on, so they are kept together.

A :class:`Speaker` is one voice of one engine, Piper in the process pool or
the remote service, and says who it is for the key; the engine registry
makes it, so the stage that speaks never asks which engine it got.
Every file operation runs in a thread: the event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import struct
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aivideo.cache.disk_sweep import disk_cache_folder
from aivideo.core.atomic_files import atomic_path_sync
from aivideo.core.config import Settings
from aivideo.observability.metrics import CACHE_REQUESTS
from aivideo.pipeline.speech.narration import spoken_form
from aivideo.pipeline.speech.spoken_audio import SpokenAudio

logger = logging.getLogger(__name__)

Synthesize = Callable[[str, float], Awaitable[SpokenAudio]]

_HEADER = struct.Struct("<4sII")  # magic word, sample rate, number of words
_WORD = struct.Struct("<dd")  # a word's start and end, in seconds
_MAGIC = b"PCM2"  # PCM1 files (samples without words) are misses, and are replaced


@dataclass(frozen=True)
class Speaker:
    """One voice ready to speak: who it is (what the cache keys on) and how it speaks."""

    engine: str  # "piper", or the remote service's URL: two servers' "alloy" differ
    model: str  # the Piper voice's package, or the remote service's model
    voice: str
    synthesize: Synthesize  # (spoken text, rate) -> its samples and its words' times


def speech_key(speaker: Speaker, rate: float, text: str) -> str:
    identity = [speaker.engine, speaker.model, speaker.voice, float(rate), text]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()


class SpeechCache:
    """Spoken sentences in ``folder``, each used for ``ttl`` seconds after it was made."""

    def __init__(self, folder: Path, ttl: float) -> None:
        self.folder = folder
        self.ttl = ttl
        self._making: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> SpeechCache:
        return cls(disk_cache_folder(settings.data_dir) / "speech", settings.cache_provider_ttl)

    async def speak(self, speaker: Speaker, sentence: str, rate: float) -> SpokenAudio:
        """``sentence`` spoken (samples, rate and its words' times): kept, or made and kept."""
        text = spoken_form(sentence)
        key = speech_key(speaker, rate, text)
        path = self.folder / f"{key}.pcm"
        # A sentence said twice in one video is made once: the second waits, then reads it.
        async with self._making[key]:
            kept = await asyncio.to_thread(_read_fresh, path, self.ttl)
            if kept is not None:
                CACHE_REQUESTS.labels("hit").inc()
                return kept
            CACHE_REQUESTS.labels("miss").inc()
            spoken = await speaker.synthesize(text, rate)
            await asyncio.to_thread(_write, path, spoken)
        return spoken


def _read_fresh(path: Path, ttl: float) -> SpokenAudio | None:
    """The spoken sentence in ``path``; None if it is missing, stale, unreadable or not ours."""
    try:
        if time.time() - path.stat().st_mtime > ttl:
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:  # a cache only saves time: one it cannot read is a miss
        logger.warning("cannot read the speech cache file %s (%s): speaking again", path, exc)
        return None
    return _parse(data)


def _parse(data: bytes) -> SpokenAudio | None:
    """One sentence's record (the format of a cache file); None if it is not one."""
    if len(data) < _HEADER.size:
        return None  # cut short: made again, and replaced
    magic, sample_rate, word_count = _HEADER.unpack_from(data)
    samples_from = _HEADER.size + word_count * _WORD.size
    if (
        magic != _MAGIC
        or not sample_rate
        or len(data) < samples_from
        or (len(data) - samples_from) % 2
    ):
        return None
    words = tuple(_WORD.iter_unpack(data[_HEADER.size : samples_from]))
    return SpokenAudio(data[samples_from:], sample_rate, words)


def _record(spoken: SpokenAudio) -> bytes:
    header = _HEADER.pack(_MAGIC, spoken.sample_rate, len(spoken.words))
    words = b"".join(_WORD.pack(start, end) for start, end in spoken.words)
    return header + words + spoken.samples


_LENGTH = struct.Struct("<Q")


def pack_spoken(sentences: list[SpokenAudio]) -> bytes:
    """Spoken sentences as one blob (each a cache file's record), for another machine."""
    return b"".join(_LENGTH.pack(len(record)) + record for record in map(_record, sentences))


def unpack_spoken(data: bytes) -> list[SpokenAudio]:
    """The sentences of :func:`pack_spoken`.

    Raises:
        ValueError: ``data`` is not such a blob.
    """
    sentences, at = [], 0
    while at < len(data):
        (length,) = _LENGTH.unpack_from(data, at)
        spoken = _parse(data[at + _LENGTH.size : at + _LENGTH.size + length])
        if spoken is None:
            raise ValueError("not spoken sentences")
        sentences.append(spoken)
        at += _LENGTH.size + length
    return sentences


def _write(path: Path, spoken: SpokenAudio) -> None:
    # A unique temporary name, then a rename: a reader (another video, another
    # process) sees the whole file or none, never half of one.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path_sync(path, unique=True) as partial:
            partial.write_bytes(_record(spoken))
    except OSError as exc:  # the video has its samples; only the next one misses them
        logger.warning("cannot keep speech in the cache (%s): it will be spoken again", exc)
