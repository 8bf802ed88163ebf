"""The series registry: which series exist, their ISSN, publisher, unit and template."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, RootModel

from osintkit.fields import (
    Calendar,
    Email,
    HttpUrl,
    Issn,
    LikelihoodScale,
    LintSettings,
    SeriesKey,
    Tlp,
)

NonEmpty = Annotated[str, Field(min_length=1, max_length=300)]


class Series(BaseModel):
    """One publication series, as the registry describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: NonEmpty
    #: A series without one prints no ISSN anywhere.
    issn: Issn | None = None
    publisher: NonEmpty
    unit: NonEmpty
    contact: Email
    template: NonEmpty = "series"
    #: The series' home page (the Atom feed's alternate link).
    url: HttpUrl | None = None
    #: Where ``osintkit build``'s ``site/<series>/`` folder is published: a public report's
    #: record names its PDF there (``citation_pdf_url``).
    site_url: HttpUrl | None = None
    #: The calendar of every brief of the series that does not name its own.
    calendar: Calendar = "gregorian"
    #: The TLP marking of every brief of the series that does not name its own.
    tlp: Tlp = "CLEAR"
    #: The editions (audiences) of every brief of the series that does not list its own.
    editions: list[Tlp] = []
    #: The probability yardstick of key judgements: UK PHIA or US ICD 203.
    likelihood_scale: LikelihoodScale = "phia"
    #: Replaces the closing contact sentence; ``{contact}`` is the address, ``{topic}`` the
    #: brief's ``contact_topic`` or, without one, the series title.
    contact_text: NonEmpty | None = None
    #: The disclaimer of every brief of the series that has none of its own (Markdown).
    disclaimer: Annotated[str, Field(min_length=1, max_length=5000)] | None = None
    #: Whether briefs of the series that do not say have a table of contents.
    toc: bool = False
    #: ``osintkit lint`` rules switched off for every brief of the series.
    lint: LintSettings = LintSettings()


class Registry(RootModel[dict[SeriesKey, Series]]):
    """Every series of a registry file, by key."""
