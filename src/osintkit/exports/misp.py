"""A brief as a MISP event (the JSON MISP imports and ``pymisp.MISPEvent`` loads), by hand.

The event: ``info`` the title, ``date`` the brief's, ``distribution`` and a ``tlp:`` tag from
its TLP, ``analysis`` completed (initial for a draft), threat level undefined (a brief
assesses a situation, it does not rate a threat). Its EventReport is the report as Markdown,
section by section under the template's own headings. Each source is an attribute, a ``link``
to its URL (a ``text`` naming it when it has none), tagged with its Admiralty grade; each key
judgement is a ``text`` attribute, not an object (MISP has no object template for an
assessment, and a tag belongs on the attribute that states it), tagged with its likelihood
and confidence in the ``estimative-language`` taxonomy. The vocabulary is in
:mod:`osintkit.exports.vocabulary`; the event's UUID is the STIX report's, so the two
exports of one issue are one event in MISP.
"""

from __future__ import annotations

import json
import re
from typing import Any

from osintkit.exports.identifiers import issue_uuid, midnight, series_uuid
from osintkit.exports.sources import source_description
from osintkit.exports.vocabulary import (
    MISP_ANALYSIS,
    MISP_DISTRIBUTION,
    MISP_THREAT_LEVEL_UNDEFINED,
    MISP_TLP_TAGS,
    admiralty_tags,
    estimative_confidence_tag,
    estimative_likelihood_tag,
)
from osintkit.markdown import is_target_id, plain_text
from osintkit.models import Brief
from osintkit.outline import FIXED_SECTIONS, annex_letter, sections_after
from osintkit.portions import marking, portion_level
from osintkit.tradecraft import likelihood
from osintkit.validation import LoadedBrief

#: MISP's distribution of an attribute or report that follows its event's.
_INHERIT = 5
_CITATION_RE = re.compile(r"\[(@[^\]\n]+)\]")
_FENCE_RE = re.compile(r"^ {0,3}:::.*(?:\n|$)", re.MULTILINE)


def misp_event(loaded: LoadedBrief) -> bytes:
    """The brief as a MISP event, UTF-8 JSON (indented, non-ASCII kept as written)."""
    brief, series = loaded.brief, loaded.series
    mark = marking(brief, series)
    timestamp = str(int(midnight(loaded).timestamp()))
    attributes: list[dict[str, Any]] = []
    for i, source in enumerate(brief.sources):
        citation = f"{source.title} ({source_description(source)})"
        tags = admiralty_tags(source.reliability, source.credibility)
        level = portion_level(brief, mark, ("sources", i))
        if level != mark.full:  # a portion marked lower than the event says so
            tags.append(MISP_TLP_TAGS[level])
        attribute = {
            "uuid": str(issue_uuid(loaded, f"source/{source.id}")),
            "type": "link" if source.url else "text",
            "category": "External analysis",
            "value": source.url or citation,
            "comment": citation if source.url else f"source {source.id}, no URL",
            "to_ids": False,
            "distribution": _INHERIT,
            "timestamp": timestamp,
            "Tag": _tags(tags),
        }
        attributes.append(attribute)
    scale = series.likelihood_scale
    for n, judgement in enumerate(brief.key_judgements, 1):
        entry = likelihood(scale, judgement.likelihood)
        tags = [estimative_confidence_tag(judgement.confidence)]
        if entry is not None:  # validation refuses a term outside the scale
            tags.insert(0, estimative_likelihood_tag(scale, entry))
        level = portion_level(brief, mark, ("key_judgements", n - 1))
        if level != mark.full:  # a portion marked lower than the event says so
            tags.append(MISP_TLP_TAGS[level])
        band = f" ({entry.band})" if entry is not None else ""
        attributes.append(
            {
                "uuid": str(issue_uuid(loaded, f"key-judgement/{n}")),
                "type": "text",
                "category": "Other",
                "value": plain_text(judgement.text).strip(),
                "comment": f"Key judgement {n}: {judgement.likelihood}{band}, "
                f"{judgement.confidence} confidence",
                "to_ids": False,
                "distribution": _INHERIT,
                "timestamp": timestamp,
                "Tag": _tags(tags),
            }
        )
    event = {
        "uuid": str(issue_uuid(loaded, "report")),
        "info": brief.title,
        "date": brief.date.isoformat(),
        "timestamp": timestamp,
        "published": False,
        "distribution": MISP_DISTRIBUTION[mark.full],
        "analysis": MISP_ANALYSIS[brief.status],
        "threat_level_id": MISP_THREAT_LEVEL_UNDEFINED,
        "Orgc": {"uuid": str(series_uuid(loaded, "unit")), "name": series.unit},
        "Tag": _tags([MISP_TLP_TAGS[mark.full]]),
        "Attribute": attributes,
        "EventReport": [
            {
                "uuid": str(issue_uuid(loaded, "event-report")),
                "name": brief.title,
                "content": report_markdown(loaded),
                "distribution": _INHERIT,
                "timestamp": timestamp,
            }
        ],
    }
    return (json.dumps({"Event": event}, indent=2, ensure_ascii=False) + "\n").encode()


def _tags(names: list[str]) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


def report_markdown(loaded: LoadedBrief) -> str:
    """The report as Markdown: title block, then each section in print order under the
    template's heading for the brief's language. Citations are numbers into the sources
    list at the end; ``:::`` portion fences are left out (an edition has cut what they
    marked above its level already)."""
    from osintkit.templates import find_template

    brief, series = loaded.brief, loaded.series
    template = find_template(series.template, loaded.registry_path.parent)
    labels = template.language(brief.language).labels
    numbers = {source.id: n for n, source in enumerate(brief.sources, 1)}
    issn = f", ISSN {series.issn}" if series.issn else ""
    out = [f"# {_line(brief.title)}"]
    if brief.subtitle:
        out.append(f"*{_line(brief.subtitle)}*")
    out.append(
        f"{_line(series.title)}{issn}, {labels['volume']} {brief.volume}, "
        f"{labels['issue']} {brief.issue} · {brief.date.isoformat()} · "
        f"{_line(', '.join(brief.author_names()))} · TLP:{marking(brief, series).full}"
    )
    if brief.bluf:
        out.append(_body(brief.bluf, numbers))
    for key, _anchor in FIXED_SECTIONS:
        title = brief.challenges.title if key == "challenges" and brief.challenges.title else None
        out.append(f"## {_line(title or labels[key])}")
        out.append(_fixed(brief, key, numbers))
        for i in sections_after(brief, key):
            section = brief.sections[i]
            out.append(f"## {_line(section.title)}")
            out.append(_body(section.body, numbers))
        if key == "executive_summary" and brief.key_judgements:
            out.append(f"## {labels['key_judgements']}")
            out.append(_judgements(loaded))
        if key == "background" and brief.timeline:
            out.append(f"## {labels['chronology']}")
            out.append(
                "\n".join(
                    f"- {event.date}: {_line(_body(event.event, numbers))}"
                    + (f" [{numbers[event.source]}]" if event.source in numbers else "")
                    for event in brief.timeline
                )
            )
    if brief.sources:
        out.append(f"## {labels['sources']}")
        out.append(
            "\n".join(
                f"{n}. {_line(source.title)}: {_line(source_description(source))}"
                + (f" <{source.url}>" if source.url else "")
                for n, source in enumerate(brief.sources, 1)
            )
        )
    for i, appendix in enumerate(brief.appendices):
        out.append(f"## {annex_letter(i)}: {_line(appendix.title)}")
        out.append(_body(appendix.body, numbers))
    if brief.disclaimer or series.disclaimer:
        out.append(_body(brief.disclaimer or series.disclaimer or "", numbers))
    return "\n\n".join(part for part in out if part) + "\n"


def _fixed(brief: Brief, key: str, numbers: dict[str, int]) -> str:
    if key == "executive_summary":
        return _body(brief.executive_summary, numbers)
    if key == "background":
        return _body(brief.background, numbers)
    if key == "geopolitical_context":
        return _body(brief.geopolitical_context, numbers)
    items = "\n".join(
        f"- **{_line(item.label)}**: {_line(_body(item.text, numbers))}"
        for item in brief.challenges.items
    )
    intro = _body(brief.challenges.intro, numbers) if brief.challenges.intro else ""
    return "\n\n".join(part for part in (intro, items) if part)


def _judgements(loaded: LoadedBrief) -> str:
    scale = loaded.series.likelihood_scale
    lines = []
    for n, judgement in enumerate(loaded.brief.key_judgements, 1):
        entry = likelihood(scale, judgement.likelihood)
        band = f" ({entry.band})" if entry is not None else ""
        lines.append(
            f"{n}. {_line(plain_text(judgement.text))} "
            f"*{judgement.likelihood}{band}, {judgement.confidence} confidence*"
        )
    return "\n".join(lines)


def _body(text: str, numbers: dict[str, int]) -> str:
    """A Markdown field as the event report holds it: citations numbered, fences gone."""
    text = _FENCE_RE.sub("", text)

    def cite(match: re.Match[str]) -> str:
        shown = []
        for part in match.group(1).split(";"):
            source_id, _, locator = part.strip().removeprefix("@").partition(",")
            if source_id in numbers:
                shown.append(f"{numbers[source_id]}{',' + locator if locator else ''}")
            elif is_target_id(source_id):
                shown.append(source_id)
            else:
                return match.group(0)
        return f"[{'; '.join(shown)}]"

    return _CITATION_RE.sub(cite, text).strip()


def _line(text: str) -> str:
    """``text`` on one line (a title, a list item): its line breaks made spaces."""
    return " ".join(text.split())
