"""Text in every script: how it is cut into words and lines, and which font draws each run."""

from __future__ import annotations

import pytest

from aivideo.core.options import Aspect, CaptionStyle
from aivideo.pipeline.captions import Caption, make_captions
from aivideo.pipeline.fonts import ARABIC, CJK, DEVANAGARI, HEBREW, LATIN, font_for_text, font_runs
from aivideo.pipeline.frame import Frame
from aivideo.pipeline.overlay_text import ass_script
from aivideo.pipeline.scripts_of_text import display_width
from aivideo.pipeline.speech.narration import Narration, SpokenSentence, SpokenWord
from aivideo.pipeline.speech.spoken_audio import word_tokens
from aivideo.pipeline.speech.word_estimates import COMMA_PAUSE, STOP_PAUSE, word_pauses
from aivideo.pipeline.subtitles import chars_per_line, make_cues
from aivideo.pipeline.text_tokens import cut_to_width, text_tokens, wrap_lines

JAPANESE = "水は海から蒸発して雲になり、やがて雨として地上に降り注ぎます。"
CHINESE = "水从海洋蒸发，形成云，然后作为雨落到地面。"
ARABIC_TEXT = "يتبخر الماء من البحر عام 2024 ثم يصير مطرا."


def spoken(text: str) -> Narration:
    """``text`` said one word (or phrase) every 0.4 s."""
    words = [SpokenWord(w, 0.4 * k, 0.4 * k + 0.3) for k, w in enumerate(word_tokens(text))]
    return Narration([SpokenSentence(text, 0.0, words[-1].end, words)], words[-1].end + 1, 22050)


def karaoke(text: str, aspect: Aspect = Aspect.LANDSCAPE) -> list[Caption]:
    narration = spoken(text)
    return make_captions(narration, make_cues(narration, aspect), aspect, CaptionStyle.KARAOKE)


def line_texts(caption: Caption) -> list[str]:
    return [
        "".join((" " if k and p.spaced else "") + p.text for k, p in enumerate(line))
        for line in caption.lines
    ]


def test_japanese_and_chinese_are_cut_into_phrases_shown_without_spaces() -> None:
    for text in (JAPANESE, CHINESE):
        tokens = text_tokens(text)
        assert len(tokens) >= 5
        assert "".join(token.text for token in tokens) == text
        assert [token.spaced for token in tokens] == [True] + [False] * (len(tokens) - 1)
    assert [t.text for t in text_tokens("今日はいい天気ですね。")] == [
        "今日は",
        "いい",
        "天気ですね。",
    ]
    # Words between spaces stay as they are, and so does a Latin word inside Japanese.
    assert [t.text for t in text_tokens("Water, again.")] == ["Water,", "again."]
    assert "".join(t.text for t in text_tokens("AIの時代に、Pythonは人気です。")).startswith("AIの")


def test_every_phrase_of_a_japanese_sentence_is_a_word_with_its_own_time() -> None:
    assert word_tokens(JAPANESE) == [t.text for t in text_tokens(JAPANESE)]
    # A pause after 、 and after 。 (here the last phrase: none is needed after it).
    pauses = dict(zip(word_tokens(JAPANESE), word_pauses(JAPANESE), strict=True))
    assert pauses["なり、"] == COMMA_PAUSE and pauses["降り注ぎます。"] == STOP_PAUSE
    assert pauses["水は"] == 0.0


def test_a_chinese_or_japanese_character_is_as_wide_as_two_latin_letters() -> None:
    assert display_width("雨") == 2 and display_width("Ab") == 2
    assert display_width("、") == 2 and display_width("！") == 2
    assert display_width("é") == 1 == display_width("e\u0301")  # a combining accent takes none


def test_a_too_long_word_is_never_cut_inside_a_letter_with_its_marks() -> None:
    devanagari = "क्षत्रियक्षत्रियक्षत्रियक्षत्रिय"
    for width in range(2, 8):
        parts = cut_to_width(devanagari, width)
        assert "".join(parts) == devanagari
        # No part starts with a vowel sign or a virama, nor ends with a virama.
        assert all(not ("\u093e" <= p[0] <= "\u094d") and p[-1] != "\u094d" for p in parts)
    assert cut_to_width("雨" * 5, 4) == ["雨雨", "雨雨", "雨"]


def test_a_long_japanese_sentence_is_paged_in_lines_of_phrases_that_fit() -> None:
    long_text = JAPANESE + "そしてまた川を流れて海へ帰り、同じ旅を何度も繰り返します。"
    for aspect in Aspect:
        captions = karaoke(long_text, aspect)
        pages = list(dict.fromkeys(tuple(line_texts(c)) for c in captions))
        width = chars_per_line(aspect)

        assert all(" " not in line for page in pages for line in page)
        assert all(display_width(line) <= width for page in pages for line in page)
        assert "".join(line for page in pages for line in page) == long_text
        assert max(len(page) for page in pages) == 2  # it breaks into lines
        lit = [
            p.text for c in captions for line in c.lines for p in line if p.word == c.highlighted
        ]
        assert lit == word_tokens(long_text)


def test_subtitle_cues_of_japanese_add_no_spaces() -> None:
    for aspect in Aspect:
        cues = make_cues(spoken(JAPANESE * 2), aspect)
        assert "".join(line for cue in cues for line in cue.lines) == JAPANESE * 2
        assert all(
            display_width(line) <= chars_per_line(aspect) for cue in cues for line in cue.lines
        )
    lines = wrap_lines(JAPANESE, 20)
    assert "".join(lines) == JAPANESE and all(display_width(line) <= 20 for line in lines)
    assert not any(line.startswith(("、", "。")) for line in lines)  # marks end a phrase


@pytest.mark.parametrize(
    ("text", "fonts"),
    [
        ("Grüße, Ωμέγα и Привет!", [LATIN]),
        (ARABIC_TEXT, [ARABIC]),  # its digits and full stop go with its letters
        ("שלום, עולם! 42", [HEBREW]),
        ("नमस्ते दुनिया। क्षत्रिय", [DEVANAGARI]),
        (JAPANESE, [CJK]),  # 、 and 。 are Chinese and Japanese marks
        ("안녕하세요, 세계!", [CJK]),
        ("Rain 雨 and مطر.", [LATIN, CJK, LATIN, ARABIC]),
    ],
)
def test_each_run_of_one_script_is_drawn_in_a_font_made_for_it(
    text: str, fonts: list[object]
) -> None:
    runs = font_runs(text)
    assert "".join(run for run, _ in runs) == text
    assert [font for _, font in runs] == fonts
    assert all(font.has(c) for run, font in runs for c in run if not c.isspace())


def test_an_accent_stays_with_its_letter_and_an_emoji_with_its_neighbours() -> None:
    assert font_runs("ще\u0301 雨\u0301") == [("ще\u0301 ", LATIN), ("雨\u0301", CJK)]
    assert [font for _, font in font_runs("مطر 🌧 غزير")] == [ARABIC]


def test_a_picture_of_text_takes_the_font_that_has_its_script() -> None:
    assert font_for_text("दुनिया") is DEVANAGARI  # Noto Sans has Devanagari too: not the one
    assert font_for_text("水の循環 AI") is CJK and font_for_text(ARABIC_TEXT) is ARABIC
    assert font_for_text("Ωμέγα") is LATIN and font_for_text("") is LATIN


def dialogue_texts(script: str) -> list[str]:
    return [line.split(",", 9)[9] for line in script.splitlines() if line.startswith("Dialogue:")]


def test_ass_lines_of_arabic_start_right_to_left_and_name_the_arabic_font() -> None:
    script = ass_script(Frame(854, 480), karaoke(ARABIC_TEXT), [])
    events = dialogue_texts(script)

    # libass finds the direction by itself (Encoding -1), from the mark each line starts with.
    assert all(style.endswith(",-1") for style in script.splitlines() if style.startswith("Style:"))
    assert all(line.startswith("\u200f") for event in events for line in event.split("\\N"))
    assert all("\\fnNoto Sans Arabic" in event for event in events)
    # The lit word's colour tags sit around it; the font stays one run across them.
    assert events[0].count("\\fn") == 1 and "{\\c&H0000D7FF&}" in events[0]
    assert "Language:" not in script


def test_ass_of_japanese_asks_for_japanese_forms_and_one_font_per_script() -> None:
    script = ass_script(Frame(854, 480), karaoke("AIの時代に、Pythonは人気です。"), [])
    first = dialogue_texts(script)[0]

    assert "Language: ja" in script.splitlines()
    assert first.count("\\fnNoto Sans CJK TC Bold") == 2 and first.count("\\fnNoto Sans\\") == 1
    assert " " not in first.replace("Noto Sans CJK TC Bold", "").replace("Noto Sans", "")
