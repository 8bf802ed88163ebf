"""A brief's sources as CSL-JSON (CSL 1.0.2 input data), which Zotero, pandoc and every
citeproc import as a bibliography.

A source with a URL is a ``webpage``, one without a ``document``. Its author and publisher are
names as written (a ``literal`` name: a brief does not split "Ministry of Foreign Affairs"
or "Jane Doe" into family and given names, and guessing would misfile both); a date given as
a year or a month is ``date-parts`` of that length. A brief without sources has nothing to
export: :func:`csl_json` returns None.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

from osintkit.models import Source
from osintkit.validation import LoadedBrief


def csl_json(loaded: LoadedBrief) -> bytes | None:
    """The brief's sources as a CSL-JSON array, UTF-8 (indented, non-ASCII kept), or None
    for a brief without sources."""
    if not loaded.brief.sources:
        return None
    items = [csl_item(source) for source in loaded.brief.sources]
    return (json.dumps(items, indent=2, ensure_ascii=False) + "\n").encode()


def csl_item(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item; its ``id`` is the brief's source id."""
    item: dict[str, Any] = {
        "id": source.id,
        "type": "webpage" if source.url else "document",
        "title": source.title,
    }
    if source.author:
        item["author"] = [{"literal": source.author}]
    if source.publisher:
        item["publisher"] = source.publisher
    if source.url:
        item["URL"] = source.url
    if source.published:
        item["issued"] = {"date-parts": [[int(part) for part in source.published.split("-")]]}
    if source.accessed:
        item["accessed"] = _date_parts(source.accessed)
    if source.language:
        item["language"] = source.language
    if source.archive_url:
        # CSL's "archive" names the archive (its host: web.archive.org, archive.ph),
        # "archive_location" where in it the copy is.
        item["archive"] = urlsplit(source.archive_url).hostname or source.archive_url
        item["archive_location"] = source.archive_url
    return item


def _date_parts(day: dt.date) -> dict[str, Any]:
    return {"date-parts": [[day.year, day.month, day.day]]}
