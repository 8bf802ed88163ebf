"""Building a brief released to several audiences: each edition placed by its own level, and
nothing of a restricted portion anywhere under the public folder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from osintkit.build import BuildOptions, build
from osintkit.exports import json_strings
from osintkit.leaks import Leak, fragments, html_text, pdf_texts
from osintkit.output import MANIFEST_FILE
from osintkit.portions import marking
from osintkit.render.sandbox import RenderLimits
from osintkit.validation import load_brief
from support import invoke

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Phrases written only in the fixture's AMBER portions, some shorter than a fragment.
AMBER_TEXT = (
    "Astrakhan terminal manager quietly diverted drone parts",
    "night shift foreman at Makhachkala sells manifests",
    "paid monthly through a shell company",
    "Sealed crates photographed at the restricted pier",
    "Client liaison debriefing notes",
    "Leaked customs ledger",
    "Informant roster",
    "Source handling notes",
)


def _series_folder(folder: Path) -> Path:
    """The editions fixture (AMBER, with CLEAR portions) beside the reference brief."""
    folder.mkdir(parents=True)
    registry = (ROOT / "briefs" / "series.yaml").read_text(encoding="utf-8")
    # Where the site is published, so a public report's record names its PDF.
    site_url = "url: https://www.specialeurasia.com\n  site_url: https://example.org/pf/"
    registry = registry.replace("url: https://www.specialeurasia.com", site_url)
    (folder / "series.yaml").write_text(registry, encoding="utf-8")
    shutil.copy(ROOT / "briefs" / "persian-files-29-2.yaml", folder / "persian-files-29-2.yaml")
    shutil.copytree(ROOT / "briefs" / "evidence", folder / "evidence")
    shutil.copy(FIXTURES / "editions" / "editions.yaml", folder / "editions.yaml")
    shutil.copytree(FIXTURES / "editions" / "figures", folder / "figures")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(briefs, public site, restricted folder) after one build with attached briefs."""
    base = tmp_path_factory.mktemp("editions-build")
    briefs = _series_folder(base / "briefs")
    site = base / "site"
    code, stdout, stderr = invoke(
        "build", str(briefs), "--out", str(site), "--pdf-variant", "pdf/a-3b"
    )
    assert code == 0, stdout + stderr
    assert "2 built, 0 unchanged, 0 failed" in stdout
    return briefs, site, base / "site-restricted"


def _amber_fragments(brief: Path) -> dict[tuple[str, ...], str]:
    """Every six-word fragment of the brief's AMBER portions that its CLEAR text lacks,
    with the portion it comes from (the leak check's own fragmenting)."""
    from osintkit.leaks import forbidden

    loaded = load_brief(brief)
    banned = forbidden(loaded.brief, marking(loaded.brief, loaded.series), "CLEAR")
    return {fragment: str(removed.key_path) for fragment, removed in banned.items()}


def _readable(folder: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of everything under ``folder``: each file's text as stored, an HTML or
    XML file's text as read, a PDF's page text, metadata and attached files."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.suffix == ".pdf":
            for where, text in pdf_texts(data):
                yield f"{name}: {where}", text
            continue
        text = data.decode("utf-8", "replace")
        yield name, text
        if path.suffix in (".html", ".xml"):
            yield f"{name}: text", html_text(text)
        if path.suffix == ".json":  # its strings as read back: \n and \" undone
            yield f"{name}: strings", "\n".join(json_strings(json.loads(text)))


def _found(folder: Path, banned: dict[tuple[str, ...], str]) -> list[tuple[str, str]]:
    return [
        (where, " ".join(fragment))
        for where, text in _readable(folder)
        for fragment in sorted(fragments(text) & banned.keys())
    ]


def test_the_public_site_holds_only_the_clear_edition(built: tuple[Path, Path, Path]) -> None:
    _, site, restricted = built
    public = sorted(p.name for p in (site / "persian-files").iterdir())
    assert public == [
        "editions.clear.csl.json",  # the CLEAR edition's exports, of its own content
        "editions.clear.html",
        "editions.clear.misp.json",
        "editions.clear.pdf",
        "editions.clear.stix.json",
        "feed.xml",
        "persian-files-29-2.csl.json",  # a brief without editions builds as before, and
        "persian-files-29-2.evidence.json",  # exports (its evidence register too)
        "persian-files-29-2.html",
        "persian-files-29-2.misp.json",
        "persian-files-29-2.pdf",
        "persian-files-29-2.stix.json",
    ]
    held = sorted(p.name for p in (restricted / "persian-files").iterdir())
    assert held == [
        "editions.csl.json",
        "editions.html",
        "editions.misp.json",
        "editions.pdf",
        "editions.stix.json",
        "feed.xml",
    ]


def test_no_amber_fragment_is_anywhere_under_the_public_folder(
    built: tuple[Path, Path, Path],
) -> None:
    briefs, site, restricted = built
    banned = _amber_fragments(briefs / "editions.yaml")
    assert len(banned) > 50
    assert _found(site, banned) == []
    # The scan sees what it looks for: the restricted folder holds the full edition, and
    # every AMBER portion is found there, in the HTML, the PDF, its attached brief.
    leaked = _found(restricted, banned)
    wheres = {where.split(":")[0] for where, _ in leaked}
    assert {"persian-files/editions.html", "persian-files/editions.pdf"} <= wheres
    # The full edition's exports hold the AMBER portions too, so the scan reads exports.
    assert {"persian-files/editions.stix.json", "persian-files/editions.misp.json"} <= wheres
    found = {fragment for _, fragment in leaked}
    portions = {banned[tuple(fragment.split())] for fragment in found}
    # A source's fields are joined in the check but printed apart (its title is shorter than
    # a fragment): the phrases below hold the sources to it.
    assert all("sources" in missing for missing in set(banned.values()) - portions)
    assert any("attached" in where for where, _ in leaked)
    public_text = " ".join(" ".join(text.split()) for _, text in _readable(site))
    restricted_text = " ".join(" ".join(text.split()) for _, text in _readable(restricted))
    for phrase in AMBER_TEXT:
        assert phrase not in public_text
        assert phrase in restricted_text


def _meta(html: str) -> dict[str, list[str]]:
    """The content of each ``<meta name>`` of a page, by name."""
    found: dict[str, list[str]] = {}
    for name, content in re.findall(r'<meta name="([^"]+)" content="([^"]*)">', html):
        found.setdefault(name, []).append(content)
    return found


def test_each_edition_s_record_is_its_own(built: tuple[Path, Path, Path]) -> None:
    """Each edition's head names its own marking and, once published, its own PDF; the
    restricted edition, which is never on the series' site, names no PDF address."""
    _, site, restricted = built
    public = _meta((site / "persian-files" / "editions.clear.html").read_text(encoding="utf-8"))
    assert public["citation_pdf_url"] == ["https://example.org/pf/editions.clear.pdf"]
    assert public["DCTERMS.accessRights"] == ["TLP:CLEAR"]
    assert public["citation_title"] == ["Caspian Shipping: Two Audiences"]
    full = _meta((restricted / "persian-files" / "editions.html").read_text(encoding="utf-8"))
    assert "citation_pdf_url" not in full
    assert full["DCTERMS.accessRights"] == ["TLP:AMBER"]


def test_the_catalogues_list_the_number_once_and_link_the_public_edition(
    built: tuple[Path, Path, Path],
) -> None:
    _, site, restricted = built
    public = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    inner = json.loads((restricted / "catalogue.json").read_text(encoding="utf-8"))
    for folder, catalogue in ((site, public), (restricted, inner)):
        schema = json.loads((folder / "catalogue.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(catalogue, schema)
    (series,) = public["series"]
    issue = next(i for i in series["issues"] if i["issue"] == 7)
    assert [i["issue"] for i in series["issues"]] == [7, 2]
    assert issue["tlp"] == "CLEAR" and issue["brief"] == "editions.clear.yaml"
    assert issue["pdf"]["path"] == "persian-files/editions.clear.pdf"
    assert "public_edition" not in issue
    (series,) = inner["series"]
    (issue,) = series["issues"]
    assert issue["tlp"] == "AMBER" and issue["pdf"]["path"] == "persian-files/editions.pdf"
    assert "Astrakhan terminal manager" not in issue["summary"]  # the first paragraph only
    linked = issue["public_edition"]
    assert linked["tlp"] == "CLEAR"
    assert linked["pdf"]["path"] == "persian-files/editions.clear.pdf"
    assert (site / linked["pdf"]["path"]).stat().st_size == linked["pdf"]["size"]
    assert (site / linked["html"]["path"]).is_file()
    index = (restricted / "index.html").read_text(encoding="utf-8")
    assert "TLP:CLEAR edition in the public site" in index
    sums = (site / "SHA256SUMS").read_text(encoding="utf-8")
    assert "persian-files/editions.clear.pdf" in sums and "editions.pdf" not in sums.replace(
        "editions.clear.pdf", ""
    )
    assert 'href="editions.clear.pdf"' in (site / "persian-files" / "feed.xml").read_text()


def test_an_unchanged_brief_skips_every_edition(built: tuple[Path, Path, Path]) -> None:
    briefs, site, restricted = built
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    code, stdout, stderr = invoke(
        "build", str(briefs), "--out", str(site), "--pdf-variant", "pdf/a-3b"
    )
    assert code == 0, stderr
    assert "0 built, 2 unchanged, 0 failed" in stdout
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == stamps
    records = json.loads((restricted / MANIFEST_FILE).read_text())["briefs"]
    editions = sorted(record.get("edition", "full") for record in records.values())
    assert editions == ["CLEAR", "full", "full"]


def _options(tmp_path: Path) -> BuildOptions:
    return BuildOptions(out_dir=tmp_path / "site", limits=RenderLimits(sandbox=False))


def test_a_leak_fails_the_brief_located_and_keeps_its_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    briefs = _series_folder(tmp_path / "briefs")
    (briefs / "persian-files-29-2.yaml").unlink()
    options = _options(tmp_path)
    assert build([briefs], options).failed == []
    clear = options.out_dir / "persian-files" / "editions.clear.pdf"
    before = clear.read_bytes()

    import osintkit.leaks as leaks

    def leaking(brief, mark, level, html_document, pdf):  # type: ignore[no-untyped-def]
        (removed,) = [r for r in leaks.split(brief, mark, level)[0] if r.key_path[0] == "timeline"]
        return Leak("a convoy of unflagged barges left", removed, "PDF text")

    monkeypatch.setattr(leaks, "find_leak", leaking)
    text = (briefs / "editions.yaml").read_text(encoding="utf-8")
    (briefs / "editions.yaml").write_text(text.replace("third year", "fourth year"))
    warnings: list[str] = []
    result = build([briefs], options, on_warning=lambda d: warnings.append(d.rule))
    (failed,) = result.failed
    (problem,) = failed.problems
    assert problem.rule == "leak"
    assert problem.line == text.splitlines().index("  - date: 2024-11") + 1
    assert "TLP:CLEAR edition is not built" in problem.message
    assert "'a convoy of unflagged barges left'" in problem.message
    assert "PDF text" in problem.message
    assert "kept" in warnings
    assert clear.read_bytes() == before  # nothing of the brief was written


def test_an_edition_dropped_or_a_brief_gone_leaves_the_site(tmp_path: Path) -> None:
    briefs = _series_folder(tmp_path / "briefs")
    (briefs / "persian-files-29-2.yaml").unlink()
    options = _options(tmp_path)
    assert build([briefs], options).failed == []
    site, restricted = options.out_dir, options.restricted_out
    assert (site / "persian-files" / "editions.clear.html").is_file()

    text = (briefs / "editions.yaml").read_text(encoding="utf-8")
    (briefs / "editions.yaml").write_text(text.replace("editions: [CLEAR, AMBER]", ""))
    assert build([briefs], options).failed == []
    assert not (site / "persian-files" / "editions.clear.html").exists()
    assert not (site / "persian-files" / "editions.clear.pdf").exists()
    assert json.loads((site / "catalogue.json").read_text())["series"] == []
    assert (restricted / "persian-files" / "editions.pdf").is_file()

    (briefs / "editions.yaml").write_text(text)
    assert build([briefs], options).failed == []
    assert (site / "persian-files" / "editions.clear.pdf").is_file()
    (briefs / "editions.yaml").unlink()
    shutil.copy(ROOT / "briefs" / "persian-files-29-2.yaml", briefs / "persian-files-29-2.yaml")
    warnings: list[str] = []
    build([briefs], options, on_warning=lambda d: warnings.append(d.rule))
    assert warnings.count("withdrawn") == 2
    assert not (site / "persian-files" / "editions.clear.pdf").exists()
    assert not (restricted / "persian-files" / "editions.pdf").exists()


def test_two_public_editions_are_listed_once_and_both_checksummed(tmp_path: Path) -> None:
    briefs = _series_folder(tmp_path / "briefs")
    (briefs / "persian-files-29-2.yaml").unlink()
    text = (briefs / "editions.yaml").read_text(encoding="utf-8")
    text = text.replace("editions: [CLEAR, AMBER]", "editions: [CLEAR, GREEN, AMBER]")
    (briefs / "editions.yaml").write_text(text, encoding="utf-8")
    options = _options(tmp_path)
    assert build([briefs], options).failed == []
    site = options.out_dir
    names = sorted(p.name for p in (site / "persian-files").glob("*.pdf"))
    assert names == ["editions.clear.pdf", "editions.green.pdf"]
    (series,) = json.loads((site / "catalogue.json").read_text())["series"]
    (issue,) = series["issues"]
    assert issue["tlp"] == "GREEN"
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=site, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "persian-files/editions.clear.pdf: OK" in check.stdout
    assert "persian-files/editions.green.pdf: OK" in check.stdout
    restricted = json.loads((options.restricted_out / "catalogue.json").read_text())
    assert restricted["series"][0]["issues"][0]["public_edition"]["tlp"] == "GREEN"


def test_an_edition_named_as_another_briefs_report_stops_the_build(tmp_path: Path) -> None:
    briefs = _series_folder(tmp_path / "briefs")
    clash = (briefs / "persian-files-29-2.yaml").rename(briefs / "editions.clear.yaml")
    code, _, stderr = invoke("build", str(briefs), "--out", str(tmp_path / "site"))
    assert code == 1
    assert "would be written as persian-files/editions.clear.pdf" in " ".join(stderr.split())
    assert f"{clash.name}: rename one of the briefs" in " ".join(stderr.split())
    assert "report names given twice" in " ".join(stderr.split())
    assert not (tmp_path / "site" / "persian-files").exists()


def test_the_public_catalogue_and_feed_summarise_the_public_edition(tmp_path: Path) -> None:
    briefs = _series_folder(tmp_path / "briefs")
    (briefs / "persian-files-29-2.yaml").unlink()
    brief = briefs / "editions.yaml"
    secret = "The harbour master at Turkmenbashi takes cash to clear unflagged barges at night."
    text = brief.read_text(encoding="utf-8").replace(
        "executive_summary: |\n",
        f"executive_summary: |\n  ::: {{tlp=AMBER}}\n  {secret}\n  :::\n\n",
    )
    brief.write_text(text, encoding="utf-8")
    options = _options(tmp_path)
    assert build([briefs], options).failed == []
    site, restricted = options.out_dir, options.restricted_out
    (series,) = json.loads((site / "catalogue.json").read_text())["series"]
    assert series["issues"][0]["summary"] == (
        "Freight across the Caspian grew for the third year running."
    )
    (series,) = json.loads((restricted / "catalogue.json").read_text())["series"]
    assert series["issues"][0]["summary"] == secret
    assert "Turkmenbashi" in (restricted / "persian-files" / "feed.xml").read_text()
    assert not [where for where, text in _readable(site) if "Turkmenbashi" in text]


def test_the_public_editions_exports_are_its_own(built: tuple[Path, Path, Path]) -> None:
    from osintkit.exports.vocabulary import STIX_TLP_MARKINGS

    _, site, restricted = built
    (series,) = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))["series"]
    issue = next(i for i in series["issues"] if i["issue"] == 7)
    assert issue["exports"]["stix"]["path"] == "persian-files/editions.clear.stix.json"
    stix = (site / issue["exports"]["stix"]["path"]).read_text(encoding="utf-8")
    assert STIX_TLP_MARKINGS["CLEAR"] in stix and STIX_TLP_MARKINGS["AMBER"] not in stix
    misp = json.loads((site / issue["exports"]["misp"]["path"]).read_text(encoding="utf-8"))
    assert misp["Event"]["distribution"] == 3
    (inner,) = json.loads((restricted / "catalogue.json").read_text(encoding="utf-8"))["series"]
    (full,) = inner["issues"]
    assert full["exports"]["misp"]["path"] == "persian-files/editions.misp.json"
    assert full["public_edition"]["exports"]["stix"]["path"] == (
        "persian-files/editions.clear.stix.json"
    )
    held = json.loads((restricted / full["exports"]["misp"]["path"]).read_text())
    assert held["Event"]["distribution"] == 1 and held["Event"]["Tag"] == [{"name": "tlp:amber"}]


def test_a_leak_in_an_export_fails_the_brief_before_anything_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import osintkit.exports.misp as misp

    briefs = _series_folder(tmp_path / "briefs")
    (briefs / "persian-files-29-2.yaml").unlink()
    real = misp.misp_event

    def leaking(loaded):  # type: ignore[no-untyped-def]
        if loaded.brief.tlp == "CLEAR":
            return json.dumps({"Event": {"info": AMBER_TEXT[1] + " in dollars"}}).encode()
        return real(loaded)

    monkeypatch.setattr(misp, "misp_event", leaking)
    text = (briefs / "editions.yaml").read_text(encoding="utf-8")
    options = _options(tmp_path)
    (failed,) = build([briefs], options).failed
    (problem,) = failed.problems
    assert problem.rule == "leak"
    assert "TLP:CLEAR edition is not built" in problem.message and "misp export" in problem.message
    # Located at the removed portion: the challenges item about the foreman.
    assert problem.line == text.splitlines().index('    - label: "Informants"') + 1
    assert not (options.out_dir / "persian-files").exists()
    assert not (options.restricted_out / "persian-files").exists()


def test_no_capture_and_no_restricted_digest_is_under_the_public_folder(tmp_path: Path) -> None:
    """A build publishes no capture file (README, "Evidence register"): the public CLEAR
    edition of a brief with an AMBER source names none of that source's capture, and the
    restricted folder holds the full register."""
    briefs = tmp_path / "briefs"
    shutil.copytree(FIXTURES / "evidence", briefs)
    shutil.copy(ROOT / "briefs" / "series.yaml", briefs / "series.yaml")
    site = tmp_path / "site"
    code, stdout, stderr = invoke(
        "build", str(briefs), "--out", str(site), "--pdf-variant", "pdf/a-3b"
    )
    assert code == 0, stdout + stderr
    amber = load_brief(briefs / "evidence.yaml").brief.sources[1]
    (capture,) = amber.captures
    traces = (capture.file, capture.file.rsplit("/", 1)[-1], capture.sha256, capture.sha256[:16])
    captures = {p.name for p in (briefs / "evidence").iterdir()}
    for folder, public in ((site, True), (tmp_path / "site-restricted", False)):
        names = {p.name for p in folder.rglob("*")}
        assert not names & captures  # no capture file is published, in either folder
        texts = [text for _, text in _readable(folder)]
        held = any(trace in text for text in texts for trace in traces)
        assert held is not public
    assert (site / "persian-files" / "evidence.clear.html").is_file()
