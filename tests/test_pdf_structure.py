"""Every PDF is tagged, and its structure tree is one assistive technology can use (issue 14).

No veraPDF is reachable here, so the checks a PDF/UA validator would make first are made by
walking the structure tree with pikepdf: a plain ``osintkit render`` gives a tagged PDF with
its language and title; figures carry alt text, tables header cells, headings nest without
skipping a level; the ``pdf/ua-1`` variant identifies itself as PDF/UA in its XMP.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pikepdf
import pytest
from typer.testing import CliRunner

from osintkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = {
    "reference": ROOT / "briefs" / "persian-files-29-2.yaml",
    "persian": ROOT / "briefs" / "persian-files-fa-sample.yaml",
    "long": ROOT / "briefs" / "persian-files-long-sample.yaml",
}


def _render(brief: Path, out: Path, *options: str) -> Path:
    args = ["render", str(brief), "--out", str(out), "-f", "pdf", *options]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out / f"{brief.stem}.pdf"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A plain render of each sample and of the document-model fixture (figures, a table)."""
    out = tmp_path_factory.mktemp("tagged")
    rendered = {name: _render(brief, out) for name, brief in SAMPLES.items()}
    folder = tmp_path_factory.mktemp("document-model") / "brief"
    shutil.copytree(FIXTURES / "document-model", folder)
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    rendered["document-model"] = _render(folder / "document-model.yaml", out)
    return rendered


def elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """The structure elements of ``pdf`` in the tree's order (depth first), the reading order."""
    stack: list[pikepdf.Object] = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            if "/K" in node:
                stack.append(node.K)


def kind(element: pikepdf.Dictionary) -> str:
    return str(element.S).lstrip("/")


def kinds(pdf: pikepdf.Pdf) -> list[str]:
    return [kind(element) for element in elements(pdf)]


def descendants(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    stack: list[pikepdf.Object] = [element.get("/K", pikepdf.Array())]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            stack.append(node.get("/K", pikepdf.Array()))


@pytest.mark.parametrize("name", [*SAMPLES, "document-model"])
def test_a_plain_render_is_tagged_with_its_language_and_title(
    name: str, pdfs: dict[str, Path]
) -> None:
    with pikepdf.open(pdfs[name]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert kinds(pdf)[0] == "Document"
        assert str(pdf.Root.Lang) == ("fa" if name == "persian" else "en")
        assert str(pdf.docinfo.Title)
        # A reader's title bar shows the title, not the file name (PDF/UA 7.1).
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdfs[name])], check=True, capture_output=True, text=True
        ).stdout
        assert "Tagged:          yes" in info


@pytest.mark.parametrize("name", ["long", "document-model"])
def test_every_figure_has_alt_text(name: str, pdfs: dict[str, Path]) -> None:
    with pikepdf.open(pdfs[name]) as pdf:
        figures = [e for e in elements(pdf) if kind(e) == "Figure"]
        assert len(figures) == 2
        assert all(len(str(figure.get("/Alt", ""))) > 20 for figure in figures)


@pytest.mark.parametrize("name", ["reference", "long", "document-model"])
def test_every_table_has_header_cells(name: str, pdfs: dict[str, Path]) -> None:
    with pikepdf.open(pdfs[name]) as pdf:
        tables = [e for e in elements(pdf) if kind(e) == "Table"]
        assert tables
        for table in tables:
            cells = [kind(e) for e in descendants(table)]
            assert "TH" in cells and "TD" in cells


@pytest.mark.parametrize("name", [*SAMPLES, "document-model"])
def test_headings_nest_without_skipping_a_level(name: str, pdfs: dict[str, Path]) -> None:
    with pikepdf.open(pdfs[name]) as pdf:
        levels = [int(k[1:]) for k in kinds(pdf) if k[:1] == "H" and k[1:].isdigit()]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
    assert len(levels) > 5


def test_the_pdf_ua_variant_identifies_itself_in_its_xmp(tmp_path: Path) -> None:
    pdf_path = _render(SAMPLES["persian"], tmp_path, "--pdf-variant", "pdf/ua-1")
    with pikepdf.open(pdf_path) as pdf:
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "fa"
        assert metadata.get("dc:title")


def test_a_decorative_image_passes_and_a_missing_language_is_warned_of(tmp_path: Path) -> None:
    """An empty alt marks an image decorative in HTML: no warning for it (WeasyPrint 70
    reports it as missing alt text). A template whose root has no lang gets a PDF without
    /Lang, and the render says so."""
    from osintkit.render.html import RenderedHtml
    from osintkit.render.pdf import RenderLimits, render_pdf

    (tmp_path / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
        '<rect width="4" height="4"/></svg>',
        encoding="utf-8",
    )
    here = RenderLimits(sandbox=False)
    html = '<img src="dot.svg" alt=""><p>text</p>'
    with_lang = render_pdf(RenderedHtml(f'<html lang="fa">{html}', tmp_path, (tmp_path,)), here)
    assert with_lang.warnings == []
    without = render_pdf(RenderedHtml(html, tmp_path, (tmp_path,)), here)
    assert without.warnings == ['Missing required "lang" attribute at the root of the document']
