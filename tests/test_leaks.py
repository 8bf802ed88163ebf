"""The leak check: a correct edition passes; a broken derivation is caught, with the fragment
and where it was found."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from osintkit import editions
from osintkit.editions import Edition, derive
from osintkit.leaks import LeakError, find_leak, forbidden, words
from osintkit.portions import Marking, marking
from osintkit.render.sandbox import RenderLimits
from osintkit.report import render_brief
from osintkit.validation import LoadedBrief, load_brief
from support import invoke

BRIEF = Path(__file__).resolve().parent / "fixtures" / "editions" / "editions.yaml"
SECRET = "the Astrakhan terminal manager quietly diverted drone parts"


@pytest.fixture(scope="module")
def loaded() -> LoadedBrief:
    return load_brief(BRIEF)


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch, loaded: LoadedBrief) -> None:
    """A derivation that forgets to cut the executive summary's AMBER block."""

    def leaky(brief: object, mark: Marking, level: str) -> Edition:
        edition = derive(loaded.brief, mark, level)
        full_summary = loaded.brief.executive_summary
        return replace(
            edition, brief=edition.brief.model_copy(update={"executive_summary": full_summary})
        )

    monkeypatch.setattr(editions, "derive", leaky)


def test_words_are_compared_normalised() -> None:
    assert words("Ｓｅｃｒｅｔ ﬁle, RESTRIC-\n  ted  lines\u00adet") == [
        "secret",
        "file",
        "restricted",
        "lineset",
    ]


def _mark(loaded: LoadedBrief) -> Marking:
    return marking(loaded.brief, loaded.series)


def test_a_correct_edition_passes(loaded: LoadedBrief) -> None:
    rendered = render_brief(loaded, edition="CLEAR", limits=RenderLimits(sandbox=False))
    assert rendered.pdf is not None
    assert find_leak(loaded.brief, _mark(loaded), "CLEAR", rendered.html, rendered.pdf) is None


def test_the_full_html_fails_the_clear_editions_check(loaded: LoadedBrief) -> None:
    full = render_brief(loaded, formats=("html",), limits=RenderLimits(sandbox=False))
    leak = find_leak(loaded.brief, _mark(loaded), "CLEAR", full.html, None)
    assert leak is not None and leak.where == "HTML text"
    assert find_leak(loaded.brief, _mark(loaded), "AMBER", full.html, None) is None


@pytest.mark.usefixtures("broken")
@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_a_broken_derivation_is_caught(loaded: LoadedBrief, kind: str) -> None:
    with pytest.raises(LeakError) as caught:
        render_brief(loaded, formats=(kind,), edition="CLEAR", limits=RenderLimits(sandbox=False))
    message = str(caught.value)
    assert message.startswith("leak check: removed text '")
    # The HTML is checked first: the PDF is made from it.
    assert "(from executive_summary) is in the HTML text" in message
    fragment = message.split("'")[1]
    paragraph = f"(TLP:AMBER) Our client liaison confirmed that {SECRET[4:]}. [@liaison]"
    assert fragment in " ".join(words(paragraph))


@pytest.mark.usefixtures("broken")
def test_render_stops_on_a_leak_and_writes_nothing(tmp_path: Path) -> None:
    code, _out, err = invoke("render", str(BRIEF), "--edition", "CLEAR", "--out", str(tmp_path))
    assert code == 1
    [line] = [line for line in err.splitlines() if line.strip()]
    assert line.startswith(f"error: {BRIEF}: leak check: removed text '")
    assert line.endswith("(from executive_summary) is in the HTML text")
    assert list(tmp_path.iterdir()) == []


def test_the_pdf_text_is_checked(loaded: LoadedBrief) -> None:
    full = render_brief(loaded, formats=("pdf",), limits=RenderLimits(sandbox=False))
    leak = find_leak(loaded.brief, _mark(loaded), "CLEAR", "", full.pdf)
    assert leak is not None and leak.where == "PDF text"


def _pdf(subject: str = "", attachment: bytes = b"") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    if subject:
        writer.add_metadata({"/Subject": subject})
    if attachment:
        writer.add_attachment("brief.yaml", attachment)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("pdf", "where"),
    [
        (_pdf(subject=f"About {SECRET}."), "PDF metadata (subject)"),
        (_pdf(attachment=f"executive_summary: {SECRET}\n".encode()), "file brief.yaml"),
    ],
)
def test_metadata_and_attachments_are_checked(loaded: LoadedBrief, pdf: bytes, where: str) -> None:
    leak = find_leak(loaded.brief, _mark(loaded), "CLEAR", "<p>Nothing here.</p>", pdf)
    assert leak is not None and leak.where.startswith(where)


def test_wording_the_edition_keeps_is_no_leak(loaded: LoadedBrief) -> None:
    shared = "Freight across the Caspian grew for the third year running."
    summary = loaded.brief.executive_summary.replace(
        "quietly diverted drone parts.", f"quietly diverted drone parts. {shared}"
    )
    brief = loaded.brief.model_copy(update={"executive_summary": summary})
    banned = {" ".join(f) for f in forbidden(brief, _mark(loaded), "CLEAR")}
    assert "astrakhan terminal manager quietly diverted drone" in banned
    assert "across the caspian grew for the" not in banned
    assert "parts freight across the caspian grew" in banned  # it runs into the secret
    assert find_leak(brief, _mark(loaded), "CLEAR", f"<p>{shared}</p>", None) is None


def test_text_alternatives_and_meta_content_are_checked(loaded: LoadedBrief) -> None:
    alt = '<img alt="Sealed crates photographed at the restricted pier by our field contact">'
    leak = find_leak(loaded.brief, _mark(loaded), "CLEAR", alt, None)
    assert leak is not None and leak.fragment in " ".join(words(alt))
    meta = f'<meta name="description" content="{SECRET}">'
    assert find_leak(loaded.brief, _mark(loaded), "CLEAR", meta, None) is not None


def test_the_strings_of_a_json_ld_block_are_checked(loaded: LoadedBrief) -> None:
    """A JSON-LD block is data its readers get, escapes decoded: not a script to skip."""
    escaped = SECRET.replace(" ", "\\u0020")
    block = f'<script type="application/ld+json">{{"description": "{escaped}"}}</script>'
    leak = find_leak(loaded.brief, _mark(loaded), "CLEAR", block, None)
    assert leak is not None and leak.fragment in " ".join(words(SECRET))
    # A block that is not JSON is read as written.
    broken = f'<script type="application/ld+json">{{"x": {SECRET}</script>'
    assert find_leak(loaded.brief, _mark(loaded), "CLEAR", broken, None) is not None
