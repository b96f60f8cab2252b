"""Splitting text into scenes and sentences, as a reader would expect."""

from __future__ import annotations

import pytest

from aivideo.core.errors import InvalidInput
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
