"""What a script is: a title and scenes of sentences, each scene one background.

The script stage makes one from the user's text, a script writer from a
prompt; stock footage searches by its scenes' words and keywords.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The longest narration a video may have, however it was made: sent as text, or
# written by a script writer. Sentence splitting takes under 0.1 s at this size.
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Scene:
    sentences: list[str]
    keywords: list[str] = field(default_factory=list)  # for stock footage; from a script writer


@dataclass(frozen=True)
class Script:
    title: str | None
    scenes: list[Scene] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [sentence for scene in self.scenes for sentence in scene.sentences]

    def to_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "scenes": [scene.sentences for scene in self.scenes],
            "keywords": [scene.keywords for scene in self.scenes],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Script:
        scenes = data["scenes"]
        assert isinstance(scenes, list)
        keywords = data.get("keywords") or [[] for _ in scenes]
        assert isinstance(keywords, list)
        title = data.get("title")
        return cls(
            title if isinstance(title, str) else None,
            [Scene(list(s), list(k)) for s, k in zip(scenes, keywords, strict=True)],
        )


def is_speakable(text: str) -> bool:
    """Whether a voice would say anything: at least one letter or digit."""
    return any(character.isalnum() for character in text)
