"""Splitting text into scenes and sentences, as a reader would expect."""

from __future__ import annotations

import time

import pytest

from aivideo.core.errors import InvalidInput
from aivideo.core.script import MAX_TEXT_CHARS
from aivideo.pipeline.script import write_script


def test_abbreviations_and_decimals_do_not_end_sentences() -> None:
    script = write_script("Dr. Smith paid $3.50 for e.g. apples. The U.S. grew 3.2% in Q1.")

    assert script.sentences == [
        "Dr. Smith paid $3.50 for e.g. apples.",
        "The U.S. grew 3.2% in Q1.",
    ]


def test_quotes_and_non_ascii_text_stay_whole() -> None:
    script = write_script('He said "Stop. Now." Café naïve résumé. 日本語の文です。')

    assert script.sentences == ['He said "Stop. Now."', "Café naïve résumé.", "日本語の文です。"]


def test_blank_lines_and_rules_separate_scenes_and_are_never_spoken() -> None:
    script = write_script("First part.\n\n---\n\n***\nSecond part.\n\n\n\nThird part.")

    assert [scene.sentences for scene in script.scenes] == [
        ["First part."],
        ["Second part."],
        ["Third part."],
    ]


def test_markdown_leftovers_become_plain_sentences() -> None:
    text = (
        "# The Water Cycle\n\n"
        "Water is **everywhere** and [moves](http://x.org).\n- Evaporation\n- Rain"
    )

    script = write_script(text)

    assert script.sentences == [
        "The Water Cycle.",
        "Water is everywhere and moves.",
        "Evaporation.",
        "Rain.",
    ]


def test_long_paragraphs_are_cut_into_scenes_of_three_sentences() -> None:
    script = write_script(" ".join(f"Sentence number {i}." for i in range(7)))

    assert [len(scene.sentences) for scene in script.scenes] == [3, 3, 1]


def test_emoji_only_lines_are_dropped() -> None:
    script = write_script("Hello world.\n🎉🎉🎉\nGoodbye.")

    assert script.sentences == ["Hello world.", "Goodbye."]


@pytest.mark.parametrize("text", ["🎉🎉", "...!!!", "---\n***", "   "])
def test_nothing_speakable_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput, match="nothing to narrate"):
        write_script(text)


def _long(unit: str) -> str:
    return (unit * (MAX_TEXT_CHARS // len(unit)))[: MAX_TEXT_CHARS - 6] + " Done."


# Lines pysbd takes for lists or abbreviations everywhere: its time grew with the
# square of the line's length (a minute of CPU for 20 000 characters).
LIST_LIKE = {"numbers": _long("1. "), "roman numerals": _long("i. "), "letters": _long("a. b. c. ")}


@pytest.mark.parametrize("text", LIST_LIKE.values(), ids=LIST_LIKE.keys())
def test_a_list_like_line_at_the_length_limit_is_split_in_bounded_time(text: str) -> None:
    started = time.thread_time()
    script = write_script(text)
    cpu = time.thread_time() - started

    assert cpu < 5, f"splitting took {cpu:.1f} s of CPU"
    assert script.sentences[-1].endswith("Done.")


def test_a_long_paragraph_on_one_line_keeps_every_sentence_whole() -> None:
    sentences = [f"Sentence {i} says Dr. Smith paid $3.50 for e.g. apples." for i in range(60)]

    script = write_script(" ".join(sentences))  # over 3 000 characters: read in windows

    assert script.sentences == sentences


@pytest.mark.parametrize(
    ("language", "text", "sentences"),
    [
        # pysbd's rules for the language: its abbreviations end no sentence.
        ("de-DE", "Dr. Müller kam um 3 Uhr. Es regnete z. B. stark.", 2),
        ("es", "El agua cae. ¿Adónde va? ¡Al mar!", 3),
        ("ja", "雨が降る。川が流れる！海へ行く？", 3),
        # Languages pysbd does not know: cut at their closing punctuation.
        ("ko", "비가 온다. 강이 흐른다! 3.50 달러?", 3),
        ("yue", "落雨。河流「好」。去海邊！", 3),
    ],
)
def test_sentences_are_found_by_the_rules_of_the_video_s_language(
    language: str, text: str, sentences: int
) -> None:
    script = write_script(text, language=language)

    assert len(script.sentences) == sentences
    assert "".join(script.sentences).replace(" ", "") == text.replace(" ", "")


def test_the_fallback_keeps_decimals_and_closing_quotes_whole() -> None:
    script = write_script('He said "Stop." It costs 3.50 euros. The end', language="ko")

    assert script.sentences == ['He said "Stop."', "It costs 3.50 euros.", "The end"]
