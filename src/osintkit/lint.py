"""``osintkit lint``: tradecraft checks a schema cannot make, each located as file:line:column.

A valid brief can still be a weak product: a source listed but never cited, an analytic
paragraph that cites nothing, a key judgement hedged into meaninglessness, prose that states a
different probability than the judgement it repeats, or an event dated after the report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator

from osintkit.errors import Diagnostic, KeyPath
from osintkit.fields import partial_date_range
from osintkit.loader import LoadedDocument
from osintkit.markdown import find_anchors, find_citations, find_xrefs, plain_text
from osintkit.models import Brief, markdown_fields
from osintkit.tradecraft import SCALES, likelihood
from osintkit.validation import LoadedBrief

#: Every rule, with what it looks for.
RULES: dict[str, str] = {
    "uncited-source": "a source that no text cites",
    "uncited-paragraph": "a paragraph of background or geopolitical context citing no source",
    "vague-hedge": "a vague hedge in a key judgement or the executive summary",
    "likelihood-contradiction": "prose giving a judgement a different probability than it has",
    "future-date": "a date after the brief's own date",
    "empty-section": "a section or annex with no text a reader would read",
    "figure-without-mention": "a figure or a captioned table that no text cross-references",
    "bidi-control": "a bidi embedding or override, or an isolate left open, that reorders text",
    "unpreserved-source": "a cited source with a URL but neither a capture nor an archive_url",
    "capture-after-access": "a capture made on a later day (UTC) than the source's accessed date",
}

#: Hedges that carry no probability a reader can act on; the yardstick's terms do.
_HEDGES = re.compile(
    r"\b(could possibly|might possibly|may or may not|it seems|it appears|seemingly|perhaps|"
    r"possibly|conceivably|arguably|might)\b",
    re.IGNORECASE,
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
#: "15 January 2026", "January 15th, 2026", "January 2026": dates written in English prose.
_PROSE_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})|({_MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?"
    rf"\s+(\d{{4}})|({_MONTHS})\s+(\d{{4}}))\b",
    re.IGNORECASE,
)
_STOPWORDS = frozenset((
    "that", "this", "with", "will", "would", "their", "there", "which", "from", "have", "been",
    "into", "than", "they", "them", "these", "those", "about", "over", "under", "more", "most",
    "much", "such", "also", "both", "while", "where", "when", "what", "within"
))  # fmt: skip


def lint_brief(loaded: LoadedBrief) -> list[Diagnostic]:
    """Return what lint finds in a valid brief, minus the rules the brief or series turn off.

    Positions come from the document the brief was validated from: the file is not read
    again (an editor's save in between would shift every line).
    """
    document = loaded.document
    disabled = {*loaded.brief.lint.disable, *loaded.series.lint.disable}
    findings = [
        finding
        for rule, check in _CHECKS.items()
        if rule not in disabled
        for finding in check(loaded, document)
    ]
    return sorted(findings, key=lambda f: (f.line, f.column, f.rule))


def unknown_rules(loaded: LoadedBrief) -> list[str]:
    """Rule names the brief or its series switch off that lint does not have."""
    return sorted({*loaded.brief.lint.disable, *loaded.series.lint.disable} - RULES.keys())


def _at(
    document: LoadedDocument,
    key_path: KeyPath,
    rule: str,
    message: str,
    offset: int | None = None,
) -> Diagnostic:
    """A finding: lint reports warnings, which fail a run only with ``--strict``."""
    return document.diagnostic(key_path, rule, message, offset, "warning")


def _prose(document: LoadedDocument) -> Iterator[tuple[KeyPath, str]]:
    """Every Markdown field, with its key path, as written in the file (offsets locate)."""
    return markdown_fields(document.data)


def _uncited_sources(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    cited = {c.source_id for _, text in _prose(document) for c in find_citations(text)}
    cited |= {e.source for e in loaded.brief.timeline if e.source}
    for i, source in enumerate(loaded.brief.sources):
        if source.id not in cited:
            yield _at(
                document, ("sources", i, "id"), "uncited-source",
                f"source {source.id!r} is never cited; cite it as [@{source.id}] or drop it",
            )  # fmt: skip


def _uncited_paragraphs(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    for key in ("background", "geopolitical_context"):
        text: str = getattr(loaded.brief, key)
        for offset, paragraph in _paragraphs(text):
            if not any(True for _ in find_citations(paragraph)):
                preview = " ".join(paragraph.split())[:50]
                yield _at(
                    document, (key,), "uncited-paragraph",
                    f"no source cited in the paragraph “{preview}…”", offset,
                )  # fmt: skip


#: How blocks that are not prose begin: headings, tables, code, quotes, figures, table
#: captions (": Caption.") and footnote definitions ("[^note]: …").
_NOT_PROSE = ("#", "|", "```", ">", "![", ": ", "[^")


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of every prose paragraph: blank-line separated; headings, figures, table
    captions, footnote definitions and indented blocks (code, a footnote's next paragraph)
    left out."""
    for match in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        block = match.group(0)
        stripped = block.strip()
        if not stripped.startswith(_NOT_PROSE) and not block.startswith(("    ", "\t")):
            yield match.start() + (len(block) - len(block.lstrip())), stripped


def _vague_hedges(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    fields: list[tuple[KeyPath, str]] = [(("executive_summary",), loaded.brief.executive_summary)]
    fields += [
        (("key_judgements", i, "text"), kj.text) for i, kj in enumerate(loaded.brief.key_judgements)
    ]
    for key_path, text in fields:
        for match in _HEDGES.finditer(text):
            yield _at(
                document, key_path, "vague-hedge",
                f"“{match.group(0)}” gives no probability; use a term of the yardstick "
                "(likely, highly unlikely, …) or state the fact", match.start(),
            )  # fmt: skip


def _contradictions(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    scale = SCALES[loaded.series.likelihood_scale]
    terms = sorted(
        ((name, entry) for entry in scale for name in entry.names()), key=lambda t: -len(t[0])
    )
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(name) for name, _ in terms) + r")\b", re.IGNORECASE
    )
    by_name = dict(terms)
    for number, judgement in enumerate(loaded.brief.key_judgements, start=1):
        stated = likelihood(loaded.series.likelihood_scale, judgement.likelihood)
        words = _content_words(judgement.text)
        if stated is None or len(words) < 3:
            continue
        for key_path, text in _prose(document):
            # A judgement is the statement itself; a source's excerpt is its words, not ours.
            if key_path[0] in ("key_judgements", "sources"):
                continue
            for start, sentence in _sentences(text):
                if len(words & _content_words(sentence)) < 0.6 * len(words):
                    continue  # not the same judgement
                for match in pattern.finditer(sentence):
                    said = by_name[match.group(1).lower()]
                    if said is not stated:
                        yield _at(
                            document, key_path, "likelihood-contradiction",
                            f"says “{match.group(1)}” ({said.band}) but key judgement {number} "
                            f"is “{stated.term}” ({stated.band})", start + match.start(),
                        )  # fmt: skip


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]{4,}", text.lower()) if w not in _STOPWORDS}


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    for match in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", text):
        if match.group(0).strip():
            yield match.start(), match.group(0)


def _future_dates(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    brief = loaded.brief
    day = brief.date
    for i, event in enumerate(brief.timeline):
        first, _ = partial_date_range(event.date)
        if first > day:
            yield _at(
                document, ("timeline", i, "date"), "future-date",
                f"{event.date} is after the brief's date {day.isoformat()}",
            )  # fmt: skip
    for i, source in enumerate(brief.sources):
        if source.published is not None and partial_date_range(source.published)[0] > day:
            yield _at(
                document, ("sources", i, "published"), "future-date",
                f"{source.published} is after the brief's date {day.isoformat()}",
            )  # fmt: skip
        if source.accessed is not None and source.accessed > day:
            yield _at(
                document, ("sources", i, "accessed"), "future-date",
                f"{source.accessed.isoformat()} is after the brief's date {day.isoformat()}",
            )  # fmt: skip
    for key_path, text in _prose(document):
        for match in _PROSE_DATE.finditer(text):
            written = _prose_date(match)
            if written is not None and written > day:
                yield _at(
                    document, key_path, "future-date",
                    f"“{match.group(0)}” is after the brief's date {day.isoformat()}",
                    match.start(),
                )  # fmt: skip


def _prose_date(match: re.Match[str]) -> dt.date | None:
    """The earliest day a date in prose can mean."""
    day, month, year = (
        (match.group(1), match.group(2), match.group(3))
        if match.group(1)
        else (match.group(5), match.group(4), match.group(6))
        if match.group(4)
        else ("1", match.group(7), match.group(8))
    )
    number = _MONTHS.split("|").index(month.lower()) + 1
    try:
        return dt.date(int(year), number, int(day))
    except ValueError:
        return None


#: An ATX heading line ("## Method"): a heading alone is no text to read.
_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t].*)?$", re.MULTILINE)
#: An HTML comment, which Markdown here prints as text but a writer means as a note.
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
#: A writer's placeholder, in capitals, opening a section of one paragraph: "TODO: the
#: background", "TBD", "FIXME". Written otherwise ("todo", "Tbd") it is taken as prose.
_PLACEHOLDER = re.compile(r"^(?:TODO|TBD|TBC|FIXME|XXX)\b")


def _empty_sections(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    for key_path, name, texts in _sections(loaded.brief):
        if all(not _readable(text) for text in texts):
            # At its first character: the block indicator "|" is no place to start writing.
            first = texts[0]
            offset = len(first) - len(first.lstrip()) if len(texts) == 1 else None
            yield _at(
                document, key_path, "empty-section",
                f"{name} has no text a reader would read (only headings, blank space or a "
                "placeholder such as TODO); write it or leave it out", offset,
            )  # fmt: skip


def _sections(brief: Brief) -> Iterator[tuple[KeyPath, str, list[str]]]:
    """(where, what to call it, its Markdown) of every section and annex of the brief."""
    yield ("executive_summary",), "the executive summary", [brief.executive_summary]
    yield ("background",), "the background", [brief.background]
    yield ("geopolitical_context",), "the geopolitical context", [brief.geopolitical_context]
    challenges = [brief.challenges.intro or "", *(item.text for item in brief.challenges.items)]
    yield ("challenges",), "the challenges", challenges
    for i, section in enumerate(brief.sections):
        yield ("sections", i, "body"), f"the section “{section.title}”", [section.body]
    for i, appendix in enumerate(brief.appendices):
        yield ("appendices", i, "body"), f"the annex “{appendix.title}”", [appendix.body]


def _readable(text: str) -> bool:
    """Whether ``text`` holds words a reader would read: not only headings, comments, blank
    space (entities such as &nbsp; or &#8203; included) or a placeholder."""
    source = _HTML_COMMENT.sub("", _HEADING_LINE.sub("", text)).strip()
    prose = plain_text(source)
    visible = "".join(
        c if not unicodedata.category(c).startswith(("Z", "C")) else " " for c in prose
    )
    words = " ".join(visible.split())
    if not words:
        return False
    one_paragraph = re.search(r"\n[ \t]*\n", source) is None
    return not (one_paragraph and _PLACEHOLDER.match(words))


#: Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI). A
#: Persian or mixed text needs none of the first five (marks and isolates do the job) and an
#: isolate must close where it opened; text pasted from a web page can carry either, and an
#: override left open reverses what follows it, so the printed words are not the brief's.
_EMBEDDINGS = "\u202a\u202b\u202c\u202d\u202e"
_OPENING_ISOLATES = "\u2066\u2067\u2068"
_CLOSING_ISOLATE = "\u2069"


def _bidi_controls(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    for key_path, text in _strings(document.data, ()):
        depth = 0
        for offset, char in enumerate(text):
            if char in _EMBEDDINGS:
                problem = f"the bidi control U+{ord(char):04X} (an embedding or override)"
            elif char in _OPENING_ISOLATES:
                depth += 1
                continue
            elif char == _CLOSING_ISOLATE and depth:
                depth -= 1
                continue
            elif char == _CLOSING_ISOLATE:
                problem = "a bidi isolate closed (U+2069) that was never opened"
            else:
                continue
            yield _at(
                document, key_path, "bidi-control",
                f"{problem} reorders the text around it, so the report would not print what "
                "the brief says; delete it (use U+200F or U+200E marks where a direction "
                "is needed)", offset,
            )  # fmt: skip
            break
        else:
            if depth:
                yield _at(
                    document, key_path, "bidi-control",
                    "a bidi isolate (U+2066–U+2068) is opened and never closed (U+2069), so "
                    "the text after it is reordered; close it or delete it",
                )  # fmt: skip


def _strings(value: object, key_path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Every string of the brief's data with its key path, keys' own text left aside."""
    if isinstance(value, str):
        yield key_path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*key_path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*key_path, i))


def _unmentioned_figures(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    mentioned = {x.target_id for _, text in _prose(document) for x in find_xrefs(text)}
    for key_path, text in _prose(document):
        for anchor in find_anchors(text):
            if anchor.id not in mentioned:
                yield _at(
                    document, key_path, "figure-without-mention",
                    f"{anchor.kind} #{anchor.id} is never cross-referenced; point the reader to "
                    f"it from the text as [@{anchor.id}]", anchor.offset,
                )  # fmt: skip


def _unpreserved_sources(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    cited = {c.source_id for _, text in _prose(document) for c in find_citations(text)}
    cited |= {e.source for e in loaded.brief.timeline if e.source}
    for i, source in enumerate(loaded.brief.sources):
        if source.id in cited and source.url and not source.captures and not source.archive_url:
            yield _at(
                document, ("sources", i, "url"), "unpreserved-source",
                f"source {source.id!r} is a web page with neither a capture nor an archive_url: "
                "pages change and vanish; preserve it (osintkit evidence add) or give its "
                "web-archive copy",
            )  # fmt: skip


def _captures_after_access(loaded: LoadedBrief, document: LoadedDocument) -> Iterator[Diagnostic]:
    for i, source in enumerate(loaded.brief.sources):
        for j, capture in enumerate(source.captures):
            # Days in UTC, as the capture's instant is kept: "accessed" names a day only.
            day = capture.captured.astimezone(dt.UTC).date()
            if source.accessed is not None and day > source.accessed:
                yield _at(
                    document, ("sources", i, "captures", j, "captured"), "capture-after-access",
                    f"captured on {day.isoformat()} (UTC), after the source was accessed on "
                    f"{source.accessed.isoformat()}: it may not be the page the brief read; "
                    "correct accessed or the capture's time",
                )  # fmt: skip


_CHECKS = {
    "uncited-source": _uncited_sources,
    "uncited-paragraph": _uncited_paragraphs,
    "vague-hedge": _vague_hedges,
    "likelihood-contradiction": _contradictions,
    "future-date": _future_dates,
    "empty-section": _empty_sections,
    "figure-without-mention": _unmentioned_figures,
    "bidi-control": _bidi_controls,
    "unpreserved-source": _unpreserved_sources,
    "capture-after-access": _captures_after_access,
}
