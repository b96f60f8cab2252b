"""The visuals plan: which picture each scene shows, and exactly what gets painted."""

from __future__ import annotations

from pathlib import Path

from aivideo.core.options import Aspect, Quality
from aivideo.core.spec import MediaFile, VideoSpec
from aivideo.pipeline import painting, scene_art
from aivideo.pipeline.frame import frame_for
from aivideo.pipeline.overlay_text import Headline
from aivideo.pipeline.pictograms import Pictogram
from aivideo.pipeline.pictograms.art import PICTOGRAM_CREDIT
from aivideo.pipeline.records import Placed, PlannedShot
from aivideo.pipeline.scene_words import SceneWords
from aivideo.pipeline.visuals import PaintJob, VisualPlan, plan_visuals

FRAME = frame_for(Quality.LOW, Aspect.LANDSCAPE)  # 854 x 480
# Backgrounds are 12 % larger than the frame, to pan: 854 * 1.12 = 956.5 -> 956, 480 -> 538.
WIDE, TALL = 956, 538
SEED = 97 + 98 + 99  # the character codes of the text "abc"
PICTURE = ("user_media", MediaFile(Path("/media/photo.png"), is_clip=False))
CLIP = ("stock", MediaFile(Path("/media/clip.mp4"), is_clip=True))
NO_WORDS = SceneWords(keywords=[], headline=None)
ROCKET = SceneWords(["rocket"], "Rockets", [Pictogram("🚀", "rocket")])


def plan(
    media: list[tuple[str, MediaFile] | None],
    words: list[SceneWords] | None = None,
    *,
    text: str = "abc",
    title: str | None = None,
) -> VisualPlan:
    spec = VideoSpec(text=text)
    durations = [2.0 + i for i in range(len(media))]  # 2 s, 3 s, 4 s...
    return plan_visuals(spec, FRAME, title, durations, media, words or [NO_WORDS] * len(media))


def test_scenes_without_media_or_pictograms_are_painted_in_one_palette() -> None:
    visuals = plan([None, None])

    # One palette for the video (SEED); the light spots move with each scene.
    assert visuals.jobs == [
        PaintJob("shot-0.jpg", painting.paint_background, (WIDE, TALL, SEED, SEED)),
        PaintJob("shot-1.jpg", painting.paint_background, (WIDE, TALL, SEED, SEED + 1)),
    ]
    assert visuals.shots == [
        PlannedShot("shot-0.jpg", is_clip=False, duration=2.0),
        PlannedShot("shot-1.jpg", is_clip=False, duration=3.0),
    ]
    assert visuals.kinds == ["painted", "painted"]
    assert visuals.title is None and visuals.headlines == [] and visuals.credits == []


def test_a_scene_with_pictograms_shows_them_credits_the_art_and_gets_its_headline() -> None:
    visuals = plan([None, None], [NO_WORDS, ROCKET])

    assert visuals.jobs[1] == PaintJob(
        "shot-1.jpg",
        scene_art.paint_pictogram_scene,
        (WIDE, TALL, 854, 480, SEED, SEED + 1, [("🚀", "rocket")]),
    )
    assert visuals.kinds == ["painted", "pictograms"]
    assert visuals.credits == [PICTOGRAM_CREDIT]
    # It pops in just after its scene starts (scene 0 lasts 2 s) and stays to the end.
    assert visuals.headlines == [Headline("Rockets", 2.2, 5.0)]


def test_media_wins_over_pictograms_and_gets_no_headline() -> None:
    visuals = plan([PICTURE, CLIP, None], [ROCKET, ROCKET, NO_WORDS])

    # No job for the clip (scene 1); the other names keep their scene's number.
    assert visuals.jobs == [
        PaintJob("shot-0.jpg", painting.fit_picture, (PICTURE[1].path, WIDE, TALL)),
        PaintJob("shot-2.jpg", painting.paint_background, (WIDE, TALL, SEED, SEED + 2)),
    ]
    assert visuals.shots == [
        PlannedShot("shot-0.jpg", is_clip=False, duration=2.0),
        PlannedShot("/media/clip.mp4", is_clip=True, duration=3.0),
        PlannedShot("shot-2.jpg", is_clip=False, duration=4.0),
    ]
    assert visuals.kinds == ["user_media", "stock", "painted"]
    assert visuals.headlines == [] and visuals.credits == []


def test_a_number_headline_is_shown_big_and_waits_for_the_title_card() -> None:
    seventy = SceneWords(["percent"], "70%", [])
    visuals = plan([None], [seventy], title="Water")

    assert visuals.headlines == []  # a 2 s scene is over before the 2.5 s title card is
    longer = plan_visuals(VideoSpec(text="abc"), FRAME, "Water", [6.0], [None], [seventy])
    assert longer.headlines == [Headline("70%", 2.5, 6.0, big=True)]


def test_title_card_only_with_a_title() -> None:
    titled = plan([CLIP], title="Rivers")

    assert titled.jobs == [PaintJob("title.png", painting.paint_title, ("Rivers", 854, 480))]
    assert titled.title == Placed("title.png", 0.0, 2.5)  # shown for the first 2.5 s
    for untitled in (plan([CLIP]), plan([CLIP], title="")):
        assert untitled.title is None and untitled.jobs == []


def test_same_text_same_colours_different_text_different_colours() -> None:
    assert plan([None, None]).jobs == plan([None, None]).jobs
    other = plan([None], text="abd").jobs[0]
    assert other.args == (WIDE, TALL, SEED + 1, SEED + 1)  # "d" is one more than "c"
    assert other.args != plan([None]).jobs[0].args


def test_a_prompt_seeds_the_colours_when_there_is_no_text_yet() -> None:
    spec = VideoSpec(text="", prompt="abc")
    job = plan_visuals(spec, FRAME, None, [2.0], [None], [NO_WORDS]).jobs[0]

    assert job.args == (WIDE, TALL, SEED, SEED)


def test_a_storyboards_own_headline_shows_over_its_own_picture_too() -> None:
    given = SceneWords(["sea"], "The sea", headline_given=True)
    chosen = SceneWords(["sea"], "Sea")  # chosen from the words: not over the user's picture

    visuals = plan([PICTURE, PICTURE], [given, chosen])

    assert visuals.kinds == ["user_media", "user_media"]
    assert visuals.headlines == [Headline("The sea", 0.2, 2.0)]
