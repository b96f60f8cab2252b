"""The six stages, each run once per video and recorded in its workspace.

A stage's ``run`` does the work and returns its record; ``parse`` reads a
record back from ``stages/<name>.json``; ``restore`` puts it into the
context. The work of each is in ``pipeline/steps/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from aivideo.pipeline.context import Context
from aivideo.pipeline.steps import render, script, speech, subtitles, thumbnail, visuals


class Record(Protocol):
    def to_json(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Stage(Generic[R]):
    name: str
    weight: int  # share of the whole job's time, for the progress percentage
    run: Callable[[Context], Awaitable[R]]
    parse: Callable[[dict[str, Any]], R]
    restore: Callable[[Context, R], None]


# Weights: each stage's share of a 720p job's time, measured with bench/render_bench.py.
STAGES: list[Stage[Any]] = [
    Stage("script", 1, script.run, script.parse, script.restore),
    Stage("speech", 24, speech.run, speech.parse, speech.restore),
    Stage("subtitles", 1, subtitles.run, subtitles.parse, subtitles.restore),
    Stage("visuals", 2, visuals.run, visuals.parse, visuals.restore),
    Stage("render", 70, render.run, render.parse, render.restore),
    Stage("thumbnail", 2, thumbnail.run, thumbnail.parse, thumbnail.restore),
]
