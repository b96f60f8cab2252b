"""A fake OpenAI-compatible chat API: the script writer's counterpart on loopback."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SCRIPT = {
    "title": "Where rain comes from",
    "scenes": [
        {"narration": "The sun warms the sea. Water rises as vapour.", "keywords": ["ocean"]},
        {"narration": "High up, the vapour cools into clouds.", "keywords": ["clouds", "sky"]},
    ],
}


def completion(content: str | None, finish_reason: str = "stop") -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {"choices": [{"index": 0, "message": message, "finish_reason": finish_reason}]}


@dataclass
class FakeLlm:
    """Replies in order from ``replies``; the last one repeats."""

    replies: list[Response] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    delay: float = 0.0

    async def chat(self, request: Request) -> Response:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        await asyncio.sleep(self.delay)
        return self.replies[min(len(self.requests), len(self.replies)) - 1]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])


def ok(script: dict[str, Any] = SCRIPT) -> Response:
    return JSONResponse(completion(json.dumps(script)))


def error(status: int, message: str, **headers: str) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return JSONResponse(body, status_code=status, headers=headers)
