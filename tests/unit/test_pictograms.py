"""Pictograms chosen from a scene's words, and drawn as transparent PNGs.

The table is of realistic explainer sentences (the water-cycle example among
them) with the emoji a viewer would expect, and the traps: a pictogram whose
name says the opposite of the word (🚱 "non-potable water" for "water").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import emoji
import pytest
from PIL import Image, ImageDraw

from aivideo.pipeline import painting, pictograms
from aivideo.pipeline.pictograms import (
    PICTOGRAM_CREDIT,
    Pictogram,
    choose_pictograms,
    draw_pictogram,
    headline,
    scene_keywords,
)
from aivideo.pipeline.pictograms.art import has_art, pictogram_png
from aivideo.pipeline.pictograms.topics import TOPIC_PICTOGRAMS

REPO = Path(__file__).resolve().parents[2]
WATER_CYCLE = (REPO / "examples" / "water-cycle.md").read_text(encoding="utf-8")

# text, emoji that must be chosen, emoji that must not be
SCENES: list[tuple[str, str, str]] = [
    ("The sun heats the ocean.", "☀️🌊", ""),
    ("Clouds form.", "☁️", ""),
    ("Rain falls.", "🌧️", ""),
    ("Water is precious.", "💧", "🚱🚰"),
    ("Smoke rises from the chimney.", "💨", "🚭"),
    ("Warning: smoking damages your lungs.", "⚠️🚬", "🚭"),
    ("No smoking in the building.", "🚭", ""),  # asked for by its whole name
    ("Entry is free for children under twelve.", "🧒", "⛔🚫"),
    ("She baked an apple pie.", "🍎", "🍏"),
    ("Apple announced a new phone.", "📱", "🍏"),
    ("A drop fell from the roof.", "💧", "🩸"),
    ("The person smiled.", "🧑", "🧑‍🦲🧔👱"),
    ("Water covers most of our planet, yet the same water has been moving.", "💧🌍", "🚱"),
    (
        "High above the ground the air is cold, so the vapour condenses into tiny "
        "droplets that gather as clouds.",
        "☁️💨",
        "⛱️",
    ),
    ("When the droplets grow heavy enough they fall back as rain, snow or hail.", "🌧️❄️💧", ""),
    ("The rest flows over the land into streams, then rivers, and back to the sea.", "🏞️🌊", ""),
    ("Together these steps form the water cycle, a loop with no end.", "🔄💧", "🚲"),
    ("Solar panels turn sunlight into electricity.", "☀️⚡", ""),
    ("Water evaporates from the lake and rises as steam.", "💨🏞️", ""),
    ("The rocket launched into space carrying three astronauts.", "🚀🌌", ""),
    ("The internet connects billions of phones and computers.", "🌐💻📱", ""),
    ("Glaciers are melting because the climate is warming.", "🧊🌡️", ""),
    ("Thunderstorms bring lightning, heavy rain and strong winds.", "⛈️🌩️", ""),
    ("The moon pulls on the oceans and causes tides.", "🌙🌊", ""),
    ("The price of bread keeps rising.", "💰🍞", ""),
    ("The stock market crashed and investors lost money.", "💹💰", "🛒"),
    ("Computers store data as ones and zeros.", "💻📊", "🏪"),
    ("Doctors say that regular exercise keeps your heart healthy.", "🧑‍⚕️🏃", ""),
    ("Plastic waste pollutes the ocean and harms turtles.", "🗑️🌊🐢", ""),
    ("A woman scientist studies DNA.", "👩‍🔬🧬", ""),  # a gender variant, named
    ("Scientists study DNA.", "🔬🧬", "👩‍🔬👨‍🔬"),
    ("The flag of Japan is red and white.", "🇯🇵", ""),
    ("Japan exports cars.", "🚗", "🇯🇵"),  # a flag only when asked for
    ("CO2 levels rose again.", "", "🌹"),
    ("THE SUN and The Ocean", "☀️🌊", ""),
    ("Punctuation: (rain), 'clouds'; sun!", "🌧️☁️☀️", ""),
]
NOTHING_FITS = [
    "No.",
    "",
    "Lorem ipsum dolor sit amet.",
    "東京は日本の首都です。",
    "42 17 2024",
    "!!!",
]


def _chosen(text: str) -> str:
    return "".join(p.emoji for p in choose_pictograms(text))


@pytest.mark.parametrize(("text", "wanted", "unwanted"), SCENES)
def test_a_scene_shows_the_pictograms_its_words_name(text: str, wanted: str, unwanted: str) -> None:
    chosen = [p.emoji for p in choose_pictograms(text)]

    for expected in emoji.distinct_emoji_list(wanted):
        assert expected in chosen, (text, chosen)
    for refused in emoji.distinct_emoji_list(unwanted):
        assert refused not in chosen, (text, chosen)


@pytest.mark.parametrize("text", NOTHING_FITS)
def test_a_text_with_nothing_to_show_has_no_pictograms(text: str) -> None:
    assert choose_pictograms(text) == []


def test_the_best_come_first_and_exact_names_before_those_that_contain_the_word() -> None:
    chosen = [p.emoji for p in choose_pictograms("The sun heats the ocean.")]
    assert chosen[:2] == ["☀️", "🌊"]  # ☀️ "sun", not ⛅ "sun behind cloud"
    assert choose_pictograms("The sun heats the ocean.", limit=2) == [
        Pictogram("☀️", "sun"),
        Pictogram("🌊", "ocean"),
    ]
    assert choose_pictograms("Clouds form.") == [Pictogram("☁️", "cloud")]
    assert choose_pictograms("Rain falls.") == [Pictogram("🌧️", "rain")]
    assert choose_pictograms("A drop.") == [Pictogram("💧", "droplet")]


def test_emoji_written_in_the_text_come_first_in_their_order() -> None:
    assert _chosen("Water 🌋 and fire 🚀.") == "🌋🚀💧"
    assert _chosen("🚀🌍✨") == "🚀🌍✨"
    assert _chosen("🚀🚀🚀 rocket") == "🚀"  # distinct: the word adds nothing new
    assert (
        choose_pictograms("🌍")[0].name == "earth"
    )  # our label, not "globe showing Europe-Africa"
    assert _chosen("\u2600 sunny") == "☀️"  # written without its variation selector


def test_the_limit_is_kept_and_results_are_distinct() -> None:
    text = WATER_CYCLE
    for limit in range(5):
        chosen = choose_pictograms(text, limit=limit)
        assert len(chosen) == min(limit, len(choose_pictograms(text, limit=10)))
        assert len({p.emoji for p in chosen}) == len(chosen)
    assert choose_pictograms(text, limit=-1) == []


def test_odd_words_do_not_break_the_choice() -> None:
    assert _chosen("a" * 10_000 + " water") == "💧"
    assert _chosen("WATER, WATER EVERYWHERE!!!") == "💧"
    assert _chosen("ab " * 5_000) == ""
    assert _chosen("The 3rd rocket, 2.5 km tall: launched!") == "🚀"


def test_every_chosen_pictogram_can_be_drawn_and_has_a_label() -> None:
    for text, _, _ in SCENES:
        for pictogram in choose_pictograms(text):
            assert has_art(pictogram.emoji), pictogram
            assert pictogram.name.strip(), pictogram


def test_the_topic_table_names_fully_qualified_emoji_with_art() -> None:
    fully_qualified = emoji.STATUS["fully_qualified"]
    for word, (emoji_text, label) in TOPIC_PICTOGRAMS.items():
        assert emoji.EMOJI_DATA[emoji_text]["status"] == fully_qualified, word
        assert has_art(emoji_text), word
        assert label and word == word.lower(), word


def test_choosing_is_deterministic_across_processes() -> None:
    texts = [text for text, _, _ in SCENES] + WATER_CYCLE.split("---")
    here = [[p.emoji for p in choose_pictograms(text)] for text in texts]
    assert here == [[p.emoji for p in choose_pictograms(text)] for text in texts]

    # Another hash seed: no set or dict order may leak into the choice.
    program = (
        "import json, sys\n"
        "from aivideo.pipeline.pictograms import choose_pictograms\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([[p.emoji for p in choose_pictograms(t)] for t in texts]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert json.loads(run.stdout) == here


def test_keywords_are_the_telling_lemmas_most_telling_first() -> None:
    first_scene = WATER_CYCLE.split("---")[0]

    keywords = scene_keywords(first_scene)

    assert keywords[0] == "water"  # three times in the scene
    assert {"vapour", "sun"} <= set(keywords)
    assert len(keywords) == 5
    assert scene_keywords("Clouds FORM over the Rivers.", limit=3) == ["cloud", "form", "river"]
    assert scene_keywords("Clouds FORM over the Rivers.", limit=1) == ["cloud"]
    assert scene_keywords("") == []
    assert scene_keywords("the of and", limit=5) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 70% of the planet is covered by water.", "70%"),
        ("About 1.5 billion people lack clean drinking water.", "1.5 billion"),
        ("In 2024 the rains came early.", "2024"),
        ("It costs $3 trillion a year.", "$3 trillion"),
        ("CO2 levels rose by 12 percent.", "12 percent"),
        ("Together these steps form the water cycle, a loop with no end.", "water cycle"),
        ("Volcanoes erupt when pressure builds up.", "Volcanoes"),
        ("", ""),
        ("🚀🌍", ""),
    ],
)
def test_the_headline_is_a_number_else_the_main_noun(text: str, expected: str) -> None:
    assert headline(text) == expected


def test_other_languages_use_their_own_emoji_names() -> None:
    spanish = choose_pictograms("El sol calienta el océano y las nubes traen lluvia.", "es")
    assert [p.emoji for p in spanish][:2] == ["☀️", "🌊"]  # océano: the topic table's row
    assert spanish[0].name == "sol"
    german = _emoji(
        choose_pictograms("Die Sonne erwärmt das Meer, und Wolken bringen Regen.", "de")
    )
    assert {"☀️", "☁️"} <= german
    assert "☀️" in _emoji(choose_pictograms("太陽が海を温め、雨雲が雨を降らせます。", "ja"))
    assert scene_keywords("太陽が海を温め、雨雲が雨を降らせます。", "ja") == ["太陽", "雨雲"]
    assert "🚱" not in _emoji(choose_pictograms("El agua es vida.", "es"))


def test_a_language_without_emoji_names_gets_nothing_but_no_error() -> None:
    assert choose_pictograms("De zon verwarmt de oceaan.", "nl") == []
    assert choose_pictograms("water", "xx") == []
    assert scene_keywords("water", "xx") == []
    assert headline("water", "xx") == ""


def _emoji(chosen: list[Pictogram]) -> set[str]:
    return {p.emoji for p in chosen}


def test_a_pictogram_is_a_transparent_square_png(tmp_path: Path) -> None:
    output = tmp_path / "globe.png"

    draw_pictogram("🌍", 96, output)

    with Image.open(output) as image:
        assert image.format == "PNG" and image.size == (96, 96) and image.mode == "RGBA"
        for corner in [(0, 0), (95, 0), (0, 95), (95, 95)]:
            assert image.getpixel(corner)[3] == 0
        assert image.getpixel((48, 48))[3] == 255


def test_the_same_picture_can_be_had_in_memory(tmp_path: Path) -> None:
    draw_pictogram("🚀", 40, tmp_path / "rocket.png")

    assert pictogram_png("🚀", 40) == (tmp_path / "rocket.png").read_bytes()


def test_an_emoji_twemoji_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        draw_pictogram("x", 32, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_a_storyboards_own_emoji_are_drawn_in_order_once_each_fully_qualified() -> None:
    # U+1FAEB is an emoji Twemoji has no picture of yet.
    chosen = pictograms.drawn_pictograms(["☀", "\U0001faeb", "💧", "💧"])

    assert [p.emoji for p in chosen] == ["☀️", "💧"]
    assert all(p.name for p in chosen)


def test_the_public_names_and_the_credit() -> None:
    assert sorted(pictograms.__all__) == sorted(
        ["PICTOGRAM_CREDIT", "Pictogram", "choose_pictograms", "draw_pictogram", "headline"]
        + ["drawn_pictograms", "scene_keywords"]
    )
    assert (
        "Twemoji" in PICTOGRAM_CREDIT and "Twitter, Inc and other contributors" in PICTOGRAM_CREDIT
    )
    assert "CC-BY 4.0" in PICTOGRAM_CREDIT
    assert "https://creativecommons.org/licenses/by/4.0/" in PICTOGRAM_CREDIT


def test_a_contact_sheet_of_the_table_for_a_person_to_look_at(tmp_path: Path) -> None:
    """test-artifacts/pictograms.png: each scene's text and the pictograms chosen for it."""
    size, row_height, width = 64, 100, 1400
    rows = [text for text, _, _ in SCENES] + [s.strip() for s in WATER_CYCLE.split("---")]
    sheet = Image.new("RGB", (width, row_height * len(rows)), (250, 250, 250))
    draw = ImageDraw.Draw(sheet)
    face, small = painting.font(15), painting.font(12)
    for row, text in enumerate(rows):
        top = row * row_height
        draw.line((0, top, width, top), fill=(210, 210, 210))
        shown = text if len(text) < 150 else text[:147] + "..."
        for line_number, line in enumerate(painting.wrap_lines(shown, 70)[:3]):
            draw.text((10, top + 20 + 20 * line_number), line, font=face, fill=(20, 20, 20))
        for column, pictogram in enumerate(choose_pictograms(text)):
            left = 720 + column * 220
            picture = tmp_path / f"{row}-{column}.png"
            draw_pictogram(pictogram.emoji, size, picture)
            with Image.open(picture) as drawn:
                sheet.paste(drawn, (left, top + 8), drawn)
            draw.text((left, top + 8 + size + 4), pictogram.name, font=small, fill=(60, 60, 60))
        draw.text((10, top + 80), f"headline: {headline(text)}", font=small, fill=(150, 40, 40))

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    sheet.save(artifacts / "pictograms.png")
    assert (artifacts / "pictograms.png").stat().st_size > 10_000
