"""What the stages of one video share: the request, its folder, the tools, and what is made.

Each stage reads what the stages before it restored and adds its own part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aivideo.core.languages import DEFAULT_LANGUAGE
from aivideo.core.script import Script
from aivideo.core.spec import VideoSpec
from aivideo.pipeline.frame import Frame, frame_for
from aivideo.pipeline.records import RenderedVideo
from aivideo.pipeline.render import RenderPlan, SegmentFarm
from aivideo.pipeline.speech.narration import Narration
from aivideo.pipeline.speech.spoken_lines import SpeechFarm
from aivideo.pipeline.speech.voices import VoiceCatalogue
from aivideo.pipeline.subtitles import Cue
from aivideo.pipeline.tools import PipelineTools
from aivideo.pipeline.visuals import TITLE_SECONDS
from aivideo.pipeline.workspace import Workspace

StageProgress = Callable[[float], None]
# A line for the video's log: (kind, message), e.g. a provider that failed and its stand-in.
Note = Callable[[str, str], None]


@dataclass
class Context:
    spec: VideoSpec
    workspace: Workspace
    tools: PipelineTools
    voices: VoiceCatalogue
    progress: StageProgress = lambda _fraction: None
    note: Note = lambda _kind, _message: None
    segment_farm: SegmentFarm | None = None  # who encodes the segments (None: this process)
    speech_farm: SpeechFarm | None = None  # who speaks the sentences (None: this process)
    only_video: bool = False  # the process makes no other video (``aivideo generate``)
    frame: Frame = field(init=False)
    script: Script | None = None
    narration: Narration | None = None
    cues: list[Cue] = field(default_factory=list)
    plan: RenderPlan | None = None
    rendered: RenderedVideo | None = None
    thumbnail: str | None = None  # the thumbnail's file name, once made

    def __post_init__(self) -> None:
        self.frame = frame_for(self.spec.quality, self.spec.aspect)

    @property
    def language(self) -> str:
        """The video's language (BCP-47): as asked, else its voice's (English for a voice
        that tells none). What the script is split by, written in and pictured in."""
        return self.spec.language or self.voices.find(self.spec.voice).language or DEFAULT_LANGUAGE

    @property
    def lead_in(self) -> float:
        return TITLE_SECONDS if self.script and self.script.title else 0.0
