"""Where fetching may connect: public addresses only, unless the settings allow private ones.

A feed is untrusted input: its items and its redirects may name any host, and a host's name may
resolve to the machine itself (127.0.0.1, ::1), the intranet (10/8, 192.168/16, fc00::/7), a
cloud's metadata service (169.254.169.254) or another link-local address. The check is made
where the connection is made: :class:`GuardedBackend` is the network backend of the HTTP client
(httpcore's), so it resolves the host itself, refuses it when any of its addresses is not public,
and connects to an address it checked. A name that resolves to a public address when checked and
to a private one a moment later (DNS rebinding) therefore cannot slip through, and every
connection is checked, whichever redirect hop or reused pool asked for it. A proxy is never used.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

import httpcore

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Addresses that carry an IPv4 address inside an IPv6 one (NAT64's well-known prefix).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(httpcore.ConnectError):
    """A host that resolves to an address fetching may not reach."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the public internet: not loopback, private, link-local,
    shared (carrier-grade NAT), reserved or multicast; nor an IPv6 address carrying one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:  # fe80::1%eth0
            return False
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, for a TCP connection (an IP address: itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"{host} cannot be resolved: {exc}") from exc
    return list(dict.fromkeys(info[4][0] for info in found))


def refused_addresses(addresses: Iterable[str]) -> list[str]:
    """Those of ``addresses`` that are not public."""
    return [text for text in addresses if not is_public(ipaddress.ip_address(text))]


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's own network backend, connecting only to addresses it has checked: public
    ones, those of ``networks``, or any when ``allow_private``."""

    def __init__(self, allow_private: bool = False, networks: Iterable[str] = ()):
        self.allow_private = allow_private
        self.networks = [ipaddress.ip_network(network) for network in networks]

    def refused(self, addresses: Iterable[str]) -> list[str]:
        """Those of ``addresses`` this backend does not connect to."""
        if self.allow_private:
            return []
        return [
            text
            for text in refused_addresses(addresses)
            if not any(ipaddress.ip_address(text) in network for network in self.networks)
        ]

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        refused = self.refused(addresses)
        if refused:
            raise AddressRefused(
                f"{host} resolves to {', '.join(refused)}, a loopback, private or "
                "link-local address: not fetched (ARKHIV_FETCH_PRIVATE=1 allows it)"
            )
        last_error: Exception | None = None
        for address in addresses:  # each one checked above; a literal address: no new lookup
            try:
                return super().connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error
