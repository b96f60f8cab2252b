from __future__ import annotations

from aivideo.core.options import Aspect
from aivideo.pipeline.speech.narration import Narration, SpokenSentence
from aivideo.pipeline.subtitles import make_cues, to_srt, to_vtt

LONG = (
    "Water covers most of our planet, yet the same water has been moving for billions of "
    "years, through clouds, rivers, glaciers and the deep sea."
)


def _narration() -> Narration:
    return Narration(
        [SpokenSentence("Hello there.", 0.5, 1.5), SpokenSentence(LONG, 1.75, 9.75)],
        duration=10.25,
        sample_rate=22050,
    )


def test_long_sentences_become_several_two_line_cues_sharing_its_time() -> None:
    cues = make_cues(_narration(), Aspect.PORTRAIT)

    assert cues[0].lines == ["Hello there."]
    assert len(cues) > 2
    assert all(len(cue.lines) <= 2 for cue in cues)
    assert all(len(line) <= 26 for cue in cues for line in cue.lines)
    assert cues[1].start == 1.75 and abs(cues[-1].end - 9.75) < 0.01
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:], strict=False))
    assert " ".join(" ".join(cue.lines) for cue in cues[1:]) == LONG


def test_srt_and_vtt_formats() -> None:
    cues = make_cues(_narration(), Aspect.LANDSCAPE)

    srt, vtt = to_srt(cues), to_vtt(cues)

    assert srt.startswith("1\n00:00:00,500 --> 00:00:01,500\nHello there.\n\n2\n")
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHello there.\n")
