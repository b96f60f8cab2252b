"""A Piper voice's model that also tells how long each phoneme lasts, made once per data folder.

Piper times phonemes only when the ONNX model outputs their durations, and
the bundled voices' models do not. ``piper.patch_voice_with_alignment`` adds
that output. It runs once, on first use, in a short-lived subprocess that
writes ``<voice>-aligned.onnx`` into the voice models folder
(``Settings.voice_models_folder``, by default ``data_dir/voices``): patching in memory at every
load would cost each long-lived pool worker about 75 MB (onnx and its graph),
while loading a patched file costs nothing more than the original.

When patching fails (onnx missing, a model of another shape), the voice
speaks from its own model and its words are timed by estimate.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

import anyio

from aivideo.cache.disk_sweep import ABANDONED_PART_SECONDS
from aivideo.core.atomic_files import atomic_path, is_partial
from aivideo.pipeline.speech.piper_voice import model_files
from aivideo.pipeline.speech.voices import Voice

logger = logging.getLogger(__name__)

# Made (or failed) in this process, so a video's sentences wait for one patch.
_patching: dict[Path, asyncio.Task[Path | None]] = {}
_failed: set[Path] = set()


class PatchFailed(Exception):
    """The patcher ran but wrote no model; the message is what it said."""


def aligned_model_path(voice: Voice, folder: Path) -> Path:
    # A voice file's version in the name: a replaced file is patched again, not mistaken.
    version = f"-{voice.model_revision}" if voice.model_revision else ""
    return folder / f"{voice.name}{version}-aligned.onnx"


async def aligned_model(voice: Voice, folder: Path) -> Path | None:
    """The voice's aligned model in ``folder``, patched now if need be; None if it cannot be."""
    target = aligned_model_path(voice, folder)
    if await anyio.Path(target).exists():
        return target
    if target in _failed:
        return None
    task = _patching.get(target)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = _patching[target] = asyncio.create_task(_patch(voice, target))
        task.add_done_callback(lambda done: _forget(target, done))
    # Shielded: one video that stops waiting must not stop the patch the others wait for.
    return await asyncio.shield(task)


def _forget(target: Path, done: asyncio.Task[Path | None]) -> None:
    if _patching.get(target) is done:
        del _patching[target]


async def _patch(voice: Voice, target: Path) -> Path | None:
    try:
        source, _ = await asyncio.to_thread(model_files, voice)
        await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(_remove_abandoned, target)
        # Unique: another process may patch the same voice at once; the last rename wins.
        async with atomic_path(target, unique=True) as partial:
            await _run_patcher(source, partial)
    except (PatchFailed, OSError) as exc:
        logger.warning(
            "cannot add alignments to the voice %r (%s): it speaks from its own model, "
            "and its words are estimated unless that model times them",
            voice.name,
            exc,
        )
        _failed.add(target)
        return None
    logger.info("the voice %r now times its phonemes (%s)", voice.name, target)
    return target


async def _run_patcher(source: Path, output: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "piper.patch_voice_with_alignment", str(source),
        "--output", str(output),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _, said = await process.communicate()
    except asyncio.CancelledError:
        process.kill()
        await process.wait()
        raise
    # The patcher exits 0 even when it refuses (it logs why): only its file says it worked.
    if process.returncode or not await anyio.Path(output).exists():
        last = said.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise PatchFailed(last[0])


def _remove_abandoned(target: Path) -> None:
    """Delete this model's temporary files left by a process that died while patching."""
    now = time.time()
    for path in target.parent.glob(f".{target.name}*"):
        if is_partial(path) and now - path.stat().st_mtime > ABANDONED_PART_SECONDS:
            path.unlink(missing_ok=True)
