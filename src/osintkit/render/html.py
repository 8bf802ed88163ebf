"""A validated brief + a template → one self-contained HTML document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from osintkit import __version__
from osintkit.errors import TemplateError
from osintkit.localization import text_direction
from osintkit.markdown import CitationIndex, render_markdown
from osintkit.models import Source
from osintkit.templates import TEMPLATE_FILE, ReportTemplate
from osintkit.validation import LoadedBrief


@dataclass(frozen=True, slots=True)
class Reference:
    """A source as the reference list prints it: its number and its rendered excerpt."""

    number: int
    source: Source
    excerpt: Markup | None
    excerpt_direction: str


@dataclass(frozen=True, slots=True)
class RenderedHtml:
    """The report as one HTML document, and what its language or template lacked."""

    text: str
    warnings: list[str]


def render_html(loaded: LoadedBrief, template: ReportTemplate) -> RenderedHtml:
    """Return the report as one HTML document with its CSS inlined.

    Raises :class:`TemplateError` when the template itself fails.
    """
    brief = loaded.brief
    language = template.language(brief.language, brief.calendar or loaded.series.calendar)
    number = language.number
    citations = CitationIndex({s.id for s in brief.sources})

    def markdown(text: str, inline: bool = False) -> Markup:
        return render_markdown(text, citations, inline=inline, number=number)

    # Reading order matters: sources are numbered in the order they are first cited.
    sections: dict[str, Any] = {
        "executive_summary": markdown(brief.executive_summary),
        "background": markdown(brief.background),
        "geopolitical_context": markdown(brief.geopolitical_context),
        "challenges_intro": markdown(brief.challenges.intro) if brief.challenges.intro else "",
        "challenges_items": [
            {"label": item.label, "html": markdown(item.text, inline=True)}
            for item in brief.challenges.items
        ],
    }
    labels = language.labels
    context = {
        "brief": brief,
        "series": loaded.series,
        "language": language,
        "labels": labels,
        "direction": language.direction,
        "date": language.date,
        "number": number,
        "series_line": " ".join(
            (
                loaded.series.title,
                labels["issn"],
                loaded.series.issn,
                labels["volume"],
                number(brief.volume),
                labels["issue"],
                number(brief.issue),
            )
        ),
        "page_footer": language.css_content(
            "page_of", page=language.page_counter("page"), pages=language.page_counter("pages")
        ),
        "sections": sections,
        "references": _references(brief.sources, citations, brief.language),
        "css": Markup(template.stylesheet().replace("</", "<\\/")),
        "version": __version__,
    }
    try:
        text = template.environment().get_template(TEMPLATE_FILE).render(context)
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise TemplateError(f"{where}template {template.name}: {exc.message}") from None
    return RenderedHtml(text, language.warnings)


def _references(sources: list[Source], citations: CitationIndex, language: str) -> list[Reference]:
    """Cited sources in order of first citation, then the uncited ones in brief order."""
    order = sorted(sources, key=lambda s: citations.numbers.get(s.id, len(sources) + 1))
    references = []
    for number, source in enumerate(order, start=1):
        excerpt = render_markdown(source.excerpt) if source.excerpt else None
        direction = text_direction(source.language or language)
        references.append(Reference(number, source, excerpt, direction))
    return references
