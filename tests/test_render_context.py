"""docs/templates.md documents every variable a template receives, so a new one cannot ship
unexplained."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from osintkit.markdown import Note
from osintkit.render.context import (
    AuthorLine,
    CaptureRow,
    Challenge,
    ContentsEntry,
    CustodyRow,
    Event,
    EvidenceRegister,
    EvidenceSource,
    ExtraSection,
    Judgement,
    Locator,
    Moment,
    Reference,
    ReportContext,
    Sections,
    Tlp,
)
from osintkit.render.metadata import Metadata

DOC = Path(__file__).parents[1] / "docs" / "templates.md"


def _receives() -> str:
    """The part of templates.md that describes what a template receives."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## What `report.html.j2` and `print.css.j2` receive")
    return text[start : text.index("\n## ", start + 1)]


def _first_column(table_of: str) -> set[str]:
    """The names in the first column of the table introduced by ``table_of`` (`a`, `b(d)`)."""
    part = _receives()
    rows = part[part.index(table_of) :].split("\n\n")[1]
    names: set[str] = set()
    for row in rows.splitlines()[2:]:
        names.update(re.findall(r"`(\w+)", row.split("|")[1]))
    return names


def test_every_variable_of_the_context_has_a_row() -> None:
    documented = _first_column("the fields of\n`osintkit.render.context.ReportContext`:")
    assert {f.name for f in fields(ReportContext)} <= documented


def test_every_field_of_sections_has_a_row() -> None:
    documented = _first_column("`sections`:")
    assert {f.name for f in fields(Sections)} | {"printed"} <= documented


@pytest.mark.parametrize(
    "kind",
    [Reference, Locator, Judgement, Event, Challenge, ExtraSection, ContentsEntry, AuthorLine,
     Tlp, Note, Metadata, EvidenceRegister, EvidenceSource, CaptureRow, CustodyRow, Moment],
    ids=lambda kind: kind.__name__,
)  # fmt: skip
def test_every_field_of_what_a_variable_holds_is_named(kind: type) -> None:
    part = _receives()
    # `name`, or as a path: `tlp.level`
    assert [f.name for f in fields(kind) if not re.search(rf"[`.]{f.name}`", part)] == []
