"""What each scene's own words suggest showing: pictograms, keywords and a headline.

One call for all the scenes of a video, in the process pool: the pictogram
index is built once per worker process, then each scene takes about a
millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from aivideo.core.languages import primary_language
from aivideo.core.spec import SceneSpec
from aivideo.pipeline.pictograms import (
    Pictogram,
    choose_pictograms,
    drawn_pictograms,
    headline,
    scene_keywords,
)

MAX_PICTOGRAMS = 3
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class SceneWords:
    keywords: list[str]
    headline: str | None
    pictograms: list[Pictogram] = field(default_factory=list)
    # A storyboard's own headline: shown over the scene's own picture too.
    headline_given: bool = False

    @property
    def headline_is_number(self) -> bool:
        return bool(self.headline and _NUMBER.search(self.headline))


def _as_title(phrase: str) -> str | None:
    """A headline as shown: its first letter capital ("water cycle" is "Water cycle")."""
    return phrase[:1].upper() + phrase[1:] if phrase else None


def describe_scenes(
    texts: list[str],
    language: str,
    with_pictograms: bool,
    given: Sequence[SceneSpec] = (),
) -> list[SceneWords]:
    """Per scene text, its keywords, headline and (if asked) pictograms, best first.

    ``language``: the video's (BCP-47: ``es-MX`` reads as ``es``); in a language the
    emoji names lack, only the emoji written in the text. ``given``: a storyboard's
    scenes, whose own headline and pictograms win over what the words suggest
    (pictograms Twemoji cannot draw are left out).
    """
    language = primary_language(language)  # names and lemmas are per language, not accent
    described = []
    for index, text in enumerate(texts):
        scene = given[index] if index < len(given) else SceneSpec(text)
        if scene.pictograms:
            pictograms = drawn_pictograms(scene.pictograms, language)
        elif with_pictograms:
            pictograms = choose_pictograms(text, language, MAX_PICTOGRAMS)
        else:
            pictograms = []
        described.append(
            SceneWords(
                keywords=scene_keywords(text, language),
                headline=scene.headline or _as_title(headline(text, language)),
                pictograms=pictograms,
                headline_given=scene.headline is not None,
            )
        )
    return described
