"""``render --attach-evidence``: the captures attached to a PDF/A-3 as its associated source
files, the bytes whose SHA-256 was checked, within a size cap."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from osintkit.editions import edition_of
from osintkit.errors import RenderError
from osintkit.leaks import find_leak
from osintkit.output import PdfVariant
from osintkit.portions import marking
from osintkit.render.captures import evidence_files, media_type
from osintkit.render.html import render_html
from osintkit.render.pdf import PdfOptions, render_pdf
from osintkit.render.sandbox import RenderLimits
from osintkit.report import render_brief, template_for
from osintkit.validation import load_brief
from support import invoke, require

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "evidence"
CAPTURES = {
    "port-stats.txt": "991b75296d4a94cbbc67d886c6ca075723eb1b680da8930c786e22abdf603747",
    "liaison-notes-2025.html": "6e9e28e0e8255bed47dd611e3f9eaf83c0ff30eff6522be4c81ee9a847477947",
}


@pytest.fixture
def brief(tmp_path: Path) -> Path:
    """A copy of the evidence fixture (brief, captures and registry) to change freely."""
    folder = tmp_path / "briefs"
    shutil.copytree(FIXTURE, folder)
    shutil.copy(FIXTURE.parent / "series.yaml", folder / "series.yaml")
    return folder / "evidence.yaml"


def _render(brief: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return invoke(
        "render", str(brief), "--out", str(out), "-f", "pdf", "--pdf-variant", "pdf/a-3b",
        "--attach-evidence", *extra,
    )  # fmt: skip


def test_pdfdetach_and_sha256sum_confirm_every_attached_capture(
    brief: Path, tmp_path: Path
) -> None:
    require([] if shutil.which("pdfdetach") else ["pdfdetach"])
    code, _out, err = _render(brief, tmp_path / "out")
    assert code == 0, err
    saved = tmp_path / "saved"
    saved.mkdir()
    pdf = tmp_path / "out" / "evidence.pdf"
    subprocess.run(["pdfdetach", "-saveall", str(pdf)], cwd=saved, check=True)
    sums = subprocess.run(
        ["sha256sum", *CAPTURES], cwd=saved, capture_output=True, text=True, check=True
    ).stdout
    assert sums == "".join(f"{digest}  {name}\n" for name, digest in CAPTURES.items())
    assert sorted(p.name for p in saved.iterdir()) == sorted([*CAPTURES, "evidence.yaml"])


def test_each_capture_is_an_associated_source_file_with_its_media_type(
    brief: Path, tmp_path: Path
) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    code, _out, err = _render(brief, tmp_path)
    assert code == 0, err
    with pikepdf.open(tmp_path / "evidence.pdf") as pdf:
        associated = {str(spec.UF): spec for spec in pdf.Root.AF}
        found = {}
        for name, digest in CAPTURES.items():
            spec = associated[name]
            stream = spec.EF.F
            data = stream.read_bytes()
            found[name] = (
                str(spec.AFRelationship),
                str(stream.Subtype),
                bytes(stream.Params.CheckSum),
                int(stream.Params.Size),
                str(spec.Desc),
            )
            assert hashlib.sha256(data).hexdigest() == digest
            # /CheckSum is the MD5 the PDF format defines; the description holds the SHA-256.
            assert found[name][2] == hashlib.md5(data).digest()
            assert found[name][3] == len(data)
            assert f"SHA-256 {digest}" in found[name][4]
        assert str(associated["evidence.yaml"].AFRelationship) == "/Unspecified"
    assert found["port-stats.txt"][:2] == ("/Source", "/text/plain")
    assert found["liaison-notes-2025.html"][:2] == ("/Source", "/text/html")
    assert "captured 2025-03-01T09:14:00Z" in found["port-stats.txt"][4]


def test_the_clear_edition_attaches_only_its_own_sources_captures(
    brief: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    code, _out, err = _render(brief, tmp_path, "--edition", "CLEAR")
    assert code == 0, err
    attached = PdfReader(tmp_path / "evidence.clear.pdf").attachments
    assert sorted(attached) == ["evidence.clear.yaml", "port-stats.txt"]


@pytest.mark.parametrize("variant", [None, "pdf/ua-1"])
def test_attach_evidence_without_pdf_a_3_is_a_usage_error(
    brief: Path, tmp_path: Path, variant: str | None
) -> None:
    args = ["render", str(brief), "--out", str(tmp_path / "out"), "--attach-evidence"]
    code, _out, err = invoke(*args, *(["--pdf-variant", variant] if variant else []))
    assert code == 2
    assert "--attach-evidence needs --pdf-variant pdf/a-3b" in " ".join(err.split())
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("attach", [True, False])
def test_a_pdf_option_without_a_pdf_is_a_usage_error(
    brief: Path, tmp_path: Path, attach: bool
) -> None:
    args = ["render", str(brief), "--out", str(tmp_path / "out"), "--format", "html"]
    args += ["--pdf-variant", "pdf/a-3b", *(["--attach-evidence"] if attach else [])]
    code, _out, err = invoke(*args)
    assert code == 2
    option = "--attach-evidence" if attach else "--pdf-variant"
    assert f"{option} makes a PDF, but --format html writes none" in " ".join(err.split())
    assert not (tmp_path / "out").exists()


def test_captures_over_the_attach_limit_are_an_error_not_a_silent_drop(
    brief: Path, tmp_path: Path
) -> None:
    big = brief.parent / "evidence" / "port-stats.txt"
    big.write_bytes(b"x" * (3 * 1024 * 1024 // 2))
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(CAPTURES["port-stats.txt"], digest),
        encoding="utf-8",
    )
    code, _out, err = _render(brief, tmp_path / "out", "--attach-limit", "1")
    assert code == 1
    assert "the captures to attach add up to 1.5 MiB, over the attach limit of 1 MiB" in (
        " ".join(err.split())
    )
    assert not (tmp_path / "out" / "evidence.pdf").exists()
    code, _out, err = _render(brief, tmp_path / "out", "--attach-limit", "2")
    assert code == 0, err


def test_a_capture_changed_after_validation_is_not_attached(brief: Path) -> None:
    loaded = load_brief(brief)
    (brief.parent / "evidence" / "port-stats.txt").write_bytes(b"edited afterwards\n")
    with pytest.raises(RenderError, match="changed after the brief was checked"):
        render_brief(
            loaded, pdf_variant="pdf/a-3b", attach_evidence=True,  # type: ignore[arg-type]
            limits=RenderLimits(sandbox=False),
        )  # fmt: skip


def test_a_capture_linked_out_of_the_folder_is_refused(brief: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    capture = brief.parent / "evidence" / "port-stats.txt"
    outside.write_bytes(capture.read_bytes())
    loaded = load_brief(brief)
    capture.unlink()
    capture.symlink_to(outside)
    with pytest.raises(RenderError, match="lies outside the brief's folder"):
        render_brief(
            loaded, pdf_variant="pdf/a-3b", attach_evidence=True,  # type: ignore[arg-type]
            limits=RenderLimits(sandbox=False),
        )  # fmt: skip


def test_the_same_brief_attaches_the_same_bytes(brief: Path) -> None:
    loaded = load_brief(brief)
    pdfs = [
        render_brief(
            loaded, formats=("pdf",), pdf_variant="pdf/a-3b",  # type: ignore[arg-type]
            attach_evidence=True,
        ).pdf
        for _ in range(2)
    ]  # fmt: skip
    assert pdfs[0] is not None and pdfs[0] == pdfs[1]


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("evidence/page.pdf", "application/pdf"),
        ("evidence/page.txt", "text/plain"),
        ("evidence/page.html", "text/html"),
        ("evidence/shot.png", "image/png"),
        ("evidence/crawl.wacz", "application/octet-stream"),
        ("evidence/no-extension", "application/octet-stream"),
    ],
)
def test_media_types_come_from_the_file_name(file: str, expected: str) -> None:
    assert media_type(file) == expected


def test_the_attach_limit_defaults_to_50_mib() -> None:
    from osintkit.render.captures import DEFAULT_ATTACH_LIMIT_MIB

    code, out, _err = invoke("render", "--help")
    assert code == 0 and DEFAULT_ATTACH_LIMIT_MIB == 50
    assert "(default 50)" in " ".join(out.split())


def test_a_public_capture_quoting_restricted_words_is_no_leak(brief: Path, tmp_path: Path) -> None:
    """The CLEAR edition attaches its own source's capture even when the page holds words an
    AMBER portion quotes: the capture is released with its source, not the brief's text."""
    capture = brief.parent / "evidence" / "port-stats.txt"
    capture.write_text("Port news: A liaison says the terminal diverted cargo.\n")
    digest = hashlib.sha256(capture.read_bytes()).hexdigest()
    brief.write_text(
        brief.read_text(encoding="utf-8").replace(CAPTURES["port-stats.txt"], digest),
        encoding="utf-8",
    )
    code, _out, err = _render(brief, tmp_path, "--edition", "CLEAR")
    assert code == 0, err


def test_a_removed_sources_capture_attached_is_a_leak(brief: Path) -> None:
    loaded = load_brief(brief)
    clear = edition_of(loaded, "CLEAR").loaded
    html = render_html(clear, template_for(clear))
    # The CLEAR edition's PDF, but with the full brief's captures, the AMBER one too.
    wrong = evidence_files(loaded.brief, brief.parent, 50)
    options = PdfOptions(PdfVariant.pdf_a_3b, (), wrong)
    pdf = render_pdf(html, RenderLimits(sandbox=False), options)
    leak = find_leak(
        loaded.brief, marking(loaded.brief, loaded.series), "CLEAR", html.text, pdf.data
    )
    assert leak is not None and leak.portion.key_path == ("sources", 1)
    assert leak.where == "file liaison-notes-2025.html attached to the PDF (its SHA-256)"


def test_captures_of_one_name_are_attached_under_distinct_names(
    brief: Path, tmp_path: Path
) -> None:
    """Three captures where numbering the second "x.txt" would give the name of one listed
    before it ("3-x.txt"): every attachment keeps a name of its own, so ``pdfdetach
    -saveall`` writes each capture, none over another."""
    require([] if shutil.which("pdfdetach") else ["pdfdetach"])
    files = {"evidence/a/x.txt": b"one\n", "evidence/b/3-x.txt": b"two\n", "evidence/x.txt": b"3\n"}
    entries = []
    for file, data in files.items():
        (brief.parent / file).parent.mkdir(parents=True, exist_ok=True)
        (brief.parent / file).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        entries.append(
            f"      - {{file: {file}, sha256: {digest}, captured: 2025-03-01T12:00:00Z}}\n"
        )
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("    captures:\n", "    captures:\n" + "".join(entries), 1), encoding="utf-8"
    )
    code, _out, err = _render(brief, tmp_path / "out")
    assert code == 0, err
    saved = tmp_path / "saved"
    saved.mkdir()
    subprocess.run(
        ["pdfdetach", "-saveall", str(tmp_path / "out" / "evidence.pdf")], cwd=saved, check=True
    )
    got = sorted(p.read_bytes() for p in saved.iterdir() if p.suffix == ".txt")
    assert got == sorted([*files.values(), (FIXTURE / "evidence" / "port-stats.txt").read_bytes()])


def test_the_attachments_name_tree_is_in_byte_order(brief: Path, tmp_path: Path) -> None:
    """ISO 32000-1, 7.9.6: a name tree's keys are sorted, or a viewer looking a file up
    by name (a binary search) misses it. The fixture lists port-stats before liaison-notes."""
    pikepdf = pytest.importorskip("pikepdf")
    code, _out, err = _render(brief, tmp_path)
    assert code == 0, err
    with pikepdf.open(tmp_path / "evidence.pdf") as pdf:
        keys = [bytes(key) for key in pdf.Root.Names.EmbeddedFiles.Names[::2]]
    assert len(keys) == 3 and keys == sorted(keys)
