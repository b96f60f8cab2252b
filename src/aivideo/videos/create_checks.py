"""What a new video must pass before it is queued: one list of checks for every way in.

``POST /v1/videos``, its batch and the MCP tools (embedded, or inside ``serve``)
all refuse the same requests with the same sentences, because they all call this.
"""

from __future__ import annotations

from collections.abc import Sequence

from aivideo.core.config import Settings
from aivideo.pipeline.speech.registry import current_voice_catalogue
from aivideo.providers.registry import Providers
from aivideo.videos import service
from aivideo.videos.schemas import VideoCreate
from aivideo.videos.webhook_urls import check_webhook_urls


async def check_new_videos(
    requests: Sequence[VideoCreate], settings: Settings, providers: Providers, *, batch: bool
) -> None:
    """Refuse at once what this server cannot make: an unknown voice, a prompt without a
    script writer, stock footage without a library, a webhook URL it would not call.

    Arguments:
        batch: the requests are the items of a batch, named ``videos[i].field``.

    Raises:
        InvalidInput: naming the field (422 in the API, a tool error in MCP).
    """
    service.check_voices(requests, await current_voice_catalogue(settings), batch=batch)
    service.check_prompts(requests, providers.script_writer is not None)
    service.check_visuals(requests, providers.stock is not None, batch=batch)
    if any(request.webhook_url for request in requests):
        # Resolving names may take seconds: callers hold no database connection
        # meanwhile (the API's key lookup has given its own back).
        await check_webhook_urls(requests, allow_private=settings.allow_private_urls, batch=batch)
