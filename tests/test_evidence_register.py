"""The evidence register (issue 17): the annex listing each source's captures and archive link
and the chain of custody, in the HTML, the PDF and each edition."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from osintkit.editions import derive, edition_of
from osintkit.leaks import find_leak
from osintkit.outline import EVIDENCE_REGISTER, parts
from osintkit.portions import marking
from osintkit.render.sandbox import RenderLimits
from osintkit.report import Rendered, render_brief
from osintkit.validation import LoadedBrief, load_brief
from support import invoke, problems, require

MakeBrief = Callable[..., Path]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BRIEF = FIXTURES / "evidence" / "evidence.yaml"
PUBLIC_DIGEST = "991b75296d4a94cbbc67d886c6ca075723eb1b680da8930c786e22abdf603747"
AMBER_DIGEST = "6e9e28e0e8255bed47dd611e3f9eaf83c0ff30eff6522be4c81ee9a847477947"
AMBER_FILE = "liaison-notes-2025"
ARCHIVE = "https://web.archive.org/web/20250301091400/https://example.org/aktau/stats-2024"


@pytest.fixture(scope="module")
def loaded() -> LoadedBrief:
    return load_brief(BRIEF)


@pytest.fixture(scope="module")
def editions(loaded: LoadedBrief) -> dict[str, Rendered]:
    limits = RenderLimits(sandbox=False)
    return {
        level: render_brief(loaded, edition=level, limits=limits)  # type: ignore[arg-type]
        for level in ("CLEAR", "AMBER")
    }


def _pdf_text(pdf: bytes | None) -> str:
    require([] if shutil.which("pdftotext") else ["pdftotext"])
    assert pdf is not None
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(text.stdout.decode().split())


def _register(html: str) -> str:
    start = html.index(f'<section class="annex evidence-register" id="{EVIDENCE_REGISTER}"')
    return html[start : html.index("</section>", start)]


def test_the_register_lists_captures_archive_links_and_custody(
    editions: dict[str, Rendered],
) -> None:
    register = _register(editions["AMBER"].html)
    assert '<h2 id="h-sec-evidence-register">Annex A: Evidence register</h2>' in register
    # In reference-list order, under the number the reference list gives each source.
    assert re.findall(r'href="#ref-([\w-]+)">\[(\d)\]', register) == [
        ("port-stats", "1"),
        ("liaison", "2"),
    ]
    assert f'<a class="url" href="{ARCHIVE}" dir="ltr">{ARCHIVE}</a>' in register
    # The HTML gives the whole digest; the time in UTC (written +03:30 in the brief).
    assert (
        f'<span class="sha256-head">{PUBLIC_DIGEST[:16]}</span>'
        f'<span class="sha256-tail">{PUBLIC_DIGEST[16:]}</span>'
    ) in register
    assert '<time datetime="2025-03-01T09:14:00Z" dir="ltr">2025-03-01 09:14:00</time>' in register
    assert "SingleFile 1.22" in register and "Full page text" in register
    custody = register[register.index("Chain of custody") :]
    rows = re.findall(r"<tr><td class=\"when\"><time datetime=\"([^\"]+)\"", custody)
    assert rows == [
        "2025-03-01T19:00:00Z",
        "2025-03-01T19:30:00Z",
        "2025-03-02T08:30:00Z",
        "2025-03-02T09:00:00Z",
    ]
    assert "verified translation" in custody and "Handler Seven" in custody


def test_the_pdf_prints_the_first_16_digits_of_each_digest(
    editions: dict[str, Rendered],
) -> None:
    text = _pdf_text(editions["AMBER"].pdf)
    assert "Annex A: Evidence register" in text
    assert f"{PUBLIC_DIGEST[:16]}…" in text and f"{AMBER_DIGEST[:16]}…" in text
    assert PUBLIC_DIGEST[16:32] not in text
    assert "Each SHA-256 is shown by its first 16 of 64 digits" in text
    assert "2025-03-01 09:14:00" in text and "Chain of custody" in text
    # The archive link whole, so a paper copy can be typed in.
    assert f"Archived copy: {ARCHIVE}" in text
    # The HTML never says so: it shows them whole.
    assert 'class="sha256-abridged"' in editions["AMBER"].html


def test_the_contents_list_and_cross_references_letter_the_register(
    editions: dict[str, Rendered], loaded: LoadedBrief
) -> None:
    html = editions["AMBER"].html
    assert f'<li><a href="#{EVIDENCE_REGISTER}">Annex A: Evidence register</a></li>' in html
    assert re.search(rf'<a class="xref" href="#{EVIDENCE_REGISTER}"[^>]*>Annex A</a>', html)
    assert [p.letter for p in parts(loaded.brief) if p.kind == "annex"] == ["A"]


def test_the_register_follows_the_briefs_own_annexes(make_brief: MakeBrief) -> None:
    text = BRIEF.read_text(encoding="utf-8").replace(
        "custody:", "appendices:\n  - {id: sec-data, title: Data, body: Numbers.}\ncustody:"
    )
    path = make_brief(text)
    shutil.copytree(BRIEF.parent / "evidence", path.parent / "evidence")
    html = render_brief(load_brief(path), formats=("html",)).html
    assert html.index('id="sec-data"') < html.index(f'id="{EVIDENCE_REGISTER}"')
    assert "Annex B: Evidence register" in html
    assert re.search(r'href="#sec-evidence-register"[^>]*>Annex B</a>', html)


def test_the_registers_id_is_reserved_in_a_brief_with_evidence(make_brief: MakeBrief) -> None:
    text = BRIEF.read_text(encoding="utf-8").replace(
        "custody:", "appendices:\n  - {id: sec-evidence-register, title: Mine, body: X.}\ncustody:"
    )
    path = make_brief(text)
    shutil.copytree(BRIEF.parent / "evidence", path.parent / "evidence")
    (problem,) = problems(path)
    assert "appendices[0].id: id 'sec-evidence-register' is the evidence register's" in problem


def test_a_brief_without_evidence_has_no_register(make_brief: MakeBrief) -> None:
    path = make_brief((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    html = render_brief(load_brief(path), formats=("html",)).html
    assert "evidence-register" not in html and "sha256" not in html
    # Nor may it point at one.
    path.write_text(
        path.read_text(encoding="utf-8").replace("in 1993.", "in 1993, [@sec-evidence-register]."),
        encoding="utf-8",
    )
    (problem,) = problems(path)
    assert "cross-reference [@sec-evidence-register] points at no" in problem


def test_the_clear_edition_holds_no_trace_of_the_amber_capture(
    editions: dict[str, Rendered], loaded: LoadedBrief
) -> None:
    clear = editions["CLEAR"]
    register = _register(clear.html)
    assert PUBLIC_DIGEST[16:] in register and "port-stats.txt" in register
    pdf_text = _pdf_text(clear.pdf)
    for trace in (AMBER_FILE, AMBER_DIGEST[:16], "Liaison report", "sealed the liaison"):
        assert trace not in clear.html and trace not in pdf_text
    # The entry naming both files keeps the public one; one naming only the AMBER file goes,
    # an AMBER entry goes, one naming no file stays.
    custody = register[register.index("Chain of custody") :]
    assert re.findall(r'<time datetime="([^"]+)"', custody) == [
        "2025-03-01T19:00:00Z",
        "2025-03-02T08:30:00Z",
    ]
    assert "Handler Seven" not in clear.html


def test_an_edition_drops_custody_entries_of_removed_captures(loaded: LoadedBrief) -> None:
    mark = marking(loaded.brief, loaded.series)
    edition = derive(loaded.brief, mark, "CLEAR")
    assert [(e.action, e.files) for e in edition.brief.custody] == [
        ("collected", ["evidence/port-stats.txt"]),
        ("verified translation", []),
    ]
    removed = {r.key_path for r in edition.removed}
    assert {("sources", 1), ("custody", 1), ("custody", 3)} <= removed
    # Its redacted brief, which a PDF/A attaches, has no trace either.
    document = edition_of(loaded, "CLEAR").loaded.document.source
    assert AMBER_FILE not in document and AMBER_DIGEST not in document


def test_the_leak_check_finds_a_removed_captures_digest(
    editions: dict[str, Rendered], loaded: LoadedBrief
) -> None:
    mark = marking(loaded.brief, loaded.series)
    clear = editions["CLEAR"]
    assert find_leak(loaded.brief, mark, "CLEAR", clear.html, clear.pdf) is None
    # One word, no run of six: the digest of the removed capture, shown whole or abridged.
    for shown in (AMBER_DIGEST, AMBER_DIGEST[:16] + "…"):
        leaked = clear.html.replace("</main>", f"<p>{shown}</p></main>")
        leak = find_leak(loaded.brief, mark, "CLEAR", leaked, None)
        assert leak is not None and leak.portion.key_path == ("sources", 1)
        assert leak.fragment == AMBER_DIGEST[: len(shown.rstrip("…"))]


def test_a_persian_register_sets_times_files_and_digests_left_to_right(
    make_brief: MakeBrief,
) -> None:
    fa = (FIXTURES.parents[1] / "briefs" / "persian-files-fa-sample.yaml").read_text("utf-8")
    capture = (BRIEF.parent / "evidence" / "port-stats.txt").read_bytes()
    path = make_brief(
        fa
        + "    captures:\n"
        + "      - file: evidence/port-stats.txt\n"
        + f"        sha256: {PUBLIC_DIGEST}\n"
        + "        captured: 2025-01-18T10:42:00Z\n"
        + "        note: متن صفحه\n"
    )
    (path.parent / "evidence").mkdir()
    (path.parent / "evidence" / "port-stats.txt").write_bytes(capture)
    rendered = render_brief(load_brief(path), limits=RenderLimits(sandbox=False))
    register = _register(rendered.html)
    assert "پیوست A: فهرست شواهد" in register
    assert '<code dir="ltr">evidence/port-stats.txt</code>' in register
    assert '<code class="sha256" dir="ltr">' in register
    assert '<time datetime="2025-01-18T10:42:00Z" dir="ltr">2025-01-18 10:42:00</time>' in register
    assert '<bdi dir="rtl">متن صفحه</bdi>' in register
    # The page image shows "991b75296d4a94cb…"; extracted text may set the neutral
    # ellipsis on the other side of the left-to-right run.
    text = _pdf_text(rendered.pdf)
    assert PUBLIC_DIGEST[:16] in text and PUBLIC_DIGEST[16:] not in text


def test_the_register_does_not_link_capture_files(editions: dict[str, Rendered]) -> None:
    """A build publishes no capture file (README, "Evidence register"): the register names
    them and links only the sources and archive copies."""
    register = _register(editions["AMBER"].html)
    links = re.findall(r'href="([^"]+)"', register)
    assert links and all(link.startswith(("#ref-", "https://")) for link in links)


def test_render_a_brief_with_evidence_on_the_command_line(tmp_path: Path) -> None:
    code, _out, err = invoke("render", str(BRIEF), "--out", str(tmp_path), "-f", "html")
    assert code == 0, err
    html = (tmp_path / "evidence.html").read_text(encoding="utf-8")
    assert f'{PUBLIC_DIGEST[:16]}</span><span class="sha256-tail">{PUBLIC_DIGEST[16:]}' in html


def test_pdf_structure_tags_the_registers_tables() -> None:
    pikepdf = pytest.importorskip("pikepdf")
    rendered = render_brief(load_brief(BRIEF), formats=("pdf",), limits=RenderLimits(sandbox=False))
    assert rendered.pdf is not None
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        kinds: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                kinds.append(str(node.S))
            kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids] if kids else []:
                walk(kid)

        walk(pdf.Root.StructTreeRoot)
    # The chronology-less fixture's only tables are the register's: two of captures, one of
    # custody, each with its header cells.
    assert kinds.count("/Table") == 3 and "/TH" in kinds


def test_the_reference_brief_preserves_its_persian_source() -> None:
    """briefs/persian-files-29-2.yaml carries the text of seed 000, byte for byte, as the
    capture of the ministry's page it quotes, and prints an evidence register."""
    import hashlib

    root = FIXTURES.parents[1]
    loaded = load_brief(root / "briefs" / "persian-files-29-2.yaml")
    (source,) = loaded.brief.sources
    (capture,) = source.captures
    data = (root / "briefs" / capture.file).read_bytes()
    assert data == next((root / "seeds").glob("000_*.txt")).read_bytes()
    assert hashlib.sha256(data).hexdigest() == capture.sha256
    assert capture.captured.date() < loaded.brief.date
    assert source.archive_url is None  # the page has no URL in the brief: none invented
    times = [entry.at for entry in loaded.brief.custody]
    assert times == sorted(times) and times[0] >= capture.captured
    html = render_brief(loaded, formats=("html",)).html
    register = _register(html)
    assert "Annex A: Evidence register" in register and capture.sha256[16:] in register


def test_an_archive_link_alone_makes_a_register_without_tables(make_brief: MakeBrief) -> None:
    minimal = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    link = "https://web.archive.org/web/2025/https://mfa.gov.by/fa/"
    path = make_brief(minimal + f"    archive_url: {link}\n")
    html = render_brief(load_brief(path), formats=("html",)).html
    register = _register(html)
    assert f">{link}</a>" in register
    assert "<table" not in register and "sha256" not in register
    assert "Chain of custody" not in register


def test_a_marked_source_carries_its_mark_in_the_references_and_the_register(
    editions: dict[str, Rendered],
) -> None:
    """The full edition marks the AMBER source where it marks its paragraph: a reader of the
    register or the reference list alone knows which captures are not for the public."""
    text = _pdf_text(editions["AMBER"].pdf)
    assert "2. (TLP:AMBER) Liaison report" in text
    assert "[2] (TLP:AMBER) Liaison report" in text
    assert "(TLP:AMBER) Aktau" not in text
    assert "(TLP:" not in _pdf_text(editions["CLEAR"].pdf).replace("TLP:CLEAR", "")


def test_an_edition_keeps_custody_naming_a_kept_capture_spelt_otherwise(
    tmp_path: Path,
) -> None:
    """Validation takes "./evidence/port-stats.txt" for the capture "evidence/port-stats.txt";
    so does an edition, which dropped the public entry as if it named a removed capture."""
    folder = tmp_path / "evidence"
    shutil.copytree(BRIEF.parent, folder)
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    path = folder / BRIEF.name
    text = path.read_text(encoding="utf-8")
    entry = (
        "  - {at: 2025-03-02T08:45:00Z, by: A. Karimova, action: archived,"
        " files: [./evidence//port-stats.txt]}\n"
    )
    anchor = "  - {at: 2025-03-02T09:00:00Z"
    path.write_text(text.replace(anchor, entry + anchor, 1), encoding="utf-8")
    loaded = load_brief(path)
    edition = derive(loaded.brief, marking(loaded.brief, loaded.series), "CLEAR")
    assert ("archived", ["./evidence//port-stats.txt"]) in [
        (e.action, e.files) for e in edition.brief.custody
    ]


def test_a_word_longer_than_its_column_does_not_push_the_digest_off_the_page(
    make_brief: MakeBrief,
) -> None:
    """A tool's version string, a note or a custody name pasted as one 150-character word
    widened its table past the page, and the SHA-256 and custody files were not printed."""
    minimal = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    path = make_brief(minimal)
    (path.parent / "evidence").mkdir()
    (path.parent / "evidence" / "x.txt").write_bytes(b"x\n")
    digest = hashlib.sha256(b"x\n").hexdigest()
    word = "Z" * 150
    capture = (
        f"    captures:\n      - {{file: evidence/x.txt, sha256: {digest},"
        f" captured: 2025-01-18T10:00:00Z, tool: T{word}, note: N{word}}}\n"
    )
    custody = (
        f"custody:\n  - {{at: 2025-01-18T11:00:00Z, by: B{word}, action: A{word},"
        " files: [evidence/x.txt]}\n"
    )
    path.write_text(minimal + capture + custody, encoding="utf-8")
    rendered = render_brief(load_brief(path), formats=("pdf",))
    text = _pdf_text(rendered.pdf)
    assert f"{digest[:16]}…" in text
    assert text.rstrip().endswith("Page 2 of 2") and "x.txt" in text.split("Chain of custody")[1]
