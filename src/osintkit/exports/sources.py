"""A source as every export describes it: in one line, and its URL as a URI."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote

from osintkit.models import Source
from osintkit.tradecraft import CREDIBILITY, RELIABILITY, grade


def source_description(source: Source) -> str:
    """A source as one line: who, when, where archived, its Admiralty grade; "" for a source
    with none of these (its title is all there is, and every export names it already)."""
    parts = [p for p in (source.author, source.publisher) if p]
    if source.published:
        parts.append(f"published {source.published}")
    if source.accessed:
        parts.append(f"accessed {source.accessed.isoformat()}")
    if source.archive_url:
        parts.append(f"archived at {source.archive_url}")
    graded = grade(source.reliability, source.credibility)
    if graded:
        meaning = [
            RELIABILITY[source.reliability] if source.reliability else "",
            CREDIBILITY[source.credibility] if source.credibility else "",
        ]
        parts.append(f"Admiralty grade {graded} ({'; '.join(m for m in meaning if m)})")
    return "; ".join(parts)


#: What stays as written in a URI's path, query and fragment (RFC 3986 pchar, "/" and "?",
#: and "%" of an escape already there); letters, digits and "-._~" are always kept.
_TAIL_SAFE = "!$&'()*+,;=:@/?%"
#: What stays as written in a host (RFC 3986 reg-name: sub-delims and escapes).
_HOST_SAFE = "!$&'()*+,;=%"
#: A "%" that does not begin an escape: it stands for itself and is written "%25".
_LONE_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def uri(url: str) -> str:
    """``url`` (an http(s) URL as a brief writes it: Unicode allowed, an IRI) as an RFC 3986
    URI, which STIX's ``url`` must be: a Unicode host in IDNA (``xn--``), every other
    character outside the URI syntax percent-encoded as UTF-8. An ASCII URI is unchanged.
    """
    scheme, _, rest = url.partition("://")
    ends = [i for i in (rest.find(c) for c in "/?#") if i >= 0]
    authority, tail = rest[: min(ends, default=len(rest))], rest[min(ends, default=len(rest)) :]
    userinfo, at, hostport = authority.rpartition("@")
    host, colon, port = hostport.rpartition(":")
    if not colon or not (port.isdigit() or not port) or host.startswith("[") != host.endswith("]"):
        host, colon, port = hostport, "", ""
    path, hash_, fragment = tail.partition("#")
    return (
        f"{scheme}://{_escaped(userinfo, _HOST_SAFE + ':')}{at}{_host(host)}{colon}{port}"
        f"{_escaped(path, _TAIL_SAFE)}{hash_}{_escaped(fragment, _TAIL_SAFE)}"
    )


def _host(host: str) -> str:
    if host.startswith("[") and host.endswith("]"):
        return host  # an IP literal: validation's business, not an encoding's
    # A host with no IDNA form (a label too long) is escaped as RFC 3986 allows.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    return _escaped(host, _HOST_SAFE)


def _escaped(text: str, safe: str) -> str:
    return quote(_LONE_PERCENT_RE.sub("%25", text), safe=safe)
