"""A validated brief + a template → one self-contained HTML document.

Self-contained: the CSS is inlined, and so is every figure, as a ``data:`` URI of the bytes
validation checked; nothing the page shows is loaded from beside it or from the network.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from osintkit import __version__
from osintkit.errors import TemplateError
from osintkit.fields import partial_date_range
from osintkit.figures import figure_data_uri
from osintkit.localization import ReportLanguage, text_direction
from osintkit.markdown import CitationIndex, render_markdown, wrap_citation
from osintkit.models import KeyJudgement, Source, TimelineEvent
from osintkit.reproducible import publication_time
from osintkit.templates import PRINT_STYLESHEET_FILE, TEMPLATE_FILE, ReportTemplate
from osintkit.tradecraft import (
    CREDIBILITY,
    RELIABILITY,
    SCALE_TITLES,
    TLP_COLOURS,
    grade,
    likelihood,
)
from osintkit.validation import LoadedBrief


@dataclass(frozen=True, slots=True)
class Reference:
    """A source as the reference list prints it: its number, excerpt, grade and back-links."""

    number: int
    source: Source
    excerpt: Markup | None
    excerpt_direction: str
    translation: Markup | None = None
    grade: str | None = None
    #: Ids of the places in the text that cite this source, for links back to them.
    cited_at: tuple[str, ...] = ()

    @property
    def grade_title(self) -> str:
        """The grade in words: "Usually reliable; probably true"."""
        parts = []
        if self.source.reliability:
            parts.append(RELIABILITY[self.source.reliability])
        if self.source.credibility:
            parts.append(CREDIBILITY[self.source.credibility].lower())
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Judgement:
    """A key judgement with its probability term, band and confidence."""

    html: Markup
    likelihood: str
    band: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Event:
    """A row of the chronology."""

    date: str
    iso: str
    html: Markup
    citation: Markup | None


#: <a class="citation" id="cite-3" href="#ref-mfa">: where a source is cited, as rendered.
_CITATION_RE = re.compile(r'<a class="citation" id="(cite-\d+)" href="#ref-([^"]+)"')


@dataclass(frozen=True, slots=True)
class RenderedHtml:
    """The report as one HTML document, with all a PDF of it needs besides its options."""

    text: str
    #: The folder the document's relative URLs resolve against (the brief's).
    base: Path
    #: The only folders the PDF may read files from (the brief's and the template's).
    allowed_roots: tuple[Path, ...]
    #: What the brief's language or the template lacked.
    warnings: list[str] = field(default_factory=list)
    #: CSS for the PDF only, from the template's print.css.j2 ("" when it has none).
    print_css: str = ""
    #: The date stamped into the PDF (see :func:`reproducible.publication_time`); None: now.
    created: dt.datetime | None = None


def render_html(loaded: LoadedBrief, template: ReportTemplate) -> RenderedHtml:
    """Return the report as one HTML document with its CSS and its figures inlined.

    Raises :class:`TemplateError` when the template itself fails, :class:`RenderError` when a
    figure is no longer what validation checked, :class:`UsageError` for a malformed
    ``SOURCE_DATE_EPOCH``.
    """
    created = publication_time(loaded.brief.date)
    brief = loaded.brief
    language = template.language(brief.language, brief.calendar or loaded.series.calendar)
    number = language.number
    citations = CitationIndex({s.id for s in brief.sources})
    figures = _inlined(loaded)

    def markdown(text: str, inline: bool = False, index: CitationIndex = citations) -> Markup:
        return render_markdown(text, index, inline=inline, number=number, figures=figures)

    scale = loaded.series.likelihood_scale
    # Reading order matters: sources are numbered in the order they are first cited.
    sections: dict[str, Any] = {
        "executive_summary": markdown(brief.executive_summary),
        "key_judgements": [
            _judgement(kj, scale, markdown, language) for kj in brief.key_judgements
        ],
        "background": markdown(brief.background),
        "timeline": _timeline(brief.timeline, citations, markdown, language),
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
        "references": _references(brief.sources, citations, brief.language, sections, markdown),
        "grades_used": _grades_used(brief.sources),
        "tlp": _tlp(brief.tlp or loaded.series.tlp),
        "scale_title": SCALE_TITLES[scale],
        "css": Markup(template.stylesheet().replace("</", "<\\/")),
        "version": __version__,
    }
    try:
        environment = template.environment()
        text = environment.get_template(TEMPLATE_FILE).render(context)
        print_css = ""
        if (template.folder / PRINT_STYLESHEET_FILE).is_file():
            print_css = environment.get_template(PRINT_STYLESHEET_FILE).render(context)
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise TemplateError(f"{where}template {template.name}: {exc.message}") from None
    except (
        ArithmeticError,
        AttributeError,
        LookupError,
        RecursionError,
        TypeError,
        ValueError,
    ) as exc:
        # The template's code is its author's, not osintkit's: `{{ 1 / 0 }}`, a macro calling
        # itself or a range past the sandbox's cap fails this render, not osintkit.
        detail = str(exc) if len(str(exc)) <= 200 else str(exc)[:197] + "..."
        raise TemplateError(f"template {template.name}: {type(exc).__name__}: {detail}") from None
    folder = loaded.path.parent
    return RenderedHtml(
        text, folder, (folder, template.folder), language.warnings, print_css, created
    )


def _inlined(loaded: LoadedBrief) -> dict[str, str]:
    """The ``data:`` URI of each figure by its URL in the Markdown, each file read once."""
    uris: dict[Path, str] = {}
    for figure in loaded.figures.values():
        if figure.path not in uris:
            uris[figure.path] = figure_data_uri(figure)
    return {src: uris[figure.path] for src, figure in loaded.figures.items()}


def _references(
    sources: list[Source],
    citations: CitationIndex,
    language: str,
    sections: dict[str, Any],
    markdown: Callable[..., Markup],
) -> list[Reference]:
    """Cited sources in order of first citation, then the uncited ones in brief order.

    An excerpt or a translation may cite too: by then every source has its number (the
    list's order is fixed by the text before it), so a citation there numbers nothing new.
    """
    order = sorted(sources, key=lambda s: citations.numbers.get(s.id, len(sources) + 1))
    final = CitationIndex(
        citations.known,
        {source.id: number for number, source in enumerate(order, start=1)},
        citations.occurrences,
    )
    quoted = [
        (
            markdown(source.excerpt, index=final) if source.excerpt else None,
            markdown(source.translation, index=final) if source.translation else None,
        )
        for source in order
    ]
    cited_at: dict[str, list[str]] = {}
    for anchor, source_id in _CITATION_RE.findall(_flatten([sections, quoted])):
        cited_at.setdefault(html.unescape(source_id), []).append(anchor)
    return [
        Reference(
            number,
            source,
            excerpt,
            text_direction(source.language or language),
            translation,
            grade(source.reliability, source.credibility),
            tuple(cited_at.get(source.id, ())),
        )
        for number, (source, (excerpt, translation)) in enumerate(
            zip(order, quoted, strict=True), 1
        )
    ]


def _flatten(value: Any) -> str:
    """Every piece of rendered HTML in the sections, in reading order."""
    if isinstance(value, dict):
        return "".join(_flatten(v) for v in value.values())
    if isinstance(value, list | tuple):
        return "".join(_flatten(v) for v in value)
    if isinstance(value, Judgement | Event):
        return str(value.html) + str(getattr(value, "citation", "") or "")
    return str(value)


def _judgement(
    judgement: KeyJudgement,
    scale: str,
    markdown: Callable[..., Markup],
    language: ReportLanguage,
) -> Judgement:
    entry = likelihood(scale, judgement.likelihood)
    # Validation has checked the term against the series' scale; a template preview of an
    # unvalidated brief still renders.
    band = language.digits(entry.band) if entry else ""
    term = entry.term if entry else judgement.likelihood
    confidence = language.labels["confidence"][judgement.confidence]
    return Judgement(markdown(judgement.text, inline=True), term, band, confidence)


def _timeline(
    events: list[TimelineEvent],
    citations: CitationIndex,
    markdown: Callable[..., Markup],
    language: ReportLanguage,
) -> list[Event]:
    rows = []
    for event in sorted(events, key=lambda e: partial_date_range(e.date)):
        citation = None
        if event.source is not None:
            number = citations.cite(event.source)
            if number is not None:
                anchor = citations.next_anchor()
                link = Markup('<a class="citation" id="{}" href="#ref-{}">{}</a>').format(
                    anchor, event.source, language.number(number)
                )
                citation = Markup(wrap_citation(link))
        text = markdown(event.event, inline=True)
        rows.append(Event(language.partial_date(event.date), event.date, text, citation))
    return rows


def _grades_used(sources: list[Source]) -> list[tuple[str, str]]:
    """(grade, meaning) of every reliability and credibility grade the sources use, in order."""
    reliability = sorted({s.reliability for s in sources if s.reliability})
    credibility = sorted({s.credibility for s in sources if s.credibility})
    return [(r, RELIABILITY[r]) for r in reliability] + [(c, CREDIBILITY[c]) for c in credibility]


def _tlp(level: str) -> dict[str, str]:
    return {"level": level, "label": f"TLP:{level}", "colour": TLP_COLOURS[level]}
