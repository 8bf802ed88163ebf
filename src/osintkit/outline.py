"""The parts of a report in reading order: the fixed sections, the extra ones, the annexes.

One order for everything that numbers or places: figures and tables are numbered in the order
the report prints them (not the order of the YAML file), the contents list follows it, and the
template places each extra section directly after the fixed section it names, before what the
template itself sets after that one (key judgements after the summary, the chronology after
the background).
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from osintkit.errors import KeyPath
from osintkit.fields import FixedSection
from osintkit.models import Brief

#: The fixed sections in print order, with the HTML id the template gives each.
FIXED_SECTIONS: tuple[tuple[FixedSection, str], ...] = (
    ("executive_summary", "executive-summary"),
    ("background", "background"),
    ("geopolitical_context", "geopolitical-context"),
    ("challenges", "challenges"),
)


@dataclass(frozen=True, slots=True)
class Part:
    """One section of the report as the contents list and cross-references see it."""

    #: The HTML id of the section: "background", "sec-method".
    anchor: str
    kind: Literal["fixed", "section", "annex"]
    #: Where the part is written in the brief: ("background",), ("sections", 0).
    key_path: KeyPath
    #: The brief's title of an extra section or annex; None for a fixed one (a label names it).
    title: str | None = None
    #: "A" for the first annex, "B" for the next; None for any other part.
    letter: str | None = None


#: The HTML id of the evidence register, the annex osintkit adds after the brief's own when a
#: source has captures or an archive link: a cross-reference ``[@sec-evidence-register]``
#: prints its letter, and no section or annex of the brief may take the id.
EVIDENCE_REGISTER = "sec-evidence-register"


def has_evidence(brief: Brief) -> bool:
    """Whether the report of ``brief`` has an evidence register: a source with captures or an
    archive link, or a chain of custody."""
    return bool(brief.custody) or any(s.captures or s.archive_url for s in brief.sources)


def annex_letter(index: int) -> str:
    """The letter of the annex at ``index`` (0-based): A … Z, then AA, AB …"""
    letters = string.ascii_uppercase
    if index < len(letters):
        return letters[index]
    return annex_letter(index // len(letters) - 1) + letters[index % len(letters)]


def parts(brief: Brief) -> tuple[Part, ...]:
    """Every section of ``brief`` in the order the report prints it (sources excepted): the
    evidence register, when there is one, is the last annex."""
    result: list[Part] = []
    for key, anchor in FIXED_SECTIONS:
        result.append(Part(anchor, "fixed", (key,)))
        result.extend(
            Part(section.id, "section", ("sections", i), section.title)
            for i, section in enumerate(brief.sections)
            if section.after == key
        )
    result.extend(
        Part(appendix.id, "annex", ("appendices", i), appendix.title, annex_letter(i))
        for i, appendix in enumerate(brief.appendices)
    )
    if has_evidence(brief):
        letter = annex_letter(len(brief.appendices))
        result.append(Part(EVIDENCE_REGISTER, "annex", ("sources",), None, letter))
    return tuple(result)


def sections_after(brief: Brief, key: FixedSection) -> list[int]:
    """The indices in ``brief.sections`` of the extra sections placed after ``key``."""
    return [i for i, section in enumerate(brief.sections) if section.after == key]


def markdown_in_reading_order(brief: Brief) -> Iterator[tuple[KeyPath, str]]:
    """Yield (key path, text) of every Markdown field of ``brief`` in the order it is printed.

    Sources follow the brief's order here: the reference list reorders them by first citation,
    but an excerpt or translation holds no figure or table to number.
    """
    if brief.bluf:
        yield ("bluf",), brief.bluf
    for key, _anchor in FIXED_SECTIONS:
        yield from _fixed(brief, key)
        for i in sections_after(brief, key):
            yield ("sections", i, "body"), brief.sections[i].body
        yield from _set_after(brief, key)
    for i, source in enumerate(brief.sources):
        if source.excerpt:
            yield ("sources", i, "excerpt"), source.excerpt
        if source.translation:
            yield ("sources", i, "translation"), source.translation
    for i, appendix in enumerate(brief.appendices):
        yield ("appendices", i, "body"), appendix.body
    if brief.disclaimer:
        yield ("disclaimer",), brief.disclaimer


def _fixed(brief: Brief, key: FixedSection) -> Iterator[tuple[KeyPath, str]]:
    """The Markdown of one fixed section."""
    if key == "executive_summary":
        yield (key,), brief.executive_summary
    elif key == "background":
        yield (key,), brief.background
    elif key == "geopolitical_context":
        yield (key,), brief.geopolitical_context
    else:
        if brief.challenges.intro:
            yield ("challenges", "intro"), brief.challenges.intro
        for i, item in enumerate(brief.challenges.items):
            yield ("challenges", "items", i, "text"), item.text


def _set_after(brief: Brief, key: FixedSection) -> Iterator[tuple[KeyPath, str]]:
    """What the template prints after a fixed section, after the extra sections placed there."""
    if key == "executive_summary":
        for i, judgement in enumerate(brief.key_judgements):
            yield ("key_judgements", i, "text"), judgement.text
    elif key == "background":
        for i, event in enumerate(brief.timeline):
            yield ("timeline", i, "event"), event.event
