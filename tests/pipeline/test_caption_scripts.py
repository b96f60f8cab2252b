"""Captions and title cards in every script, drawn by the real libass and Pillow, as pixels.

No missing-glyph boxes (compared with each font's own box), right-to-left text
lit from the right, Japanese without spaces and broken into lines, through the
whole pipeline with a remote voice on loopback too.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aivideo.core.config import Settings
from aivideo.core.options import Aspect, CaptionStyle, Quality, VisualChoice
from aivideo.core.spec import VideoSpec
from aivideo.pipeline.captions import Caption, Piece, make_captions
from aivideo.pipeline.ffmpeg import ffmpeg_executable
from aivideo.pipeline.fonts import CJK
from aivideo.pipeline.frame import Frame
from aivideo.pipeline.painting import font, paint_title
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.speech.narration import Narration, SpokenSentence, SpokenWord
from aivideo.pipeline.speech.spoken_audio import word_tokens
from aivideo.pipeline.subtitles import make_cues
from aivideo.pipeline.text_tokens import text_tokens
from aivideo.pipeline.workspace import Workspace
from aivideo.providers.remote_speech import SAMPLE_RATE
from aivideo.runtime.resources import Resources
from tests.support import sounds
from tests.support.caption_pixels import (
    BACKGROUND,
    BOX_LIKENESS,
    NO_FONT_HAS,
    caption_of,
    gold,
    grey,
    ink,
    ink_columns,
    ink_rows,
    missing_glyph_boxes,
    most_box_like,
    render_captions,
    white,
)
from tests.support.server import serve_on_loopback

FRAME = Frame(854, 480)  # what Quality.LOW makes for 16:9
ARABIC = "يتبخر الماء من البحر ثم يصير مطرا."
HEBREW = "המים מתאדים מהים והופכים לגשם."
LATIN_FIRST = "Google يعرف أن الماء يتبخر."  # its first line starts left to right
JAPANESE = "水は海から蒸発して雲になり、やがて雨として地上に降り注ぎます。"
SCRIPTS = {
    "latin, greek, cyrillic": "Grüße, Ωμέγα и Привет!",
    "arabic": ARABIC,
    "hebrew": HEBREW,
    "devanagari": "पानी समुद्र से भाप बनकर बादल बनता है।",
    "japanese": "水は海から蒸発して雲になります。",
    "chinese": "水从海洋蒸发，形成云。",
}


@pytest.fixture(scope="module")
def boxes(tmp_path_factory: pytest.TempPathFactory) -> list[np.ndarray]:
    """Each bundled font's missing-glyph box as a caption draws it."""
    return missing_glyph_boxes(FRAME, tmp_path_factory.mktemp("boxes"))


def said(text: str) -> Narration:
    words = [SpokenWord(w, 0.4 * k, 0.4 * k + 0.3) for k, w in enumerate(word_tokens(text))]
    return Narration([SpokenSentence(text, 0.0, words[-1].end, words)], words[-1].end + 1, 22050)


def karaoke(text: str) -> list[Caption]:
    narration = said(text)
    cues = make_cues(narration, Aspect.LANDSCAPE)
    return make_captions(narration, cues, Aspect.LANDSCAPE, CaptionStyle.KARAOKE)


def caption_band(pixels: np.ndarray) -> np.ndarray:
    return pixels[int(pixels.shape[0] * 0.7) :]


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_caption_in_each_script_draws_real_glyphs_not_boxes(
    script: str, boxes: list[np.ndarray], tmp_path: Path
) -> None:
    text = SCRIPTS[script]
    shown = render_captions([caption_of(text)], FRAME, tmp_path / "real")
    # The same text with a character no font has: its box is found, so the test can fail.
    broken = text[:3] + NO_FONT_HAS + text[3:]
    with_box = render_captions([caption_of(broken)], FRAME, tmp_path / "broken")

    assert ink(grey(caption_band(shown))).sum() > 500
    real, missing = (most_box_like(grey(caption_band(p)), boxes) for p in (shown, with_box))
    assert real < BOX_LIKENESS < missing, (real, missing)


def lit_and_unlit_middles(band: np.ndarray) -> tuple[float, float]:
    """The mean column of the lit (gold) letters, and of the others (white)."""
    return float(np.nonzero(gold(band))[1].mean()), float(np.nonzero(white(band))[1].mean())


@pytest.mark.parametrize("text", [ARABIC, HEBREW, LATIN_FIRST])
def test_right_to_left_captions_light_the_first_word_rightmost_and_end_on_the_left(
    text: str, tmp_path: Path
) -> None:
    captions = karaoke(text)
    first = caption_band(render_captions([captions[0]], FRAME, tmp_path / "first"))
    last = caption_band(render_captions([captions[-1]], FRAME, tmp_path / "last"))

    lit, unlit = lit_and_unlit_middles(first)
    assert lit > unlit + 50  # the first word read is at the right
    lit, unlit = lit_and_unlit_middles(last)
    assert lit < unlit - 50  # the last one, its full stop with it, at the left
    assert ink_columns(gold(last))[0] - ink_columns(white(last) | gold(last))[0] < 5


def test_japanese_phrases_are_drawn_joined_as_the_sentence_is_written(tmp_path: Path) -> None:
    text = "水は海から蒸発して雲になります。"  # one line
    tokens = text_tokens(text)
    pieces = [Piece(t.text, k, t.spaced) for k, t in enumerate(tokens)]
    spaced = [Piece(t.text, k, True) for k, t in enumerate(tokens)]

    def width(captions: list[Caption], name: str) -> int:
        band = grey(caption_band(render_captions(captions, FRAME, tmp_path / name)))
        left, right = ink_columns(ink(band))
        return right - left

    joined = width([Caption(0, 1, [pieces], highlighted=1)], "joined")
    as_written = width([caption_of(text)], "written")
    with_spaces = width([Caption(0, 1, [spaced], highlighted=1)], "spaced")

    assert abs(joined - as_written) <= 2
    assert with_spaces - joined > (len(tokens) - 1) * 4  # a space is about 6 pixels here


def test_a_long_japanese_sentence_is_drawn_in_two_lines_that_fit(tmp_path: Path) -> None:
    [first, *_] = karaoke(JAPANESE)
    band = caption_band(render_captions([first], FRAME, tmp_path))
    text = white(band) | gold(band)

    lines = ink_rows(text)
    assert len(lines) == 2
    left, right = ink_columns(text)
    assert left > 20 and right < FRAME.width - 20
    # The first phrase is lit, at the start of the first line.
    top, bottom = lines[0]
    assert np.nonzero(gold(band))[0].max() <= bottom
    assert ink_columns(gold(band))[0] - ink_columns(text[top : bottom + 1])[0] < 5


TITLES = ["دورة الماء", "מחזור המים", "जल चक्र", "水の循環と雨", "水循环", "Круговорот воды"]


def title_pixels(title: str, path: Path) -> np.ndarray:
    paint_title(title, FRAME.width, FRAME.height, path)
    with Image.open(path) as card:
        picture = Image.new("RGBA", card.size, (*BACKGROUND, 255))
        picture.alpha_composite(card)
    return grey(np.asarray(picture.convert("RGB")))


def pillow_box(title: str) -> np.ndarray:
    """The missing-glyph box of the font the title card draws ``title`` in, as it draws it."""
    face = font(round(FRAME.short_side * 0.09), title)
    picture = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(picture).text((100, 100), NO_FONT_HAS, font=face, fill=255, anchor="mm")
    pixels = np.asarray(picture).astype(float)
    ys, xs = np.nonzero(pixels > 40)
    return pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


@pytest.mark.parametrize("title", TITLES)
def test_a_title_card_draws_its_script_in_a_font_that_has_it(title: str, tmp_path: Path) -> None:
    box = pillow_box(title)
    shown = title_pixels(title, tmp_path / "title.png")
    with_box = title_pixels(title[:2] + NO_FONT_HAS + title[2:], tmp_path / "broken.png")

    real, missing = (most_box_like(pixels, [box]) for pixels in (shown, with_box))
    assert real < BOX_LIKENESS < missing, (real, missing)


def test_japanese_title_cards_use_the_japanese_forms_of_shared_characters(tmp_path: Path) -> None:
    # 直 is drawn differently in Japan and in Taiwan; kana say the title is Japanese.
    japanese = title_pixels("直す", tmp_path / "ja.png")
    chinese = title_pixels("直立", tmp_path / "zh.png")
    half = FRAME.width // 2
    assert CJK.has("直")
    assert not np.array_equal(ink(japanese)[:, : half - 4], ink(chinese)[:, : half - 4])


# The whole pipeline: a remote voice (a fake OpenAI-compatible server on loopback).


@pytest.fixture
async def remote_voice() -> AsyncIterator[str]:
    """A speech service on loopback that says a tone as long as the text: its base URL."""

    async def speech(request: Request) -> Response:
        body = await request.json()
        tone = sounds.tone(0.1 * len(body["input"]), SAMPLE_RATE)
        return Response(sounds.wav_of(tone, SAMPLE_RATE), media_type="audio/wav")

    app = Starlette(routes=[Route("/v1/audio/speech", speech, methods=["POST"])])
    async with serve_on_loopback(app) as base_url:
        yield f"{base_url}/v1"


def frame_at(video: Path, seconds: float) -> np.ndarray:
    png = subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video),
         "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.asarray(Image.open(BytesIO(png)).convert("RGB"))


async def video_of(
    text: str, language: str, speech_url: str, folder: Path
) -> tuple[Path, list[dict[str, Any]], str]:
    """A low quality video of ``text``: its file, its words and its SRT subtitles."""
    settings = Settings(data_dir=folder / "data", speech_base_url=speech_url)
    spec = VideoSpec(text, language=language, quality=Quality.LOW, visuals=VisualChoice.PAINTED)
    async with Resources(settings) as resources:
        video = await generate_video(spec, Workspace(folder / "work"), resources)
    words = json.loads(await asyncio.to_thread(video.words.read_text))["words"]
    return video.video, words, await asyncio.to_thread(video.srt.read_text)


def middle(word: dict[str, Any]) -> float:
    return (float(word["start"]) + float(word["end"])) / 2


def frames(video: Path, *moments: float) -> Iterator[np.ndarray]:
    for moment in moments:
        yield caption_band(frame_at(video, moment))


async def test_an_arabic_video_with_a_remote_voice_shows_real_glyphs_read_from_the_right(
    remote_voice: str, boxes: list[np.ndarray], tmp_path: Path
) -> None:
    video, words, srt = await video_of(ARABIC, "ar", remote_voice, tmp_path)

    assert [w["text"] for w in words] == ARABIC.split()
    first, last = await asyncio.to_thread(
        lambda: list(frames(video, middle(words[0]), middle(words[-1])))
    )
    for band in (first, last):
        assert gold(band).sum() > 30 and white(band).sum() > 200
        score = most_box_like(grey(band), boxes)
        assert score < BOX_LIKENESS, score
    lit, unlit = lit_and_unlit_middles(first)
    assert lit > unlit + 50
    lit, unlit = lit_and_unlit_middles(last)
    assert lit < unlit - 50
    assert ARABIC in srt


async def test_a_japanese_video_with_a_remote_voice_shows_phrases_without_spaces_in_lines(
    remote_voice: str, boxes: list[np.ndarray], tmp_path: Path
) -> None:
    video, words, srt = await video_of(JAPANESE, "ja", remote_voice, tmp_path)

    phrases = [w["text"] for w in words]
    assert len(phrases) >= 6 and "".join(phrases) == JAPANESE
    assert all(a["end"] <= b["start"] for a, b in zip(words, words[1:], strict=False))
    [band] = await asyncio.to_thread(lambda: list(frames(video, middle(words[0]))))
    text = white(band) | gold(band)
    score = most_box_like(grey(band), boxes)
    assert score < BOX_LIKENESS, score
    lines = [line for line in ink_rows(text) if line[1] - line[0] > 10]
    assert len(lines) == 2
    top, bottom = lines[0]
    assert ink_columns(gold(band))[0] - ink_columns(text[top : bottom + 1])[0] < 5  # at the start
    cue_text = "".join(line for line in srt.splitlines() if not line[:1].isdigit())
    assert cue_text == JAPANESE  # the subtitle file adds no spaces either
