"""Running a series: new issues, catalogue checks, incremental parallel builds, the published
site (catalogue, feeds, checksums), distribution PDFs and reproducible bytes."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.exports import EXPORTERS
from osintkit.output import CHECKSUMS, LOCK_FILE, MANIFEST_FILE, TEMP_SUFFIX
from support import SVG_BOMB, invoke, stix_findings, without_evidence

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: What a build writes of a report: its formats and its exports.
#: The files of a report whose brief keeps no evidence (no evidence register as data).
REPORT_KINDS = (
    "pdf",
    "html",
    *(e.suffix.removeprefix(".") for e in EXPORTERS.values() if e.name != "evidence"),
)


def _is_report_file(path: Path) -> bool:
    """Whether ``path`` is a file of a report: a PDF, an HTML or an export."""
    return path.name.endswith(("pdf", "html", *(e.suffix for e in EXPORTERS.values())))


runner = CliRunner()


def finish_draft(path: Path, title: str) -> None:
    """What the analyst does: fill the draft in and mark it final."""
    text = path.read_text(encoding="utf-8")
    text = text.replace("status: draft", "status: final")
    text = re.sub(r"(?m)^title: .*$", f'title: "{title}"', text)
    path.write_text(text, encoding="utf-8")


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

    # Beside each report, its exports: in the catalogue, the checksums and the index.
    reference = next(i for i in series["issues"] if i["issue"] == 2)
    exports = reference["exports"]
    # The reference brief keeps a capture of its Persian source: its register is data too.
    assert list(exports) == ["stix", "misp", "csl", "evidence"]
    assert exports["stix"]["media_type"] == "application/stix+json;version=2.1"
    for name, file in exports.items():
        assert file["path"] == f"persian-files/persian-files-29-2.{name}.json"
        data = (site / file["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (file["size"], file["sha256"])
        assert file["path"] in listed
        assert f'href="{file["path"]}"' in index
    assert stix_findings((site / exports["stix"]["path"]).read_bytes()) == []


def test_drafts_stay_out_of_the_public_site_unless_asked(series_dir: Path, tmp_path: Path) -> None:
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    site, restricted = tmp_path / "site", tmp_path / "site-restricted"
    assert invoke("build", str(series_dir), "--out", str(site))[0] == 0
    draft = Path("persian-files") / "persian-files-29-3.pdf"
    assert (restricted / draft).is_file() and not (site / draft).exists()
    assert "29-3" not in (site / "SHA256SUMS").read_text()
    assert "persian-files/persian-files-29-3.pdf" in (restricted / "SHA256SUMS").read_text()
    # With --drafts it moves to the public site, and leaves the restricted folder.
    assert invoke("build", str(series_dir), "--out", str(site), "--drafts")[0] == 0
    assert (site / draft).is_file() and not (restricted / draft).exists()
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    assert [i["status"] for i in catalogue["series"][0]["issues"]] == ["draft", "final"]
    assert "29-3" not in (restricted / "SHA256SUMS").read_text()


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


def test_a_changed_file_of_the_template_a_variant_extends_rebuilds(
    series_dir: Path, tmp_path: Path
) -> None:
    parent = tmp_path / "look"
    shutil.copytree(ROOT / "report_templates" / "series", parent)
    variant = tmp_path / "variant"
    (variant / "labels").mkdir(parents=True)
    (variant / "template.yaml").write_text("extends: ../look\n")
    (variant / "labels" / "en.yaml").write_text("sources: Bibliography\n")
    registry = series_dir / "series.yaml"
    registry.write_text(registry.read_text().replace("template: series", f"template: {variant}"))
    site = tmp_path / "site"
    assert invoke("build", str(series_dir), "--out", str(site))[0] == 0
    assert "Bibliography" in (site / "persian-files" / "persian-files-29-2.html").read_text()
    assert "0 built, 1 unchanged" in invoke("build", str(series_dir), "--out", str(site))[1]
    # Only the parent's stylesheet changes: the variant's report is rebuilt with it.
    (parent / "report.css").write_text((parent / "report.css").read_text() + "\n/* edit */\n")
    _, stdout, _ = invoke("build", str(series_dir), "--out", str(site))
    assert "1 built, 0 unchanged" in stdout
    assert "/* edit */" in (site / "persian-files" / "persian-files-29-2.html").read_text()
    # The parent goes away: the build says so, naming the variant's template.yaml.
    shutil.rmtree(parent)
    code, stdout, stderr = invoke("build", str(series_dir), "--out", str(site))
    assert code == 1
    assert f"{variant / 'template.yaml'}:1:10: extends: template folder" in stdout + stderr


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


def test_build_prints_json_lines_for_numbers_given_twice(series_dir: Path, tmp_path: Path) -> None:
    twin = series_dir / "twin.yaml"
    shutil.copy(series_dir / "persian-files-29-2.yaml", twin)
    code, stdout, stderr = invoke(
        "build", str(series_dir), "--out", str(tmp_path / "site"), "--format", "json"
    )
    assert code == 1
    records = [json.loads(line) for line in stdout.splitlines()]
    assert sorted(Path(r["path"]).name for r in records) == ["persian-files-29-2.yaml", "twin.yaml"]
    assert {(r["rule"], r["severity"], r["field"]) for r in records} == {
        ("numbering", "error", "issue")
    }
    assert "nothing was built" in stderr
    assert not list((tmp_path / "site").rglob("*.pdf"))


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
    assert f"{broken}:{line}:9: error: volume: input should be a valid integer [schema]" in (
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
    assert not any(_is_report_file(p) for p in site.rglob("*"))


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
    # Built and recorded: what a build has recorded, the next one skips.
    wait_for(lambda: recorded(tmp_path / "site-restricted", good.name), "the quick brief")
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


# --- build: restricted reports --------------------------------------------------------------


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A folder with the tests' registry and no brief yet (see write_brief)."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    return folder


def write_brief(
    folder: Path, name: str, issue: int, tlp: str = "CLEAR", title: str = "", phrase: str = ""
) -> Path:
    """The small fixture brief as issue ``issue``, marked ``tlp``, with ``phrase`` in its
    executive summary."""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("issue: 3", f"issue: {issue}")
    text = text.replace("contact_topic:", f"tlp: {tlp}\ncontact_topic:")
    if title:
        text = re.sub(r"(?m)^title: .*$", f'title: "{title}"', text)
    if phrase:
        text = text.replace("executive_summary: |\n", f"executive_summary: |\n  {phrase}\n\n")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no table cell is folded."""
    from osintkit import cli

    monkeypatch.setattr(cli.out, "width", 250)


AMBER_TITLE = "Operation Nightjar"
AMBER_PHRASE = "the quartermaster ledger kept in Vitebsk"


def assert_nothing_of(report: list[Path], folder: Path, words: tuple[str, ...]) -> None:
    """No file under ``folder`` is one of ``report``'s files or holds one of ``words``."""
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in report}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() not in digests, f"{path} is the report"
        for word in words:
            assert word.encode() not in data, f"{path} holds {word!r}"


def test_restricted_reports_are_never_written_to_the_public_site(
    small_dir: Path, tmp_path: Path, wide: None
) -> None:
    write_brief(small_dir, "clear.yaml", 3)
    write_brief(small_dir, "amber.yaml", 4, "AMBER", AMBER_TITLE, AMBER_PHRASE)
    site, restricted = tmp_path / "site", tmp_path / "site-restricted"
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site), "-j", "2")
    assert code == 0, stderr
    rows = [" ".join(line.split()) for line in stdout.splitlines()]
    assert f"{small_dir / 'amber.yaml'} built restricted → {restricted / 'persian-files'}" in (
        " ".join(rows)
    )
    assert f"{small_dir / 'clear.yaml'} built public" in " ".join(rows)
    assert f"→ {site}/index.html, restricted → {restricted}/index.html" in rows[-1]

    report = [restricted / "persian-files" / f"amber.{kind}" for kind in REPORT_KINDS]
    assert all(p.is_file() for p in report)
    # Both briefs cite the one source: their CSL-JSON is the same bytes, and no secret.
    report.remove(restricted / "persian-files" / "amber.csl.json")
    assert_nothing_of(report, site, (AMBER_TITLE, AMBER_PHRASE, "amber."))
    assert (site / "persian-files" / "clear.pdf").is_file()
    # The search finds what is there: the restricted folder's own catalogue names the report.
    for name in ("index.html", "catalogue.json", "persian-files/feed.xml"):
        assert AMBER_TITLE in (restricted / name).read_text(encoding="utf-8")
    assert AMBER_PHRASE in (restricted / "catalogue.json").read_text(encoding="utf-8")
    # The restricted folder is a site of its own: catalogue, schema, checksums of what it holds.
    catalogue = json.loads((restricted / "catalogue.json").read_text(encoding="utf-8"))
    schema = json.loads((restricted / "catalogue.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(catalogue, schema)
    assert [i["title"] for i in catalogue["series"][0]["issues"]] == [AMBER_TITLE]
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=restricted, capture_output=True)
    assert check.returncode == 0, check.stdout
    assert b"amber.pdf" in (restricted / "SHA256SUMS").read_bytes()
    assert "TLP:AMBER" in (restricted / "index.html").read_text(encoding="utf-8")
    assert (restricted.stat().st_mode & 0o777) == 0o700

    # Nothing changed: nothing is rewritten in either folder.
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    code, stdout, _ = invoke("build", str(small_dir), "--out", str(site))
    assert code == 0 and "0 built, 2 unchanged" in stdout
    assert "skipped restricted →" in " ".join(stdout.split())
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == stamps


def test_a_reclassified_report_leaves_the_folder_it_was_in(small_dir: Path, tmp_path: Path) -> None:
    clear = write_brief(small_dir, "a.yaml", 3, "CLEAR", AMBER_TITLE, AMBER_PHRASE)
    write_brief(small_dir, "b.yaml", 4, "AMBER", "Once Restricted")
    site, restricted = tmp_path / "site", tmp_path / "site-restricted"
    assert invoke("build", str(small_dir), "--out", str(site))[0] == 0
    # Not the CSL-JSON: both briefs cite the one source, so theirs are the same bytes.
    old_public = [
        site / "persian-files" / f"a.{kind}" for kind in REPORT_KINDS if kind != "csl.json"
    ]
    old_copies = [p.read_bytes() for p in old_public]
    assert AMBER_TITLE in (site / "persian-files" / "feed.xml").read_text(encoding="utf-8")

    # a goes CLEAR → AMBER, b AMBER → GREEN: each moves, and nothing is left behind.
    clear.write_text(clear.read_text(encoding="utf-8").replace("tlp: CLEAR", "tlp: AMBER"))
    other = small_dir / "b.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("tlp: AMBER", "tlp: GREEN"))
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 0, stderr
    assert "2 built" in stdout
    for copy in old_copies:  # not even the old bytes
        assert all(p.read_bytes() != copy for p in site.rglob("*") if p.is_file())
    assert_nothing_of([restricted / "persian-files" / "a.pdf"], site, (AMBER_TITLE, AMBER_PHRASE))
    assert (site / "persian-files" / "b.pdf").is_file()
    assert not list(restricted.rglob("b.*"))
    assert "Once Restricted" not in (restricted / "catalogue.json").read_text(encoding="utf-8")
    assert "Once Restricted" in (site / "catalogue.json").read_text(encoding="utf-8")


def test_a_reclassification_leaves_the_public_feed_before_anything_renders(
    small_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brief = write_brief(small_dir, "a.yaml", 3, "CLEAR", AMBER_TITLE, AMBER_PHRASE)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site))[0] == 0
    brief.write_text(brief.read_text(encoding="utf-8").replace("tlp: CLEAR", "tlp: RED"))

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("osintkit.report.render_brief", interrupted)
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site), "-j", "1")
    assert code == 130, stderr
    assert_nothing_of([], site, (AMBER_TITLE, AMBER_PHRASE))


def test_an_older_sites_restricted_copies_and_manifest_are_removed(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "amber.yaml", 4, "AMBER+STRICT", AMBER_TITLE, AMBER_PHRASE)
    site, restricted = tmp_path / "site", tmp_path / "site-restricted"
    assert invoke("build", str(small_dir), "--out", str(site))[0] == 0
    # What osintkit before the restricted folder left: the report and a manifest naming it in
    # the public site, and no manifest in the restricted folder.
    report = [restricted / "persian-files" / f"amber.{kind}" for kind in ("pdf", "html")]
    (site / "persian-files").mkdir()
    for path in report:
        shutil.copy(path, site / "persian-files" / path.name)
    (restricted / MANIFEST_FILE).rename(site / MANIFEST_FILE)
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 0, stderr
    assert "1 built" in stdout
    assert_nothing_of(report, site, (AMBER_TITLE, AMBER_PHRASE))


@pytest.mark.parametrize(
    "out, restricted",
    [
        ("site", "site/private"),
        ("site", "site"),
        ("site", "site/../site/."),
        ("shared/public", "shared"),
        ("site", "link-into-site"),
    ],
)
def test_the_restricted_folder_must_lie_outside_the_public_one(
    small_dir: Path, tmp_path: Path, out: str, restricted: str
) -> None:
    write_brief(small_dir, "amber.yaml", 4, "AMBER")
    (tmp_path / "site" / "inner").mkdir(parents=True)
    (tmp_path / "link-into-site").symlink_to(tmp_path / "site" / "inner")
    code, stdout, stderr = invoke(
        "build", str(small_dir), "--out", str(tmp_path / out),
        "--restricted-out", str(tmp_path / restricted),
    )  # fmt: skip
    assert code == 2, stdout + stderr
    (line,) = stderr.strip().splitlines()
    assert ": error: the " in line and line.endswith(" [folders]")
    assert not [p for p in tmp_path.rglob("*") if _is_report_file(p)]


def test_a_link_out_of_the_restricted_folder_is_not_followed(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "amber.yaml", 4, "AMBER", AMBER_TITLE, AMBER_PHRASE)
    site, restricted = tmp_path / "site", tmp_path / "site-restricted"
    (site / "leak").mkdir(parents=True)
    restricted.mkdir()
    (restricted / "persian-files").symlink_to(site / "leak")
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 1
    assert "leads out of" in stderr
    assert_nothing_of([], site, (AMBER_TITLE, AMBER_PHRASE))


# --- build: folders that cannot be written, manifests that cannot be read -----------------------


def test_an_out_that_is_a_file_or_under_one_is_one_error(small_dir: Path, tmp_path: Path) -> None:
    write_brief(small_dir, "a.yaml", 3)
    taken = tmp_path / "taken"
    taken.write_text("somebody's file\n", encoding="utf-8")
    code, _, stderr = invoke("build", str(small_dir), "--out", str(taken))
    assert code == 1
    assert stderr.splitlines() == [
        f"{taken}: error: cannot be written to: it is a file, not a folder [output]"
    ]
    assert taken.read_text(encoding="utf-8") == "somebody's file\n"
    code, _, stderr = invoke("build", str(small_dir), "--out", str(taken / "site"))
    assert code == 1
    assert stderr.splitlines() == [
        f"{taken / 'site'}: error: cannot be written to: Not a directory [output]"
    ]


def test_a_read_only_out_is_one_error(
    small_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site))[0] == 0
    (small_dir / "a.yaml").write_text(
        (small_dir / "a.yaml").read_text(encoding="utf-8").replace("Relations", "Ties")
    )
    # Root ignores permissions: the folder refuses new files the way a read-only one does.
    real_open = os.open

    def read_only(path: object, flags: int, *args: int, **kwargs: object) -> int:
        if str(path).startswith(f"{site}{os.sep}") and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 1, stdout + stderr
    assert stderr.splitlines() == [
        f"{site}: error: cannot be written to: Permission denied [output]"
    ]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("full_after", ["catalogue.json", ""])
def test_a_full_disk_ends_in_the_table_and_one_error(
    small_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_after: str
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        if full_after in str(Path(f"/proc/self/fd/{descriptor}").readlink()):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", full)
    result = runner.invoke(app, ["build", str(small_dir), "--out", str(site)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback
    if full_after:  # the reports were written, then the disk filled up
        assert "1 built, 0 unchanged, 0 failed" in result.stdout
        assert result.stderr.splitlines() == [
            f"{site}: error: cannot write {site / 'catalogue.json'}: No space left on device "
            "[output]"
        ]
    else:  # full from the start: every brief fails, each with its line
        assert "0 built, 0 unchanged, 1 failed" in result.stdout
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"{small_dir / 'a.yaml'}: error: cannot write {site}")
        assert lines[0].endswith("No space left on device [output]")
        assert lines[-1].endswith("No space left on device [output]") and len(lines) == 2
    monkeypatch.setattr(os, "fsync", real_fsync)
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 0, stderr
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=site, capture_output=True)
    assert check.returncode == 0, check.stdout


def _mutate(change: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], str]:
    def text(manifest: dict[str, Any]) -> str:
        change(manifest)
        return json.dumps(manifest)

    return text


def _entry(manifest: dict[str, Any]) -> dict[str, Any]:
    (record,) = manifest["briefs"].values()
    return record  # type: ignore[no-any-return]


MALFORMED: dict[str, Callable[[dict[str, Any]], str]] = {
    "wrong shapes": lambda m: json.dumps(
        {
            "format": 2,
            "published": {"public": "", "restricted": ""},
            "briefs": {"x": {"fingerprint": 1, "number": "a", "inputs": [1], "entry": 5}},
        }
    ),
    "an older format": lambda m: json.dumps(
        {"format": 1, "briefs": {"x": {"fingerprint": 1, "number": "a", "inputs": [1], "entry": 5}}}
    ),
    "numbers as strings": _mutate(lambda m: _entry(m).update(number=["persian-files", "29", "3"])),
    "a list for briefs": _mutate(lambda m: m.update(briefs=[])),
    "null published": _mutate(lambda m: m.update(published=None)),
    "a list for an entry": _mutate(lambda m: _entry(m).update(entry=[])),
    "a string for inputs": _mutate(lambda m: _entry(m).update(inputs="x")),
    "volume 0": _mutate(lambda m: _entry(m)["entry"].update(volume=0)),
    "true as a size": _mutate(lambda m: _entry(m)["entry"]["files"]["pdf"].update(size=True)),
    "a path out of the site": _mutate(
        lambda m: _entry(m)["entry"]["files"]["pdf"].update(path="../victim.pdf")
    ),
    "a NUL in a path": _mutate(lambda m: _entry(m).update(template="/tmp/\0")),
    "not JSON": lambda m: "{",
    "deeply nested": lambda m: "[" * 100_000,
    "not an object": lambda m: "null",
}


@pytest.mark.parametrize("malformed", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_manifest_is_ignored_with_a_warning(
    small_dir: Path, tmp_path: Path, malformed: Callable[[dict[str, Any]], str]
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"not osintkit's to remove")
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    path = tmp_path / "site-restricted" / MANIFEST_FILE
    path.write_text(malformed(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site), "-j", "1")
    assert code == 0, stderr
    (warning,) = stderr.splitlines()
    assert warning.startswith(f"{path}: warning: ")
    assert warning.endswith("; every brief is built again [manifest]")
    assert "1 built, 0 unchanged" in stdout
    assert victim.read_bytes() == b"not osintkit's to remove"
    # Built from scratch, and the manifest is whole again.
    assert "0 built, 1 unchanged" in invoke("build", str(small_dir), "--out", str(site))[1]


def test_a_malformed_manifest_entry_is_named_in_the_warning(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    path = tmp_path / "site-restricted" / MANIFEST_FILE
    path.write_text(MALFORMED["volume 0"](json.loads(path.read_text(encoding="utf-8"))))
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site), "-j", "1")
    assert code == 0, stderr
    assert f"{path}: warning: not a build manifest: briefs[" in stderr
    assert "].entry.volume should be a whole number from 1; every brief is built again" in stderr


def test_a_manifest_naming_a_device_or_a_fifo_does_not_hang_the_build(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site))[0] == 0
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    path = tmp_path / "site-restricted" / MANIFEST_FILE
    manifest = json.loads(path.read_text(encoding="utf-8"))
    _entry(manifest)["inputs"] = {"/dev/zero": "0" * 64, str(fifo): "0" * 64}
    path.write_text(json.dumps(manifest), encoding="utf-8")
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 0, stderr
    assert "1 built, 0 unchanged" in stdout  # an input that is no file has changed


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_manifest_that_is_a_fifo_or_a_device_is_ignored_unread(
    small_dir: Path, tmp_path: Path, kind: str
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site))[0] == 0
    path = tmp_path / "site-restricted" / MANIFEST_FILE
    path.unlink()
    with contextlib.ExitStack() as stack:
        if kind == "fifo":
            # Text waiting in the FIFO, and no writer: a reader that does not check what it
            # opened gets "{}" instead of hanging the test.
            os.mkfifo(path)
            reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            stack.callback(os.close, reader)
            writer = os.open(path, os.O_WRONLY)
            os.write(writer, b"{}")
            os.close(writer)
        else:
            path.symlink_to("/dev/zero")  # endless
        code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site))
    assert code == 0, stderr
    assert stderr.startswith(f"{path}: warning: cannot be read (not a regular file)"), stderr
    assert "1 built, 0 unchanged" in stdout
    assert path.is_file() and not path.is_symlink()  # replaced by a manifest


# --- what the site lists: every recorded brief, until its file is gone ------------------------


def _listed(site: Path) -> list[int]:
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    return sorted(issue["issue"] for series in catalogue["series"] for issue in series["issues"])


def _summed(site: Path) -> set[str]:
    return {line.split()[1] for line in (site / CHECKSUMS).read_text().splitlines()}


def test_a_brief_that_fails_keeps_its_last_good_build_published(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    broken = write_brief(small_dir, "b.yaml", 4, title="Before")
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    broken.write_text(broken.read_text(encoding="utf-8").replace("title:", "titel:"))
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site), "-j", "1")
    assert code == 1
    assert (
        f"{broken}: warning: the site keeps its last good build (Volume 29 Issue 4, 'Before') "
        "until it builds again [kept]"
    ) in stderr
    assert _listed(site) == [3, 4]
    assert "persian-files/b.pdf" in _summed(site) and (site / "persian-files" / "b.pdf").is_file()


def test_a_mistyped_path_or_one_brief_leaves_the_others_published(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    one = write_brief(small_dir, "b.yaml", 4)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    before = _summed(site)
    code, _, stderr = invoke("build", str(tmp_path / "brefs"), "--out", str(site), "-j", "1")
    assert code == 1 and "no such file" in stderr
    assert _listed(site) == [3, 4] and _summed(site) == before
    assert invoke("build", str(one), "--out", str(site), "-j", "1")[0] == 0
    assert _listed(site) == [3, 4] and _summed(site) == before


def test_a_new_brief_is_checked_against_the_numbers_already_published(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(small_dir / "series.yaml", other / "series.yaml")
    write_brief(other, "c.yaml", 3)
    code, _, stderr = invoke("build", str(other / "c.yaml"), "--out", str(site), "-j", "1")
    assert code == 1 and "[numbering]" in stderr and str(small_dir / "a.yaml") in stderr
    assert _listed(site) == [3]


def test_a_deleted_brief_is_withdrawn_with_its_files(small_dir: Path, tmp_path: Path) -> None:
    write_brief(small_dir, "a.yaml", 3)
    gone = write_brief(small_dir, "b.yaml", 4, tlp="AMBER")
    site, restricted = tmp_path / "site", tmp_path / "site-restricted"
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    assert (restricted / "persian-files" / "b.pdf").is_file()
    gone.unlink()
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site), "-j", "1")
    assert code == 0
    assert (
        f"{gone}: warning: the brief is gone, so its report (Volume 29 Issue 4) left the "
        "restricted folder [withdrawn]"
    ) in stderr
    assert not (restricted / "persian-files" / "b.pdf").exists()
    assert not (restricted / "persian-files" / "b.html").exists()
    assert _listed(restricted) == [] and _listed(site) == [3]


# --- build: its problems in every --format -------------------------------------------------

#: (path, severity, rule) of one diagnostic.
Found = tuple[str, str, str]


def printed(output_format: str, stdout: str) -> list[Found]:
    """What a tool's format printed on standard output, read back as its tool would."""
    if output_format == "json":
        records = [json.loads(line) for line in stdout.splitlines()]
        return [(r["path"], r["severity"], r["rule"]) for r in records]
    if output_format == "sarif":
        (run,) = json.loads(stdout)["runs"]  # one document, warnings and errors together
        found = []
        for result in run["results"]:
            uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            found.append((unquote(urlsplit(uri).path), result["level"], result["ruleId"]))
        return found
    pattern = re.compile(r"::(error|warning) file=([^,]*),(?:.*,)?title=([^:]*)::")
    matches = [pattern.match(line) for line in stdout.splitlines()]
    assert all(matches), stdout
    return [(m.group(2), m.group(1), m.group(3)) for m in matches if m]


def _gap_and_broken(
    briefs: Path, tmp_path: Path, stack: contextlib.ExitStack
) -> tuple[list[str], int, list[Found]]:
    write_brief(briefs, "a.yaml", 3)
    later = write_brief(briefs, "c.yaml", 5)
    broken = write_brief(briefs, "broken.yaml", 7)
    broken.write_text(broken.read_text(encoding="utf-8").replace("volume: 29", "volume: x"))
    found = [(str(later), "warning", "numbering"), (str(broken), "error", "schema")]
    return ["--out", str(tmp_path / "site")], 1, found


def _out_is_a_file(
    briefs: Path, tmp_path: Path, stack: contextlib.ExitStack
) -> tuple[list[str], int, list[Found]]:
    write_brief(briefs, "a.yaml", 3)
    (tmp_path / "taken").write_text("somebody's file\n", encoding="utf-8")
    return ["--out", str(tmp_path / "taken")], 1, [(str(tmp_path / "taken"), "error", "output")]


def _restricted_inside(
    briefs: Path, tmp_path: Path, stack: contextlib.ExitStack
) -> tuple[list[str], int, list[Found]]:
    write_brief(briefs, "a.yaml", 3)
    inner = tmp_path / "site" / "private"
    args = ["--out", str(tmp_path / "site"), "--restricted-out", str(inner)]
    return args, 2, [(str(inner), "error", "folders")]


def _locked_by_another(
    briefs: Path, tmp_path: Path, stack: contextlib.ExitStack
) -> tuple[list[str], int, list[Found]]:
    write_brief(briefs, "a.yaml", 3)
    stack.callback(os.close, hold_lock(tmp_path / "site"))
    return (
        ["--out", str(tmp_path / "site"), "--no-wait"],
        1,
        [(str(tmp_path / "site"), "error", "lock")],
    )


SCENARIOS = {
    "a gap and a broken brief": _gap_and_broken,
    "an out that is a file": _out_is_a_file,
    "the restricted folder inside": _restricted_inside,
    "a folder another build holds": _locked_by_another,
}


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_build_prints_every_problem_in_the_format_asked(
    small_dir: Path,
    tmp_path: Path,
    output_format: str,
    scenario: Callable[[Path, Path, contextlib.ExitStack], tuple[list[str], int, list[Found]]],
) -> None:
    with contextlib.ExitStack() as stack:
        args, code, expected = scenario(small_dir, tmp_path, stack)
        result = runner.invoke(
            app, ["build", str(small_dir), *args, "-j", "1", "--format", output_format]
        )
    assert result.exit_code == code, result.output
    assert sorted(printed(output_format, result.stdout)) == sorted(expected)
    assert "[output]" not in result.stderr and "[lock]" not in result.stderr


def test_a_gap_in_the_numbering_is_a_located_warning_and_no_failure(
    small_dir: Path, tmp_path: Path
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    later = write_brief(small_dir, "c.yaml", 6)
    code, stdout, stderr = invoke(
        "build", str(small_dir), "--out", str(tmp_path / "site"), "-j", "1"
    )
    assert code == 0, stderr
    line = later.read_text(encoding="utf-8").splitlines().index("issue: 6") + 1
    assert stderr.splitlines() == [
        f"{later}:{line}:1: warning: issue: persian-files volume 29: no brief for issues 4, 5 "
        "[numbering]"
    ]
    assert "2 built, 0 unchanged, 0 failed" in stdout


def test_a_malformed_manifest_is_a_warning_in_json_too(small_dir: Path, tmp_path: Path) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    assert invoke("build", str(small_dir), "--out", str(site), "-j", "1")[0] == 0
    manifest = tmp_path / "site-restricted" / MANIFEST_FILE
    manifest.write_text("{", encoding="utf-8")
    code, stdout, stderr = invoke("build", str(small_dir), "--out", str(site), "--format", "json")
    assert code == 0, stderr
    (record,) = [json.loads(line) for line in stdout.splitlines()]
    assert record == {
        "path": str(manifest), "line": 0, "column": 0, "field": "", "rule": "manifest",
        "severity": "warning", "message": "not valid JSON; every brief is built again",
    }  # fmt: skip
    assert "1 built, 0 unchanged" in stderr  # the table and summary leave standard output alone


# --- build: kills, Ctrl-C and two builds at once ---------------------------------------------


def session_processes(session: int) -> list[int]:
    """The live processes of a session (zombies, which run nothing, left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            found.append(int(stat.parent.name))
    return found


def recorded(restricted: Path, name: str) -> bool:
    """Whether the build manifest in ``restricted`` lists a report file called ``name``."""
    with contextlib.suppress(OSError):
        return f'/{name}"' in (restricted / MANIFEST_FILE).read_text(encoding="utf-8")
    return False


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def slow_dir(small_dir: Path) -> Path:
    """A quick brief (a) and one whose SVG keeps a render busy for its whole time limit (b)."""
    write_brief(small_dir, "a.yaml", 3)
    (small_dir / "bomb.svg").write_text(SVG_BOMB, encoding="utf-8")
    slow = write_brief(small_dir, "b.yaml", 4)
    slow.write_text(
        slow.read_text(encoding="utf-8").replace(
            "background: |\n", "background: |\n  ![](bomb.svg)\n\n"
        ),
        encoding="utf-8",
    )
    return small_dir


def start_build(
    briefs: Path, site: Path, *options: str, ignoring_sigint: bool = False
) -> subprocess.Popen[bytes]:
    """``osintkit build`` in a session of its own, as a terminal would run it (or, ignoring
    SIGINT, as a shell without job control runs ``osintkit build &``, or as nohup does)."""

    def ignore_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited through exec

    return subprocess.Popen(
        [sys.executable, "-m", "osintkit", "build", str(briefs), "--out", str(site), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=ignore_sigint if ignoring_sigint else None,
    )  # fmt: skip


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    "signum, ignoring_sigint",
    [(signal.SIGKILL, False), (signal.SIGTERM, False), (signal.SIGTERM, True)],
    ids=["kill -9", "kill", "kill, started ignoring SIGINT"],
)
def test_a_killed_build_leaves_no_process_behind(
    slow_dir: Path, tmp_path: Path, signum: int, ignoring_sigint: bool
) -> None:
    site = tmp_path / "site"
    process = start_build(slow_dir, site, "-j", "2", ignoring_sigint=ignoring_sigint)
    try:
        # The quick brief is done, the slow one renders: the build, 2 workers, 2 render children.
        wait_for(
            lambda: (
                (site / "persian-files" / "a.pdf").exists()
                and len(session_processes(process.pid)) >= 5
            ),
            "a render under way",
        )
        if ignoring_sigint:  # Ctrl-C is not the build's, as its shell intended
            status = Path(f"/proc/{process.pid}/status").read_text(encoding="ascii")
            mask = re.search(r"(?m)^SigIgn:\s*([0-9a-f]+)$", status)
            assert mask and int(mask.group(1), 16) & (1 << (signal.SIGINT - 1))
        process.send_signal(signum)  # the build alone: what is left must die on its own
        process.communicate(timeout=60)
        assert process.returncode == -signum
        wait_for(lambda: not session_processes(process.pid), "the workers to die", 30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_a_build_killed_with_sigkill_goes_on_from_there(slow_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    process = start_build(slow_dir, site, "-j", "2")
    try:
        wait_for(lambda: recorded(tmp_path / "site-restricted", "a.pdf"), "the quick brief")
        process.kill()
        process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    # What was built before the kill is kept: only the slow brief is built again.
    slow = slow_dir / "b.yaml"
    slow.write_text(slow.read_text(encoding="utf-8").replace("  ![](bomb.svg)\n\n", ""))
    code, stdout, stderr = invoke("build", str(slow_dir), "--out", str(site), "-j", "1")
    assert code == 0, stderr
    assert "1 built, 1 unchanged" in stdout


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_a_worker_killed_mid_render_fails_its_brief_only(slow_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    process = start_build(slow_dir, site, "-j", "2")
    try:
        wait_for(lambda: recorded(tmp_path / "site-restricted", "a.pdf"), "the quick brief")
        for pid in session_processes(process.pid):  # the workers: the build's children
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
            if int(stat.rsplit(")", 1)[1].split()[1]) == process.pid:
                os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
        stdout, stderr = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1, stderr.decode()
    assert "1 built, 0 unchanged, 1 failed" in stdout.decode()
    assert stderr.decode().splitlines() == [
        f"{slow_dir / 'b.yaml'}: error: PDF rendering failed: its worker process stopped "
        "unexpectedly (exit code -9) [render]"
    ]


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_ctrl_c_mid_render_prints_one_line_and_exits_130(slow_dir: Path, tmp_path: Path) -> None:
    a_pdf = Path("persian-files") / "a.pdf"
    moments: list[tuple[str, Callable[[Path, int], bool]]] = [
        ("workers started", lambda site, pid: len(session_processes(pid)) >= 3),
        ("render children started", lambda site, pid: len(session_processes(pid)) >= 5),
        ("one report written", lambda site, pid: (site / a_pdf).exists()),
    ]
    for round_ in range(2):
        for name, ready in moments:
            site = tmp_path / f"site-{round_}-{len(name)}"
            process = start_build(slow_dir, site, "-j", "2")
            try:
                wait_for(lambda: ready(site, process.pid), name)  # noqa: B023
                os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
                _, stderr = process.communicate(timeout=60)
                assert (process.returncode, stderr.decode()) == (
                    130,
                    "interrupted: the briefs built so far are kept; run build again\n",
                ), name
                wait_for(lambda: not session_processes(process.pid), "the workers to stop", 30)  # noqa: B023
                assert not list(site.rglob(f"*{TEMP_SUFFIX}"))
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def hold_lock(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


@pytest.mark.parametrize("held", ["site", "site-restricted"])
def test_a_second_build_with_no_wait_fails_at_once(
    small_dir: Path, tmp_path: Path, held: str
) -> None:
    write_brief(small_dir, "a.yaml", 3)
    lock = hold_lock(tmp_path / held)
    try:
        code, _, stderr = invoke(
            "build", str(small_dir), "--out", str(tmp_path / "site"), "--no-wait"
        )
    finally:
        os.close(lock)
    assert code == 1
    assert stderr.splitlines() == [
        f"{tmp_path / held}: error: another build is using this folder [lock]"
    ]
    assert not [p for p in tmp_path.rglob("*") if _is_report_file(p)]


def test_the_lock_ends_with_the_build(small_dir: Path, tmp_path: Path) -> None:
    """Not with a render child kept warm after it (one started during this build: a memory
    limit no other test uses)."""
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    code, _, stderr = invoke("build", str(small_dir), "--out", str(site), "--memory-limit", "1999")
    assert code == 0, stderr
    for folder in (site, tmp_path / "site-restricted"):
        descriptor = os.open(folder / LOCK_FILE, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: no BlockingIOError
        finally:
            os.close(descriptor)


def test_a_second_build_waits_for_the_first(small_dir: Path, tmp_path: Path) -> None:
    write_brief(small_dir, "a.yaml", 3)
    site = tmp_path / "site"
    lock = hold_lock(site)
    process = start_build(small_dir, site, "-j", "1")
    try:
        lines: queue.Queue[bytes] = queue.Queue()
        assert process.stderr is not None
        stderr = process.stderr
        threading.Thread(target=lambda: [lines.put(line) for line in stderr], daemon=True).start()
        first = lines.get(timeout=60)
        assert first.decode() == f"waiting for another build of {site} to finish\n"
        assert process.poll() is None and not (site / "persian-files").exists()
    finally:
        os.close(lock)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    assert "1 built, 0 unchanged, 0 failed" in stdout.decode()


# --- captures: part of what a report is built from; their digests kept -------------------------


def _capture(brief: Path, content: bytes | None, name: str = "evidence/mfa.txt") -> Path:
    """Give the reference brief's first source a capture of ``content`` (None: the file there)
    at ``name``."""
    capture = brief.parent / name
    capture.parent.mkdir(exist_ok=True)
    if content is not None:
        capture.write_bytes(content)
    with capture.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    text = without_evidence(brief.read_text(encoding="utf-8"))
    item = f"{{file: {name}, sha256: {digest}, captured: 2025-01-18T09:14:00Z}}"
    entry = f"    captures:\n      - {item}\n"
    text = re.sub(r"(?m)^    captures:\n.*\n", "", text)
    brief.write_text(
        text.replace("    accessed: 2025-01-18\n", "    accessed: 2025-01-18\n" + entry, 1)
    )
    return capture


def test_a_changed_capture_is_not_skipped_but_refused_where_the_brief_gives_its_hash(
    reference_brief: Path, tmp_path: Path
) -> None:
    capture = _capture(reference_brief, b"the ministry's page\n")
    site = tmp_path / "site"
    assert invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")[0] == 0
    _, stdout, _ = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert "0 built, 1 unchanged" in stdout
    capture.write_bytes(b"the ministry's page, edited\n")
    code, stdout, stderr = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert code == 1
    assert "sources[0].captures[0].sha256: the file's SHA-256 is" in stdout + stderr
    assert "was the capture changed? [evidence]" in stdout + stderr
    # The brief updated to the new capture: it is built again.
    _capture(reference_brief, b"the ministry's page, captured again\n")
    _, stdout, _ = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert "1 built, 0 unchanged" in stdout
    capture.unlink()
    code, stdout, stderr = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert code == 1 and "capture 'evidence/mfa.txt' does not exist" in stdout + stderr


def test_a_capture_swapped_for_a_symlink_out_with_the_same_bytes_is_not_skipped(
    reference_brief: Path, tmp_path: Path
) -> None:
    content = b"the ministry's page\n"
    capture = _capture(reference_brief, content)
    site = tmp_path / "site"
    assert invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")[0] == 0
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(content)
    capture.unlink()
    capture.symlink_to(outside)
    code, stdout, stderr = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert code == 1
    assert "capture 'evidence/mfa.txt' lies outside the brief's folder" in stdout + stderr


def test_an_unchanged_200_mb_capture_is_hashed_by_the_first_build_only(
    reference_brief: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import osintkit.digests

    capture = _capture(reference_brief, b"")
    os.truncate(capture, 200 * 1024 * 1024)
    _capture(reference_brief, None)
    now = osintkit.digests._now_ns  # as if the build ran a minute after the capture was made
    monkeypatch.setattr(osintkit.digests, "_now_ns", lambda: now() + 60 * 10**9)
    hashed: list[int] = []
    stream = osintkit.digests.stream_sha256
    monkeypatch.setattr(
        osintkit.digests,
        "stream_sha256",
        lambda fd: hashed.append(os.fstat(fd).st_size) or stream(fd),
    )
    site = tmp_path / "site"
    assert invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")[0] == 0
    assert hashed.count(200 * 1024 * 1024) == 1
    # The brief changes (so it is validated again) but the capture does not.
    reference_brief.write_text(reference_brief.read_text(encoding="utf-8") + "\n# edited\n")
    _, stdout, _ = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert "1 built" in stdout
    _, stdout, _ = invoke("build", str(reference_brief), "--out", str(site), "--jobs", "1")
    assert "1 unchanged" in stdout
    assert hashed.count(200 * 1024 * 1024) == 1
    manifest = json.loads((tmp_path / "site-restricted" / MANIFEST_FILE).read_text())
    assert manifest["digests"][os.fspath(capture.resolve())]["size"] == 200 * 1024 * 1024
