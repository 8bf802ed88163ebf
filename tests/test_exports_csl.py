"""CSL-JSON of a brief's sources, valid against the CSL 1.0.2 input schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from osintkit.exports.csl import csl_json
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA = json.loads((FIXTURES / "csl" / "csl-data.json").read_text(encoding="utf-8"))


def _valid(data: bytes | None) -> list[dict[str, Any]]:
    assert data is not None
    items = json.loads(data)
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(items)
    return items  # type: ignore[no-any-return]


def test_the_reference_brief_and_the_persian_sample_are_valid_csl() -> None:
    (item,) = _valid(csl_json(load_brief(ROOT / "briefs" / "persian-files-29-2.yaml")))
    assert item == {
        "id": "mfa-belarus-iran",
        "type": "document",  # no URL
        "title": "Political relations between Belarus and Iran",
        "publisher": "Ministry of Foreign Affairs of the Republic of Belarus",
        "accessed": {"date-parts": [[2025, 1, 18]]},
        "language": "fa",
    }
    data = csl_json(load_brief(ROOT / "briefs" / "persian-files-fa-sample.yaml"))
    assert data is not None and "وزارت امور خارجه جمهوری بلاروس".encode() in data
    (item,) = _valid(data)
    assert item["title"] == "روابط سیاسی بین بلاروس و ایران"


def test_partial_dates_authors_urls_and_archives(make_brief: Any) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    extra = (
        "  - id: year-only\n    title: A yearbook\n    author: Jane Doe\n    published: 1998\n"
        "  - id: month-only\n    title: 'A \"quoted\" page'\n    url: https://example.org/a\n"
        "    published: 2024-03\n"
        "    archive_url: https://web.archive.org/web/2024/https://example.org/a\n"
        "  - id: whole\n    title: A day\n    published: 2025-01-15\n"
    )
    text = (
        text.replace(
            "Both countries look for partners outside the West.",
            ("Both countries look for partners. [@year-only; @month-only, p. 2; @whole]"),
        )
        + extra
    )
    items = _valid(csl_json(load_brief(make_brief(text))))
    by_id = {item["id"]: item for item in items}
    assert by_id["year-only"]["issued"] == {"date-parts": [[1998]]}
    assert by_id["year-only"]["author"] == [{"literal": "Jane Doe"}]
    assert by_id["month-only"]["issued"] == {"date-parts": [[2024, 3]]}
    assert by_id["month-only"]["type"] == "webpage"
    assert by_id["month-only"]["URL"] == "https://example.org/a"
    assert by_id["month-only"]["title"] == 'A "quoted" page'
    assert by_id["month-only"]["archive"] == "web.archive.org"
    assert by_id["whole"]["issued"] == {"date-parts": [[2025, 1, 15]]}
    assert [item["id"] for item in items] == ["mfa", "year-only", "month-only", "whole"]


def test_a_brief_without_sources_has_no_csl_export(make_brief: Any) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text[: text.index("sources:")].replace(" [@mfa]", "")
    assert csl_json(load_brief(make_brief(text))) is None
