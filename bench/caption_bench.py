"""Karaoke captions two ways: drawn by libass from an ASS script, or pictures overlaid.

Usage (from the repository root):

    .venv/bin/python -m bench.caption_bench            # 60 s at 720p, three rounds

The same 60 s of panned background is encoded (x264 veryfast, CRF 23) with no
captions, with libass drawing a caption per spoken word (what the render does),
and with one pre-drawn caption picture per word overlaid as an ffconcat stream
(the way the render drew sentence captions before). The pictures are painted
in the same run with Pillow, and that time is counted for the overlay, since
the visuals stage would have to paint them. Wall and CPU seconds for each.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from aivideo.core.options import Aspect, CaptionStyle, Quality
from aivideo.pipeline.captions import make_captions
from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.fonts import fontconfig_file
from aivideo.pipeline.frame import FPS, frame_for
from aivideo.pipeline.overlay_text import ass_script
from aivideo.pipeline.painting import font, paint_background
from aivideo.pipeline.render import filter_path
from aivideo.pipeline.speech.narration import Narration, SpokenSentence, SpokenWord
from aivideo.pipeline.subtitles import make_cues

SECONDS = 60.0
SENTENCE = "Water covers most of our planet, yet the same water has been moving for years."


def narration() -> Narration:
    """Sentences of words 0.3 s apart, with pauses: about 150 words a minute."""
    sentences, clock = [], 0.5
    while clock < SECONDS - 6:
        words, start = [], clock
        for token in SENTENCE.split():
            words.append(SpokenWord(token, round(clock, 3), round(clock + 0.28, 3)))
            clock += 0.36
        sentences.append(SpokenSentence(SENTENCE, start, words[-1].end, words))
        clock += 0.4
    return Narration(sentences, SECONDS, 22050)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paint_word_pictures(folder: Path, narration: Narration) -> Path:
    """One caption band per spoken word, that word in gold; an ffconcat playlist of them."""
    frame = frame_for(Quality.MEDIUM, Aspect.LANDSCAPE)
    size = frame.caption_font_size
    band = (round(frame.width * 0.88) // 2 * 2, size * 4 // 2 * 2)
    captions = make_captions(
        narration, make_cues(narration, Aspect.LANDSCAPE), Aspect.LANDSCAPE, CaptionStyle.KARAOKE
    )
    entries, clock = ["ffconcat version 1.0"], 0.0
    Image.new("RGBA", band).save(folder / "blank.png")
    for k, caption in enumerate(captions):
        image = Image.new("RGBA", band, (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        y = band[1] - len(caption.lines) * size * 1.3
        for line in caption.lines:
            x = 20.0
            for piece in line:
                lit = piece.word == caption.highlighted
                colour = (255, 215, 0, 255) if lit else (255, 255, 255, 255)
                draw.text((x, y), piece.text, font=font(size), fill=colour,
                          stroke_width=2, stroke_fill=(0, 0, 0, 255))  # fmt: skip
                x += draw.textlength(piece.text + " ", font=font(size))
            y += size * 1.3
        image.save(folder / f"c{k}.png", compress_level=1)
        if caption.start > clock:
            entries += ["file 'blank.png'", f"duration {caption.start - clock:.3f}"]
        entries += [f"file 'c{k}.png'", f"duration {caption.end - caption.start:.3f}"]
        clock = caption.end
    entries.append("file 'blank.png'")
    playlist = folder / "captions.ffconcat"
    playlist.write_text("\n".join(entries) + "\n")
    return playlist


async def encode(
    folder: Path, extra_inputs: list[str], captions: str, name: str, fonts: Path | None = None
) -> None:
    frame = frame_for(Quality.MEDIUM, Aspect.LANDSCAPE)
    pan = f"crop={frame.width}:{frame.height}:'(iw-ow)*min(n/{SECONDS * FPS},1)':'(ih-oh)/2'"
    graph = f"[0:v]{pan},format=yuv420p{captions}[v]"
    await run_ffmpeg(
        [
            "-framerate", str(FPS), "-loop", "1", "-i", str(folder / "bg.jpg"), *extra_inputs,
            "-filter_complex", graph, "-map", "[v]", "-t", str(SECONDS),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-y", str(folder / name),
        ],
        environment={"FONTCONFIG_FILE": str(fonts)} if fonts else None,
    )  # fmt: skip


async def one_round(folder: Path) -> dict[str, tuple[float, float]]:
    frame = frame_for(Quality.MEDIUM, Aspect.LANDSCAPE)
    paint_background(round(frame.width * 1.12), round(frame.height * 1.12), 1, 1, folder / "bg.jpg")
    spoken = narration()
    results: dict[str, tuple[float, float]] = {}

    started, cpu = time.perf_counter(), children_cpu()
    await encode(folder, [], "", "plain.mkv")
    results["no captions"] = (time.perf_counter() - started, children_cpu() - cpu)

    started, cpu = time.perf_counter(), children_cpu()
    script = folder / "captions.ass"
    captions = make_captions(
        spoken, make_cues(spoken, Aspect.LANDSCAPE), Aspect.LANDSCAPE, CaptionStyle.KARAOKE
    )
    script.write_text(ass_script(frame, captions, []))
    fonts = fontconfig_file(folder / "fonts")
    await encode(folder, [], f",subtitles=filename={filter_path(script)}", "ass.mkv", fonts)
    results["libass, a caption per word"] = (
        time.perf_counter() - started, children_cpu() - cpu
    )  # fmt: skip

    started, cpu, own_cpu = time.perf_counter(), children_cpu(), time.process_time()
    playlist = paint_word_pictures(folder, spoken)
    painted = time.process_time() - own_cpu
    top = frame.height - round(frame.height * 0.07) - frame.caption_font_size * 4
    await encode(
        folder,
        ["-f", "concat", "-safe", "0", "-i", str(playlist)],
        f"[b];[b][1:v]overlay=x=(W-w)/2:y={top}:eof_action=repeat,format=yuv420p",
        "overlay.mkv",
    )
    results["pictures overlaid, one per word"] = (
        time.perf_counter() - started, children_cpu() - cpu + painted
    )  # fmt: skip
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    print(f"{SECONDS:.0f} s at 720p, {len(narration().sentences)} sentences")
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory() as scratch:
            results = await one_round(Path(scratch))
        print(f"round {number}:")
        for label, (wall, cpu) in results.items():
            print(f"  {label:<34} {wall:6.2f} s wall {cpu:6.2f} s CPU")


if __name__ == "__main__":
    asyncio.run(main())
