"""The script stage: the text (or a script writer's narration) split into scenes."""

from __future__ import annotations

from typing import Any

from aivideo.core.errors import InvalidInput
from aivideo.core.languages import english_name
from aivideo.core.script import MAX_TEXT_CHARS, Scene, Script, is_speakable
from aivideo.pipeline.context import Context
from aivideo.pipeline.script import storyboard_script, write_script
from aivideo.pipeline.speech.voices import check_language
from aivideo.providers.errors import ProviderFailed


async def run(ctx: Context) -> Script:
    _check_voices(ctx)  # an unknown voice fails here, before any work
    language = ctx.language
    if ctx.spec.prompt is not None:
        return await _written_script(ctx, ctx.spec.prompt, language)
    # Sentence splitting takes at most about a second of CPU at the 20 000 character
    # limit, however hostile the text, and never holds the GIL for long: a thread
    # is enough to keep it off the loop.
    if ctx.spec.scenes:
        texts = [scene.text for scene in ctx.spec.scenes]
        return await ctx.tools.run_in_thread(storyboard_script, texts, ctx.spec.title, language)
    return await ctx.tools.run_in_thread(write_script, ctx.spec.text, ctx.spec.title, language)


def _check_voices(ctx: Context) -> None:
    """Every voice the video speaks with is one this server offers, the scenes' too, and
    speaks the video's language."""
    check_language(ctx.voices.find(ctx.spec.voice), ctx.spec.language)
    for index, scene in enumerate(ctx.spec.scenes):
        if scene.voice is None:
            continue  # it speaks with the video's voice, checked above
        try:
            check_language(ctx.voices.find(scene.voice), ctx.spec.language)
        except InvalidInput as exc:
            raise InvalidInput(f"scenes[{index}].voice: {exc.message}") from exc


async def _written_script(ctx: Context, prompt: str, language: str) -> Script:
    """The script writer's narration, split into scenes; its keywords go with each scene."""
    writer = ctx.tools.providers.script_writer
    if writer is None:
        raise InvalidInput(
            "this video has a prompt but the server has no script writer: set "
            "AIVIDEO_LLM_BASE_URL (and AIVIDEO_LLM_API_KEY), or send the narration as text"
        )
    # The first look-up of a language's name reads langcodes' names from disk.
    language_name = await ctx.tools.run_in_thread(english_name, language)
    written = await writer.write(prompt, ctx.spec.target_seconds, language_name)
    scenes = []
    for part in written.scenes:
        if not is_speakable(part.narration):
            continue
        split = await ctx.tools.run_in_thread(write_script, part.narration, None, language)
        scenes += [Scene(scene.sentences, part.keywords) for scene in split.scenes]
    if not scenes:
        raise ProviderFailed("the script writer's script had nothing a voice could say")
    words = sum(len(part.narration.split()) for part in written.scenes)
    ctx.note("script_written", f"the script writer wrote {words} words in {len(scenes)} scenes")
    if written.from_prose:
        ctx.note(
            "script_from_prose",
            "the script writer answered in prose, not the JSON asked for: its reply is the "
            "narration, a scene per paragraph, without keywords for stock footage",
        )
    if written.shortened:
        ctx.note(
            "script_shortened",
            f"the script writer wrote more than the {MAX_TEXT_CHARS} characters a narration may "
            "have: it ends at the last whole sentence that fits",
        )
    return Script(ctx.spec.title or written.title, scenes)


def parse(data: dict[str, Any]) -> Script:
    return Script.from_json(data)


def restore(ctx: Context, record: Script) -> None:
    ctx.script = record
