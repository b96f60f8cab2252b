"""Burned captions: karaoke pages that follow the word times, and the ASS script libass draws."""

from __future__ import annotations

from itertools import pairwise

from aivideo.core.options import Aspect, CaptionStyle
from aivideo.pipeline.captions import HOLD, Caption, make_captions
from aivideo.pipeline.frame import Frame
from aivideo.pipeline.overlay_text import Headline, ass_script, escape
from aivideo.pipeline.speech.narration import Narration, SpokenSentence, SpokenWord
from aivideo.pipeline.subtitles import chars_per_line, make_cues


def spoken(text: str, start: float, seconds_per_word: float = 0.3) -> SpokenSentence:
    """A sentence whose words (tokens with a letter or digit) follow one another."""
    words, clock = [], start
    for token in text.split():
        if any(c.isalnum() for c in token):
            words.append(SpokenWord(token, round(clock, 3), round(clock + seconds_per_word, 3)))
            clock += seconds_per_word + 0.05
    return SpokenSentence(text, start, words[-1].end, words)


def narration(*sentences: SpokenSentence) -> Narration:
    return Narration(list(sentences), sentences[-1].end + 0.5, 22050)


def shown(caption: Caption) -> list[str]:
    return [" ".join(piece.text for piece in line) for line in caption.lines]


def highlighted(caption: Caption) -> str:
    return next(p.text for line in caption.lines for p in line if p.word == caption.highlighted)


def karaoke(n: Narration, aspect: Aspect = Aspect.LANDSCAPE) -> list[Caption]:
    return make_captions(n, make_cues(n, aspect), aspect, CaptionStyle.KARAOKE)


def test_each_word_is_highlighted_from_when_it_is_said_until_the_next_word() -> None:
    sentence = spoken("Water covers most of our planet.", 1.0)
    captions = karaoke(narration(sentence))

    assert [highlighted(c) for c in captions] == [w.text for w in sentence.words]
    assert all(shown(c) == ["Water covers most of our planet."] for c in captions)
    for caption, (word, following) in zip(captions, pairwise(sentence.words), strict=False):
        assert (caption.start, caption.end) == (word.start, following.start)
    # The last word stays lit a moment after it is said: into the tail, not to its end.
    tail = narration(sentence).duration - sentence.end
    assert captions[-1].end == sentence.words[-1].end + min(HOLD, tail / 2)


def test_a_long_sentence_is_paged_in_balanced_lines_that_fit_and_keep_every_word() -> None:
    text = (
        "The sun warms oceans, lakes and rivers, and some of that water rises into the air "
        "as vapour that later becomes the clouds we see drifting across the sky."
    )
    for aspect in Aspect:
        captions = karaoke(narration(spoken(text, 0.0)), aspect)
        width = chars_per_line(aspect)
        pages = list(dict.fromkeys(tuple(shown(c)) for c in captions))

        assert all(len(page) <= 2 and all(len(line) <= width for line in page) for page in pages)
        assert " ".join(line for page in pages for line in page) == text
        assert [highlighted(c) for c in captions] == text.split()
        two_line = [page for page in pages if len(page) == 2]
        assert all(abs(len(a) - len(b)) <= width // 2 for a, b in two_line)  # balanced


def test_a_word_longer_than_a_line_is_broken_and_never_runs_off_screen() -> None:
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2  # 90 letters
    sentence = spoken(f"Say {word} now.", 0.0)
    captions = karaoke(narration(sentence), Aspect.PORTRAIT)
    width = chars_per_line(Aspect.PORTRAIT)

    assert all(len(line) <= width for c in captions for line in shown(c))
    lit = [c for c in captions if c.highlighted == 1]
    # Over several pages, one after the other, together exactly the word's own span.
    said, after = sentence.words[1], sentence.words[2]
    assert len(lit) >= 2 and all(a.end == b.start for a, b in pairwise(lit))
    assert lit[0].start == said.start and lit[-1].end == after.start
    pieces = [p.text for c in lit for line in c.lines for p in line if p.word == 1]
    assert "".join(pieces) == word


def test_emoji_are_shown_but_never_highlighted() -> None:
    sentence = spoken("Rockets 🚀 fly high.", 0.0)
    captions = karaoke(narration(sentence))

    assert [highlighted(c) for c in captions] == ["Rockets", "fly", "high."]
    assert shown(captions[0]) == ["Rockets 🚀 fly high."]


def test_sentence_style_and_unmatched_word_times_show_whole_cues() -> None:
    sentence = spoken("Water covers most of our planet.", 1.0)
    n = narration(sentence)
    cues = make_cues(n, Aspect.LANDSCAPE)
    as_sentences = make_captions(n, cues, Aspect.LANDSCAPE, CaptionStyle.SENTENCE)

    assert [(c.start, c.end, shown(c)) for c in as_sentences] == [
        (cue.start, cue.end, cue.lines) for cue in cues
    ]
    assert all(c.highlighted is None for c in as_sentences)
    # Word times that do not fit the text (a voice that lost a word): the cue, not a guess.
    broken = SpokenSentence(sentence.text, sentence.start, sentence.end, sentence.words[:-1])
    fallback = make_captions(narration(broken), cues, Aspect.LANDSCAPE, CaptionStyle.KARAOKE)
    assert [shown(c) for c in fallback] == [cue.lines for cue in cues]


def test_ass_script_is_timed_from_the_segment_start_and_escapes_user_text() -> None:
    frame = Frame(1280, 720)
    captions = karaoke(narration(spoken("Use {braces} and \\N here.", 4.0)))
    headlines = [Headline("Water", 0.2, 5.0), Headline("70%", 5.0, 9.0, big=True)]
    script = ass_script(frame, captions, headlines, begin=4.5, end=9.0)
    events = [line for line in script.splitlines() if line.startswith("Dialogue:")]

    assert "PlayResX: 1280" in script and "PlayResY: 720" in script
    # The first headline is cut to the segment: from 0 (4.5 s) to 0.5 s (5 s).
    assert events[0].startswith("Dialogue: 1,0:00:00.00,0:00:00.50,Headline,")
    assert any(",Number," in e and e.endswith("70%") for e in events)
    # Captions before 4.5 s are cut to start at 0; braces and \N are text, not tags.
    assert all(e.split(",")[1] >= "0:00:00.00" for e in events)
    assert escape("{braces}") == "\\{braces\\}"
    assert "\\{braces\\}" in script and "\\\u2060N" in script
