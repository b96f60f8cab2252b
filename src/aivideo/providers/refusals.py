"""What a provider's error reply means: one reading of HTTP statuses for every provider.

The script writer, the remote voice and the stock libraries each say in their
own words what to do next, but they agree on what a status means: a refused
key, an account out of credit or quota, a passing rate limit or a failing
server (both worth trying again later), a missing model, a redirect.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aivideo.providers.errors import ProviderFailed, ProviderUnavailable


class Refusal(enum.Enum):
    KEY_REFUSED = "key refused"
    NO_CREDIT = "no credit"
    QUOTA_USED_UP = "quota used up"
    RATE_LIMITED = "rate limited"
    NOT_FOUND = "not found"
    REDIRECTED = "redirected"
    FAILING = "failing"
    OTHER = "other"

    @property
    def passes(self) -> bool:
        """Whether waiting may help: the video is tried again later instead of failing."""
        return self in (Refusal.RATE_LIMITED, Refusal.FAILING)


def read_refusal(status: int, said: str) -> Refusal:
    """What the error reply ``status`` (with the provider's own words ``said``) means."""
    words = said.lower()
    # Pixabay answers a bad key with a 400 that says so.
    if status in (401, 403) or (status == 400 and "key" in words):
        return Refusal.KEY_REFUSED
    if status == 402:
        return Refusal.NO_CREDIT
    if status == 429:
        # OpenAI's used-up quota is a 429 too, but it does not pass by waiting.
        return Refusal.QUOTA_USED_UP if "quota" in words else Refusal.RATE_LIMITED
    if status == 404:
        return Refusal.NOT_FOUND
    if 300 <= status < 400:
        return Refusal.REDIRECTED
    if status >= 500:
        return Refusal.FAILING
    return Refusal.OTHER


# A provider's sentence for a refusal, given what it said ("HTTP 429: ...").
Sentence = Callable[[str], str]


@dataclass(frozen=True)
class RefusalWording:
    """One provider's sentences; refusals without one of their own get ``other``."""

    other: Sentence
    sentences: Mapping[Refusal, Sentence]

    def error(self, status: int, message: str) -> ProviderFailed:
        """The error for the reply ``status`` with the provider's ``message`` (may be "")."""
        said = f"HTTP {status}: {message}" if message else f"HTTP {status}"
        refusal = read_refusal(status, said)
        sentence = self.sentences.get(refusal, self.other)(said)
        return ProviderUnavailable(sentence) if refusal.passes else ProviderFailed(sentence)


def common_sentences(name: str) -> dict[Refusal, Sentence]:
    """The sentences every provider words alike: quota, rate limit, failing server."""
    return {
        Refusal.QUOTA_USED_UP: lambda said: (
            f"{name}'s quota is used up ({said}); raise the account's limits, then retry the video"
        ),
        Refusal.RATE_LIMITED: lambda said: (
            f"{name}'s rate limit was reached ({said}); the video is tried again later"
        ),
        Refusal.FAILING: lambda said: (
            f"{name} kept failing ({said}); it may be down: try again later"
        ),
    }
