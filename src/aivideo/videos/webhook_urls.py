"""A video's ``webhook_url``, checked when the video is created.

The sender checks the address again at every delivery (a name may move);
checking here too tells the client at once, with a 422 that names the field,
instead of in the video's log an hour of retries later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from aivideo.core.errors import AivideoError, InvalidInput
from aivideo.providers.address_guard import (
    NameServerSilent,
    NotPublic,
    RefusedHost,
    checked_destination,
)
from aivideo.videos.schemas import VideoCreate


async def check_webhook_urls(
    requests: Sequence[VideoCreate], *, allow_private: bool, batch: bool
) -> None:
    """Refuse a ``webhook_url`` this server would not deliver to, naming the field.

    Raises:
        InvalidInput: the host does not resolve, or (unless ``allow_private``)
            resolves to an address that is not public.
            A name server that does not answer counts too: a URL that cannot
            be checked is not accepted (the client may send it again later).
    """
    checked = [(i, str(r.webhook_url)) for i, r in enumerate(requests) if r.webhook_url]
    # All at once: a batch of 50 waits for the slowest name, not for the sum of them.
    refusals = await asyncio.gather(*(_refusal(url, allow_private) for _, url in checked))
    for (index, _), refusal in zip(checked, refusals, strict=True):
        if refusal is not None:
            field = f"videos[{index}].webhook_url" if batch else "webhook_url"
            error, reason = refusal
            raise error(f"{field}: {reason}")


async def _refusal(url: str, allow_private: bool) -> tuple[type[AivideoError], str] | None:
    """Why this server would not deliver to ``url`` (the error and its sentence), or None."""
    try:
        await checked_destination(httpx.URL(url), allow_private=allow_private)
    except NotPublic as exc:
        return InvalidInput, (
            f"{exc}, which this server does not send webhooks to; use a URL on the public internet"
        )
    except RefusedHost as exc:
        return InvalidInput, f"{exc}; check the URL"
    except httpx.InvalidURL as exc:
        return InvalidInput, f"not a URL this server can send to ({exc})"
    except NameServerSilent as exc:
        # Refused, not a 5xx: the server will not take a URL it could not check, and
        # the client decides whether to send it again or use another.
        return InvalidInput, f"{exc}, so it cannot be checked; send the video again in a moment"
    return None
