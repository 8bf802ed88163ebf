"""The evidence register as data (``<name>.evidence.json``): what was preserved of each source
and the chain of custody, for tools that check a report's evidence without reading its PDF.

Deterministic: the same brief gives the same bytes (keys in a fixed order, sources in the
brief's order, times as UTC instants with ``Z``), UTF-8 with its non-ASCII text as written.
"""

from __future__ import annotations

import json
from typing import Any

from osintkit.fields import instant_text
from osintkit.models import Capture, CustodyEntry, Source
from osintkit.outline import has_evidence
from osintkit.validation import LoadedBrief

#: What a reader of the file checks first: which layout of the data this is.
FORMAT = "osintkit-evidence/1"


def evidence_json(loaded: LoadedBrief) -> bytes | None:
    """The evidence register of ``loaded`` (an edition's LoadedBrief for that edition's) as
    JSON bytes, or None when no source has captures or an archive link and there is no
    chain of custody (the report then has no register either)."""
    brief = loaded.brief
    if not has_evidence(brief):
        return None
    data = {
        "format": FORMAT,
        "brief": {
            "series": brief.series,
            "volume": brief.volume,
            "issue": brief.issue,
            "title": brief.title,
            "date": brief.date.isoformat(),
            "tlp": brief.tlp or loaded.series.tlp,
        },
        "sources": [_source(s) for s in brief.sources if s.captures or s.archive_url],
        "custody": [_custody(entry) for entry in brief.custody],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _source(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "url": source.url,
        "archive_url": source.archive_url,
        "captures": [_capture(c) for c in source.captures],
    }


def _capture(capture: Capture) -> dict[str, Any]:
    return {
        "file": capture.file,
        "sha256": capture.sha256,
        "captured": instant_text(capture.captured, "auto"),
        "tool": capture.tool,
        "note": capture.note,
    }


def _custody(entry: CustodyEntry) -> dict[str, Any]:
    return {
        "at": instant_text(entry.at, "auto"),
        "by": entry.by,
        "action": entry.action,
        "files": list(entry.files),
    }
