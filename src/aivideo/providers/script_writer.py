"""The script writer: an OpenAI-compatible chat API turns a prompt into a narration.

OpenAI, Ollama, vLLM and llama.cpp's server all speak ``/chat/completions``.
The model is asked for JSON: a title and scenes, each with its narration and
a few keywords for stock footage. Replies are cached by a hash of everything
that shapes them, so the same prompt is never paid for twice.

Whatever goes wrong — a refused key, no credit, an unknown model, a timeout,
an empty or malformed reply — ends in a :class:`ProviderFailed` whose message
says what happened, what to do, and what the provider itself said.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from aivideo.cache.store import Cache
from aivideo.core.script import is_speakable
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.http_calls import ProviderHttp, provider_message
from aivideo.providers.refusals import Refusal, RefusalWording, common_sentences

WORDS_PER_SECOND = 2.5  # a calm narrator: 150 words a minute
MAX_SCENES = 40
MAX_TITLE_CHARS = 200  # as the API allows, and the database column holds

SYSTEM_PROMPT = """You write narrations for short explainer videos.
Answer with one JSON object and nothing else, shaped like this:
{"title": "a short title",
 "scenes": [{"narration": "two or three spoken sentences", "keywords": ["two", "or three"]}]}
Rules: about {words} words of narration in all; plain spoken sentences (no markdown, no
lists, no stage directions, no emoji); each scene's keywords are concrete, filmable things
for searching stock footage (for example "river", "rain clouds")."""

# Bump when the request changes in a way that changes replies: old cache entries then miss.
_REQUEST_VERSION = "1"


@dataclass(frozen=True)
class WrittenScene:
    narration: str
    keywords: list[str]


@dataclass(frozen=True)
class WrittenScript:
    title: str | None
    scenes: list[WrittenScene]

    @property
    def narration(self) -> str:
        return "\n\n".join(scene.narration for scene in self.scenes)


class ScriptWriter:
    def __init__(self, http: ProviderHttp, model: str, cache: Cache, cache_ttl: float) -> None:
        self.http = http
        self.model = model
        self.cache = cache
        self.cache_ttl = cache_ttl

    async def write(self, prompt: str, target_seconds: int) -> WrittenScript:
        """A script of about ``target_seconds`` of narration about ``prompt``."""
        words = round(target_seconds * WORDS_PER_SECOND)
        request = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT.replace("{words}", str(words))},
                {"role": "user", "content": prompt},
            ],
            "response_format": {"type": "json_object"},
            "temperature": 0.7,
        }
        key = "script:" + _digest(_REQUEST_VERSION, self.http.base_url, request)
        cached = await self.cache.get(key)
        if cached is not None:
            return _parse_script(json.dumps(cached))
        content = await self._complete(request)
        script = _parse_script(content)
        await self.cache.set(key, json.loads(_extract_json(content)), self.cache_ttl)
        return script

    async def _complete(self, request: dict[str, Any]) -> str:
        response = await self.http.request("POST", "/chat/completions", json=request)
        if response.status_code != 200:
            raise _refusal(response, self.model)
        try:
            reply = response.json()
            choice = reply["choices"][0]
            content = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderFailed(
                "the script writer's reply was not an OpenAI-style chat completion "
                f"(it began: {_excerpt(response.text)!r}); check AIVIDEO_LLM_BASE_URL points "
                "at the API's /v1 root"
            ) from exc
        if not isinstance(content, str) or not content.strip():
            reason = choice.get("finish_reason") if isinstance(choice, dict) else None
            raise ProviderFailed(
                f"the script writer sent an empty reply (finish reason: {reason or 'none'}); "
                "try again, or try another model"
            )
        return content


def _refusal(response: httpx.Response, model: str) -> ProviderFailed:
    wording = RefusalWording(
        other=lambda said: f"the script writer refused the request ({said})",
        sentences={
            **common_sentences("the script writer"),
            Refusal.KEY_REFUSED: lambda said: (
                f"the script writer refused the API key ({said}); check AIVIDEO_LLM_API_KEY"
            ),
            Refusal.NO_CREDIT: lambda said: (
                f"the script writer's account has no credit left ({said}); add credit, or use "
                "another key"
            ),
            Refusal.NOT_FOUND: lambda said: (
                f"the script writer does not know the model {model!r}, or the URL is wrong "
                f"({said}); set AIVIDEO_LLM_MODEL to a model it serves and check "
                "AIVIDEO_LLM_BASE_URL"
            ),
        },
    )
    return wording.error(response.status_code, provider_message(response) or response.reason_phrase)


def _parse_script(content: str) -> WrittenScript:
    try:
        data = json.loads(_extract_json(content))
        scenes = [
            WrittenScene(
                narration=str(scene["narration"]).strip(),
                keywords=[str(k).strip() for k in scene.get("keywords", []) if str(k).strip()][:5],
            )
            for scene in data["scenes"][:MAX_SCENES]
        ]
        title = data.get("title")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ProviderFailed(
            "the script writer's reply was not the JSON script asked for (it began: "
            f"{_excerpt(content)!r}); try again, or use a model that follows instructions "
            "more closely"
        ) from exc
    scenes = [scene for scene in scenes if scene.narration]
    if not scenes:
        raise ProviderFailed(
            "the script writer's script had no narration in it; try again, or rephrase the prompt"
        )
    return WrittenScript(_title(title), scenes)


def _title(title: object) -> str | None:
    """The model's title on one line and within the 200 characters a title may have."""
    cleaned = " ".join(str(title).split())[:MAX_TITLE_CHARS] if title else ""
    return cleaned if is_speakable(cleaned) else None


_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def _extract_json(content: str) -> str:
    """The JSON object in a reply, without the code fence some models wrap it in."""
    content = content.strip()
    fenced = _FENCE.match(content)
    return fenced.group(1) if fenced else content


def _excerpt(text: str, length: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length] + "…"


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
