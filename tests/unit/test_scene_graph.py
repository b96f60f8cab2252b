"""Exact ffmpeg inputs and filters that scene_graph builds for stills, clips and cross-fades."""

from __future__ import annotations

from aivideo.pipeline.frame import Frame
from aivideo.pipeline.scene_graph import Shot, background_graph, fade_into

FRAME = Frame(640, 360)
# What every clip take ends with: 30 fps, filled to the frame and cropped, 4:2:0 colour.
CLIP_FIT = (
    "setpts=PTS-STARTPTS,fps=30,scale=640:360:force_original_aspect_ratio=increase,"
    "crop=640:360,setsar=1,format=yuv420p"
)


def clip_input(path: str, container_format: str = "mov") -> list[str]:
    """A clip take's input: that file only (no other protocol), read as what it was found to be."""
    return [
        "-protocol_whitelist", "file", "-f", container_format,
        "-stream_loop", "-1", "-i", f"file:{path}",
    ]  # fmt: skip


def still_take(copy: str, repeats: int, x: str, y: str) -> str:
    """One take of a still: its single frame repeated, then a crop window at (x, y)."""
    return (
        f"[{copy}]loop=loop={repeats}:size=1:start=0,setpts=N/30/TB,"
        f"crop=640:360:x='{x}':y='{y}':exact=1,setsar=1[{copy}t]"
    )


def cross_fade(tail: str, head: str, seconds: str, number: int) -> list[str]:
    """The head of a scene fading in over the tail of the one before it."""
    return [
        f"[{head}]format=yuva420p,fade=t=in:d={seconds}:alpha=1[in{number}]",
        f"[{tail}][in{number}]overlay=format=yuv420:eof_action=pass[fade{number}]",
    ]


def test_one_still_is_held_for_its_duration_and_panned_left_to_right() -> None:
    inputs, filters, out = background_graph([Shot("a.jpg", 2.0)], range(1), FRAME)

    # A still is one image input, read at the video's frame rate.
    assert inputs == ["-framerate", "30", "-i", "a.jpg"]
    assert filters == [
        "[0:v]format=yuv420p,split=1[still0_0]",
        # 2 s at 30 fps = 60 frames: the image plus 59 repeats. Scene 0 pans along x,
        # from 0 at frame 0 to the far edge at frame 59 (60 frames, no tail to fade out).
        "[still0_0]loop=loop=59:size=1:start=0,setpts=N/30/TB,"
        "crop=640:360:x='(iw-ow)*min((n+0)/59,1)':y='(ih-oh)/2':exact=1,setsar=1[still0_0t]",
        "[still0_0t]concat=n=1:v=1:a=0[backgrounds]",
    ]
    assert out == "[backgrounds]"


def test_a_clip_longer_than_its_scene_is_trimmed_to_the_scene() -> None:
    shot = Shot("/media/long.mp4", 3.0, is_clip=True, container_format="mov")
    inputs, filters, _ = background_graph([shot], range(1), FRAME)

    # A playlist or concat list named long.mp4 could not make ffmpeg open other files:
    # only the file protocol, and the demuxer forced to the one the file was checked with.
    assert inputs == [
        "-protocol_whitelist", "file", "-f", "mov",
        "-stream_loop", "-1", "-i", "file:/media/long.mp4",
    ]  # fmt: skip
    # Whatever the file's length, only its first 3.000 s are played.
    assert filters == [
        f"[0:v]trim=start=0.000:duration=3.000,{CLIP_FIT}[c0]",
        "[c0]concat=n=1:v=1:a=0[backgrounds]",
    ]


def test_a_clip_shorter_than_needed_is_looped_for_its_fade_out() -> None:
    # Scene 0 (2 s clip) fades into scene 1 for 0.5 s: that fade reads the clip from 2.000 s
    # on, past the end of a 2 s file, so every clip input loops forever (-stream_loop -1).
    shots = [
        Shot("/media/short.mp4", 2.0, is_clip=True, container_format="mov"),
        Shot("/media/b.webm", 2.0, is_clip=True, container_format="matroska"),
    ]
    inputs, filters, _ = background_graph(shots, range(2), FRAME)

    assert inputs == [
        *clip_input("/media/short.mp4") * 2,  # a take is an input of its own
        *clip_input("/media/b.webm", "matroska") * 2,
    ]
    assert filters == [
        f"[0:v]trim=start=0.000:duration=2.000,{CLIP_FIT}[c0]",  # scene 0's body
        f"[1:v]trim=start=2.000:duration=0.500,{CLIP_FIT}[c1]",  # its tail, from the loop
        f"[2:v]trim=start=0.000:duration=0.500,{CLIP_FIT}[c2]",  # scene 1's head
        f"[3:v]trim=start=0.500:duration=1.500,{CLIP_FIT}[c3]",  # scene 1's body: 2 - 0.5
        *cross_fade("c1", "c2", "0.500", 1),
        "[c0][fade1][c3]concat=n=3:v=1:a=0[backgrounds]",
    ]


def test_a_clip_planned_before_formats_were_recorded_is_still_read_from_its_file_only() -> None:
    inputs, _, _ = background_graph([Shot("/media/old.mp4", 3.0, is_clip=True)], range(1), FRAME)

    assert inputs == [
        "-protocol_whitelist", "file", "-stream_loop", "-1", "-i", "file:/media/old.mp4",
    ]  # fmt: skip


def test_cross_fades_shrink_for_a_brief_scene() -> None:
    shots = [Shot("a.jpg", 2.0), Shot("b.mp4", 3.0, is_clip=True), Shot("c.jpg", 0.6)]
    assert fade_into(shots, 0) == 0.0  # nothing before the first scene
    assert fade_into(shots, 1) == 0.5  # the full CROSSFADE
    assert fade_into(shots, 2) == 0.3  # half of scene 2's 0.6 s


def test_several_shots_cross_fade_piece_by_piece() -> None:
    clip = Shot("/media/b.mp4", 3.0, is_clip=True, container_format="mov")
    shots = [Shot("a.jpg", 2.0), clip, Shot("c.jpg", 0.6)]
    inputs, filters, _ = background_graph(shots, range(3), FRAME, first_input=1)

    # Inputs are numbered from first_input=1: a.jpg is 1, b.mp4's three takes 2-4, c.jpg 5.
    assert inputs == [
        "-framerate", "30", "-i", "a.jpg",
        *clip_input("/media/b.mp4") * 3,
        "-framerate", "30", "-i", "c.jpg",
    ]  # fmt: skip
    assert filters == [
        # a.jpg: its body (2 s) and its tail fading into b (0.5 s). The pan spans both,
        # 2.5 s = 75 frames (0..74); the tail picks up at frame 60 so the motion never jumps.
        "[1:v]format=yuv420p,split=2[still0_0][still0_1]",
        still_take("still0_0", 59, "(iw-ow)*min((n+0)/74,1)", "(ih-oh)/2"),
        still_take("still0_1", 14, "(iw-ow)*min((n+60)/74,1)", "(ih-oh)/2"),
        # b.mp4: head (fade from a), body 0.5 s..3 s, tail 3.0 s..3.3 s (fade into c).
        f"[2:v]trim=start=0.000:duration=0.500,{CLIP_FIT}[c2]",
        f"[3:v]trim=start=0.500:duration=2.500,{CLIP_FIT}[c3]",
        f"[4:v]trim=start=3.000:duration=0.300,{CLIP_FIT}[c4]",
        # c.jpg: head 0.3 s (9 frames) and body 0.3 s; scene 2 pans down, over 18 frames.
        "[5:v]format=yuv420p,split=2[still2_0][still2_1]",
        still_take("still2_0", 8, "(iw-ow)/2", "(ih-oh)*min((n+0)/17,1)"),
        still_take("still2_1", 8, "(iw-ow)/2", "(ih-oh)*min((n+9)/17,1)"),
        # Each cross-fade blends just its two takes; the pieces play one after another.
        *cross_fade("still0_1t", "c2", "0.500", 1),
        *cross_fade("c4", "still2_0t", "0.300", 3),
        "[still0_0t][fade1][c3][fade3][still2_1t]concat=n=5:v=1:a=0[backgrounds]",
    ]


def test_a_segment_draws_the_fade_in_from_the_end_of_the_scene_before_it() -> None:
    shots = [Shot("a.jpg", 2.0), Shot("b.jpg", 2.0)]
    inputs, filters, _ = background_graph(shots, range(1, 2), FRAME)

    # Only scene 1 is in the segment, yet a.jpg is read for the half second that fades out.
    assert inputs == ["-framerate", "30", "-i", "a.jpg", "-framerate", "30", "-i", "b.jpg"]
    assert filters == [
        "[0:v]format=yuv420p,split=1[still0_0]",
        # a's tail starts at frame 60 (2 s) of its 75-frame pan, as in the unsplit video.
        still_take("still0_0", 14, "(iw-ow)*min((n+60)/74,1)", "(ih-oh)/2"),
        "[1:v]format=yuv420p,split=2[still1_0][still1_1]",
        # Scene 1 pans back along x while moving down; it is last, so 60 frames (0..59).
        still_take("still1_0", 14, "(iw-ow)*(1-min((n+0)/59,1))", "(ih-oh)*min((n+0)/59,1)"),
        still_take("still1_1", 44, "(iw-ow)*(1-min((n+15)/59,1))", "(ih-oh)*min((n+15)/59,1)"),
        *cross_fade("still0_0t", "still1_0t", "0.500", 0),
        "[fade0][still1_1t]concat=n=2:v=1:a=0[backgrounds]",
    ]
