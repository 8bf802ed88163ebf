"""The longer sample, briefs/persian-files-long-sample.yaml: every part of the document model
(issue 13) in one report, as a reader gets it in the PDF and the HTML.

The other test modules check each feature on small fixtures; this one checks that they hold
together in a brief of report length: numbering in reading order, cross-references that land,
footnotes at the foot of their page, a contents list whose page numbers are the pages.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import osintkit
from osintkit.cli import app
from osintkit.lint import lint_brief
from osintkit.loader import load_yaml

ROOT = Path(__file__).resolve().parents[1]
BRIEF = ROOT / "briefs" / "persian-files-long-sample.yaml"

#: Each footnote's text, and words just before its call: the two must share a page.
FOOTNOTES = {
    "sochi": (
        "The ministry's page places this meeting “together with the presidents of Russia and "
        "Turkey, within the framework of the trilateral summit on the Syrian crisis”. This "
        "report records it as the page words it; it has no second source for the meeting.",
        "Qingdao (2018) and Sochi (2019)",
    ),
    "gap": (
        "A gap in the record is not a gap in the relationship.",
        "The longest silence in the record runs from 2008 to 2014",
    ),
    "quotes": (
        "Excerpts are quoted as the ministry's page writes them, including its misspellings",
        "each quotes the page in Persian with an English translation",
    ),
}
#: Captions as numbered in reading order: body first, then the annexes.
CAPTIONS = {
    "Figure 1": "Recorded Belarus–Iran events by channel, 1993–2025.",
    "Figure 2": "Where the recorded events took place, by channel.",
    "Table 1": "Recorded events by channel and period",
    "Table 2": "Recorded events by channel and venue.",
}
#: Cross-references as the HTML links them: target id → the label it prints.
XREFS = {
    "fig-channels": "Figure 1",
    "fig-venues": "Figure 2",
    "tbl-periods": "Table 1",
    "tbl-venues": "Table 2",
    "sec-channels": "Contacts by channel",
    "sec-method": "Method, sources and grading",
    "sec-annex-data": "Annex A",
    "sec-annex-names": "Annex B",
}
#: Headings the contents list, each found once in the body after it.
HEADINGS = [
    "Geopolitical Context",
    "Limits of the Belarus-Iran Partnership",
    "Annex A: The data behind the figures",
    "Annex B: Names in the Persian source",
]


def _squeeze(text: str) -> str:
    """Letters and digits only: what survives line breaks, hyphenation and quote styles."""
    return re.sub(r"[\W_]+", "", text).casefold()


@pytest.fixture(scope="module")
def rendered() -> osintkit.Rendered:
    return osintkit.render_brief(osintkit.load_brief(BRIEF))


@pytest.fixture(scope="module")
def pages(rendered: osintkit.Rendered, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The PDF's text, page by page (pdftotext's form feeds)."""
    assert shutil.which("pdftotext"), "poppler-utils is installed by scripts/setup.sh"
    assert rendered.pdf is not None
    pdf = tmp_path_factory.mktemp("sample") / "sample.pdf"
    pdf.write_bytes(rendered.pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[: rendered.pages]


def test_the_sample_validates_lints_clean_and_fits_the_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(BRIEF)])
    assert result.exit_code == 0, result.output
    assert lint_brief(osintkit.load_brief(BRIEF)) == []
    result = CliRunner().invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "brief.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(load_yaml(BRIEF).data, schema)


def test_it_renders_to_about_ten_pages(rendered: osintkit.Rendered) -> None:
    assert rendered.pages is not None
    assert 7 <= rendered.pages <= 10, rendered.pages


def test_figures_and_tables_are_numbered_in_reading_order_with_their_captions(
    pages: list[str],
) -> None:
    text = _squeeze(" ".join(pages))
    for label, caption in CAPTIONS.items():
        assert _squeeze(label + caption) in text, label


def test_the_pdf_has_its_contents_annexes_and_every_footnote(pages: list[str]) -> None:
    text = _squeeze(" ".join(pages))
    assert _squeeze("Contents") in _squeeze(pages[0] + pages[1])
    for annex in ("Annex A", "Annex B"):
        assert _squeeze(annex) in text
    for name, (note, _) in FOOTNOTES.items():
        assert _squeeze(note) in text, name


def test_each_footnote_is_at_the_foot_of_the_page_that_calls_it(pages: list[str]) -> None:
    squeezed = [_squeeze(page) for page in pages]
    for name, (note, call) in FOOTNOTES.items():
        note_pages = [i for i, page in enumerate(squeezed) if _squeeze(note) in page]
        call_pages = [i for i, page in enumerate(squeezed) if _squeeze(call) in page]
        assert len(note_pages) == 1 and note_pages == call_pages, (name, note_pages, call_pages)


def test_the_contents_page_numbers_are_the_pages_the_headings_are_on(pages: list[str]) -> None:
    contents = next(i for i, page in enumerate(pages) if re.search(r"^\s*Contents\s*$", page, re.M))
    listed = " ".join(pages[contents].split())
    for heading in HEADINGS:
        found = re.search(re.escape(heading) + r"[\s.·…]*(\d+)", listed)
        assert found, f"{heading!r} is not in the contents"
        on = [
            i + 1
            for i, page in enumerate(pages)
            if i > contents and heading in " ".join(page.split())
        ]
        assert on and int(found.group(1)) == on[0], (heading, found.group(1), on)


class _Anchors(HTMLParser):
    """Every id in the document, every same-document link and what each cross-reference says."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}  # id → the element that has it
        self.repeated: list[str] = []
        self.links: list[str] = []
        self.xrefs: list[tuple[str, str]] = []
        self._xref: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            if str(attributes["id"]) in self.ids:
                self.repeated.append(str(attributes["id"]))
            self.ids[str(attributes["id"])] = tag
        href = attributes.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.links.append(href[1:])
            if "xref" in (attributes.get("class") or "").split():
                self._xref, self._text = href[1:], []

    def handle_data(self, data: str) -> None:
        if self._xref is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._xref is not None:
            self.xrefs.append((self._xref, "".join(self._text)))
            self._xref = None


def test_every_html_link_lands_and_each_cross_reference_prints_its_label(
    rendered: osintkit.Rendered,
) -> None:
    anchors = _Anchors()
    anchors.feed(rendered.html)
    assert [link for link in anchors.links if link not in anchors.ids] == []
    assert anchors.repeated == []
    assert {link for link in anchors.links if link.startswith("fig-")} == {
        "fig-channels",
        "fig-venues",
    }
    elements = {"fig": "figure", "tbl": "table", "sec": "section"}
    for target, label in XREFS.items():
        assert anchors.ids.get(target) == elements[target[:3]], target
        assert (target, label) in anchors.xrefs, target


def test_the_html_carries_both_figures_inline_with_their_text_alternatives(
    rendered: osintkit.Rendered,
) -> None:
    html = rendered.html
    assert html.count('src="data:image/svg+xml;base64,') == 2
    assert "figures/chronology-" not in html  # nothing left to fetch from the folder
    assert 'alt="Dot chart of 21 events on five rows by channel' in html
    assert 'alt="Stacked bar chart of 21 events by channel and venue' in html
    assert "Chart: SpecialEurasia OSINT Unit, from the chronology of this report" in html
