"""What a report template receives: :class:`ReportContext`, built from a validated brief.

Every variable of ``report.html.j2`` and ``print.css.j2`` is a field here, documented once
(and for template authors in docs/templates.md). The wording it holds comes from the template's
labels; this module only chooses which label, in which order, filled with what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from markupsafe import Markup

from osintkit import __version__
from osintkit.crossrefs import targets as crossref_targets
from osintkit.fields import SHA256_PRINTED, FixedSection, instant_text, partial_date_range
from osintkit.figures import figure_data_uri
from osintkit.localization import (
    LIKELIHOOD_TERMS,
    Labels,
    ReportLanguage,
    substitute,
    text_direction,
    writing_script,
)
from osintkit.markdown import (
    CitationIndex,
    Note,
    NoteIndex,
    portion_mark,
    render_markdown,
    wrap_citation,
)
from osintkit.models import Author, Brief, Capture, KeyJudgement, Source, TimelineEvent
from osintkit.outline import EVIDENCE_REGISTER, FIXED_SECTIONS, annex_letter, parts, sections_after
from osintkit.portions import portion_marks
from osintkit.render.metadata import Metadata, report_metadata
from osintkit.series import Series
from osintkit.templates import ReportTemplate, fill, isolate
from osintkit.tradecraft import TLP_COLOURS, grade, likelihood
from osintkit.validation import LoadedBrief


@dataclass(frozen=True, slots=True)
class Locator:
    """Where in a source the text cites it ("pp. 4–9"), and the citations that say so."""

    text: str
    #: Ids of the citations in the text giving this locator, in reading order.
    cited_at: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """A source as the reference list prints it: its number, excerpt, grade and back-links."""

    number: int
    source: Source
    excerpt: Markup | None
    excerpt_direction: str
    translation: Markup | None = None
    #: "B2", "B" or "2"; None when the source is not graded.
    grade: str | None = None
    #: The grade in words, from the labels: "Usually reliable; probably true".
    grade_title: str = ""
    #: Ids of the places in the text that cite this source, for links back to them.
    cited_at: tuple[str, ...] = ()
    #: The source's URL as printed, so a paper copy keeps it: host and path, a long one cut
    #: with an ellipsis ("" without a URL); the link keeps it whole.
    url_text: str = ""
    #: When the source was published, written out: a year, a month or a day ("" for none).
    published: str = ""
    #: The script of the excerpt's language (ISO 15924, lower case: "arab", "cyrl", "latn"):
    #: the stylesheet picks the excerpt's face and size by it.
    excerpt_script: str = "latn"
    #: The locators the text cites this source at, each once: a superscript in print has no
    #: room for "pp. 4–9", so the reference list carries it.
    locators: tuple[Locator, ...] = ()
    #: The source's portion mark, in a report that marks its portions ("" otherwise): a
    #: source marked AMBER is as restricted as a paragraph so marked.
    mark: Markup | str = ""


@dataclass(frozen=True, slots=True)
class Judgement:
    """A key judgement with its probability term, band and confidence."""

    html: Markup
    #: The term as the labels print it ("likely"; "محتمل" in Persian).
    likelihood: str
    #: The term's band in the language's digits ("55–75 %"), "" for a term not on the scale.
    band: str
    confidence: str


@dataclass(frozen=True, slots=True)
class Event:
    """A row of the chronology."""

    date: str
    iso: str
    html: Markup
    citation: Markup | None


@dataclass(frozen=True, slots=True)
class Challenge:
    """One item of the challenges list."""

    label: str
    html: Markup


@dataclass(frozen=True, slots=True)
class ExtraSection:
    """A section of the brief's ``sections``, or an annex, rendered."""

    #: Its ``<section id>``: the brief's id ("sec-method").
    anchor: str
    #: The heading as printed: the section's title, or "Annex A: Data tables" (HTML).
    heading: str | Markup
    html: Markup
    #: "A" for the first annex, "" for an extra section.
    letter: str = ""


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    """A line of the contents list: the heading it links to, by its HTML id."""

    anchor: str
    #: As the heading prints it (HTML for an annex's).
    title: str | Markup


@dataclass(frozen=True, slots=True)
class AuthorLine:
    """An author as the title block prints them; a string author has only a name."""

    name: str
    role: str = ""
    affiliation: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Sections:
    """The brief's Markdown fields rendered to HTML, in reading order."""

    #: The "bottom line up front", set first in the summary box; "" when the brief has none.
    bluf: Markup | str
    executive_summary: Markup
    key_judgements: tuple[Judgement, ...]
    background: Markup
    timeline: tuple[Event, ...]
    geopolitical_context: Markup
    #: "" when the brief has no introduction to its challenges.
    challenges_intro: Markup | str
    challenges_items: tuple[Challenge, ...]
    #: The extra sections after each fixed one, by its key: ``after["background"]``.
    after: Mapping[str, tuple[ExtraSection, ...]]
    #: The annexes, after the sources.
    annexes: tuple[ExtraSection, ...]
    #: The brief's disclaimer, else the series'; "" for none.
    disclaimer: Markup | str

    def printed(self, key: str) -> bool:
        """Whether the fixed section ``key`` has anything to print under its heading: an
        edition may have removed all it held, and then its heading goes too."""
        if key == "executive_summary":
            return bool(self.bluf or self.executive_summary)
        if key == "challenges":
            return bool(self.challenges_intro or self.challenges_items)
        return bool(getattr(self, key))


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment as the evidence register prints it: ISO 8601 in UTC, in ASCII digits (as
    capture tools and logs write it, so it can be compared with them character for
    character), and as the ``datetime`` attribute of its ``<time>``."""

    #: "2025-03-01 09:14:00".
    text: str
    #: "2025-03-01T09:14:00Z".
    iso: str


@dataclass(frozen=True, slots=True)
class CaptureRow:
    """One preserved file of a source, as the evidence register prints it."""

    file: str
    sha256: str
    #: The digits the PDF prints (:data:`osintkit.fields.SHA256_PRINTED`), and the rest,
    #: which print.css.j2 hides.
    sha256_head: str
    sha256_tail: str
    captured: Moment
    tool: str
    note: str


@dataclass(frozen=True, slots=True)
class EvidenceSource:
    """A source with captures or an archive link, under its number in the reference list.
    Its archive link is printed whole: from a paper copy it is typed, and an archive's URL
    ends with the original one."""

    #: As the reference list prints it, in the language's digits.
    number: str
    source: Source
    captures: tuple[CaptureRow, ...]
    #: The source's portion mark, as the reference list prints it ("" otherwise).
    mark: Markup | str = ""


@dataclass(frozen=True, slots=True)
class CustodyRow:
    """One step of the chain of custody."""

    at: Moment
    by: str
    action: str
    files: tuple[str, ...]
    #: The entry's portion mark, in a report that marks its portions ("" otherwise).
    mark: Markup | str = ""


@dataclass(frozen=True, slots=True)
class EvidenceRegister:
    """The annex listing what was preserved of the sources and the chain of custody."""

    #: Its ``<section id>``: :data:`osintkit.outline.EVIDENCE_REGISTER`.
    anchor: str
    #: "Annex B: Evidence register" (HTML).
    heading: Markup
    letter: str
    #: In reference-list order.
    sources: tuple[EvidenceSource, ...]
    custody: tuple[CustodyRow, ...]


@dataclass(frozen=True, slots=True)
class Tlp:
    """The Traffic Light Protocol marking: "AMBER", "TLP:AMBER" and its colour."""

    level: str
    label: str
    colour: str


@dataclass(frozen=True, slots=True)
class ReportContext:
    """The variables a report template receives, each under its field's name."""

    brief: Brief
    series: Series
    language: ReportLanguage
    #: The template's wording in the report's language (``labels.sources``).
    labels: Labels
    direction: Literal["ltr", "rtl"]
    #: ``date(d)`` writes a date out; ``date(d, "gregorian")`` without the Solar Hijri one.
    date: Callable[..., str]
    #: ``number(29)`` writes a number in the language's digits.
    number: Callable[[int], str]
    #: "Persian Files ISSN 2975-0598 Volume 29 Issue 2", from the ``series_line`` label.
    series_line: str
    #: The ``page_of`` label as a CSS ``content`` value with the page counters.
    page_footer: Markup
    sections: Sections
    #: The contents list, every heading of the report in print order; () without ``toc``.
    contents: tuple[ContentsEntry, ...]
    #: The authors with their roles, affiliations and addresses, as the title block prints them.
    authors: tuple[AuthorLine, ...]
    #: Cited sources in order of first citation, then the uncited ones.
    references: tuple[Reference, ...]
    #: (grade, meaning) of each reliability, then each credibility grade the sources use.
    grades_used: tuple[tuple[str, str], ...]
    tlp: Tlp
    #: The series' probability yardstick, named by the ``likelihood_scales`` label.
    scale_title: str
    #: The template's report.css, safe inside a ``<style>`` element.
    css: Markup
    #: osintkit's version, for the generator meta element.
    version: str
    #: The report's bibliographic record for the HTML head: ``highwire`` and ``dublin_core``
    #: (name, content) pairs, ``json_ld`` (schema.org); ``metadata.html.j2`` writes them.
    metadata: Metadata
    #: The footnotes in the order they are called, for the HTML's list of notes (the PDF
    #: sets each at the foot of its page): ``number``, ``anchor``, ``html``, ``calls``.
    notes: tuple[Note, ...] = ()
    #: Whether the report holds portions of several TLP levels, so each marked one opens
    #: with its mark ("(TLP:AMBER)", class ``portion-mark tlp-amber``); portion-marks.css.
    portion_marks: bool = False
    #: The evidence register annex, after the brief's own annexes; None when no source has
    #: captures or an archive link and the brief has no chain of custody.
    evidence: EvidenceRegister | None = None

    def variables(self) -> dict[str, Any]:
        """Return the fields as the mapping Jinja2 renders with (not copied: ``asdict`` would
        turn the brief's models into dicts)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def report_context(
    loaded: LoadedBrief, template: ReportTemplate, *, pdf_url: str | None = None
) -> ReportContext:
    """Return what ``template`` receives to render ``loaded``, its Markdown rendered;
    ``pdf_url`` is where its PDF is published (a build's), None when that is not known.

    Raises :class:`TemplateError` if the template's stylesheet or labels cannot be read,
    :class:`RenderError` when a figure is no longer what validation checked.
    """
    brief = loaded.brief
    language = template.language(brief.language, brief.calendar or loaded.series.calendar)
    labels = language.labels
    number = language.number
    citations = CitationIndex({s.id for s in brief.sources})
    figures = _inlined(loaded)
    # Figures and tables numbered before anything is rendered: a reference may precede them.
    targets = crossref_targets(brief, labels, number)
    notes = NoteIndex()

    marks = portion_marks(brief, loaded.series)

    def markdown(
        text: str, inline: bool = False, index: CitationIndex = citations, tlp: str | None = None
    ) -> Markup:
        rendered = render_markdown(
            text, index, inline, number, figures, targets=targets, notes=notes, marks=marks
        )
        return portion_mark(tlp) + rendered if marks and tlp else rendered

    scale = loaded.series.likelihood_scale

    def extra(key: FixedSection) -> tuple[ExtraSection, ...]:
        return tuple(
            ExtraSection(brief.sections[i].id, brief.sections[i].title,
                         markdown(brief.sections[i].body, tlp=brief.sections[i].tlp))
            for i in sections_after(brief, key)
        )  # fmt: skip

    # Reading order matters: sources are numbered in the order they are first cited, and the
    # back-links follow the citations' order (outline.markdown_in_reading_order is that order).
    # One paragraph, the label its lead-in: rendered inline, into the template's <p>.
    bluf = markdown(brief.bluf, inline=True) if brief.bluf else ""
    executive_summary = markdown(brief.executive_summary)
    after: dict[str, tuple[ExtraSection, ...]] = {"executive_summary": extra("executive_summary")}
    key_judgements = tuple(_judgement(kj, scale, markdown, language) for kj in brief.key_judgements)
    background = markdown(brief.background)
    after["background"] = extra("background")
    timeline = _timeline(brief.timeline, citations, markdown, language)
    geopolitical_context = markdown(brief.geopolitical_context)
    after["geopolitical_context"] = extra("geopolitical_context")
    challenges_intro = markdown(brief.challenges.intro) if brief.challenges.intro else ""
    challenges_items = tuple(
        Challenge(item.label, markdown(item.text, inline=True, tlp=item.tlp))
        for item in brief.challenges.items
    )
    after["challenges"] = extra("challenges")
    # Annexes and the disclaimer print after the sources but are numbered before the list is
    # ordered, so a source first cited in an annex has a number there too.
    annexes = tuple(
        ExtraSection(
            appendix.id,
            _annex_heading(labels, annex_letter(i), appendix.title),
            markdown(appendix.body, tlp=appendix.tlp),
            annex_letter(i),
        )
        for i, appendix in enumerate(brief.appendices)
    )
    disclaimer_text = brief.disclaimer or loaded.series.disclaimer
    sections = Sections(
        bluf=bluf,
        executive_summary=executive_summary,
        key_judgements=key_judgements,
        background=background,
        timeline=timeline,
        geopolitical_context=geopolitical_context,
        challenges_intro=challenges_intro,
        challenges_items=challenges_items,
        after=after,
        annexes=annexes,
        disclaimer=markdown(disclaimer_text) if disclaimer_text else "",
    )
    references = _references(brief.sources, citations, brief.language, markdown, language, marks)
    evidence = _evidence(brief, references, labels, number, marks)
    toc = brief.toc if brief.toc is not None else loaded.series.toc
    line_values = {
        "title": loaded.series.title,
        "volume": number(brief.volume),
        "issue": number(brief.issue),
    }
    if loaded.series.issn:
        series_line = substitute(
            str(labels["series_line"]), {**line_values, "issn": loaded.series.issn}
        )
    else:
        series_line = substitute(str(labels["series_line_no_issn"]), line_values)
    level = brief.tlp or loaded.series.tlp
    tlp = Tlp(level, f"TLP:{level}", TLP_COLOURS[level])
    return ReportContext(
        brief=brief,
        series=loaded.series,
        language=language,
        labels=labels,
        direction=language.direction,
        date=language.date,
        number=number,
        series_line=series_line,
        page_footer=language.css_content(
            "page_of", page=language.page_counter("page"), pages=language.page_counter("pages")
        ),
        sections=sections,
        contents=_contents(brief, sections, references, evidence, labels) if toc else (),
        authors=tuple(_author_line(author) for author in brief.authors),
        references=references,
        grades_used=_grades_used(brief.sources, labels),
        tlp=tlp,
        scale_title=str(labels["likelihood_scales"][scale]),
        css=Markup(template.stylesheet().replace("</", "<\\/")),
        portion_marks=marks,
        version=__version__,
        metadata=report_metadata(brief, loaded.series, tlp.label, pdf_url),
        notes=tuple(notes.notes),
        evidence=evidence,
    )


def _inlined(loaded: LoadedBrief) -> dict[str, str]:
    """The ``data:`` URI of each figure by its URL in the Markdown, each file read once."""
    uris: dict[Path, str] = {}
    for figure in loaded.figures.values():
        if figure.path not in uris:
            uris[figure.path] = figure_data_uri(figure)
    return {src: uris[figure.path] for src, figure in loaded.figures.items()}


def _annex_heading(labels: Labels, letter: str, title: str) -> Markup:
    """ "Annex A: Data tables", from the ``annex`` and ``annex_heading`` labels; the title
    isolated, so a Latin one keeps its place after a Persian "پیوست A"."""
    annex = substitute(str(labels["annex"]), {"letter": letter})
    return fill(str(labels["annex_heading"]), annex=annex, title=isolate(title))


def _contents(
    brief: Brief,
    sections: Sections,
    references: tuple[Reference, ...],
    evidence: EvidenceRegister | None,
    labels: Labels,
) -> tuple[ContentsEntry, ...]:
    """Every heading the report prints, in print order (outline.parts'), the sources before
    the annexes and the disclaimer last, as the template sets them."""
    titles = {
        "executive_summary": str(labels["executive_summary"]),
        "background": str(labels["background"]),
        "geopolitical_context": str(labels["geopolitical_context"]),
        "challenges": brief.challenges.title or str(labels["challenges"]),
    }
    # What the template sets after a fixed section, after the extra sections placed there.
    set_after = {
        "executive_summary": (
            [ContentsEntry("key-judgements", str(labels["key_judgements"]))]
            if sections.key_judgements
            else []
        ),
        "background": (
            [ContentsEntry("chronology", str(labels["chronology"]))] if sections.timeline else []
        ),
    }
    entries: list[ContentsEntry] = []
    for key, anchor in FIXED_SECTIONS:
        if sections.printed(key):
            entries.append(ContentsEntry(anchor, titles[key]))
        entries.extend(ContentsEntry(s.anchor, s.heading) for s in sections.after[key])
        entries.extend(set_after.get(key, []))
    if references:
        entries.append(ContentsEntry("sources", str(labels["sources"])))
    entries.extend(ContentsEntry(a.anchor, a.heading) for a in sections.annexes)
    if evidence is not None:
        entries.append(ContentsEntry(evidence.anchor, evidence.heading))
    if sections.disclaimer:
        entries.append(ContentsEntry("disclaimer", str(labels["disclaimer"])))
    return tuple(entries)


def _evidence(
    brief: Brief,
    references: tuple[Reference, ...],
    labels: Labels,
    number: Callable[[int], str],
    marks: bool,
) -> EvidenceRegister | None:
    """The evidence register of ``brief``, lettered where :func:`osintkit.outline.parts`
    places it; None when it has none."""
    part = next((p for p in parts(brief) if p.anchor == EVIDENCE_REGISTER), None)
    if part is None or part.letter is None:
        return None
    listed = tuple(
        EvidenceSource(
            number(ref.number),
            ref.source,
            tuple(_capture_row(c) for c in ref.source.captures),
            ref.mark,
        )
        for ref in references
        if ref.source.captures or ref.source.archive_url
    )
    custody = tuple(
        CustodyRow(
            _instant(entry.at),
            entry.by,
            entry.action,
            tuple(entry.files),
            portion_mark(entry.tlp) if marks and entry.tlp else "",
        )
        for entry in brief.custody
    )
    # The title is a label in the report's language, not the brief's text: not isolated.
    annex = substitute(str(labels["annex"]), {"letter": part.letter})
    heading = fill(str(labels["annex_heading"]), annex=annex, title=labels["evidence_register"])
    return EvidenceRegister(EVIDENCE_REGISTER, heading, part.letter, listed, custody)


def _capture_row(capture: Capture) -> CaptureRow:
    digest = capture.sha256
    return CaptureRow(
        capture.file,
        digest,
        digest[:SHA256_PRINTED],
        digest[SHA256_PRINTED:],
        _instant(capture.captured),
        capture.tool or "",
        capture.note or "",
    )


def _instant(moment: dt.datetime) -> Moment:
    """``moment`` (aware, as :data:`osintkit.fields.Instant` keeps it) in UTC: to the second
    as printed, whole in the attribute."""
    text = moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", timespec="seconds")
    return Moment(text, instant_text(moment, "auto"))


def _author_line(author: str | Author) -> AuthorLine:
    if isinstance(author, str):
        return AuthorLine(author)
    return AuthorLine(author.name, author.role or "", author.affiliation or "", author.email or "")


#: How much of a URL's host and path a reference prints before cutting it with an ellipsis.
URL_TEXT_LENGTH = 60


def url_text(url: str) -> str:
    """Return ``url`` as a reference prints it: host and path (query and fragment kept),
    without the scheme; longer than URL_TEXT_LENGTH characters, cut with an ellipsis."""
    parts = urlsplit(url)
    text = parts.netloc + parts.path
    if parts.query:
        text += "?" + parts.query
    if parts.fragment:
        text += "#" + parts.fragment
    text = text.rstrip("/") if parts.path in ("", "/") and not parts.query else text
    if len(text) <= URL_TEXT_LENGTH:
        return text
    return text[: URL_TEXT_LENGTH - 1].rstrip("/.?&#=-_") + "…"


def _references(
    sources: list[Source],
    citations: CitationIndex,
    language: str,
    markdown: Callable[..., Markup],
    report_language: ReportLanguage,
    marks: bool = False,
) -> tuple[Reference, ...]:
    """Cited sources in order of first citation, then the uncited ones in brief order.

    An excerpt or a translation may cite too: by then every source has its number (the
    list's order is fixed by the text before it), so a citation there numbers nothing new,
    but its anchor is recorded after the text's, as it is read.
    """
    order = sorted(sources, key=lambda s: citations.numbers.get(s.id, len(sources) + 1))
    final = CitationIndex(
        citations.known,
        {source.id: number for number, source in enumerate(order, start=1)},
        citations.occurrences,
        citations.cited_at,
        citations.locators,
    )
    quoted = [
        (
            markdown(source.excerpt, index=final) if source.excerpt else None,
            markdown(source.translation, index=final) if source.translation else None,
        )
        for source in order
    ]
    return tuple(
        Reference(
            number,
            source,
            excerpt,
            text_direction(source.language or language),
            translation,
            grade(source.reliability, source.credibility),
            _grade_title(source, report_language.labels),
            tuple(final.cited_at.get(source.id, ())),
            url_text(str(source.url)) if source.url else "",
            report_language.partial_date(source.published) if source.published else "",
            writing_script(source.language or language),
            _located(final.locators.get(source.id, ())),
            portion_mark(source.tlp) if marks and source.tlp else "",
        )
        for number, (source, (excerpt, translation)) in enumerate(
            zip(order, quoted, strict=True), 1
        )
    )


def _located(citations: Iterable[tuple[str, str]]) -> tuple[Locator, ...]:
    """The locators of one source's citations, each once, with the anchors citing it there."""
    anchors: dict[str, list[str]] = {}
    for anchor, locator in citations:
        anchors.setdefault(locator, []).append(anchor)
    return tuple(Locator(text, tuple(at)) for text, at in anchors.items())


def _grade_title(source: Source, labels: Labels) -> str:
    """The grade in words: "Usually reliable; probably true"; "" for an ungraded source."""
    reliability = labels["reliability"][source.reliability] if source.reliability else None
    credibility = labels["credibility"][source.credibility] if source.credibility else None
    if reliability and credibility:
        return substitute(
            str(labels["grade_title"]),
            {"reliability": str(reliability), "credibility": str(credibility).lower()},
        )
    if reliability:
        return str(reliability)
    return str(credibility).lower() if credibility else ""


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
    terms = language.labels[LIKELIHOOD_TERMS][scale]
    term = str(terms[entry.term]) if entry else judgement.likelihood
    confidence = language.labels["confidence"][judgement.confidence]
    text = markdown(judgement.text, inline=True, tlp=judgement.tlp)
    return Judgement(text, term, band, confidence)


def _timeline(
    events: list[TimelineEvent],
    citations: CitationIndex,
    markdown: Callable[..., Markup],
    language: ReportLanguage,
) -> tuple[Event, ...]:
    rows = []
    for event in sorted(events, key=lambda e: partial_date_range(e.date)):
        citation = None
        anchor = None
        if event.source is not None:
            number = citations.cite(event.source)
            if number is not None:
                anchor = citations.next_anchor()
                link = Markup('<a class="citation" id="{}" href="#ref-{}">{}</a>').format(
                    anchor, event.source, language.number(number)
                )
                citation = Markup(wrap_citation(link))
        text = markdown(event.event, inline=True, tlp=event.tlp)
        # The source column is numbered first (so the row's own source gets the lower
        # number) but read after the event's text.
        if event.source is not None and anchor is not None:
            citations.record(event.source, anchor)
        rows.append(Event(language.partial_date(event.date), event.date, text, citation))
    return tuple(rows)


def _grades_used(sources: list[Source], labels: Labels) -> tuple[tuple[str, str], ...]:
    """(grade, meaning) of every reliability and credibility grade the sources use, in order."""
    reliability = sorted({s.reliability for s in sources if s.reliability})
    credibility = sorted({s.credibility for s in sources if s.credibility})
    return tuple(
        [(r, str(labels["reliability"][r])) for r in reliability]
        + [(c, str(labels["credibility"][c])) for c in credibility]
    )
