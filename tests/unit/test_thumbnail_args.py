"""The thumbnail's moment (a pause, not a caption) and its exact ffmpeg frame grab."""

from __future__ import annotations

from pathlib import Path

from aivideo.pipeline.captions import HOLD
from aivideo.pipeline.speech.narration import Narration, SpokenSentence
from aivideo.pipeline.thumbnail import frame_grab_args, moment_without_caption


def narration(duration: float, *spans: tuple[float, float]) -> Narration:
    sentences = [
        SpokenSentence(f"Sentence {i}.", start, end) for i, (start, end) in enumerate(spans)
    ]
    return Narration(sentences, duration, 22050)


def test_frame_grab_is_one_png_frame_cropped_to_a_square() -> None:
    assert frame_grab_args(Path("video.mp4"), 6.25, Path("thumb.png")) == [
        "-ss", "6.250",  # seek before -i: a fast seek on the input
        "-i", "video.mp4",
        "-frames:v", "1",
        "-vf", "scale=512:512:force_original_aspect_ratio=increase,crop=512:512",
        "-f", "image2", "-c:v", "png", "-y", "thumb.png",
    ]  # fmt: skip


def test_frame_grab_size_and_time_rounding() -> None:
    args = frame_grab_args(Path("v.webm"), 1 / 3, Path("t.png"), size=128)

    assert args[1] == "0.333"  # milliseconds
    assert args[args.index("-vf") + 1] == (
        "scale=128:128:force_original_aspect_ratio=increase,crop=128:128"
    )


def test_moment_is_just_after_the_caption_of_the_first_scene_pause_after_a_third() -> None:
    # A third of 9.6 s is 3.2 s: the pause 3.0-3.6 comes before it and is skipped; the
    # pause 5.0-5.25 between sentences is too short (the caption is held through it);
    # the scene pause 6.0-6.6 is the first after it: the caption is gone at 6.4 s.
    spoken = narration(9.6, (0.5, 3.0), (3.6, 5.0), (5.25, 6.0), (6.6, 9.1))

    assert moment_without_caption(spoken) == 6.0 + HOLD + 0.05


def test_moment_is_the_silent_tail_when_no_pause_follows_the_first_third() -> None:
    # The only pause (1.0-1.6) is before 3.17 s; the tail after the last word, 9.0-9.5,
    # has no caption from halfway through it: three quarters of the way is 9.375 s.
    spoken = narration(9.5, (0.5, 1.0), (1.6, 9.0))

    assert moment_without_caption(spoken) == 9.375


def test_single_sentence_uses_the_silent_tail() -> None:
    assert moment_without_caption(narration(4.5, (0.5, 4.0))) == 4.375
