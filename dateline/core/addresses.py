"""Which network addresses the fetcher may connect to.

A feed URL comes from the outside world. Without this check anyone who can add a feed could make
the server read its own admin ports, the cloud metadata service (169.254.169.254) or a machine on
the office network. Only globally routable unicast addresses pass; loopback passes too when the
caller says so (tests and the offline demo serve feeds from 127.0.0.1).
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, 6to4, Teredo, NAT64), if any.

    Such an address reaches the IPv4 host it embeds, so it must be judged as that host.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64 well-known prefix
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # The deprecated IPv4-compatible form ::a.b.c.d (but not :: or ::1 themselves).
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def refusal_reason(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why the fetcher must not connect to `address`, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal_reason(embedded, allow_loopback=allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    # Order matters only for the message: the most specific name first.
    for reason, hit in (
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if hit:
            return reason
    if not address.is_global:  # shared (100.64/10), benchmarking, documentation ranges...
        return "not globally routable"
    return None


def parse_address(text: str) -> IPAddress | None:
    """The address if `text` is an IP literal (brackets and IPv6 zone ids allowed), else None."""
    candidate = text.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None
