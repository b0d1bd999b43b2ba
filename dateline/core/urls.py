"""Canonical URLs: one spelling per article, so the same story seen in two feeds is stored once.

`canonical_url()` is a dedupe key, not a link to show: it keeps what identifies a page on the
publisher's server and drops what only says how the reader arrived there. Two spellings that a
publisher's server treats as one page get one key:

- scheme and host lower-cased, `http` counted as `https` (outlets moved to https; feeds lag),
  IDN hosts in their ASCII (punycode) form, a trailing dot on the host removed;
- default ports (80, 443), user names and passwords, and the #fragment dropped;
- `.` and `..` path segments resolved, percent-escapes in upper case, escapes of characters
  that need none decoded, the trailing slash dropped (the bare root stays `/`);
- tracking parameters dropped (utm_*, fbclid, gclid and the others in `TRACKING_PARAMETERS`),
  the rest sorted so their order does not matter.
"""

from __future__ import annotations

import posixpath
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from dateline.core.errors import InvalidInput

# Exact names of parameters that only track the reader (campaigns, click ids, referral tags).
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_enc_id",
        "oly_anon_id", "vero_id", "rb_clickid", "s_cid", "cmpid", "ocid", "smid", "smtyp",
        "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "sr_share",
        "xtor", "guccounter", "guce_referrer", "guce_referrer_sig", "spm", "ref_src", "cmp",
    }
)  # fmt: skip
# Parameter name prefixes that only track: utm_source, utm_medium, pk_campaign, ...
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "ga_", "__hs", "at_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters a path segment may carry unescaped (RFC 3986 pchar less the escape itself).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


class InvalidURL(InvalidInput):
    """The text is not an absolute http(s) URL."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url!r}: {message}")
        self.url = url


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def _host(url: str, hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if not host:
        raise InvalidURL(url, "no host")
    if ":" in host:  # an IPv6 literal
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        # Not valid IDNA 2003 (some emoji domains); keep it lower-cased rather than refuse it.
        return host


def _path(path: str) -> str:
    # Decode then re-encode: %7E and ~ become one spelling; %2F stays escaped because a decoded
    # slash would change the path's structure.
    safe = _PATH_SAFE.replace("/", "")
    # surrogateescape keeps bytes that are not UTF-8 (%FF) as they were instead of folding them
    # all into U+FFFD, which would give different pages one key.
    parts = [
        quote(unquote(segment, errors="surrogateescape"), safe=safe, errors="surrogateescape")
        for segment in path.split("/")
    ]
    joined = "/".join(parts) or "/"
    normal = posixpath.normpath(joined) if joined != "/" else "/"
    if normal.startswith("//"):  # normpath keeps a leading '//' (POSIX); a URL path does not
        normal = "/" + normal.lstrip("/")
    return normal.rstrip("/") or "/"


def _query(query: str) -> str:
    pairs = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape")
        if not is_tracking_parameter(name)
    ]
    pairs.sort()
    return urlencode(pairs, quote_via=quote, safe="/:@!$'()*,;-._~", errors="surrogateescape")


def canonical_url(url: str) -> str:
    """The dedupe key of an http(s) URL. Raises InvalidURL for anything else."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise InvalidURL(url, str(error)) from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(url, "only http and https URLs have a canonical form")
    host = _host(url, parts.hostname or "")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit(("https", netloc, _path(parts.path), _query(parts.query), ""))


def web_link(link: str | None) -> str:
    """``link`` if it is a web (http or https) address, else "": what may be written into an href
    that a reader or an editor clicks (a `javascript:` or `data:` link would run in the browser)."""
    try:
        web = bool(link) and urlsplit(link or "").scheme.lower() in ("http", "https")
    except ValueError:
        web = False
    return (link or "") if web else ""
