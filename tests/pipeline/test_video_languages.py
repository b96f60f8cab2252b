"""A video in another language: its pictograms are chosen in it, its subtitle track is tagged."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import av
import emoji
import pytest

from aivideo.core.config import Settings
from aivideo.core.languages import english_name, iso639_2
from aivideo.core.options import Quality, SubtitleMode
from aivideo.core.spec import VideoSpec
from aivideo.pipeline.pictograms import choose_pictograms
from aivideo.pipeline.pictograms.art import has_art
from aivideo.pipeline.pictograms.stopwords import stopwords
from aivideo.pipeline.pictograms.topic_translations import TRANSLATIONS
from aivideo.pipeline.pictograms.topics import TOPIC_PICTOGRAMS, topic_pictograms
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.scene_words import describe_scenes
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources
from tests.support.voice_files import add_voice, copy_bundled_model

SPANISH = "es_ES-prueba-medium"
SUN, RAIN = "☀️", "🌧️"


def _emoji(text: str, language: str) -> list[str]:
    return [pictogram.emoji for pictogram in choose_pictograms(text, language)]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The sun and the rain."),
        ("es", "El sol y la lluvia."),
        ("de", "Die Sonne und der Regen."),
        ("fr", "Le soleil et la pluie."),
        ("pt", "O sol e a chuva."),
        ("it", "Il sole e la pioggia."),
    ],
)
def test_the_sun_and_the_rain_are_pictured_in_each_language_of_the_topic_table(
    language: str, text: str
) -> None:
    assert set(_emoji(text, language)) == {SUN, RAIN}


def test_inflected_words_call_up_their_topic_too() -> None:
    assert RAIN in _emoji("Mañana llueve sobre las montañas.", "es")  # llover
    assert RAIN in _emoji("Morgen regnet es in den Bergen.", "de")  # regnen
    assert "☁️" in _emoji("Die Wolken ziehen weiter.", "de")  # Wolke


def test_a_pictogram_is_labelled_in_the_videos_language() -> None:
    (scene,) = describe_scenes(["El sol y la lluvia."], "es-MX", True)

    assert {(p.emoji, p.name) for p in scene.pictograms} == {(SUN, "sol"), (RAIN, "lluvia")}
    assert scene.headline is not None and scene.headline.lower() in {"sol", "lluvia"}


def test_a_storyboards_own_pictograms_are_labelled_in_its_language_from_the_first_scene() -> None:
    # In a fresh process: the emoji package reads a language's names only when asked.
    program = (
        "from aivideo.core.spec import SceneSpec\n"
        "from aivideo.pipeline.scene_words import describe_scenes\n"
        "given = [SceneSpec('Un animal.', pictograms=('🦊',)), SceneSpec('La lluvia.')]\n"
        "scenes = describe_scenes([s.text for s in given], 'es', True, given)\n"
        "print([p.name for s in scenes for p in s.pictograms])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )

    assert run.stdout.strip() == "['zorro', 'lluvia']"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "De zon en de regen."),  # simplemma reads Dutch, but emoji has no Dutch names
        ("hi", "सूरज और बारिश।"),
        ("xx", "sun rain"),  # a well-formed tag of no language: no English guesses either
    ],
)
def test_a_language_the_data_lacks_gets_no_pictograms_and_no_error(
    language: str, text: str
) -> None:
    (scene,) = describe_scenes([text], language, True)

    assert scene.pictograms == [] and scene.headline is None and scene.keywords == []
    # The emoji the writer put in the text are still shown.
    (written,) = describe_scenes([text + " 🌧️"], language, True)
    assert [p.emoji for p in written.pictograms] == [RAIN]


@pytest.mark.parametrize("language", sorted(TRANSLATIONS))
def test_every_translated_topic_word_can_be_reached(language: str) -> None:
    fully_qualified = emoji.STATUS["fully_qualified"]
    english_rows = {label for _, label in TOPIC_PICTOGRAMS.values()}
    assert set(TRANSLATIONS[language]) <= english_rows
    ignored = stopwords(language)
    first_words = {words.split()[0] for words in TRANSLATIONS[language].values()}
    for word, (emoji_text, label) in topic_pictograms(language).items():
        assert word == word.lower() and word not in ignored, word  # a stopword is never read
        assert emoji.EMOJI_DATA[emoji_text]["status"] == fully_qualified and has_art(emoji_text)
        assert label in first_words, (word, label)


def test_a_language_is_named_for_people_and_coded_for_containers() -> None:
    assert english_name("es-MX") == "Spanish (Mexico)"
    assert english_name("de") == "German"
    assert english_name("xx") == "xx"
    assert (iso639_2("es-ES"), iso639_2("de"), iso639_2("ja")) == ("spa", "ger", "jpn")
    assert iso639_2("xx") is None


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_model(tmp_path_factory.mktemp("model"))


async def test_a_spanish_video_shows_spanish_pictograms_and_tags_its_subtitles_spanish(
    tmp_path: Path, bundled_copy: Path
) -> None:
    folder = tmp_path / "voices"
    await add_voice(folder, bundled_copy, SPANISH)
    settings = Settings(data_dir=tmp_path / "data", voices_dir=folder)
    # No language given: the voice's, es-ES.
    spec = VideoSpec(
        "El sol brilla. Después cae la lluvia.\n\nEl agua corre al mar.",
        voice=SPANISH,
        quality=Quality.LOW,
        subtitles=SubtitleMode.SOFT,
    )
    async with Resources(settings) as resources:
        video = await generate_video(spec, Workspace(tmp_path / "w"), resources)
    board = json.loads(await asyncio.to_thread(video.storyboard.read_text))

    first, second = board["scenes"]
    assert first["narration"] == "El sol brilla. Después cae la lluvia."
    assert first["visual"] == "pictograms"
    assert {(p["emoji"], p["name"]) for p in first["pictograms"]} >= {
        (SUN, "sol"),
        (RAIN, "lluvia"),
    }
    assert {p["name"] for p in second["pictograms"]} >= {"agua"}
    with av.open(str(video.video)) as container:
        (track,) = container.streams.subtitles
        assert track.metadata.get("language") == "spa"
