"""End to end: the reference brief rendered to a real PDF, read back as a reader gets it."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"
SEED = ROOT / "seeds" / "004_98082e07971dfb09.txt"
PERSIAN_SEED = ROOT / "seeds" / "000_eb7cd7428725e614.txt"
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/setup.sh"
)


@pytest.fixture(scope="module")
def reference_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["render", str(REFERENCE), "--out", str(out), "-f", "pdf"])
    assert result.exit_code == 0, result.output
    return out / "persian-files-29-2.pdf"


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def words(text: str) -> str:
    """Text with bidi controls dropped and white space folded, as a reader compares it."""
    return " ".join(text.translate(BIDI_CONTROLS).split())


@needs_poppler
def test_every_heading_and_the_series_line_are_in_the_text(reference_pdf: Path) -> None:
    text = words(pdftotext(reference_pdf))
    assert "Persian Files ISSN 2975-0598 Volume 29 Issue 2" in text
    assert "SpecialEurasia OSINT Unit" in text
    for heading in (
        "Executive Summary",
        "Background Information",
        "Geopolitical Context",
        "Challenges to the Belarus-Iran Partnership",
        "Sources",
    ):
        assert heading in text
    assert "Contact info@specialeurasia.com for further reports" in text
    assert "regarding Iran-Belarus relations." in text


@needs_poppler
def test_the_seed_text_reads_through_in_order(reference_pdf: Path) -> None:
    text = words(pdftotext(reference_pdf))
    running = r"Persian Files Volume 29 Issue 2 |Persian Files · ISSN 2975-0598 Page \d of \d "
    text = re.sub(running, "", text)
    position = 0
    for line in SEED.read_text(encoding="utf-8").splitlines()[2:]:
        # Challenge items are printed "Label: text", as in the seed's "- Label: text" lines.
        sentence = words(line.removeprefix("- "))[:60]
        found = text.find(sentence, position)
        assert found >= 0, f"not found in reading order: {sentence!r}"
        position = found


@needs_poppler
def test_every_page_has_header_and_numbered_footer(reference_pdf: Path) -> None:
    reader = PdfReader(reference_pdf)
    pages = len(reader.pages)
    assert 2 <= pages <= 5
    for number in range(1, pages + 1):
        page_text = words(pdftotext(reference_pdf, "-f", str(number), "-l", str(number)))
        assert f"Page {number} of {pages}" in page_text
        assert "Volume 29 Issue 2" in page_text
        assert "Persian Files" in page_text


def test_metadata_and_outline(reference_pdf: Path) -> None:
    reader = PdfReader(reference_pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Belarus and Iran: A Partnership Against Geopolitical Isolation"
    assert meta.author == "SpecialEurasia OSINT Unit"
    assert meta.subject == "Persian Files ISSN 2975-0598 Volume 29 Issue 2"
    assert "Belarus" in str(meta.get("/Keywords"))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == "Belarus and Iran: A Partnership Against Geopolitical Isolation"
    nested = [i.title for sub in reader.outline if isinstance(sub, list) for i in sub]
    assert {"Executive Summary", "Background Information", "Sources"} <= set(nested)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils")
def test_fonts_are_embedded_including_an_arabic_script_face(reference_pdf: Path) -> None:
    listing = subprocess.run(
        ["pdffonts", str(reference_pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert listing
    for row in listing:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    assert any("Naskh-Arabic" in row for row in listing)


@needs_poppler
def test_persian_excerpt_reads_back_in_logical_order(reference_pdf: Path) -> None:
    """Crop to the Persian lines so pdftotext takes them as right-to-left text, then compare
    the letters, in order, with the seed's own sentence."""
    expected = PERSIAN_SEED.read_text(encoding="utf-8").splitlines()[1]
    page, box = _persian_box(reference_pdf)
    x0, y0, x1, y1 = box
    text = pdftotext(
        reference_pdf, "-f", str(page), "-l", str(page),
        "-x", str(int(x0) - 2), "-y", str(int(y0) - 2),
        "-W", str(int(x1 - x0) + 4), "-H", str(int(y1 - y0) + 4),
    )  # fmt: skip
    got = "".join(text.translate(BIDI_CONTROLS).split())
    want = "".join(expected.split())
    assert unicodedata.normalize("NFC", got) == unicodedata.normalize("NFC", want)


def _persian_box(pdf: Path) -> tuple[int, tuple[float, float, float, float]]:
    """Page and bounding box of every word holding Arabic-script letters."""
    html = pdftotext(pdf, "-bbox")
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        boxes = [
            tuple(float(v) for v in m.groups())
            for m in re.finditer(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"[^<]*[\u0600-\u06FF][^<]*</word>",
                page,
            )
        ]
        if boxes:
            return number, (
                min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes),
            )  # fmt: skip
    raise AssertionError("no Persian text in the PDF")


def test_the_pdf_draws_the_same_checked_figures_as_the_html(
    make_brief,
    fixtures_dir: Path,
    make_png,  # type: ignore[no-untyped-def]
) -> None:
    from osintkit.report import render_report
    from osintkit.validation import load_brief

    text = (
        (fixtures_dir / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace("background: |\n", "background: |\n  ![chart](chart.png) ![map](map.svg)\n\n")
    )
    path = make_brief(text)
    folder = path.parent
    (folder / "chart.png").write_bytes(make_png(40, 20))
    (folder / "other.png").write_bytes(make_png(40, 20, (0, 0, 0)))
    # References an SVG may make: the PDF never follows them, because they never reach it.
    (folder / "map.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="40" height="20"><rect width="40" height="20" fill="#36c"/>'
        '<image xlink:href="other.png" width="40" height="20"/>'
        '<image xlink:href="../secret.png" width="40" height="20"/>'
        '<use xlink:href="elsewhere.svg#shape"/></svg>',
        encoding="utf-8",
    )
    report = render_report(load_brief(path), folder / "out", formats=("pdf", "html"))
    assert report.warnings == []
    assert report.files_read == sorted(
        [(folder / "chart.png").resolve(), (folder / "map.svg").resolve()]
    )
    reader = PdfReader(folder / "out" / "brief.pdf")
    assert len([image for page in reader.pages for image in page.images]) == 1  # the chart
    html = (folder / "out" / "brief.html").read_text(encoding="utf-8")
    assert html.count('<img src="data:image/') == 2


# --- the report's structure: contents, extra sections, annexes, authors --------------------

STRUCTURE = ROOT / "tests" / "fixtures" / "structure.yaml"
#: A contents line as the PDF's text has it: the title, dotted leaders, the page number.
_CONTENTS_LINE = re.compile(r"^(.+?) \.{3,}\s+(\d+)$")


@pytest.fixture(scope="module")
def structure_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("structure")
    shutil.copy(ROOT / "tests" / "fixtures" / "series.yaml", folder / "series.yaml")
    brief = Path(shutil.copy(STRUCTURE, folder / "structure.yaml"))
    result = CliRunner().invoke(app, ["render", str(brief), "--out", str(folder), "-f", "pdf"])
    assert result.exit_code == 0, result.output
    return folder / "structure.pdf"


def test_each_contents_entry_prints_the_page_its_section_starts_on(structure_pdf: Path) -> None:
    reader = PdfReader(structure_pdf)
    pages = [page.extract_text().splitlines() for page in reader.pages]
    contents = [m.groups() for line in pages[0] if (m := _CONTENTS_LINE.match(line.strip()))]
    assert [title for title, _ in contents] == [
        "Executive Summary", "Scope of this brief", "Key Judgements", "Background Information",
        "Method and sources", "Chronology", "Geopolitical Context",
        "Challenges to the Partnership", "Outlook", "Sources", "Annex A: Data tables",
        "Annex B: Glossary", "Disclaimer",
    ]  # fmt: skip
    printed = {title: int(number) for title, number in contents}
    # The page each heading is on: the first page with a line that is the heading alone.
    found = {
        title: next(i for i, lines in enumerate(pages, 1) if title in map(str.strip, lines))
        for title in printed
    }
    assert printed == found
    assert len(set(printed.values())) >= 4  # the sections spread over the pages
    # The annexes start a page each.
    for title in ("Annex A: Data tables", "Annex B: Glossary"):
        assert pages[found[title] - 1][0].strip() == title


def test_the_outline_has_every_section_and_the_contents_links(structure_pdf: Path) -> None:
    reader = PdfReader(structure_pdf)
    (title, sections) = reader.outline
    assert not isinstance(title, list) and title.title == "Tehran and Moscow: Drones and Debts"
    assert isinstance(sections, list)
    marks = {m.title: reader.get_destination_page_number(m) + 1 for m in sections}  # type: ignore[union-attr]
    assert next(iter(marks)) == "Executive Summary"  # not "Contents": the outline is one
    assert marks["Annex A: Data tables"] == 4 and marks["Annex B: Glossary"] == 5
    assert {"Scope of this brief", "Method and sources", "Outlook", "Disclaimer"} <= set(marks)
    # Each contents line is a link to its section's page.
    links = [
        annotation.get_object()
        for annotation in reader.pages[0].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    named = reader.named_destinations
    targets = [link.get("/Dest") or link.get("/A", {}).get("/D") for link in links]
    anchors = [
        "executive-summary", "sec-scope", "key-judgements", "background", "sec-method",
        "chronology", "geopolitical-context", "challenges", "sec-outlook", "sources",
        "sec-annex-data", "sec-annex-glossary", "disclaimer",
    ]  # fmt: skip
    assert set(anchors) <= {str(t) for t in targets}
    pages = [reader.get_destination_page_number(named[a]) + 1 for a in anchors]  # type: ignore[arg-type]
    assert pages == list(marks.values())


def test_every_author_is_in_the_metadata(structure_pdf: Path) -> None:
    meta = PdfReader(structure_pdf).metadata
    assert meta is not None
    assert meta.author == "A. Karimova, B. Tehrani, SpecialEurasia OSINT Unit"
