"""An ASGI middleware that refuses oversized and non-JSON request bodies.

It reads the body before the app sees it, so the limit holds for chunked
uploads with no Content-Length too, and answers 413 or 415 in the API's error
shape. The bodies of this API are small JSON documents, so buffering is cheap.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aivideo.api.errors import response_for
from aivideo.core.errors import PayloadTooLarge, UnsupportedMediaType

_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS_WITH_BODY:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return

        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        if body and not _is_json(headers.get("content-type", "")):
            # Outside the app's error handlers: the error becomes its response here.
            refused = UnsupportedMediaType(
                "send the request body as JSON, with the header Content-Type: application/json"
            )
            await response_for(refused)(scope, receive, send)
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = PayloadTooLarge(f"the request body is larger than {self.max_bytes} bytes")
        await response_for(refused)(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive channel that yields the buffered body once, then the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
