"""The published side of a build: the catalogue and its schema, the Atom feeds, the summaries
they show, and a series without an ISSN."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.cli import app
from support import invoke

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_atom_feed_follows_rfc_4287(series_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert invoke("build", str(series_dir), "--out", str(site), "-j", "1")[0] == 0
    feed = ET.parse(site / "persian-files" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def one(parent: ET.Element, name: str) -> ET.Element:
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{parent.tag} needs exactly one {name}"
        return found[0]

    assert one(feed, "id").text == "urn:issn:2975-0598"
    assert one(feed, "title").text == "Persian Files"
    assert rfc3339.match(one(feed, "updated").text or "")
    assert one(one(feed, "author"), "name").text  # so no entry needs its own
    assert any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link"))
    (entry,) = feed.findall(f"{ATOM}entry")
    assert one(entry, "id").text == "tag:specialeurasia.com,2025-01-20:persian-files/29/2"
    assert rfc3339.match(one(entry, "updated").text or "")
    links = {link.get("rel"): link for link in entry.findall(f"{ATOM}link")}
    assert links["alternate"].get("href") == "persian-files-29-2.html"
    assert links["enclosure"].get("type") == "application/pdf"
    assert (site / "persian-files" / str(links["enclosure"].get("href"))).is_file()
    assert one(entry, "summary").text.startswith("Belarus and Iran continue")  # type: ignore[union-attr]


def test_summaries_leave_citations_out_never_print_a_question_mark(tmp_path: Path) -> None:
    # The Persian sample's summary ends in a citation: the feed and catalogue showed "[?]".
    folder = tmp_path / "briefs"
    folder.mkdir()
    shutil.copy(ROOT / "briefs" / "series.yaml", folder / "series.yaml")
    shutil.copy(ROOT / "briefs" / "persian-files-fa-sample.yaml", folder / "sample.yaml")
    site = tmp_path / "site"
    assert invoke("build", str(folder), "--out", str(site))[0] == 0
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    (issue,) = [i for s in catalogue["series"] for i in s["issues"]]
    assert issue["summary"].endswith("آغاز به کار کرد.")
    feed = ET.parse(site / "persian-files" / "feed.xml").getroot()
    summaries = [e.text or "" for e in feed.iter(f"{ATOM}summary")]
    assert summaries == [issue["summary"]]
    assert "?" not in issue["summary"] and "[" not in issue["summary"]


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
