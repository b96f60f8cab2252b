"""The ``aivideo`` command line."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console

from aivideo.core.config import ConfigurationError, Settings, load_settings
from aivideo.core.errors import AivideoError, InvalidInput, StorageRefused
from aivideo.core.options import (
    Aspect,
    CaptionStyle,
    OutputFormat,
    Quality,
    SubtitleMode,
    VisualChoice,
)
from aivideo.observability.logs import configure_logging

app = typer.Typer(help="Text in, narrated video out.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")

console = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        console.print(f"[red]aivideo: {exc}[/red]", highlight=False)
        raise typer.Exit(2) from exc


def _is_loopback(host: str) -> bool:
    try:
        return all(
            ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None)
        )
    except (socket.gaierror, ValueError):
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Processes serving the API on one port (more than 1: PostgreSQL only)."
        ),
    ] = 1,
) -> None:
    """Run the API (and, in embedded mode, everything else) in this process."""
    from aivideo.api.app import LOCAL_USER_ENV, create_app
    from aivideo.cli.server_options import uvicorn_options
    from aivideo.cli.store_check import check_store

    settings = _settings()
    configure_logging(json=settings.log_json)
    if workers > 1 and not settings.effective_database_url.startswith("postgresql"):
        # Their caches stay right only when each hears the others' changes (PostgreSQL's).
        console.print(
            "[red]aivideo: --workers above 1 needs PostgreSQL (AIVIDEO_DATABASE_URL="
            "postgresql+asyncpg://...): the processes tell each other what changed through it[/red]"
        )
        raise typer.Exit(2)
    try:
        asyncio.run(check_store(settings))
    except StorageRefused as exc:  # credentials or bucket: the operator must fix a setting
        console.print(f"[red]aivideo: {exc.message}[/red]", highlight=False)
        raise typer.Exit(2) from exc
    allow_local_user = _is_loopback(host) and not settings.require_api_key
    if allow_local_user:
        logging.getLogger("aivideo.serve").info(
            "serving on loopback: requests without an API key act as the user 'local' "
            "(set AIVIDEO_REQUIRE_API_KEY=true to refuse them); the API is described at /docs"
        )
    server_options: dict[str, Any] = {"host": host, "port": port, "access_log": access_log}
    server_options |= uvicorn_options(settings)
    if workers == 1:
        uvicorn.run(create_app(settings, allow_local_user=allow_local_user), **server_options)
        return
    # Each process builds its own app (and resources) from the environment.
    os.environ[LOCAL_USER_ENV] = "1" if allow_local_user else "0"
    uvicorn.run(
        "aivideo.api.app:app_from_environment", factory=True, workers=workers, **server_options
    )


@app.command()
def worker(
    check: Annotated[
        bool, typer.Option("--check", help="Only check the connections; exit 0 if all are up.")
    ] = False,
) -> None:
    """Make videos from the queue (RabbitMQ with AIVIDEO_BROKER_URL) until SIGTERM."""
    from aivideo.cli.worker import check_worker, run_worker

    settings = _settings()
    if check:
        report = asyncio.run(check_worker(settings))
        for name, result in report.items():
            console.print(f"{name:<9} {result['status']:<5} {result['detail']}", highlight=False)
        raise typer.Exit(0 if all(r["status"] == "up" for r in report.values()) else 1)
    if settings.render_slots == 0:
        console.print("[red]aivideo: a worker needs AIVIDEO_RENDER_SLOTS of 1 or more[/red]")
        raise typer.Exit(2)
    configure_logging(json=settings.log_json)
    try:
        asyncio.run(run_worker(settings))
    except StorageRefused as exc:  # credentials or bucket: the operator must fix a setting
        console.print(f"[red]aivideo: {exc.message}[/red]", highlight=False)
        raise typer.Exit(2) from exc


@app.command()
def stats(
    server: Annotated[
        str, typer.Option(help="The service, e.g. http://127.0.0.1:8000.", envvar="AIVIDEO_SERVER")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Show a running service's metrics (requests, operations, videos, event-loop lag)."""
    import httpx

    from aivideo.cli.stats import parse, render

    try:
        response = httpx.get(f"{server.rstrip('/')}/metrics", timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        console.print(f"[red]aivideo: cannot read {server}/metrics: {exc}[/red]", highlight=False)
        raise typer.Exit(1) from exc
    render(parse(response.text), Console(soft_wrap=True))


@app.command()
def voices(
    as_json: Annotated[bool, typer.Option("--json", help="As JSON, as GET /v1/voices.")] = False,
) -> None:
    """List the voices videos can be made with here (bundled, AIVIDEO_VOICES_DIR, remote)."""
    from aivideo.cli.voices import render_voices
    from aivideo.pipeline.speech.registry import voice_catalogue
    from aivideo.videos.voice_schemas import VoiceList

    listed = VoiceList.of(voice_catalogue(_settings()))
    if as_json:
        print(listed.model_dump_json(indent=2))
    else:
        render_voices(listed, Console(soft_wrap=True))


@app.command()
def mcp(
    server: Annotated[
        str | None,
        typer.Option(
            help="Make the videos on this running API (with AIVIDEO_API_KEY) instead of here."
        ),
    ] = None,
) -> None:
    """Serve aivideo's tools to an AI agent (Model Context Protocol, over stdio)."""
    from aivideo.mcp.stdio import serve_stdio

    settings = _settings()
    # Standard output carries the protocol: logs go to standard error, as JSON lines.
    configure_logging(json=True)
    asyncio.run(serve_stdio(settings, server, os.environ.get("AIVIDEO_API_KEY")))


def _read_text(text: str | None, file: Path | None) -> str:
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read {file}: {exc}") from exc
    if text is not None:
        return text
    if not sys.stdin.isatty():
        return sys.stdin.read()
    raise InvalidInput("give the text as an argument, with --file, or on standard input")


def _narration(
    text: str | None, file: Path | None, prompt: str | None, settings: Settings, remote: bool
) -> str:
    """The narration to say, or "" when the script writer writes it from ``prompt``."""
    from aivideo.core.script import MAX_TEXT_CHARS, is_speakable
    from aivideo.videos.schemas import MAX_PROMPT_CHARS

    if prompt is not None:
        if text is not None or file is not None:
            raise InvalidInput("give a narration or --prompt, not both")
        if not is_speakable(prompt):
            raise InvalidInput("--prompt must say what the video is about, in words")
        if len(prompt) > MAX_PROMPT_CHARS:
            raise InvalidInput(f"--prompt has {len(prompt)} characters; at most {MAX_PROMPT_CHARS}")
        if not remote and settings.llm_base_url is None:
            raise InvalidInput(
                "--prompt needs a script writer: set AIVIDEO_LLM_BASE_URL (an OpenAI-compatible "
                "API) and AIVIDEO_LLM_API_KEY"
            )
        return ""
    narration = _read_text(text, file)
    if not narration.strip():
        raise InvalidInput("the text is empty: give something to narrate")
    if len(narration) > MAX_TEXT_CHARS:
        raise InvalidInput(f"the text has {len(narration)} characters; at most {MAX_TEXT_CHARS}")
    return narration


@app.command()
def generate(
    text: Annotated[
        str | None, typer.Argument(help="The narration (or use --file, or stdin).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the video.")
    ] = None,
    file: Annotated[Path | None, typer.Option(help="Read the narration from this file.")] = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            help="What the video is about, instead of a narration: the script writer "
            "(AIVIDEO_LLM_BASE_URL) writes it."
        ),
    ] = None,
    seconds: Annotated[
        int, typer.Option(min=10, max=600, help="With --prompt: about how long to talk.")
    ] = 60,
    scenes: Annotated[
        Path | None,
        typer.Option(
            help="A storyboard instead of a narration: a JSON file with a list of scenes, each "
            "with its text and optionally media_url, pictograms, headline, min_seconds, voice; "
            'or {"language": "es", "scenes": [...]} to give the video\'s language too.'
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="A title card at the start.")] = None,
    quality: Annotated[
        Quality, typer.Option(help="low 480p, medium 720p, high 1080p.")
    ] = Quality.MEDIUM,
    format: Annotated[
        OutputFormat | None, typer.Option(help="mp4 or webm (default: from -o).")
    ] = None,
    aspect: Annotated[Aspect, typer.Option(help="16:9, 9:16 or 1:1.")] = Aspect.LANDSCAPE,
    subtitles: Annotated[
        SubtitleMode, typer.Option(help="burned, soft or none.")
    ] = SubtitleMode.BURNED,
    caption_style: Annotated[
        CaptionStyle,
        typer.Option(help="Burned captions: karaoke (each word as spoken) or sentence."),
    ] = CaptionStyle.KARAOKE,
    visuals: Annotated[
        VisualChoice,
        typer.Option(help="auto (stock, pictograms, painted), stock, pictograms or painted."),
    ] = VisualChoice.AUTO,
    voice: Annotated[
        str | None, typer.Option(help="A voice `aivideo voices` lists (or the server's).")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="The narration's language, BCP-47 (es, de-DE, ja); default: the voice's."
        ),
    ] = None,
    rate: Annotated[
        float, typer.Option(min=0.5, max=2.0, help="Speaking rate: 1 normal, 1.2 faster.")
    ] = 1.0,
    media: Annotated[
        Path | None, typer.Option(help="A folder of your images and clips to show.")
    ] = None,
    music: Annotated[
        Path | None, typer.Option(help="Background music, ducked under the voice.")
    ] = None,
    music_volume: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.15,
    server: Annotated[
        str | None,
        typer.Option(
            help="Have this aivideo service make it (e.g. http://host:8000).",
            envvar="AIVIDEO_SERVER",
        ),
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(help="API key for --server.", envvar="AIVIDEO_API_KEY")
    ] = None,
) -> None:
    """Make one narrated video from text, here or (with --server) on a running service."""
    from aivideo.cli import scene_files
    from aivideo.cli.generate import Stopped, check_output_path, run_generate, scan_media
    from aivideo.core.languages import is_language_tag
    from aivideo.core.spec import VideoSpec
    from aivideo.media.probe import check_audio
    from aivideo.pipeline.speech.registry import voice_catalogue
    from aivideo.pipeline.speech.voices import check_language
    from aivideo.videos.scene_schemas import narration_of

    settings = _settings()
    try:
        storyboard = []
        if scenes is not None:
            if text is not None or file is not None or prompt is not None:
                raise InvalidInput("give a narration, --prompt or --scenes: only one of them")
            storyboard_file = scene_files.read_storyboard(scenes)
            storyboard = storyboard_file.scenes
            language = language or storyboard_file.language  # --language wins over the file
            narration = narration_of(storyboard)
        else:
            narration = _narration(text, file, prompt, settings, remote=server is not None)
        if language is not None and not is_language_tag(language):
            raise InvalidInput(f"--language {language!r}: give a BCP-47 tag such as es, de-DE, ja")
        if server is None:
            # A server checks its own voices.
            check_language(voice_catalogue(settings).find(voice), language)
            scene_files.check_scene_voices(storyboard, voice_catalogue(settings), language)
            has_stock = bool(settings.pexels_api_key or settings.pixabay_api_key)
            if visuals is VisualChoice.STOCK and not has_stock:
                raise InvalidInput(
                    "--visuals stock needs a stock footage library: set AIVIDEO_PEXELS_API_KEY "
                    "or AIVIDEO_PIXABAY_API_KEY"
                )
        elif media is not None or music is not None:
            raise InvalidInput("--media and --music are files of this machine: not with --server")
        if output is None:
            output = Path(f"video.{(format or OutputFormat.MP4).value}")
        suffix = output.suffix.lstrip(".").lower()
        if format is None:
            format = OutputFormat(suffix) if suffix in {"mp4", "webm"} else OutputFormat.MP4
        check_output_path(output)
        if music is not None:
            check_audio(music)
        media_files, warnings = scan_media(media, settings.media_max_pixels)
    except InvalidInput as exc:
        console.print(f"[red]aivideo: {exc.message}[/red]", highlight=False)
        raise typer.Exit(2) from exc
    for warning in warnings:
        console.print(f"[yellow]warning: {warning}[/yellow]", highlight=False)

    if server is not None:
        if storyboard:
            what = scene_files.scenes_request(storyboard)
        elif prompt is not None:
            what = {"prompt": prompt, "target_seconds": seconds}
        else:
            what = {"text": narration}
        _generate_on_server(server, api_key, output, {
            **what, "title": title, "voice": voice, "language": language, "rate": rate,
            "quality": quality.value, "format": format.value, "aspect": aspect.value,
            "subtitles": subtitles.value, "caption_style": caption_style.value,
            "visuals": visuals.value,
        })  # fmt: skip
        return
    spec = VideoSpec(
        text=narration, prompt=prompt, target_seconds=seconds, title=title, voice=voice,
        language=language, rate=rate, quality=quality, format=format, aspect=aspect,
        subtitles=subtitles, caption_style=caption_style, visuals=visuals, media=media_files,
        music=music, music_volume=music_volume, scenes=tuple(s.spec() for s in storyboard),
    )  # fmt: skip
    try:
        outputs = asyncio.run(run_generate(settings, spec, output, console))
    except KeyboardInterrupt:
        console.print("stopped: no output was written, and ffmpeg was stopped")
        raise typer.Exit(130) from None
    except Stopped:
        console.print("stopped: no output was written, and ffmpeg was stopped")
        raise typer.Exit(143) from None
    except AivideoError as exc:  # bad input, a provider's refusal, an encoder failure
        console.print(f"[red]aivideo: {exc.message}[/red]", highlight=False)
        raise typer.Exit(1) from exc
    for kind, path in outputs.items():
        console.print(f"{kind:>18}: {path}")


def _generate_on_server(
    server: str, api_key: str | None, output: Path, request: dict[str, object]
) -> None:
    from aivideo.cli.generate import StageBars
    from aivideo.cli.remote_generate import ServerUnreachable, generate_remotely

    try:
        outputs = asyncio.run(
            generate_remotely(server, api_key, request, output, StageBars(console))
        )
    except KeyboardInterrupt:
        console.print("stopped: the video was cancelled on the server")
        raise typer.Exit(130) from None
    except (AivideoError, ServerUnreachable) as exc:
        console.print(f"[red]aivideo: {exc.message}[/red]", highlight=False)
        raise typer.Exit(1) from exc
    for kind, path in outputs.items():
        console.print(f"{kind:>18}: {path}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every database migration not yet applied."""
    from aivideo.db.migrate import upgrade_to_head_blocking

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head_blocking(settings.effective_database_url)
    console.print("database schema is up to date")


async def _with_session(settings: Settings, work):  # type: ignore[no-untyped-def]
    from aivideo.db.migrate import prepare_schema
    from aivideo.runtime.resources import Resources

    async with Resources(settings) as resources:
        await prepare_schema(settings, resources.engine)
        async with resources.sessions() as session:
            return await work(session)


@keys_app.command("create")
def keys_create(
    user: Annotated[str, typer.Option(help="The user the key belongs to (created if new).")],
) -> None:
    """Create an API key. It is printed once and cannot be shown again."""
    from aivideo.auth.service import create_api_key

    settings = _settings()
    issued = asyncio.run(_with_session(settings, lambda s: create_api_key(s, user)))
    console.print(f"New API key for user {issued.user_name!r} (shown only now):")
    print(issued.key)


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="The first 10 characters of the key.")],
) -> None:
    """Revoke an API key by its prefix."""
    from aivideo.auth.service import revoke_api_keys

    settings = _settings()
    count = asyncio.run(_with_session(settings, lambda s: revoke_api_keys(s, prefix)))
    if count == 0:
        console.print(f"no active key starts with {prefix!r}")
        raise typer.Exit(1)
    console.print(f"revoked {count} key(s)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
