"""Running a series: new issues, catalogue checks, incremental parallel builds, the published
site (catalogue, feeds, checksums), distribution PDFs and reproducible bytes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.build import MANIFEST_FILE
from osintkit.cli import app
from osintkit.output import TEMP_SUFFIX

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ATOM = "{http://www.w3.org/2005/Atom}"
runner = CliRunner()


@pytest.fixture
def series_dir(tmp_path: Path) -> Path:
    """A folder with the registry and issue 2 of volume 29 (the reference brief)."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    shutil.copy(ROOT / "briefs" / "series.yaml", folder / "series.yaml")
    shutil.copy(ROOT / "briefs" / "persian-files-29-2.yaml", folder / "persian-files-29-2.yaml")
    return folder


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def finish_draft(path: Path, title: str) -> None:
    """What the analyst does: fill the draft in and mark it final."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: draft", "status: final")
    text = re.sub(r"(?m)^title: .*$", f'title: "{title}"', text)
    path.write_text(text, encoding="utf-8")


# --- new ---------------------------------------------------------------------------------


def test_new_writes_the_next_issue_as_a_draft_that_validates(series_dir: Path) -> None:
    code, stdout, stderr = invoke(
        "new", "--series", "persian-files", "--title", "Iran and the SCO",
        "--folder", str(series_dir),
    )  # fmt: skip
    assert code == 0, stderr
    path = series_dir / "persian-files-29-3.yaml"
    assert f"wrote {path}" in " ".join(stdout.split())
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=brief.schema.json\n")
    assert "status: draft" in text and 'title: "Iran and the SCO"' in text
    assert (series_dir / "brief.schema.json").is_file()
    assert invoke("validate", str(series_dir))[0] == 0
    # The next one is issue 4; a new volume starts at issue 1.
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    assert (series_dir / "persian-files-29-4.yaml").is_file()
    invoke("new", "--series", "persian-files", "--volume", "30", "--folder", str(series_dir))
    assert (series_dir / "persian-files-30-1.yaml").is_file()


def test_new_never_overwrites(series_dir: Path) -> None:
    taken = series_dir / "persian-files-29-3.yaml"
    taken.write_text("# not a brief yet, but somebody's work\n", encoding="utf-8")
    code, _, stderr = invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    assert code == 1
    assert "already exists" in stderr
    assert taken.read_text(encoding="utf-8") == "# not a brief yet, but somebody's work\n"


def test_new_counts_invalid_briefs_and_names_unknown_series(series_dir: Path) -> None:
    broken = series_dir / "broken.yaml"
    broken.write_text("series: persian-files\nvolume: 29\nissue: 7\n", encoding="utf-8")
    assert invoke("new", "--series", "persian-files", "--folder", str(series_dir))[0] == 0
    assert (series_dir / "persian-files-29-8.yaml").is_file()
    code, _, stderr = invoke("new", "--series", "persian-file", "--folder", str(series_dir))
    assert code == 1
    assert "unknown series 'persian-file'" in stderr and "did you mean 'persian-files'" in stderr


def test_a_draft_renders_with_a_watermark(series_dir: Path, tmp_path: Path) -> None:
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    draft = series_dir / "persian-files-29-3.yaml"
    code, _, stderr = invoke("render", str(draft), "-o", str(tmp_path / "out"), "-f", "pdf")
    assert code == 0, stderr
    text = "".join(
        p.extract_text() for p in PdfReader(tmp_path / "out" / draft.with_suffix(".pdf").name).pages
    )
    assert "DRAFT" in text


# --- schema ------------------------------------------------------------------------------


def test_schema_accepts_the_reference_briefs_and_rejects_a_typo(tmp_path: Path) -> None:
    from osintkit.loader import load_yaml

    code, _, stderr = invoke("schema", "--out", str(tmp_path))
    assert code == 0, stderr
    brief_schema = json.loads((tmp_path / "brief.schema.json").read_text(encoding="utf-8"))
    registry_schema = json.loads((tmp_path / "series.schema.json").read_text(encoding="utf-8"))
    for name in ("persian-files-29-2.yaml", "persian-files-fa-sample.yaml"):
        jsonschema.validate(load_yaml(ROOT / "briefs" / name).data, brief_schema)
    jsonschema.validate(load_yaml(ROOT / "briefs" / "series.yaml").data, registry_schema)
    data = load_yaml(ROOT / "briefs" / "persian-files-29-2.yaml").data
    data["backgruond"] = data.pop("background")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, brief_schema)


# --- validate DIR: the catalogue as a whole -----------------------------------------------


def test_validate_catches_a_number_given_twice_and_warns_of_a_gap(series_dir: Path) -> None:
    twin = series_dir / "twin.yaml"
    shutil.copy(series_dir / "persian-files-29-2.yaml", twin)
    later = series_dir / "later.yaml"
    text = (series_dir / "persian-files-29-2.yaml").read_text(encoding="utf-8")
    later.write_text(text.replace("issue: 2", "issue: 5"), encoding="utf-8")
    code, _, stderr = invoke("validate", str(series_dir))
    assert code == 1
    lines = stderr.splitlines()
    original = series_dir / "persian-files-29-2.yaml"
    line = original.read_text(encoding="utf-8").splitlines().index("issue: 2") + 1
    message = "issue: persian-files volume 29 issue 2 is also the number of"
    assert f"{twin}:{line}:1: {message} {original}" in lines
    assert f"{original}:{line}:1: {message} {twin}" in lines
    assert any("persian-files volume 29: no brief for issues 3, 4" in line for line in lines)


# --- build --------------------------------------------------------------------------------


def test_build_renders_skips_publishes_and_checks_out(series_dir: Path, tmp_path: Path) -> None:
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    finish_draft(series_dir / "persian-files-29-3.yaml", "Iran and the SCO")
    site = tmp_path / "site"
    code, stdout, stderr = invoke("build", str(series_dir), "--out", str(site), "--jobs", "2")
    assert code == 0, stderr
    assert "2 built, 0 unchanged, 0 failed" in stdout
    pdfs = sorted(p.name for p in (site / "persian-files").glob("*.pdf"))
    assert pdfs == ["persian-files-29-2.pdf", "persian-files-29-3.pdf"]

    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    code, stdout, _ = invoke("build", str(series_dir), "--out", str(site))
    assert code == 0
    assert "0 built, 2 unchanged, 0 failed" in stdout
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == stamps

    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    schema = json.loads((site / "catalogue.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(catalogue, schema)
    (series,) = catalogue["series"]
    assert [i["issue"] for i in series["issues"]] == [3, 2]  # newest first
    assert series["issues"][0]["title"] == "Iran and the SCO"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Iran and the SCO" in index and 'href="persian-files/persian-files-29-2.pdf"' in index

    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=site, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    listed = {line.split("  ", 1)[1] for line in (site / "SHA256SUMS").read_text().splitlines()}
    assert {"index.html", "catalogue.json", "persian-files/feed.xml"} <= listed
    assert "persian-files/persian-files-29-3.pdf" in listed and MANIFEST_FILE not in listed


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


def test_drafts_stay_out_of_the_catalogue_unless_asked(series_dir: Path, tmp_path: Path) -> None:
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    site = tmp_path / "site"
    assert invoke("build", str(series_dir), "--out", str(site))[0] == 0
    assert (site / "persian-files" / "persian-files-29-3.pdf").is_file()  # rendered anyway
    assert "29-3" not in (site / "SHA256SUMS").read_text()
    assert invoke("build", str(series_dir), "--out", str(site), "--drafts")[0] == 0
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    assert [i["status"] for i in catalogue["series"][0]["issues"]] == ["draft", "final"]


def test_a_changed_input_rebuilds_only_its_brief(series_dir: Path, tmp_path: Path) -> None:
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    second = series_dir / "persian-files-29-3.yaml"
    finish_draft(second, "With a map")
    (series_dir / "map.png").write_bytes(_png())
    second.write_text(second.read_text(encoding="utf-8").replace(
        "background: |\n", "background: |\n  ![A map](map.png)\n\n"), encoding="utf-8")  # fmt: skip
    site = tmp_path / "site"
    assert invoke("build", str(series_dir), "--out", str(site))[0] == 0
    pdfs = site / "persian-files"
    stamps = {p.name: p.stat().st_mtime_ns for p in pdfs.glob("*.pdf")}
    # The image the second brief shows changes: that brief, and only it, is rebuilt.
    (series_dir / "map.png").write_bytes(_png(blue=True))
    _, stdout, _ = invoke("build", str(series_dir), "--out", str(site))
    assert "1 built, 1 unchanged" in stdout
    changed = [p.name for p in pdfs.glob("*.pdf") if p.stat().st_mtime_ns != stamps[p.name]]
    assert changed == ["persian-files-29-3.pdf"]
    # A template file changes: everything is rebuilt.
    template = tmp_path / "look"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    registry = series_dir / "series.yaml"
    registry.write_text(registry.read_text().replace("template: series", f"template: {template}"))
    _, stdout, _ = invoke("build", str(series_dir), "--out", str(site))
    assert "2 built, 0 unchanged" in stdout
    (template / "report.css").write_text((template / "report.css").read_text() + "\n/* edit */\n")
    _, stdout, _ = invoke("build", str(series_dir), "--out", str(site))
    assert "2 built, 0 unchanged" in stdout


def _png(blue: bool = False) -> bytes:
    """A valid 1x1 PNG, red or blue."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    pixel = b"\x00\x00\x00\xff" if blue else b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixel))
        + chunk(b"IEND", b"")
    )


def test_one_broken_brief_does_not_stop_the_others(series_dir: Path, tmp_path: Path) -> None:
    broken = series_dir / "persian-files-29-3.yaml"
    text = (series_dir / "persian-files-29-2.yaml").read_text(encoding="utf-8")
    broken.write_text(
        text.replace("issue: 2", "issue: 3").replace("volume: 29", "volume: x"), encoding="utf-8"
    )
    site = tmp_path / "site"
    code, stdout, stderr = invoke("build", str(series_dir), "--out", str(site))
    assert code == 1
    assert "1 built, 0 unchanged, 1 failed" in stdout
    line = broken.read_text(encoding="utf-8").splitlines().index("volume: x") + 1
    assert f"error: {broken}:{line}:9: volume: input should be a valid integer" in (
        stderr.splitlines()
    )
    assert (site / "persian-files" / "persian-files-29-2.pdf").is_file()


def test_numbers_given_twice_stop_the_build_before_anything_is_written(
    series_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(series_dir / "persian-files-29-2.yaml", series_dir / "copy.yaml")
    site = tmp_path / "site"
    code, _, stderr = invoke("build", str(series_dir), "--out", str(site))
    assert code == 1
    assert "is also the number of" in stderr and "nothing was built" in stderr
    assert not any(p.suffix in (".pdf", ".html") for p in site.rglob("*"))


def test_two_clean_builds_give_identical_bytes(series_dir: Path, tmp_path: Path) -> None:
    shutil.copy(ROOT / "briefs" / "persian-files-fa-sample.yaml", series_dir)
    for name in ("a", "b"):
        assert invoke("build", str(series_dir), "--out", str(tmp_path / name), "-j", "2")[0] == 0

    def files(site: Path) -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes()
            for p in site.rglob("*") if p.is_file() and p.name != MANIFEST_FILE
        }  # fmt: skip

    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert sorted(a) == sorted(b) and len(a) >= 8
    assert [name for name in a if a[name] != b[name]] == []


def test_pdf_a_3b_embeds_the_brief(series_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    code, _, stderr = invoke(
        "build", str(series_dir), "--out", str(site), "--pdf-variant", "pdf/a-3b"
    )
    assert code == 0, stderr
    pdf = site / "persian-files" / "persian-files-29-2.pdf"
    reader = PdfReader(pdf)
    assert list(reader.attachments) == ["persian-files-29-2.yaml"]
    (attached,) = reader.attachments["persian-files-29-2.yaml"]
    assert attached == (series_dir / "persian-files-29-2.yaml").read_bytes()
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp
    # SOURCE_DATE_EPOCH fixes the date when the brief's own is not wanted.
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        invoke(
            "render",
            str(series_dir / "persian-files-29-2.yaml"),
            "-o",
            str(tmp_path / "e"),
            "-f",
            "pdf",
        )
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    assert "D:20231114" in str(
        PdfReader(tmp_path / "e" / "persian-files-29-2.pdf").metadata.get("/CreationDate")
    )  # type: ignore[union-attr]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_interrupted_build_keeps_whole_files_and_resumes(
    series_dir: Path, tmp_path: Path
) -> None:
    from test_render_pdf_confinement import SVG_BOMB

    slow = series_dir / "persian-files-29-3.yaml"
    text = (series_dir / "persian-files-29-2.yaml").read_text(encoding="utf-8")
    (series_dir / "bomb.svg").write_text(SVG_BOMB, encoding="utf-8")
    bomb = "background: |\n  ![](bomb.svg)\n\n"
    slow.write_text(
        text.replace("issue: 2", "issue: 3").replace("background: |\n", bomb), encoding="utf-8"
    )
    site = tmp_path / "site"
    process = subprocess.Popen(
        [sys.executable, "-m", "osintkit", "build", str(series_dir), "--out", str(site), "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    good = site / "persian-files" / "persian-files-29-2.pdf"
    deadline = time.monotonic() + 60
    while not good.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert good.exists(), "the quick brief was never built"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr.decode()
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert not list(site.rglob(f"*{TEMP_SUFFIX}"))
    assert PdfReader(good).pages  # whole, readable
    assert not (site / "persian-files" / "persian-files-29-3.pdf").exists()
    # The next build knows what is done: the quick brief is skipped.
    slow.write_text(
        slow.read_text(encoding="utf-8").replace("  ![](bomb.svg)\n\n", ""), encoding="utf-8"
    )
    code, stdout, _ = invoke("build", str(series_dir), "--out", str(site))
    assert code == 0 and "1 built, 1 unchanged" in stdout


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
