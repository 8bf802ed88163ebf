"""The published site of a series without an ISSN: no ISSN anywhere, a stable feed id anyway."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_a_series_without_issn_publishes_none(tmp_path: Path) -> None:
    folder = tmp_path / "briefs"
    folder.mkdir()
    registry = (FIXTURES / "series.yaml").read_text(encoding="utf-8")
    without = registry.replace(
        "  issn: 2975-0598            # checked with the ISSN check digit\n", ""
    )
    assert without != registry
    (folder / "series.yaml").write_text(without, encoding="utf-8")
    shutil.copy(FIXTURES / "minimal.yaml", folder / "persian-files-29-3.yaml")
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["build", str(folder), "--out", str(site), "-j", "1"])
    assert result.exit_code == 0, result.output

    feed = ET.parse(site / "persian-files" / "feed.xml").getroot()
    # A tag: URI on the publisher's domain and the year of the series' oldest issue.
    assert feed.findtext(f"{ATOM}id") == "tag:specialeurasia.com,2025:persian-files"
    assert feed.findtext(f"{ATOM}subtitle") == "SpecialEurasia OSINT Unit"
    (series,) = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))["series"]
    assert "issn" not in series  # the catalogue leaves out what a series does not have
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "ISSN" not in index and "SpecialEurasia OSINT Unit · " in index
    html = (site / "persian-files" / "persian-files-29-3.html").read_text(encoding="utf-8")
    assert "ISSN" not in html
    pdf = PdfReader(site / "persian-files" / "persian-files-29-3.pdf")
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "ISSN" not in text and "Persian Files Volume 29 Issue 3" in text
    assert pdf.metadata is not None and pdf.metadata.subject == "Persian Files Volume 29 Issue 3"
