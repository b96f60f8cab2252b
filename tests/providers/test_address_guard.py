"""The address guard of user-given URLs, without the network.

Every address here is a literal, or ``localhost``: the resolver answers them
from this machine (numeric forms are read by ``inet_aton``, names from
/etc/hosts, and a malformed name is refused before any name server is asked).
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from aivideo.providers.address_guard import (
    NotPublic,
    UnknownHost,
    checked_destination,
    not_public,
)

LOOPBACK = "a loopback address"
LINK_LOCAL = "a link-local address (like the cloud metadata service)"
MULTICAST = "a multicast address"
PRIVATE = "a private network address"
RESERVED = "a reserved address"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", LOOPBACK),
        ("127.255.0.9", LOOPBACK),
        ("::1", LOOPBACK),
        ("0.0.0.0", LOOPBACK),  # reaches this machine on Linux
        ("::", LOOPBACK),
        ("10.1.2.3", PRIVATE),
        ("172.16.0.1", PRIVATE),
        ("192.168.1.1", PRIVATE),
        ("100.64.0.1", PRIVATE),  # carrier-grade NAT
        ("fc00::1", PRIVATE),  # unique local
        ("fec0::1", PRIVATE),  # site-local, which Python counts as global
        ("169.254.169.254", LINK_LOCAL),
        ("fe80::1", LINK_LOCAL),
        ("224.0.0.1", MULTICAST),
        ("ff02::1", MULTICAST),
        ("240.0.0.1", PRIVATE),
        ("192.0.2.1", PRIVATE),  # documentation
        ("2001:db8::1", PRIVATE),
        # IPv6 addresses that carry an IPv4 address are judged by it.
        ("::ffff:127.0.0.1", LOOPBACK),  # IPv4-mapped
        ("::ffff:10.0.0.1", PRIVATE),
        ("::127.0.0.1", LOOPBACK),  # IPv4-compatible
        ("::169.254.169.254", LINK_LOCAL),
        ("64:ff9b::7f00:1", LOOPBACK),  # NAT64 for 127.0.0.1
        ("2002:7f00:1::", LOOPBACK),  # 6to4 for 127.0.0.1, which Python counts as global
        ("2002:a9fe:a9fe::1", LINK_LOCAL),  # 6to4 for 169.254.169.254
        ("2002:c0a8:101::1", PRIVATE),  # 6to4 for 192.168.1.1
        # Teredo for the client 127.0.0.1 (stored inverted: 80ff:fffe) via server 65.54.227.120.
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", LOOPBACK),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", PRIVATE),  # Teredo for 10.0.0.1
    ],
)
def test_every_kind_of_inside_address_is_named(address: str, kind: str) -> None:
    assert not_public(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert not_public(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/hook", "127.0.0.1"),
        ("http://2130706433/hook", "127.0.0.1"),  # decimal
        ("http://017700000001/hook", "127.0.0.1"),  # octal
        ("http://0x7f.1/hook", "127.0.0.1"),  # hexadecimal, two parts
        ("http://0x7f000001/hook", "127.0.0.1"),
        ("http://127.1/hook", "127.0.0.1"),
        ("http://0/hook", "0.0.0.0"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1"),
        ("http://[::ffff:7f00:1]/hook", "::ffff:7f00:1"),
        ("http://[2002:7f00:1::]/hook", "2002:7f00:1::"),
        ("http://localhost:8080/hook", "127.0.0.1"),
    ],
)
async def test_numeric_forms_and_names_are_judged_by_the_address_they_resolve_to(
    url: str, address: str
) -> None:
    with pytest.raises(NotPublic) as refused:
        await checked_destination(httpx.URL(url), allow_private=False)

    assert str(refused.value.address) == address
    assert refused.value.kind == LOOPBACK


def test_a_leading_zero_form_httpx_cannot_read_is_not_a_url() -> None:
    # 0177.0.0.1 is 127.0.0.1 to inet_aton; httpx refuses it, so no request is ever made.
    with pytest.raises(httpx.InvalidURL):
        httpx.URL("http://0177.0.0.1/hook")


async def test_a_host_name_that_cannot_exist_is_unknown() -> None:
    with pytest.raises(UnknownHost) as unknown:
        await checked_destination(httpx.URL("http://a..b/hook"), allow_private=True)

    assert str(unknown.value) == "a..b is not a valid host name"


async def test_the_checked_address_is_where_the_request_goes_under_the_urls_own_name() -> None:
    destination = await checked_destination(
        httpx.URL("https://localhost:8443/hook?x=1"), allow_private=True
    )

    assert destination.address_url == "https://127.0.0.1:8443/hook?x=1"
    assert destination.headers == {"Host": "localhost:8443", "Connection": "close"}
    assert destination.extensions == {"sni_hostname": "localhost"}
