"""The visuals plan: which picture each scene shows, and exactly what gets painted."""

from __future__ import annotations

from pathlib import Path

from aivideo.core.options import Aspect, Quality, SubtitleMode
from aivideo.core.spec import MediaFile, VideoSpec
from aivideo.pipeline import painting
from aivideo.pipeline.frame import frame_for
from aivideo.pipeline.records import Placed, PlannedShot
from aivideo.pipeline.subtitles import Cue
from aivideo.pipeline.visuals import BLANK_CAPTION, PaintJob, VisualPlan, plan_visuals

FRAME = frame_for(Quality.LOW, Aspect.LANDSCAPE)  # 854 x 480
# Backgrounds are 12 % larger than the frame, to pan: 854 * 1.12 = 956.5 -> 956, 480 -> 538.
WIDE, TALL = 956, 538
SEED = 97 + 98 + 99  # the character codes of the text "abc"
PICTURE = MediaFile(Path("/media/photo.png"), is_clip=False)
CLIP = MediaFile(Path("/media/clip.mp4"), is_clip=True)


def plan(
    media: list[MediaFile | None],
    *,
    text: str = "abc",
    title: str | None = None,
    subtitles: SubtitleMode = SubtitleMode.NONE,
    cues: list[Cue] | None = None,
) -> VisualPlan:
    spec = VideoSpec(text=text, subtitles=subtitles)
    durations = [2.0 + i for i in range(len(media))]  # 2 s, 3 s, 4 s...
    return plan_visuals(spec, FRAME, title, cues or [], durations, media)


def test_generated_backgrounds_are_painted_with_one_seed_per_scene() -> None:
    visuals = plan([None, None])

    assert visuals.jobs == [
        PaintJob("shot-0.jpg", painting.paint_background, (WIDE, TALL, SEED)),
        PaintJob("shot-1.jpg", painting.paint_background, (WIDE, TALL, SEED + 1)),
    ]
    assert visuals.shots == [
        PlannedShot("shot-0.jpg", is_clip=False, duration=2.0),
        PlannedShot("shot-1.jpg", is_clip=False, duration=3.0),
    ]
    assert visuals.title is None and visuals.captions == []


def test_a_picture_is_fitted_and_a_clip_is_used_as_is() -> None:
    visuals = plan([PICTURE, CLIP, None])

    # No job for the clip (scene 1); the other names keep their scene's number.
    assert visuals.jobs == [
        PaintJob("shot-0.jpg", painting.fit_picture, (PICTURE.path, WIDE, TALL)),
        PaintJob("shot-2.jpg", painting.paint_background, (WIDE, TALL, SEED + 2)),
    ]
    assert visuals.shots == [
        PlannedShot("shot-0.jpg", is_clip=False, duration=2.0),
        PlannedShot("/media/clip.mp4", is_clip=True, duration=3.0),
        PlannedShot("shot-2.jpg", is_clip=False, duration=4.0),
    ]


def test_title_card_only_with_a_title() -> None:
    titled = plan([CLIP], title="Rivers")

    assert titled.jobs == [PaintJob("title.png", painting.paint_title, ("Rivers", 854, 480))]
    assert titled.title == Placed("title.png", 0.0, 2.5)  # shown for the first 2.5 s
    for untitled in (plan([CLIP]), plan([CLIP], title="")):
        assert untitled.title is None and untitled.jobs == []


def test_caption_bands_are_painted_only_when_subtitles_are_burned() -> None:
    cues = [Cue(0.5, 1.5, ["Hello."]), Cue(1.75, 3.0, ["Water covers most", "of our planet."])]
    burned = plan([CLIP], subtitles=SubtitleMode.BURNED, cues=cues)

    band = (26, 752, 104)  # font 5.5 % of 480; 88 % of 854, even; room for 2 lines (4 x 26)
    assert burned.jobs == [
        PaintJob(BLANK_CAPTION, painting.paint_caption, ([], *band)),
        PaintJob("caption-0.png", painting.paint_caption, (["Hello."], *band)),
        PaintJob("caption-1.png", painting.paint_caption, (cues[1].lines, *band)),
    ]
    assert burned.captions == [
        Placed("caption-0.png", 0.5, 1.5),
        Placed("caption-1.png", 1.75, 3.0),
    ]
    for mode in (SubtitleMode.SOFT, SubtitleMode.NONE):
        unburned = plan([CLIP], subtitles=mode, cues=cues)
        assert unburned.jobs == [] and unburned.captions == []


def test_same_text_same_colours_different_text_different_colours() -> None:
    assert plan([None, None]).jobs == plan([None, None]).jobs
    other = plan([None], text="abd").jobs[0]
    assert other.args == (WIDE, TALL, SEED + 1)  # "d" is one more than "c"
    assert other.args != plan([None]).jobs[0].args


def test_a_prompt_seeds_the_colours_when_there_is_no_text_yet() -> None:
    spec = VideoSpec(text="", prompt="abc")
    job = plan_visuals(spec, FRAME, None, [], [2.0], [None]).jobs[0]

    assert job.args == (WIDE, TALL, SEED)
