"""What each scene's own words suggest showing: pictograms, keywords and a headline.

One call for all the scenes of a video, in the process pool: the pictogram
index is built once per worker process, then each scene takes about a
millisecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aivideo.pipeline.pictograms import Pictogram, choose_pictograms, headline, scene_keywords

MAX_PICTOGRAMS = 3
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class SceneWords:
    keywords: list[str]
    headline: str | None
    pictograms: list[Pictogram] = field(default_factory=list)

    @property
    def headline_is_number(self) -> bool:
        return bool(self.headline and _NUMBER.search(self.headline))


def _as_title(phrase: str) -> str | None:
    """A headline as shown: its first letter capital ("water cycle" is "Water cycle")."""
    return phrase[:1].upper() + phrase[1:] if phrase else None


def describe_scenes(texts: list[str], language: str, with_pictograms: bool) -> list[SceneWords]:
    """Per scene text, its keywords, headline and (if asked) pictograms, best first."""
    return [
        SceneWords(
            keywords=scene_keywords(text, language),
            headline=_as_title(headline(text, language)),
            pictograms=(
                choose_pictograms(text, language, MAX_PICTOGRAMS) if with_pictograms else []
            ),
        )
        for text in texts
    ]
