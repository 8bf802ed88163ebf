"""A brief with figures, a captioned table, cross-references and footnotes, rendered to PDF and
HTML end to end: numbered captions, links that land, each note once at the foot of its page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from osintkit.report import render_brief
from osintkit.validation import load_brief

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTES = {
    # The note's text → a phrase of the paragraph that calls it.
    "A launch is counted once, on the day the defending side reported it.": "open sources",
    "Decoys carry no warhead and are counted apart where the reports allow it.": "Decoys grew",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], str]:
    """The PDF's text page by page, and the HTML, of the document-model fixture."""
    folder = tmp_path_factory.mktemp("model") / "brief"
    shutil.copytree(FIXTURES / "document-model", folder)
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    report = render_brief(load_brief(folder / "document-model.yaml"))
    assert report.warnings == []
    pdf = folder / "document-model.pdf"
    pdf.write_bytes(report.files["pdf"])
    pages = [" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages]
    return pages, report.files["html"].decode()


def test_figures_and_tables_print_numbered_captions(rendered: tuple[list[str], str]) -> None:
    text = " ".join(rendered[0])
    assert "Figure 1: Shahed-type drones launched per month, 2022–2025." in text
    assert "Source: open-source tallies." in text
    assert "Figure 2: Share of decoys among launches, per cent." in text
    assert "Table 1: Launches and decoys by quarter." in text
    # The summary refers to both figures before either is printed.
    assert "as Figure 1 and Table 1 show; decoys rose with them (Figure 2)" in text


def test_each_footnote_is_printed_once_at_the_foot_of_its_calls_page(
    rendered: tuple[list[str], str],
) -> None:
    pages = rendered[0]
    assert len(pages) >= 2
    for note, call in NOTES.items():
        holding = [i for i, page in enumerate(pages) if note in page]
        assert len(holding) == 1, note
        assert sum(page.count(note) for page in pages) == 1
        (page,) = holding
        assert call in pages[page]
        # At the foot: after everything else the page's body holds.
        assert pages[page].index(note) > pages[page].index(call)
    # The HTML's list of notes is not printed.
    assert "Notes" not in " ".join(pages)


def test_html_links_land_both_ways(rendered: tuple[list[str], str]) -> None:
    html = rendered[1]
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = re.findall(r'href="#([^"]+)"', html)
    assert {"fig-launches", "fig-decoys", "tbl-launches", "fn-1", "fn-2"} <= ids
    assert set(links) - ids == set()
    assert re.findall(r'<a class="xref" href="#([^"]+)"[^>]*>([^<]+)</a>', html)[:3] == [
        ("fig-launches", "Figure 1"),
        ("tbl-launches", "Table 1"),
        ("fig-decoys", "Figure 2"),
    ]
    # Calls link to their notes and the notes back to their calls.
    assert '<a class="footnote-ref" id="fnref-1" href="#fn-1"' in html
    assert re.search(r'<li id="fn-1">.*?href="#fnref-1"', html, re.DOTALL)
    assert '<figure id="fig-launches" class="figure" style="width:70%">' in html
    assert '<figure id="fig-decoys" class="figure" style="width:120mm">' in html
    assert '<table id="tbl-launches">\n<caption>' in html


def test_a_persian_report_numbers_in_its_own_words_and_digits(tmp_path: Path) -> None:
    folder = tmp_path / "brief"
    shutil.copytree(FIXTURES / "document-model", folder)
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    brief = folder / "document-model.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("language: en", "language: fa"),
        encoding="utf-8",
    )
    html = render_brief(load_brief(brief), formats=("html",)).files["html"].decode()
    assert '<span class="figure-label">شکل ۱:</span>' in html
    assert '<span class="table-label">جدول ۱:</span>' in html
    assert '<a class="xref" href="#fig-decoys" rel="noopener noreferrer">شکل ۲</a>' in html
    assert '<span class="footnote-text" data-number="۲">' in html


def test_a_long_tables_header_row_repeats_on_every_page(tmp_path: Path) -> None:
    rows = "".join(f"  | 2024-{i:03d} | {i * 7} |\n" for i in range(90))
    table = f"  | Day | Launches |\n  |:--|--:|\n{rows}\n  : Launches by day. {{#tbl-days}}\n\n"
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "background: |\n", f"background: |\n  As [@tbl-days] shows. [@mfa]\n\n{table}"
    )
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    (tmp_path / "long.yaml").write_text(text, encoding="utf-8")
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_brief(load_brief(tmp_path / "long.yaml")).files["pdf"])
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    spanned = [page for page in pages if "2024-0" in page]
    assert len(spanned) >= 2
    assert all("Day" in page and "Launches" in page for page in spanned)
    assert sum(page.count("Table 1: Launches by day.") for page in pages) == 1
