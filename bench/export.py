"""A brief → Markdown with the same sections, for pandoc (the bench's point of comparison).

The Markdown holds what the report prints, in the same order and wording: the title block,
the series line, the sections under the template's own headings (headings inside a field
moved down as osintkit moves them), the challenges as bold-labelled items, the sources
numbered in order of first citation with their excerpts (right to left where the source's
language is), and the contact line. Citations become the numbers the report gives them.
Key judgements, a chronology and source translations are exported when the brief (and the
osintkit it is validated by) has them. It is not a general exporter: it is exactly as
faithful as the comparison needs.
"""

from __future__ import annotations

import json
import re

from osintkit.localization import text_direction
from osintkit.markdown import HEADING_SHIFT
from osintkit.report import template_for
from osintkit.templates import ReportTemplate
from osintkit.validation import LoadedBrief

# The same grammar as osintkit.markdown: "[@id]", "[@id, p. 4]", "[@a; @b, pp. 3-5]".
_CITE_BRACKET_RE = re.compile(r"\[(@[^\[\]\n]+)\]")
_CITE_PART_RE = re.compile(r"^\s*@([A-Za-z0-9][A-Za-z0-9_.:-]*)\s*(?:,\s*(.+?))?\s*$")
_HEADING_RE = re.compile(r"^(#{1,6})(?=\s)", re.MULTILINE)
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>#|~$@^])")


class _Numbers:
    """Numbers sources in the order they are first cited, as osintkit's CitationIndex does."""

    def __init__(self, known: set[str]) -> None:
        self.known = known
        self.numbers: dict[str, int] = {}

    def cite(self, source_id: str) -> int | None:
        if source_id not in self.known:
            return None
        return self.numbers.setdefault(source_id, len(self.numbers) + 1)

    def replace(self, text: str) -> str:
        """``text`` with each citation bracket written as its numbers: [1], [2, p. 4]."""

        def numbered(match: re.Match[str]) -> str:
            parts = []
            for chunk in match.group(1).split(";"):
                part = _CITE_PART_RE.match(chunk)
                if part is None:
                    return match.group(0)
                number = self.cite(part.group(1))
                label = str(number) if number is not None else "?"
                parts.append(f"{label}, {part.group(2)}" if part.group(2) else label)
            return "\\[" + "; ".join(parts) + "\\]"

        return _CITE_BRACKET_RE.sub(numbered, text)


def plain(text: str) -> str:
    """``text`` with Markdown's special characters escaped, so pandoc prints it as written."""
    return _MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)


def brief_to_markdown(loaded: LoadedBrief, template: ReportTemplate | None = None) -> str:
    """Return the report of ``loaded`` as pandoc Markdown with a YAML title block.

    Headings and dates are the template's (``template``, default: the series'); raises what
    :func:`osintkit.report.template_for` raises if the template cannot be found.
    """
    brief = loaded.brief
    series = loaded.series
    template = template or template_for(loaded)
    language = template.language(brief.language, brief.calendar or series.calendar)
    labels = language.labels
    number = language.number
    numbers = _Numbers({source.id for source in brief.sources})

    def markdown(text: str) -> str:
        shifted = _HEADING_RE.sub(lambda m: "#" * min(6, len(m.group(1)) + HEADING_SHIFT), text)
        return numbers.replace(shifted.strip())

    meta = {
        "title": brief.title,
        "author": list(brief.authors),
        "date": language.date(brief.date),
        "lang": brief.language,
        "dir": language.direction,
        **({"subtitle": brief.subtitle} if brief.subtitle else {}),
        **({"keywords": list(brief.keywords)} if brief.keywords else {}),
    }
    out = ["---"]
    out += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    out += ["---", ""]
    numbering = f"{labels['volume']} {number(brief.volume)} {labels['issue']} {number(brief.issue)}"
    out.append(f"**{plain(series.title)}** {labels['issn']} {series.issn} {numbering}\\")
    out += [plain(series.unit), ""]
    # Reading order, as the report numbers its citations: the sections, then the challenges.
    out += [f"## {plain(str(labels['executive_summary']))}", ""]
    out += [markdown(brief.executive_summary), ""]
    judgements = getattr(brief, "key_judgements", None) or []
    if judgements:
        out += [f"## {plain(str(labels.get('key_judgements', 'Key Judgements')))}", ""]
        for n, judgement in enumerate(judgements, start=1):
            assessment = f"{judgement.likelihood.capitalize()} · {judgement.confidence}"
            out.append(f"{n}. {markdown(judgement.text)} *{plain(assessment)}*")
        out.append("")
    out += [f"## {plain(str(labels['background']))}", "", markdown(brief.background), ""]
    timeline = getattr(brief, "timeline", None) or []
    if timeline:
        out += [f"## {plain(str(labels.get('chronology', 'Chronology')))}", ""]
        date_column = plain(str(labels.get("date_column", "Date")))
        event_column = plain(str(labels.get("event_column", "Event")))
        out += [f"| {date_column} | {event_column} |", "| --- | --- |"]
        for event in timeline:
            text = markdown(event.event).replace("\n", " ").replace("|", "\\|")
            if event.source:
                text += f" \\[{numbers.cite(event.source) or '?'}\\]"
            out.append(f"| {event.date} | {text} |")
        out.append("")
    out += [f"## {plain(str(labels['geopolitical_context']))}", ""]
    out += [markdown(brief.geopolitical_context), ""]
    out += [f"## {plain(brief.challenges.title or str(labels['challenges']))}", ""]
    if brief.challenges.intro:
        out += [markdown(brief.challenges.intro), ""]
    for item in brief.challenges.items:
        out.append(f"- **{plain(item.label)}:** {markdown(item.text)}")
    out.append("")
    if brief.sources:
        out += [f"## {plain(str(labels['sources']))}", ""]
        order = sorted(
            brief.sources, key=lambda s: numbers.numbers.get(s.id, len(brief.sources) + 1)
        )
        separator = str(labels["list_separator"])
        for n, source in enumerate(order, start=1):
            title = f"*{plain(source.title)}*"
            if source.url:
                title = f"[{title}]({source.url})"
            parts = [plain(source.author)] if source.author else []
            parts.append(title)
            if source.publisher:
                parts.append(plain(source.publisher))
            if source.published:
                parts.append(language.date(source.published, "gregorian"))
            accessed = ""
            if source.accessed:
                when = language.date(source.accessed, "gregorian")
                accessed = f" ({plain(str(labels['accessed']).format(date=when))})"
            marker = f"{n}. "
            out += [f"{marker}{separator.join(parts)}{accessed}.", ""]
            if source.excerpt:
                # Inside the list item: indented as far as the item's text.
                pad = " " * len(marker)
                lang = source.language or brief.language
                out.append(f'{pad}::: {{lang="{lang}" dir="{text_direction(lang)}"}}')
                for line in source.excerpt.strip().splitlines():
                    out.append(f"{pad}> {line}" if line.strip() else f"{pad}>")
                out += [f"{pad}:::", ""]
            translation = getattr(source, "translation", None)
            if translation:
                out += [
                    f"{pad}> {line}" if line.strip() else f"{pad}>"
                    for line in translation.strip().splitlines()
                ]
                out.append("")
    contact = f"<{series.contact}>"
    if brief.contact_topic:
        closing = plain(str(labels["contact_topic"]))
        closing = closing.replace("{contact}", contact).replace(
            "{topic}", plain(brief.contact_topic)
        )
    else:
        closing = plain(str(labels["contact"])).replace("{contact}", contact)
    out += ["---", "", closing, ""]
    return "\n".join(out)
