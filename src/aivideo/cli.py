"""The ``aivideo`` command line."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import sys
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from aivideo.config import ConfigurationError, Settings, load_settings

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
) -> None:
    """Run the API (and, in embedded mode, everything else) in this process."""
    from aivideo.api.app import create_app

    settings = _settings()
    allow_local_user = _is_loopback(host) and not settings.require_api_key
    if allow_local_user:
        console.print(
            f"Serving on loopback: requests without an API key act as the user 'local' "
            f"(set AIVIDEO_REQUIRE_API_KEY=true to refuse them). http://{host}:{port}/docs"
        )
    app = create_app(settings, allow_local_user=allow_local_user)
    uvicorn.run(app, host=host, port=port, access_log=access_log)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every database migration not yet applied."""
    from aivideo.db.migrate import upgrade_to_head_blocking

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head_blocking(settings.effective_database_url)
    console.print("database schema is up to date")


async def _with_session(settings: Settings, work):  # type: ignore[no-untyped-def]
    from aivideo.db.migrate import ensure_schema_is_current, upgrade_to_head
    from aivideo.resources import Resources

    async with Resources(settings) as resources:
        if settings.is_sqlite:
            await upgrade_to_head(settings.effective_database_url)
        else:
            await ensure_schema_is_current(resources.engine)
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
