"""Exact ffmpeg arguments of the render stage's pure builders (no ffmpeg is run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aivideo.core.options import OutputFormat, SubtitleMode
from aivideo.pipeline.frame import Frame
from aivideo.pipeline.render import (
    RenderPlan,
    TimedPicture,
    _audio_arguments,
    _audio_graph,
    _concat_list,
    _mux_arguments,
    _segments,
    segment_jobs,
)
from aivideo.pipeline.scene_graph import Shot
from aivideo.pipeline.segments import SegmentJob, filter_path, segment_arguments

FRAME = Frame(640, 360)
NO_MUSIC_AUDIO = "[0:a]aresample=48000[audio]"


def plan(output_format: OutputFormat = OutputFormat.MP4, **changes: Any) -> RenderPlan:
    shots = [Shot("a.jpg", 2.0), Shot("b.jpg", 3.0), Shot("c.jpg", 5.0)]  # starts 0, 2, 5
    return RenderPlan(FRAME, shots, Path("voice.wav"), 10.0, output_format, **changes)


def segment(p: RenderPlan, scenes: range) -> SegmentJob:
    """The plan's segment of exactly these scenes (two scenes a segment)."""
    return next(job for job in segment_jobs(p, 2) if job.scenes == scenes)


def encoding(args: list[str]) -> list[str]:
    """Everything after the filter graph's ``-map``: what the pass encodes and writes."""
    return args[args.index("-map") :]


def test_mp4_segment_is_h264_in_matroska() -> None:
    args = segment_arguments(segment(plan(), range(0, 2)), None, Path("seg.mkv"))

    # Scenes 0 and 1 run from 0 s to 2 + 3 = 5 s.
    assert encoding(args) == [
        "-map", "[video]", "-an", "-r", "30", "-t", "5.000",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-pix_fmt", "yuv420p", "-f", "matroska", "-y", "seg.mkv",
    ]  # fmt: skip


def test_webm_segment_is_vp9() -> None:
    args = segment_arguments(segment(plan(OutputFormat.WEBM), range(2, 3)), None, Path("seg.mkv"))

    # Scene 2 alone: from 5 s to 10 s.
    assert encoding(args) == [
        "-map", "[video]", "-an", "-r", "30", "-t", "5.000",
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-crf", "33", "-b:v", "0",
        "-pix_fmt", "yuv420p", "-f", "matroska", "-y", "seg.mkv",
    ]  # fmt: skip


def test_title_is_overlaid_then_captions_and_headlines_are_drawn_by_libass() -> None:
    title = TimedPicture(Path("title.png"), 0.0, 2.5)
    args = segment_arguments(
        segment(plan(title=title), range(0, 2)), Path("/w/cap.ass"), Path("s.mkv")
    )

    # Two still inputs (0, 1), then the title (2); the captions are a filter, not an input.
    assert args[:10] == [
        "-framerate", "30", "-i", "a.jpg", "-framerate", "30", "-i", "b.jpg",
        "-i", "title.png",
    ]  # fmt: skip
    graph = args[args.index("-filter_complex") + 1].split(";")
    assert graph[-3:] == [
        "[backgrounds][2:v]overlay=x=0:y=0:enable='between(t,0.000,2.500)'[titled]",
        "[titled]subtitles=filename=/w/cap.ass[captioned]",
        "[captioned]format=yuv420p[video]",
    ]


def test_a_path_with_filter_graph_characters_is_escaped_for_both_levels() -> None:
    # ffmpeg unescapes the graph level (\\ ' [ ] , ;), then the option level (\\ ' :).
    assert filter_path(Path("/data/a:b")) == "/data/a\\\\:b"
    assert filter_path(Path("/d/it's")) == "/d/it\\\\\\'s"
    assert filter_path(Path("/d/[x],y;z")) == "/d/\\[x\\]\\,y\\;z"


def test_title_is_left_out_of_a_segment_it_does_not_reach() -> None:
    title = TimedPicture(Path("title.png"), 0.0, 2.5)
    args = segment_arguments(segment(plan(title=title), range(2, 3)), None, Path("s.mkv"))

    # The segment starts at 5 s, after the title's 2.5 s; no captions either.
    assert "title.png" not in args
    assert args[args.index("-filter_complex") + 1].endswith(";[backgrounds]format=yuv420p[video]")


def test_title_outlasting_the_first_segment_goes_on_in_the_next_at_its_own_clock() -> None:
    shots = [Shot("a.jpg", 1.0), Shot("b.jpg", 1.0), Shot("c.jpg", 3.0)]  # segment 2 from 2 s
    title = TimedPicture(Path("title.png"), 0.0, 2.5)
    p = RenderPlan(FRAME, shots, Path("voice.wav"), 5.0, OutputFormat.MP4, title=title)
    args = segment_arguments(segment(p, range(2, 3)), None, Path("s.mkv"))

    # Segment time 0 is video time 2 s: the title's last half second is 0 s to 0.5 s.
    graph = args[args.index("-filter_complex") + 1]
    assert "overlay=x=0:y=0:enable='between(t,-2.000,0.500)'[titled]" in graph


def test_mp4_sound_track_is_aac_of_the_voice_alone_without_music() -> None:
    assert _audio_arguments(plan(), Path("audio.mp4")) == [
        "-i", "voice.wav", "-filter_complex", NO_MUSIC_AUDIO, "-map", "[audio]",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-t", "10.000",
        "-f", "mp4", "-y", "audio.mp4",
    ]  # fmt: skip


def test_webm_sound_track_loops_the_music_under_the_voice_as_opus() -> None:
    p = plan(OutputFormat.WEBM, music=Path("music.ogg"))
    # Inputs: 0 the voice, 1 the music (looped).
    assert _audio_arguments(p, Path("audio.webm")) == [
        "-i", "voice.wav", "-stream_loop", "-1", "-i", "music.ogg",
        "-filter_complex", _audio_graph(p), "-map", "[audio]",
        "-c:a", "libopus", "-b:a", "96k", "-ar", "48000", "-t", "10.000",
        "-f", "webm", "-y", "audio.webm",
    ]  # fmt: skip


def test_mp4_mux_copies_the_picture_and_the_sound() -> None:
    assert _mux_arguments(plan(), Path("segments.ffconcat"), Path("a.mp4"), Path("out.mp4")) == [
        "-f", "concat", "-safe", "0", "-i", "segments.ffconcat", "-i", "a.mp4",
        "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "copy", "-t", "10.000",
        "-movflags", "+faststart", "-f", "mp4", "-y", "out.mp4",
    ]  # fmt: skip


def test_webm_mux_with_soft_subtitles() -> None:
    p = plan(
        OutputFormat.WEBM,
        music=Path("music.ogg"),
        subtitles=SubtitleMode.SOFT,
        subtitle_file=Path("subs.vtt"),
        subtitle_language="spa",
    )
    # Inputs: 0 the segments, 1 the sound track (the music already in it), 2 the subtitles.
    assert _mux_arguments(p, Path("segments.ffconcat"), Path("a.webm"), Path("out.webm")) == [
        "-f", "concat", "-safe", "0", "-i", "segments.ffconcat", "-i", "a.webm",
        "-i", "subs.vtt", "-map", "0:v", "-map", "1:a",
        "-map", "2:s", "-c:s", "webvtt", "-metadata:s:s:0", "language=spa",
        "-c:v", "copy", "-c:a", "copy", "-t", "10.000", "-f", "webm", "-y", "out.webm",
    ]  # fmt: skip


def test_mp4_soft_subtitles_are_input_2_as_mov_text() -> None:
    p = plan(subtitles=SubtitleMode.SOFT, subtitle_file=Path("subs.srt"))
    args = _mux_arguments(p, Path("segments.ffconcat"), Path("a.mp4"), Path("out.mp4"))

    assert args[8:10] == ["-i", "subs.srt"]  # after the segments (0) and the sound (1)
    assert args[args.index("-c:s") - 2 : args.index("-c:s") + 2] == [
        "-map", "2:s", "-c:s", "mov_text",
    ]  # fmt: skip


def test_a_subtitle_track_in_a_language_without_a_code_is_left_untagged() -> None:
    p = plan(subtitles=SubtitleMode.SOFT, subtitle_file=Path("subs.srt"), subtitle_language=None)
    args = _mux_arguments(p, Path("segments.ffconcat"), Path("a.mp4"), Path("out.mp4"))

    assert "-c:s" in args
    assert not any(arg.startswith("language=") for arg in args)


def test_burned_subtitles_add_no_subtitle_track() -> None:
    p = plan(subtitles=SubtitleMode.BURNED, subtitle_file=Path("subs.srt"))
    args = _mux_arguments(p, Path("segments.ffconcat"), Path("a.mp4"), Path("out.mp4"))

    assert "subs.srt" not in args
    assert "-c:s" not in args


def test_music_ducks_under_the_voice_and_fades_out_over_the_last_3_seconds() -> None:
    assert _audio_graph(plan()) == NO_MUSIC_AUDIO  # the voice alone, nothing to duck
    assert _audio_graph(plan(music=Path("m.ogg"), music_volume=0.3)).split(";") == [
        "[0:a]aresample=48000,asplit[voice][key]",
        "[1:a]aresample=48000,volume=0.3,afade=t=out:st=7.000:d=3[music]",  # 10 s - 3 s
        "[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]",
        "[voice][ducked]amix=inputs=2:duration=first:normalize=0[audio]",
    ]


def test_segments_of_two_scenes_joined_by_file_name() -> None:
    assert _segments(5, 2) == [range(0, 2), range(2, 4), range(4, 5)]
    parts = [Path("/tmp/x/.segment-0.mkv.part"), Path("/tmp/x/.segment-1.mkv.part")]
    # Names only: the list sits beside the segments, and ffconcat resolves them from there.
    assert _concat_list(parts) == (
        "ffconcat version 1.0\nfile '.segment-0.mkv.part'\nfile '.segment-1.mkv.part'\n"
    )


def test_a_segment_job_written_down_reads_back_the_same() -> None:
    title = TimedPicture(Path("/w/title.png"), 0.0, 2.5)
    shots = [Shot("/w/a.jpg", 2.0), Shot("/w/b.mp4", 3.0, True, "mov"), Shot("/w/c.jpg", 5.0)]
    p = RenderPlan(FRAME, shots, Path("voice.wav"), 10.0, OutputFormat.WEBM, title=title)
    for job in segment_jobs(p, 2):
        assert SegmentJob.from_json(json.loads(json.dumps(job.to_json()))) == job


def test_a_segment_reads_its_scenes_the_one_before_it_and_the_title_it_reaches() -> None:
    title = TimedPicture(Path("/w/title.png"), 0.0, 2.5)
    shots = [Shot("/w/a.jpg", 2.0), Shot("/w/b.jpg", 3.0), Shot("/w/c.jpg", 5.0)]
    first, second = segment_jobs(RenderPlan(FRAME, shots, Path("v.wav"), 10.0,
                                            OutputFormat.MP4, title=title), 2)  # fmt: skip

    assert first.files() == ["/w/a.jpg", "/w/b.jpg", "/w/title.png"]
    # Scene 2 fades in from the end of scene 1; the title ended before 5 s.
    assert second.files() == ["/w/b.jpg", "/w/c.jpg"]
    moved = second.with_files(lambda path: path.replace("/w/", "/elsewhere/"))
    assert moved.files() == ["/elsewhere/b.jpg", "/elsewhere/c.jpg"]
    assert moved.shots[0].path == "/w/a.jpg"  # not read by this segment: left as it was
