"""Cleaning Markdown leftovers off hostile text costs little time, in short stretches."""

from __future__ import annotations

import time

import pytest

from aivideo.core.script import MAX_TEXT_CHARS
from aivideo.pipeline.markdown import paragraphs
from tests.support.gil_holds import longest_gil_hold


def _long(unit: str) -> str:
    return (unit * (MAX_TEXT_CHARS // len(unit)))[: MAX_TEXT_CHARS - 6] + " Done."


# Texts at the length limit built to make regular expressions backtrack: before
# the patterns were rewritten, each cost seconds in a single C call (GIL held).
HOSTILE_MARKDOWN = {
    "unclosed brackets": _long("["),
    "unclosed image brackets": _long("!["),
    "links without their closing parenthesis": _long("[a]("),
    "emphasis that never closes": _long("*a "),
    "underscores between words": _long("_a "),
    "every kind of opener": _long("*_`~["),
    "a heading of hashes": "###### " + _long("#"),
}


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN.values(), ids=HOSTILE_MARKDOWN.keys())
def test_hostile_markdown_is_cleaned_without_holding_the_gil(text: str) -> None:
    # The script stage runs in a thread, but a C call holding the GIL stalls the loop too.
    held = longest_gil_hold(lambda: paragraphs(text))

    assert held < 0.05, f"the GIL was held for {held * 1000:.0f} ms at a stretch"


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN.values(), ids=HOSTILE_MARKDOWN.keys())
def test_hostile_markdown_is_cleaned_in_well_under_50_ms(text: str) -> None:
    started = time.thread_time()
    cleaned = paragraphs(text)
    cpu = time.thread_time() - started

    assert cpu < 0.05, f"cleaning took {cpu * 1000:.0f} ms of CPU"
    assert cleaned[-1][-1].endswith("Done.")


def test_markdown_still_reads_as_before() -> None:
    text = (
        "## Title ##\n* **bold** and _it_ and `code` ~~gone~~ ***both***\n"
        "A [link](http://x.org/a_(b)) and ![a picture](p.png) here.\n> quoted\n* * *\n1. First"
    )

    assert paragraphs(text) == [
        ["Title."],
        ["bold and it and code gone both.", "A link) and here.", "quoted"],
        ["First."],
    ]
