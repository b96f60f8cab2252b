"""What a provider's failure means for the video: a sentence a person can act on."""

from __future__ import annotations

from aivideo.core.errors import AivideoError


class ProviderFailed(AivideoError):
    """A provider refused or could not serve the request; the video fails with this message."""

    status_code = 502
    code = "provider_failed"


class ProviderUnavailable(ProviderFailed):
    """A provider did not answer, or kept failing, after every retry: worth another attempt."""

    code = "provider_unavailable"
    transient = True
