"""The script writer: an OpenAI-compatible chat API turns a prompt into a narration.

OpenAI, Ollama, vLLM and llama.cpp's server all speak ``/chat/completions``.
The model is asked for JSON: a title and scenes, each with its narration (in
the video's language, named in English) and a few keywords for stock footage.
A reply in prose that reads as a narration is used as one (see
:mod:`aivideo.providers.script_prose`), and the script says so. The reply
is bounded (``max_tokens``), and the narration kept is at most the text limit
a user's own text has. Replies are cached by a hash of everything that shapes
them, so the same prompt is never paid for twice.

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
from aivideo.core.script import MAX_TEXT_CHARS, is_speakable
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.http_calls import ProviderHttp, provider_message
from aivideo.providers.refusals import Refusal, RefusalWording, common_sentences
from aivideo.providers.script_prose import NotANarration, prose_paragraphs

WORDS_PER_SECOND = 2.5  # a calm narrator: 150 words a minute
MAX_SCENES = 40
MAX_TITLE_CHARS = 200  # as the API allows, and the database column holds

SYSTEM_PROMPT = """You write narrations for short explainer videos.
Answer with one JSON object and nothing else, shaped like this:
{"title": "a short title",
 "scenes": [{"narration": "two or three spoken sentences", "keywords": ["two", "or three"]}]}
Rules: about {words} words of narration in all; plain spoken sentences (no markdown, no
lists, no stage directions, no emoji); each scene's keywords are concrete, filmable things
for searching stock footage (for example "river", "rain clouds").
Write the title and the narration in {language}, whatever language the request is in; the
keywords stay in English, the language stock footage is searched in."""

# Bump when the request changes in a way that changes replies: old cache entries then miss.
_REQUEST_VERSION = "3"
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’)\]]*\s")


@dataclass(frozen=True)
class WrittenScene:
    narration: str
    keywords: list[str]


@dataclass(frozen=True)
class WrittenScript:
    title: str | None
    scenes: list[WrittenScene]
    from_prose: bool = False  # the reply was prose, not the JSON asked for
    shortened: bool = False  # the narration was cut to MAX_TEXT_CHARS

    @property
    def narration(self) -> str:
        return "\n\n".join(scene.narration for scene in self.scenes)


class ScriptWriter:
    def __init__(self, http: ProviderHttp, model: str, cache: Cache, cache_ttl: float) -> None:
        self.http = http
        self.model = model
        self.cache = cache
        self.cache_ttl = cache_ttl

    async def write(
        self, prompt: str, target_seconds: int, language: str = "English"
    ) -> WrittenScript:
        """A script of about ``target_seconds`` of narration about ``prompt``, in ``language``
        (its English name, as the model reads it: "Spanish (Mexico)")."""
        words = round(target_seconds * WORDS_PER_SECOND)
        system = SYSTEM_PROMPT.replace("{words}", str(words)).replace("{language}", language)
        request = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": prompt},
            ],
            "response_format": {"type": "json_object"},
            "temperature": 0.7,
            "max_tokens": max_tokens(words),
        }
        key = "script:" + _digest(_REQUEST_VERSION, self.http.base_url, request)
        cached = await self.cache.get(key)
        if isinstance(cached, str):
            return _script_from_reply(cached, words, finish_reason=None)
        content, finish_reason = await self._complete(request)
        script = _script_from_reply(content, words, finish_reason)
        await self.cache.set(key, content, self.cache_ttl)  # only a reply that made a script
        return script

    async def _complete(self, request: dict[str, Any]) -> tuple[str, str | None]:
        """The reply's text, and why the model stopped ("length": at ``max_tokens``)."""
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
        reason = choice.get("finish_reason") if isinstance(choice, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise ProviderFailed(
                f"the script writer sent an empty reply (finish reason: {reason or 'none'}); "
                "try again, or try another model"
            )
        return content, reason if isinstance(reason, str) else None


def max_tokens(words: int) -> int:
    """Room for ``words`` of narration as JSON, with keywords, and to spare.

    English takes about 1.3 tokens a word, other languages up to twice that;
    the JSON around it a few hundred. Never much more than the text limit.
    """
    return min(words * 2 + 300, MAX_TEXT_CHARS // 2)


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


def _script_from_reply(content: str, words: int, finish_reason: str | None) -> WrittenScript:
    """The script in a reply: its JSON, or else prose that reads as a narration."""
    body = _extract_json(content)
    if not body.startswith(("{", "[")):
        try:
            paragraphs = prose_paragraphs(body, words)
        except NotANarration as exc:
            raise ProviderFailed(
                f"the script writer's reply was neither the JSON script asked for nor a "
                f"narration: {exc} (it began: {_excerpt(content)!r}); try again, or use a model "
                "that follows instructions more closely"
            ) from exc
        scenes = [WrittenScene(paragraph, []) for paragraph in paragraphs]
        return _within_limit(WrittenScript(None, scenes, from_prose=True))
    try:
        return _within_limit(_parse_script(body))
    except ProviderFailed:
        if finish_reason != "length":
            raise
        raise ProviderFailed(
            f"the script writer stopped at its limit of {max_tokens(words)} tokens before the "
            "script was complete; ask for a shorter video (target_seconds), or try again"
        ) from None


def _within_limit(script: WrittenScript) -> WrittenScript:
    """The script, its narration cut after the last whole sentence within MAX_TEXT_CHARS."""
    if len(script.narration) <= MAX_TEXT_CHARS:
        return script
    kept: list[WrittenScene] = []
    room = MAX_TEXT_CHARS
    for scene in script.scenes:
        if len(scene.narration) > room:
            cut = _cut(scene.narration, room)
            if is_speakable(cut):
                kept.append(WrittenScene(cut, scene.keywords))
            break
        kept.append(scene)
        room -= len(scene.narration) + 2  # the blank line between two scenes
    return WrittenScript(script.title, kept, from_prose=script.from_prose, shortened=True)


def _cut(text: str, room: int) -> str:
    """``text`` up to the end of its last sentence that fits ``room``; else its last word."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text[: room + 1])]
    if ends:
        return text[: ends[-1]].rstrip()
    return text[:room].rsplit(None, 1)[0] if " " in text[:room] else ""


def _parse_script(content: str) -> WrittenScript:
    try:
        data = json.loads(content)
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
