"""Which addresses a user-given URL may make this server connect to: public ones only.

A ``media_urls`` entry or a ``webhook_url`` makes this server send a request
to an address a user chose. Its host must resolve to public addresses only —
not loopback, a private network, the cloud metadata service or any other
address meant for the inside — and the request must then go to the very
address that was checked (:class:`Destination`): a DNS answer that changes
between the check and the connection (DNS rebinding) cannot point it
elsewhere.

Hosts are judged by what the resolver makes of them, so the numeric forms
(``2130706433``, ``0x7f.1``, ``127.1``) are judged as the address they are;
IPv6 addresses that carry an IPv4 address (mapped, compatible, NAT64, 6to4,
Teredo) are judged by the IPv4 address too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DNS_TIMEOUT = 5.0  # seconds to resolve a host

_COMPATIBLE = ipaddress.IPv6Network("::/96")  # ::a.b.c.d, deprecated "IPv4-compatible"
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the embedded address is reached
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT: a provider's inside


class RefusedHost(Exception):
    """A URL's host this server will not connect to; ``str()`` says why, in a few words."""


class UnknownHost(RefusedHost):
    """The host does not resolve: no such name, or not a name at all."""


class NotPublic(RefusedHost):
    """The host resolves to an address that is not on the public internet."""

    def __init__(self, host: str, address: IpAddress, kind: str) -> None:
        super().__init__(f"{host} is {kind} ({address})")
        self.address, self.kind = address, kind


class NameServerSilent(Exception):
    """The name server did not answer in time: worth trying again later."""


@dataclass(frozen=True)
class Destination:
    """Where a request for ``url`` goes: the checked ``address``, under the URL's own name."""

    url: httpx.URL
    address: str

    @property
    def address_url(self) -> str:
        """``url`` with the checked address for its host: nothing resolves the name again."""
        return str(self.url.copy_with(host=self.address))

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Host": self.url.netloc.decode("ascii"),
            # The pooled connection is keyed by address, not by name: one host's
            # verified TLS connection must not be reused for another on that address.
            "Connection": "close",
        }

    @property
    def extensions(self) -> dict[str, str]:
        # TLS names the host (SNI) and checks its certificate against the name, not the address.
        return {"sni_hostname": self.url.raw_host.decode("ascii")}


async def checked_destination(url: httpx.URL, *, allow_private: bool) -> Destination:
    """Resolve ``url``'s host; every address it has must be public unless ``allow_private``.

    Returns:
        The destination to send the request to (an IPv4 address when there is one:
        it works on machines whose IPv6 has no route out).

    Raises:
        UnknownHost: the host does not resolve.
        NotPublic: one of its addresses is not public (the first such one is named).
        NameServerSilent: the name server did not answer within ``DNS_TIMEOUT``.
    """
    addresses = await _resolved(url)
    if not allow_private:
        for address in addresses:
            if (kind := not_public(address)) is not None:
                raise NotPublic(url.host, address, kind)
    chosen = min(addresses, key=lambda address: address.version)
    return Destination(url, str(chosen))


async def _resolved(url: httpx.URL) -> list[IpAddress]:
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        # A name server that never answers must not hold the caller for the
        # resolver's own (long) timeout.
        async with asyncio.timeout(DNS_TIMEOUT):
            found = await asyncio.get_running_loop().getaddrinfo(
                url.raw_host.decode("ascii"), port, type=socket.SOCK_STREAM
            )
    except UnicodeError as exc:  # an empty or over-long label: no name server is asked
        raise UnknownHost(f"{host} is not a valid host name") from exc
    except TimeoutError as exc:
        raise NameServerSilent(f"the name server did not answer for {host}") from exc
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:
            raise NameServerSilent(f"the name server did not answer for {host}") from exc
        raise UnknownHost(f"there is no host named {host} ({exc.strerror})") from exc
    # A scoped IPv6 address ("fe80::1%eth0") comes back with its scope: the address is before it.
    return [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]


def not_public(address: IpAddress) -> str | None:
    """What kind of non-public address this is ("a loopback address"), or None for a public one."""
    for inner in _embedded_ipv4(address):
        if (kind := _kind(inner)) is not None:
            return kind
    if isinstance(address, ipaddress.IPv6Address) and (address.ipv4_mapped or address in _NAT64):
        return None  # the connection goes to the embedded IPv4 address, judged above
    return _kind(address)


def _embedded_ipv4(address: IpAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which a tunnel or translator would reach."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        return [address.ipv4_mapped]
    if address in _NAT64:
        return [low32]
    if address in _COMPATIBLE and not (address.is_loopback or address.is_unspecified):
        return [low32]
    if address.sixtofour:  # 2002:7f00:1:: is 6to4 for 127.0.0.1
        return [address.sixtofour]
    if address.teredo:  # 2001:0:<server>:...:<client, inverted>
        return list(address.teredo)
    return []


def _kind(address: IpAddress) -> str | None:
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    shared = isinstance(address, ipaddress.IPv4Address) and address in _SHARED
    kinds = [
        # 0.0.0.0 and :: reach this machine too, on Linux.
        (address.is_loopback or address.is_unspecified, "a loopback address"),
        (address.is_link_local, "a link-local address (like the cloud metadata service)"),
        (address.is_multicast, "a multicast address"),
        (address.is_private or site_local or shared, "a private network address"),
        (address.is_reserved or not address.is_global, "a reserved address"),
    ]
    return next((kind for matches, kind in kinds if matches), None)
