"""A validated brief + a template → one self-contained HTML document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from osintkit import __version__
from osintkit.errors import TemplateError
from osintkit.markdown import CitationIndex, render_markdown
from osintkit.models import Source
from osintkit.templates import TEMPLATE_FILE, ReportTemplate
from osintkit.validation import LoadedBrief

#: Primary language subtags written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug", "ku"})


def text_direction(language: str) -> str:
    """Return "rtl" or "ltr" for a BCP 47 tag (a script subtag such as -Latn wins)."""
    parts = language.lower().split("-")
    if any(p in ("arab", "hebr", "thaa", "syrc") for p in parts[1:]):
        return "rtl"
    if any(p in ("latn", "cyrl") for p in parts[1:]):
        return "ltr"
    return "rtl" if parts[0] in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True, slots=True)
class Reference:
    """A source as the reference list prints it: its number and its rendered excerpt."""

    number: int
    source: Source
    excerpt: Markup | None
    excerpt_direction: str


def render_html(loaded: LoadedBrief, template: ReportTemplate) -> str:
    """Return the report as one HTML document with its CSS inlined.

    Raises :class:`TemplateError` when the template itself fails.
    """
    brief = loaded.brief
    citations = CitationIndex({s.id for s in brief.sources})
    # Reading order matters: sources are numbered in the order they are first cited.
    sections: dict[str, Any] = {
        "executive_summary": render_markdown(brief.executive_summary, citations),
        "background": render_markdown(brief.background, citations),
        "geopolitical_context": render_markdown(brief.geopolitical_context, citations),
        "challenges_intro": (
            render_markdown(brief.challenges.intro, citations) if brief.challenges.intro else ""
        ),
        "challenges_items": [
            {"label": item.label, "html": render_markdown(item.text, citations, inline=True)}
            for item in brief.challenges.items
        ],
    }
    context = {
        "brief": brief,
        "series": loaded.series,
        "labels": template.labels(brief.language),
        "direction": text_direction(brief.language),
        "series_line": (
            f"{loaded.series.title} ISSN {loaded.series.issn} "
            f"Volume {brief.volume} Issue {brief.issue}"
        ),
        "sections": sections,
        "references": _references(brief.sources, citations, brief.language),
        "css": Markup(template.stylesheet().replace("</", "<\\/")),
        "version": __version__,
    }
    try:
        return template.environment().get_template(TEMPLATE_FILE).render(context)
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise TemplateError(f"{where}template {template.name}: {exc.message}") from None


def _references(sources: list[Source], citations: CitationIndex, language: str) -> list[Reference]:
    """Cited sources in order of first citation, then the uncited ones in brief order."""
    order = sorted(sources, key=lambda s: citations.numbers.get(s.id, len(sources) + 1))
    references = []
    for number, source in enumerate(order, start=1):
        excerpt = render_markdown(source.excerpt) if source.excerpt else None
        direction = text_direction(source.language or language)
        references.append(Reference(number, source, excerpt, direction))
    return references
