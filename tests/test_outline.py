"""The parts of a report in reading order: where extra sections go, how annexes are lettered."""

from __future__ import annotations

from typing import Any

import pytest

from osintkit.models import Brief
from osintkit.outline import annex_letter, markdown_in_reading_order, parts
from support import tiny_brief


def _brief(**extra: Any) -> Brief:
    """A brief with key judgements and a chronology, whose places the order must respect."""
    judgement = {"text": "Judged.", "likelihood": "likely", "confidence": "low"}
    fields: dict[str, Any] = {
        "challenges": {"intro": "Intro.", "items": [{"label": "L", "text": "Item."}]},
        "key_judgements": [judgement],
        "timeline": [{"date": 2020, "event": "Event."}],
    }
    return tiny_brief(**{**fields, **extra})


def test_an_extra_section_comes_directly_after_its_fixed_section() -> None:
    brief = _brief(
        sections=[
            {"id": "sec-b", "title": "After background", "after": "background", "body": "B."},
            {"id": "sec-c", "title": "Default place", "body": "C."},
        ],
        appendices=[{"id": "sec-annex", "title": "Data", "body": "Annex."}],
        bluf="Bottom line.",
        disclaimer="Not advice.",
    )
    texts = [text for _path, text in markdown_in_reading_order(brief)]
    assert texts == [
        "Bottom line.",
        "Summary.",
        "Judged.",
        "Background.",
        "B.",  # before the chronology the template sets after the background
        "Event.",
        "Context.",
        "Intro.",
        "Item.",
        "C.",
        "Annex.",
        "Not advice.",
    ]
    assert [p.anchor for p in parts(brief)] == [
        "executive-summary",
        "background",
        "sec-b",
        "geopolitical-context",
        "challenges",
        "sec-c",
        "sec-annex",
    ]
    assert parts(brief)[-1].letter == "A"


def test_the_key_path_of_each_field_names_where_it_is_written() -> None:
    brief = _brief(sections=[{"id": "sec-x", "title": "X", "after": "background", "body": "X."}])
    paths = dict((text, path) for path, text in markdown_in_reading_order(brief))
    assert paths["X."] == ("sections", 0, "body")
    assert paths["Item."] == ("challenges", "items", 0, "text")


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB")])
def test_annexes_are_lettered_past_z(index: int, letter: str) -> None:
    assert annex_letter(index) == letter


def test_a_source_id_may_not_look_like_a_cross_reference() -> None:
    with pytest.raises(ValueError, match="cross-reference"):
        _brief(sources=[{"id": "fig-1", "title": "Chart"}])


def test_several_sections_after_one_keep_the_brief_s_order() -> None:
    brief = _brief(
        sections=[
            {"id": "sec-two", "title": "Second", "after": "executive_summary", "body": "2."},
            {"id": "sec-one", "title": "First", "after": "background", "body": "B."},
            {"id": "sec-three", "title": "Third", "after": "executive_summary", "body": "3."},
        ]
    )
    texts = [text for _path, text in markdown_in_reading_order(brief)]
    # After the summary and before the key judgements the template sets after it.
    assert texts[:5] == ["Summary.", "2.", "3.", "Judged.", "Background."]
    assert [p.anchor for p in parts(brief)][:4] == [
        "executive-summary", "sec-two", "sec-three", "background",
    ]  # fmt: skip
