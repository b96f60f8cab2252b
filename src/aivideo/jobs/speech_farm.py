"""Shared speech: a long video's sentences spoken by every worker that is free.

The worker making the video cuts its sentences into runs of
``SENTENCES_PER_PART``, puts each run's job (the lines and the rate, as JSON)
into the store and shares the runs (:mod:`aivideo.jobs.shared_parts`); it
speaks runs itself and downloads those others spoke. A helping worker
(:func:`speech_doer`) speaks its run with its own voices and speech cache, and
puts the samples and word times into the store as one object. Speech is what
the video's worker would otherwise do alone before any segment can be encoded.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from aivideo.core.outputs import WORK_FOLDER, object_key
from aivideo.jobs.part_claims import PartKind
from aivideo.jobs.part_taker import PartDoer, PartGone
from aivideo.jobs.shared_parts import PartWork, SharedParts
from aivideo.jobs.tools import JobTools
from aivideo.pipeline.speech.cache import pack_spoken, unpack_spoken
from aivideo.pipeline.speech.registry import current_voice_catalogue
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.spoken_lines import LinesDone, SpeakLines, SpokenLine, speak_lines
from aivideo.storage.uploads import a_few_at_once

# About 30 s of narration: a few seconds of one core's work, worth a round trip.
SENTENCES_PER_PART = 8
_SPOKEN_MEDIA_TYPE = "application/octet-stream"


def _folder_key(video_id: str) -> str:
    return object_key(video_id, f"{WORK_FOLDER}/speech")


def _job_key(video_id: str, number: int) -> str:
    return f"{_folder_key(video_id)}/{number}.json"


def _spoken_key(video_id: str, number: int) -> str:
    return f"{_folder_key(video_id)}/{number}.spoken"


class SpeechOnWorkers:
    """A :class:`~aivideo.pipeline.speech.spoken_lines.SpeechFarm` of every worker."""

    def __init__(self, shared: SharedParts) -> None:
        self.tools = shared.tools
        self.shared = shared
        self.video_id = shared.video_id

    async def speak(
        self, lines: Sequence[SpokenLine], rate: float, speak_here: SpeakLines,
        on_done: LinesDone,
    ) -> list[SpokenAudio]:  # fmt: skip
        runs = [lines[i : i + SENTENCES_PER_PART] for i in range(0, len(lines), SENTENCES_PER_PART)]
        if len(runs) < 2:  # nothing to share
            return await speak_here(lines, on_done)
        store = self.tools.store
        await a_few_at_once(
            [partial(store.put_bytes, _job_key(self.video_id, number),
                     json.dumps({"rate": rate, "lines": list(run)}).encode(), "application/json")
             for number, run in enumerate(runs)]
        )  # fmt: skip
        done = [0] * len(runs)

        def progress(number: int, spoken: int) -> None:
            done[number] = spoken
            on_done(sum(done))

        async def speak_run(number: int) -> list[SpokenAudio]:
            return await speak_here(runs[number], partial(progress, number))

        work = PartWork(
            PartKind.SPEECH, [len(run) for run in runs], 1, speak_run, self._download, progress
        )
        try:
            spoken = await self.shared.share(work)
        finally:
            with contextlib.suppress(Exception):  # only space: gone with the video anyway
                await store.delete_folder(_folder_key(self.video_id))
        return [sentence for run in spoken for sentence in run]

    async def _download(self, number: int) -> list[SpokenAudio]:
        data = await self.tools.store.read_bytes(_spoken_key(self.video_id, number))
        if data is None:
            raise FileNotFoundError(f"speech part {number} is done but not in the store")
        return unpack_spoken(data)


def speech_doer(tools: JobTools) -> PartDoer:
    """How a helping worker speaks one run of another worker's sentences."""

    async def speak(
        video_id: str, number: int, scratch: Path, report: Callable[[int], None]
    ) -> int:
        store = tools.store
        raw = await store.read_bytes(_job_key(video_id, number))
        if raw is None:
            raise PartGone()  # the speech stage is over
        job = json.loads(raw)
        lines = [(voice, sentence) for voice, sentence in job["lines"]]
        voices = await current_voice_catalogue(tools.settings, fresh=True)
        spoken = await speak_lines(lines, job["rate"], tools, voices, report)
        await store.put_bytes(_spoken_key(video_id, number), pack_spoken(spoken),
                              _SPOKEN_MEDIA_TYPE)  # fmt: skip
        return len(lines)

    return speak
