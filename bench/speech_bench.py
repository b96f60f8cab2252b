"""Speech real-time factor per offline engine: seconds of work per second of speech.

Usage (from the repository root):

    .venv/bin/python -m bench.speech_bench              # every bundled voice
    .venv/bin/python -m bench.speech_bench --rounds 3

Each voice says the render benchmark's narration (about 60 s of speech), one
sentence at a time, in this process on one thread, as one worker of the
process pool does: load time, then synthesis time over speech time (the
real-time factor; below 1 is faster than speech). The first sentence is said
once before timing, so only the steady state is measured. Piper is measured
with its aligned model (each word timed by the voice, as videos are made)
and with its plain one; a remote service's speed is the service's and is not
measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aivideo.pipeline.script import write_script
from aivideo.pipeline.speech import hibari_voice, piper_voice
from aivideo.pipeline.speech.aligned_model import aligned_model
from aivideo.pipeline.speech.engines.hibari import BUNDLED as HIBARI_VOICES
from aivideo.pipeline.speech.engines.piper import BUNDLED as PIPER_VOICES
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from bench.render_bench import NARRATION

Say = Callable[[str], SpokenAudio]


def measure(
    name: str, load: Callable[[], None], say: Say, sentences: list[str], rounds: int
) -> None:
    started = time.perf_counter()
    load()
    loaded = time.perf_counter() - started
    say(sentences[0])  # warm-up
    spoken = work = 0.0
    for _ in range(rounds):
        for sentence in sentences:
            started = time.perf_counter()
            audio = say(sentence)
            work += time.perf_counter() - started
            spoken += audio.duration
    print(
        f"{name:<28} load {loaded:5.2f} s   {spoken:6.1f} s of speech in {work:6.2f} s   "
        f"RTF {work / spoken:.3f}  ({spoken / work:5.1f}x real time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="times the narration is said")
    args = parser.parse_args()
    sentences = write_script(NARRATION).sentences
    print(f"{len(sentences)} sentences, {len(NARRATION)} characters, one thread each\n")

    joe = PIPER_VOICES[0]
    with tempfile.TemporaryDirectory() as folder:
        aligned = asyncio.run(aligned_model(joe, Path(folder)))
        for label, model in (("aligned", aligned), ("plain", None)):
            piper_voice._loaded_voices.clear()  # each variant loads from scratch
            measure(
                f"piper {joe.name} ({label})",
                lambda model=model: piper_voice.preload_voice(joe, model),
                lambda text, model=model: piper_voice.synthesize_sentence(joe, model, text, 1.0),
                sentences,
                args.rounds,
            )
    for voice in HIBARI_VOICES:
        measure(
            f"hibari {voice.name}",
            lambda name=voice.name: hibari_voice.preload_voice(name),
            lambda text, name=voice.name: hibari_voice.synthesize_sentence(name, text, 1.0),
            sentences,
            args.rounds,
        )


if __name__ == "__main__":
    main()
