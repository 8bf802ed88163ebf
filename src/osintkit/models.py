"""Pydantic models of a brief: the public contract analysts write against."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from osintkit.errors import KeyPath
from osintkit.series import SERIES_KEY_PATTERN

_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# BCP 47 in the shape briefs use: language, optional script, region and variants.
_BCP47_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|\d{3}))?(-[a-zA-Z\d]{5,8})*$")
SOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"


def _iso_date(value: Any) -> Any:
    # Pydantic's lax mode would read 20250120 as seconds since 1970; a brief means a calendar day.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE_RE.match(value.strip()):
        raise ValueError("expected an ISO date, YYYY-MM-DD")
    return value.strip()


def _language_tag(value: str) -> str:
    if not _BCP47_RE.match(value):
        raise ValueError("expected a BCP 47 language tag such as en, fa or pt-BR")
    return value


def _no_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
LanguageTag = Annotated[str, AfterValidator(_language_tag)]
#: Markdown prose; may cite sources as [@id] or [@id, p. 4].
Markdown = Annotated[str, AfterValidator(_no_blank), Field(max_length=200_000)]
Line = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_no_blank)]
Volume = Annotated[int, Field(ge=1, le=9999, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ChallengeItem(_Model):
    """One bold-labelled item of the challenges list."""

    label: Line
    text: Markdown


class Challenges(_Model):
    """The "Challenges to …" section: an optional heading, an intro and labelled items."""

    title: Line | None = None
    intro: Markdown | None = None
    items: Annotated[list[ChallengeItem], Field(min_length=1)]


class Source(_Model):
    """A source the brief cites as ``[@id]``."""

    id: Annotated[str, Field(pattern=SOURCE_ID_PATTERN, max_length=100)]
    title: Line
    author: Line | None = None
    publisher: Line | None = None
    url: Annotated[str, Field(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)] | None = None
    language: LanguageTag | None = None
    published: IsoDate | None = None
    accessed: IsoDate | None = None
    #: A quotation in the source's own language, shown as written (right-to-left where it is).
    excerpt: Markdown | None = None


class Brief(_Model):
    """A brief: one issue of a series, in the order the report prints it."""

    series: Annotated[str, Field(pattern=SERIES_KEY_PATTERN)]
    volume: Volume
    issue: Volume
    title: Line
    subtitle: Line | None = None
    date: IsoDate
    language: LanguageTag = "en"
    authors: Annotated[list[Line], Field(min_length=1)]
    keywords: list[Line] = []
    executive_summary: Markdown
    background: Markdown
    geopolitical_context: Markdown
    challenges: Challenges
    #: Ends the closing contact line: "… monitoring services regarding <contact_topic>."
    contact_topic: Line | None = None
    sources: list[Source] = []


#: The Markdown fields of a brief, as key paths into its raw data, in reading order.
def markdown_fields(data: Any) -> Iterator[tuple[KeyPath, str]]:
    """Yield (key path, text) for every Markdown field present in raw brief data.

    Works on the raw mapping, not on a validated Brief, so citations can be checked even when
    another part of the brief is invalid and every problem is reported at once.
    """
    if not isinstance(data, dict):
        return
    for key in ("executive_summary", "background", "geopolitical_context"):
        if isinstance(data.get(key), str):
            yield (key,), data[key]
    challenges = data.get("challenges")
    if isinstance(challenges, dict):
        if isinstance(challenges.get("intro"), str):
            yield ("challenges", "intro"), challenges["intro"]
        items = challenges.get("items")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("text"), str):
                    yield ("challenges", "items", i, "text"), item["text"]
