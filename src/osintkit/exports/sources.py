"""A source as every export describes it in one line."""

from __future__ import annotations

from osintkit.models import Source
from osintkit.tradecraft import CREDIBILITY, RELIABILITY, grade


def source_description(source: Source) -> str:
    """A source as one line: who, when, where archived, its Admiralty grade."""
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
    return "; ".join(parts) or source.title
