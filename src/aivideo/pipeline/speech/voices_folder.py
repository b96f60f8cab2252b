"""The Piper voices an operator drops into ``AIVIDEO_VOICES_DIR``, seen without a restart.

A look lists the folder (names, sizes and modification times) in a thread,
and reads a voice's JSON again only when one of its two files changed: a
voice copied in, replaced or deleted is offered, or no longer, at the next
look. Looks happen at most once a second (``LOOK_EVERY``) unless one is asked
for fresh; between them, and always on the event loop, ``voices`` is what
the last look found, without touching the disk.

A file that cannot be a voice (no model beside its JSON, a JSON that does
not parse or lacks a field) is left out, with one warning naming the file
for each version of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aivideo.pipeline.speech.piper_voice_file import (
    CONFIG_SUFFIX,
    BrokenVoiceFile,
    config_path,
    read_voice,
)
from aivideo.pipeline.speech.voices import Voice

logger = logging.getLogger(__name__)

LOOK_EVERY = 1.0  # seconds between two looks at the folder, at most
ENGINE = "piper"
_MODEL_SUFFIX = ".onnx"
_ALIGNED_SUFFIX = "-aligned.onnx"  # aivideo's own patched copies (aligned_model), if kept here

FileState = tuple[int, int]  # modification time (ns) and size: a file changed if either did


@dataclass(frozen=True)
class _Read:
    """One voice name's two files as last read, and the voice they made (None: broken)."""

    files: tuple[FileState | None, FileState | None]  # the model's, the JSON's
    voice: Voice | None


class VoicesFolder:
    """The voices in ``path``, as the last look at it found them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._voices: tuple[Voice, ...] = ()
        self._listing: dict[str, FileState] | None = None
        self._read: dict[str, _Read] = {}
        self._looked_at = -math.inf
        # Looks run in threads, maybe two at once (two event loops, a command line's thread).
        self._lock = threading.Lock()

    @property
    def voices(self) -> tuple[Voice, ...]:
        """The voices the last look found (no disk access)."""
        return self._voices

    def is_due(self) -> bool:
        return time.monotonic() - self._looked_at >= LOOK_EVERY

    async def look(self, *, fresh: bool = False) -> tuple[Voice, ...]:
        """Look at the folder if the last look is a second old (or ``fresh``), in a thread."""
        if fresh or self.is_due():
            # Marked first: callers meanwhile keep the last look instead of starting their own.
            self._looked_at = time.monotonic()
            await asyncio.to_thread(self.look_blocking)
        return self._voices

    def look_blocking(self) -> None:
        """Look at the folder now (blocking: off the event loop)."""
        with self._lock:
            self._looked_at = time.monotonic()
            listing = self._list()
            if listing == self._listing:
                return
            self._listing = listing
            self._read = {name: self._read_voice(name, listing) for name in _voice_names(listing)}
            voices = (read.voice for read in self._read.values() if read.voice is not None)
            self._voices = tuple(sorted(voices, key=lambda voice: voice.name))

    def _list(self) -> dict[str, FileState]:
        try:
            with os.scandir(self.path) as entries:
                return {
                    entry.name: (stat.st_mtime_ns, stat.st_size)
                    for entry in entries
                    if not entry.name.startswith(".")  # partial copies, editors' files
                    and entry.is_file()
                    and (stat := entry.stat())
                }
        except OSError as exc:
            if self._listing != {}:  # once, not at every look
                logger.warning(
                    "cannot read the voices folder %s (AIVIDEO_VOICES_DIR): %s; "
                    "only the bundled voices are offered",
                    self.path,
                    exc.strerror or exc,
                )
            return {}

    def _read_voice(self, name: str, listing: dict[str, FileState]) -> _Read:
        model = self.path / f"{name}{_MODEL_SUFFIX}"
        config = config_path(model)
        files = (listing.get(model.name), listing.get(config.name))
        earlier = self._read.get(name)
        if earlier is not None and earlier.files == files:
            return earlier  # unchanged: neither read nor warned about again
        return _Read(files, self._voice_from(model, config, files))

    def _voice_from(
        self, model: Path, config: Path, files: tuple[FileState | None, FileState | None]
    ) -> Voice | None:
        if files[0] is None:
            logger.warning("skipped the voice file %s: no %s beside it", config, model.name)
            return None
        if files[1] is None:
            logger.warning("skipped the voice file %s: no %s beside it", model, config.name)
            return None
        try:
            revisions = _revision(files), _revision(files[0])
            return read_voice(model, config.read_bytes(), ENGINE, *revisions)
        except (OSError, BrokenVoiceFile) as exc:
            logger.warning("skipped the voice file %s: %s", config, exc)
            return None


def _voice_names(listing: Iterable[str]) -> set[str]:
    """The names that have a model or a JSON in the folder (a lone one is reported)."""
    names = set()
    for file in listing:
        if file.endswith(_MODEL_SUFFIX + CONFIG_SUFFIX):
            names.add(file.removesuffix(_MODEL_SUFFIX + CONFIG_SUFFIX))
        elif file.endswith(_MODEL_SUFFIX) and not file.endswith(_ALIGNED_SUFFIX):
            names.add(file.removesuffix(_MODEL_SUFFIX))
    return names


def _revision(files: object) -> str:
    return hashlib.sha256(repr(files).encode()).hexdigest()[:12]


_folders: dict[Path, VoicesFolder] = {}


def voices_folder(path: Path) -> VoicesFolder:
    """The one ``VoicesFolder`` of this process for ``path``."""
    return _folders.setdefault(path, VoicesFolder(path))
