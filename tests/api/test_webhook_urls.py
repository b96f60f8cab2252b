"""A ``webhook_url`` on the inside of the network is refused when the video is created.

The server runs with its default settings (private addresses not allowed).
Every host here is a literal address or a malformed name: nothing is asked of
a name server.
"""

from __future__ import annotations

import pytest

from tests.api.test_video_files import SHORT
from tests.support.server import Api

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

REFUSED = "which this server does not send webhooks to; use a URL on the public internet"


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address (127.0.0.1)"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address (::ffff:7f00:1)"),
        ("http://2130706433/", "127.0.0.1 is a loopback address (127.0.0.1)"),
        ("http://0177.0.0.1/", "127.0.0.1 is a loopback address (127.0.0.1)"),
        ("http://0x7f.1/hook", "127.0.0.1 is a loopback address (127.0.0.1)"),
        ("http://[2002:7f00:1::]/", "2002:7f00:1:: is a loopback address (2002:7f00:1::)"),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "2001:0:4136:e378:8000:63bf:80ff:fffe is a loopback address "
            "(2001:0:4136:e378:8000:63bf:80ff:fffe)",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address (like the cloud metadata service) "
            "(169.254.169.254)",
        ),
        ("https://10.0.0.7:8443/hook", "10.0.0.7 is a private network address (10.0.0.7)"),
    ],
)
async def test_a_webhook_url_that_is_not_public_is_refused_naming_the_field(
    api: Api, url: str, refusal: str
) -> None:
    response = await api.alice.post("/v1/videos", json={**SHORT, "webhook_url": url})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == f"webhook_url: {refusal}, {REFUSED}"
    assert (await api.alice.get("/v1/videos")).json()["items"] == []


async def test_a_webhook_url_whose_host_cannot_resolve_is_refused(api: Api) -> None:
    response = await api.alice.post("/v1/videos", json={**SHORT, "webhook_url": "http://a..b/"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "webhook_url: a..b is not a valid host name; check the URL"
    )


async def test_a_batch_names_the_video_whose_webhook_url_is_refused(api: Api) -> None:
    videos = [SHORT, {**SHORT, "webhook_url": "http://[::1]:9000/hook"}]

    response = await api.alice.post("/v1/videos/batch", json={"videos": videos})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        f"videos[1].webhook_url: ::1 is a loopback address (::1), {REFUSED}"
    )
    assert (await api.alice.get("/v1/videos")).json()["items"] == []
