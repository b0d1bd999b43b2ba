"""Who sent a request, as far as the site can tell: one rule for every limit, hash and ban.

The desk's sign-in throttle and the comments' rate limits, hashes and bans all key on the client's
address, so they must agree on what it is. Without a TLS proxy in front (`DATELINE_BEHIND_TLS_PROXY`
off) the client is the connection's own address, `REMOTE_ADDR`: anything in `X-Forwarded-For` was
written by the client and proves nothing. Behind proxies, each appends the address it received the
request from, so the entry `DATELINE_TRUSTED_PROXY_HOPS` places from the right is the one our
outermost trusted proxy saw; entries further left were written by the client and are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

# A client is limited with its neighbours: one home or small office gets one IPv4 /24 or one
# IPv6 /64, and an abuser moving within their own network stays inside it.
IPV4_NETWORK_BITS = 24
IPV6_NETWORK_BITS = 64
UNKNOWN = "unknown"


def client_address(request: HttpRequest) -> str:
    """The client's IP address in its canonical text form, or "unknown" when none can be read."""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        hops = getattr(settings, "TRUSTED_PROXY_HOPS", 1)
        if len(forwarded) >= hops:
            return _canonical(forwarded[-hops])
        # Fewer entries than proxies: the request did not come through all of them. The nearest
        # one we can see is still better than an address the client could have chosen.
    return _canonical(request.META.get("REMOTE_ADDR", ""))


def network_of(address: str) -> str:
    """The network a limit per neighbourhood counts: the /24 of an IPv4 address, the /64 of an
    IPv6 one, and the text itself for anything else."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    bits = IPV4_NETWORK_BITS if parsed.version == 4 else IPV6_NETWORK_BITS
    return str(ipaddress.ip_network(f"{parsed}/{bits}", strict=False))


def hashed(value: str, *, purpose: str) -> str:
    """A keyed hash of an address (or network) to store instead of the address itself.

    Keyed with the site's secret so a stolen table cannot be reversed by hashing all 2**32 IPv4
    addresses; `purpose` keeps hashes made for one use from matching another's.
    """
    key = f"dateline.client-address:{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _canonical(text: str) -> str:
    text = text.strip()
    # "[::1]:8080" and "1.2.3.4:5678" come from some proxies; the port says nothing of the client.
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        parsed = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return UNKNOWN
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)
