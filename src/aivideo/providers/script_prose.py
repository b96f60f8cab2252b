"""A script writer's reply in prose, where JSON was asked for: is it a narration?

Small models often answer with the narration itself, sometimes with a line of
chatter around it ("Here is your script:"). That is worth keeping: its
paragraphs become the scenes (the script stage cleans any markdown, as it does
for a user's text). A refusal, or a sentence of chatter alone, is not.
"""

from __future__ import annotations

import re

from aivideo.core.script import is_speakable

# A narration shorter than this is not one (a quarter of what was asked, and never
# under a dozen words): "Sure! Here is a script about rain." is a lead-in, not a video.
MIN_WORDS = 12
_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry\b|i can(?:'|no)t\b|i won'?t\b|i'?m unable|i am unable|"
    r"as an ai\b)",
    re.IGNORECASE,
)
# A first line that announces the script ("Here is a narration about rain:").
_LEAD_IN = re.compile(r"^(sure|certainly|of course|here(?:'s| is| are))\b.*$", re.IGNORECASE)
# A last paragraph that talks to the reader, not the viewer.
_SIGN_OFF = re.compile(r"^\W*(let me know|i hope|feel free|would you like)\b", re.IGNORECASE)
# "Scene 2: The clouds" on a line of its own: a label, not something to say.
_LABEL = re.compile(r"^[\W_]*(scene|part|section)\s*\d*\b[^.!?]{0,80}$", re.IGNORECASE)
# "Narrator: The sun rises." -> "The sun rises."
_SPEAKER = re.compile(r"^[\W_]*(narrator|narration|voice-?over|vo)[\W_]*:\s*", re.IGNORECASE)
# "[Music swells]", "(Pause)": a stage direction.
_DIRECTION = re.compile(r"^\s*[\[(][^\])]*[\])]\s*$")


class NotANarration(Exception):
    """The reply is neither the JSON script nor a narration; the message says what it is."""


def prose_paragraphs(content: str, words_asked: int) -> list[str]:
    """The narration's paragraphs in ``content``, or :class:`NotANarration`."""
    if _REFUSAL.match(content):
        raise NotANarration("declined to write it")
    paragraphs = [_clean(block) for block in re.split(r"\n\s*\n", content.strip())]
    paragraphs = [paragraph for paragraph in paragraphs if is_speakable(paragraph)]
    if paragraphs and _SIGN_OFF.match(paragraphs[-1]):
        paragraphs.pop()
    words = sum(len(paragraph.split()) for paragraph in paragraphs)
    if words < max(MIN_WORDS, words_asked // 4):
        raise NotANarration(f"too short to be the narration ({words} words)")
    return paragraphs


def _clean(block: str) -> str:
    lines = [line.strip() for line in block.splitlines()]
    if lines and _LEAD_IN.match(lines[0]) and lines[0].endswith(":"):
        lines = lines[1:]
    kept = [_SPEAKER.sub("", line) for line in lines if not _is_aside(line)]
    return "\n".join(line for line in kept if line)


def _is_aside(line: str) -> bool:
    return bool(_LABEL.match(line) or _DIRECTION.match(line))
