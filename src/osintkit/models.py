"""Pydantic models of a brief: the public contract analysts write against."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from osintkit.errors import KeyPath
from osintkit.fields import (
    Calendar,
    Confidence,
    Credibility,
    Email,
    FixedSection,
    HttpUrl,
    Instant,
    IsoDate,
    LanguageTag,
    Line,
    LintSettings,
    Markdown,
    PartialDate,
    RelativeFile,
    Reliability,
    SectionId,
    SeriesKey,
    Sha256,
    SourceId,
    Tlp,
    Volume,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ChallengeItem(_Model):
    """One bold-labelled item of the challenges list."""

    label: Line
    text: Markdown
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class Challenges(_Model):
    """The "Challenges to …" section: an optional heading, an intro and labelled items."""

    title: Line | None = None
    intro: Markdown | None = None
    items: Annotated[list[ChallengeItem], Field(min_length=1)]


class Capture(_Model):
    """A preserved copy of a source (a full-page PDF, a WACZ, the page's text) under the
    brief's folder, with the SHA-256 it had when captured."""

    file: RelativeFile
    sha256: Sha256
    #: When it was captured, as an instant (kept in UTC); not after the brief's date.
    captured: Instant
    #: What made the capture: ``SingleFile 1.22``, ``Hunchly``.
    tool: Line | None = None
    note: Line | None = None


class CustodyEntry(_Model):
    """One step of the chain of custody: who did what to the evidence, when."""

    at: Instant
    by: Line
    action: Line
    #: The capture files this step handled (each a capture's ``file``).
    files: list[RelativeFile] = []
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class Source(_Model):
    """A source the brief cites as ``[@id]``."""

    id: SourceId
    title: Line
    author: Line | None = None
    publisher: Line | None = None
    url: HttpUrl | None = None
    language: LanguageTag | None = None
    #: A date, or only a year or a month, as the chronology's.
    published: PartialDate | None = None
    accessed: IsoDate | None = None
    #: A quotation in the source's own language, shown as written (right-to-left where it is).
    excerpt: Markdown | None = None
    #: The excerpt in the report's language, shown beneath it.
    translation: Markdown | None = None
    #: Admiralty grading: how reliable the source is (A–F), how credible this information (1–6).
    reliability: Reliability | None = None
    credibility: Credibility | None = None
    #: A copy in a web archive (the Wayback Machine, archive.today).
    archive_url: HttpUrl | None = None
    #: What was preserved of it, files under the brief's folder.
    captures: list[Capture] = []
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class KeyJudgement(_Model):
    """An assessment with its probability (a term of the series' yardstick) and confidence."""

    text: Markdown
    likelihood: Line
    confidence: Confidence
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class TimelineEvent(_Model):
    """One dated event of the chronology; the date may be a year or a month."""

    date: PartialDate
    event: Markdown
    source: SourceId | None = None
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class Author(_Model):
    """An author with a role and an affiliation; a brief may also name an author by a string."""

    name: Line
    role: Line | None = None
    affiliation: Line | None = None
    email: Email | None = None


#: The steps a union of shapes adds to an error's location, after the list index: dropped
#: when the error is reported, so it reads "authors[1].email", not "authors[1].Author.email".
UNION_TAGS = frozenset(("as-name", "as-mapping"))


def _author_shape(value: Any) -> str:
    return "as-mapping" if isinstance(value, dict | Author) else "as-name"


#: A string or a mapping, chosen by what is written: a mapping's problems are reported
#: alone, not beside "input should be a valid string" for the other shape.
AuthorEntry = Annotated[
    Annotated[Line, Tag("as-name")] | Annotated[Author, Tag("as-mapping")],
    Discriminator(_author_shape),
]


class Section(_Model):
    """A section beyond the four fixed ones, placed after one of them."""

    id: SectionId
    title: Line
    #: The fixed section it follows directly, before what the template sets after that one
    #: (the chronology after the background).
    after: FixedSection = "challenges"
    body: Markdown
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class Appendix(_Model):
    """An annex after the sources, lettered in order: "Annex A: …"."""

    id: SectionId
    title: Line
    body: Markdown
    #: Released only to editions at this TLP level or above; default: what contains it.
    tlp: Tlp | None = None


class Brief(_Model):
    """A brief: one issue of a series, in the order the report prints it."""

    series: SeriesKey
    volume: Volume
    issue: Volume
    title: Line
    subtitle: Line | None = None
    date: IsoDate
    language: LanguageTag = "en"
    #: "persian" adds the Solar Hijri date beside the Gregorian one; default: the series'.
    calendar: Calendar | None = None
    authors: Annotated[list[AuthorEntry], Field(min_length=1)]
    keywords: list[Line] = []
    #: "Bottom line up front": one short paragraph set first inside the summary box.
    bluf: Markdown | None = None
    #: A table of contents after the title block; default: the series'.
    toc: bool | None = None
    executive_summary: Markdown
    background: Markdown
    geopolitical_context: Markdown
    challenges: Challenges
    #: Ends the closing contact line: "… monitoring services regarding <contact_topic>."
    contact_topic: Line | None = None
    #: A draft renders with a DRAFT watermark and stays out of the published catalogue.
    status: Literal["draft", "final"] = "final"
    #: Traffic Light Protocol marking; default: the series'.
    tlp: Tlp | None = None
    #: The marking of every unmarked portion, below the brief's own (``CLEAR`` for a brief
    #: that is mostly public); default: the brief's TLP.
    portion_default: Tlp | None = None
    #: The audiences the brief is released to, each an edition (``[CLEAR, AMBER]``); the
    #: full edition is always the brief's TLP. Default: the series'.
    editions: list[Tlp] | None = None
    key_judgements: list[KeyJudgement] = []
    timeline: list[TimelineEvent] = []
    sources: list[Source] = []
    #: Extra sections, each after the fixed section it names.
    sections: list[Section] = []
    #: Annexes after the sources.
    appendices: list[Appendix] = []
    #: The chain of custody of the captures, in time order.
    custody: list[CustodyEntry] = []
    #: Printed at the end, after the annexes; default: the series'.
    disclaimer: Markdown | None = None
    lint: LintSettings = LintSettings()

    def author_names(self) -> list[str]:
        """The authors' names, whichever way each is written."""
        return [a if isinstance(a, str) else a.name for a in self.authors]


def markdown_fields(data: Any) -> Iterator[tuple[KeyPath, str]]:
    """Yield (key path, text) for every Markdown field present in raw brief data.

    The fields are found by walking the models for the ``Markdown`` annotation, so a Markdown
    field added to a model is checked (citations, nesting, figures) and linted without being
    listed anywhere. Works on the raw mapping, not on a validated Brief, so citations can be
    checked even when another part of the brief is invalid and every problem is reported at
    once; a value of the wrong shape is skipped (the model reports it).
    """
    yield from _markdown_in(data, Brief, ())


def _markdown_in(value: Any, annotation: Any, key_path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if annotation is Markdown:
        if isinstance(value, str):
            yield key_path, value
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        yield from _markdown_in(value, args[0], key_path)
    elif origin in (Union, types.UnionType):
        for option in args:
            yield from _markdown_in(value, option, key_path)
    elif origin is list and isinstance(value, list):
        for i, item in enumerate(value):
            yield from _markdown_in(item, args[0], (*key_path, i))
    elif origin is dict and isinstance(value, dict):
        for key, item in value.items():
            yield from _markdown_in(item, args[1], (*key_path, key))
    elif (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and isinstance(value, dict)
    ):
        for name, hint in _field_hints(annotation).items():
            if name in value:
                yield from _markdown_in(value[name], hint, (*key_path, name))


@cache
def _field_hints(model: type[BaseModel]) -> dict[str, Any]:
    """The annotations of a model's fields as written (``Markdown`` kept), in field order."""
    hints = typing.get_type_hints(model, include_extras=True)
    return {name: hints[name] for name in model.model_fields}
