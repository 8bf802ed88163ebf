"""Editions: the brief for one audience, derived on data, rendered through the one pipeline."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from osintkit.editions import derive, edition_of, redacted_yaml
from osintkit.errors import BriefErrors
from osintkit.portions import marking
from osintkit.render.sandbox import RenderLimits
from osintkit.report import Rendered, render_brief, write_report
from osintkit.validation import LoadedBrief, load_brief
from support import at, invoke, require

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BRIEF = FIXTURES / "editions" / "editions.yaml"
#: Sentences written only in the fixture's AMBER portions.
AMBER_TEXT = (
    "Astrakhan terminal manager quietly diverted drone parts",
    "reach Tehran by barge before the autumn storms",
    "bore markings from the Kazan helicopter plant",
    "night shift foreman at Makhachkala sells manifests",
    "convoy of unflagged barges left Astrakhan",
    "paid monthly through a shell company",
    "Three dock workers and one customs clerk",
    "Sealed crates photographed at the restricted pier",
    "Client liaison debriefing notes",
    "Leaked customs ledger",
    "Informant roster",
    "Source handling notes",
)


@pytest.fixture(scope="module")
def loaded() -> LoadedBrief:
    return load_brief(BRIEF)


@pytest.fixture(scope="module")
def editions(loaded: LoadedBrief) -> dict[str, Rendered]:
    limits = RenderLimits(sandbox=False)
    return {
        level: render_brief(loaded, edition=level, limits=limits, pdf_variant="pdf/a-3b")  # type: ignore[arg-type]
        for level in ("CLEAR", "AMBER")
    }


def test_the_clear_edition_keeps_only_clear_portions(loaded: LoadedBrief) -> None:
    edition = derive(loaded.brief, marking(loaded.brief, loaded.series), "CLEAR")
    brief = edition.brief
    assert not edition.full and brief.tlp == "CLEAR"
    assert [j.text for j in brief.key_judgements] == [
        "Freight volumes will keep rising through 2026."
    ]
    assert [i.label for i in brief.challenges.items] == ["Weather"]
    assert [e.event for e in brief.timeline] == ["The Baku terminal opened a second berth."]
    # liaison is AMBER; customs-leak is unmarked (CLEAR) but cited only from AMBER text.
    assert [s.id for s in brief.sources] == ["port-stats", "baku-report"]
    assert brief.sections == [] and [a.id for a in brief.appendices] == ["sec-annex-ports"]
    assert "::: {tlp=AMBER}" not in brief.executive_summary
    assert brief.executive_summary.startswith("Freight across the Caspian")
    assert "fig-pier" not in brief.background and "fig-launches" in brief.background


def test_the_full_edition_is_the_brief_itself(loaded: LoadedBrief) -> None:
    cut = edition_of(loaded, "AMBER")
    assert cut.edition.full and cut.loaded is loaded


def test_an_edition_above_the_briefs_tlp_is_a_located_error(loaded: LoadedBrief) -> None:
    with pytest.raises(BriefErrors) as caught:
        edition_of(loaded, "RED")
    [problem] = caught.value.errors
    text = BRIEF.read_text(encoding="utf-8")
    assert problem.rule == "tlp"
    assert problem.located.startswith(f"{BRIEF}:{at(text, 'AMBER', text.index('tlp:'))}: tlp:")


def test_a_reference_to_a_section_the_edition_empties_is_a_located_error(
    make_brief: object,
) -> None:
    annex = (
        "  - id: sec-empty\n    title: Empty for the public\n    body: |\n"
        "      ::: {tlp=AMBER}\n      Only for clients, every word of it.\n      :::\n"
    )
    caption = "      : Berths by port. {#tbl-berths}\n"
    text = (
        BRIEF.read_text(encoding="utf-8")
        .replace("as [@sec-annex-ports] lists.", "as [@sec-annex-ports] lists, see [@sec-empty].")
        .replace(caption, caption + annex)
    )
    path = make_brief(text)  # type: ignore[operator]
    shutil.copytree(BRIEF.parent / "figures", path.parent / "figures")
    full = load_brief(path)  # valid: the annex itself is CLEAR
    with pytest.raises(BriefErrors) as caught:
        edition_of(full, "CLEAR")
    [problem] = caught.value.errors
    assert problem.rule == "tlp"
    assert problem.located.startswith(f"{path}:{at(text, '[@sec-empty]')}: geopolitical_context:")
    assert "points at a portion this edition removes" in problem.located


def test_the_redacted_brief_is_written_from_data_and_validates(
    loaded: LoadedBrief, make_brief: object
) -> None:
    cut = edition_of(loaded, "CLEAR")
    text = redacted_yaml(cut.edition.brief)
    assert "COMMENT-ONLY-WORDS" not in text
    for sentence in AMBER_TEXT:
        assert sentence not in text
    path = make_brief(text)  # type: ignore[operator]
    shutil.copytree(BRIEF.parent / "figures", path.parent / "figures")
    again = load_brief(path)
    assert again.brief == cut.edition.brief
    assert cut.loaded.path.name == "editions.clear.yaml"
    assert cut.loaded.document.source == text


def _citation_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="citation"[^>]*>(\d+)<', html)]


def test_citation_numbers_run_without_gaps(editions: dict[str, Rendered]) -> None:
    clear = _citation_numbers(editions["CLEAR"].html)
    assert sorted(set(clear)) == [1, 2]
    full = _citation_numbers(editions["AMBER"].html)
    assert sorted(set(full)) == [1, 2, 3, 4]


def test_figures_and_annexes_are_renumbered(editions: dict[str, Rendered]) -> None:
    clear, full = editions["CLEAR"].html, editions["AMBER"].html
    assert "Figure 1:</span> Ferry launches by year" in clear
    assert "Figure 2:</span> Ferry launches by year" in full
    assert 'as <a class="xref" href="#fig-launches" rel="noopener noreferrer">Figure 1</a>' in clear
    assert 'Annex A: <bdi dir="ltr">Ports</bdi>' in clear
    assert 'Annex B: <bdi dir="ltr">Ports</bdi>' in full
    assert (
        'as <a class="xref" href="#sec-annex-ports" rel="noopener noreferrer">Annex A</a>' in clear
    )


def test_no_amber_text_reaches_the_clear_html_or_pdf(editions: dict[str, Rendered]) -> None:
    require([] if shutil.which("pdftotext") else ["pdftotext"])
    clear = editions["CLEAR"]
    assert clear.pdf is not None
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"], input=clear.pdf, capture_output=True, check=True
    ).stdout.decode()
    flat_pdf = " ".join(pdf_text.split())
    for sentence in AMBER_TEXT:
        assert sentence not in clear.html
        assert sentence not in flat_pdf
    assert "Freight across the Caspian grew for the third year running." in flat_pdf
    assert "TLP:AMBER" not in flat_pdf
    pages = [page for page in pdf_text.split("\f") if page.strip()]
    assert len(pages) == clear.pages and all("TLP:CLEAR" in page for page in pages)
    full_text = subprocess.run(
        ["pdftotext", "-", "-"], input=editions["AMBER"].pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Astrakhan terminal manager quietly" in " ".join(full_text.split())


def test_the_clear_pdf_attaches_the_redacted_brief(editions: dict[str, Rendered]) -> None:
    from pypdf import PdfReader

    clear = editions["CLEAR"]
    assert clear.pdf is not None
    attached = PdfReader(io.BytesIO(clear.pdf)).attachments
    assert list(attached) == ["editions.clear.yaml"]
    [content] = attached["editions.clear.yaml"]
    assert b"COMMENT-ONLY-WORDS" not in content and b"Astrakhan terminal" not in content
    assert b"tlp: CLEAR" in content


def test_the_edition_is_written_under_its_own_name(
    editions: dict[str, Rendered], tmp_path: Path
) -> None:
    names = [w.path.name for w in write_report(editions["CLEAR"], tmp_path)]
    names += [w.path.name for w in write_report(editions["AMBER"], tmp_path)]
    assert names == ["editions.clear.pdf", "editions.clear.html", "editions.pdf", "editions.html"]


def test_render_edition_on_the_command_line(tmp_path: Path) -> None:
    code, _out, err = invoke(
        "render", str(BRIEF), "--edition", "clear", "--format", "html", "--out", str(tmp_path)
    )
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == ["editions.clear.html"]
    html = (tmp_path / "editions.clear.html").read_text(encoding="utf-8")
    assert "TLP:CLEAR" in html and "Astrakhan terminal" not in html


def test_render_an_edition_the_brief_cannot_have(tmp_path: Path) -> None:
    code, _out, err = invoke("render", str(BRIEF), "--edition", "RED", "--out", str(tmp_path))
    assert code == 1
    assert "no TLP:RED edition: the brief's TLP is AMBER" in err and "[tlp]" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_edition_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = invoke("render", str(BRIEF), "--edition", "PURPLE", "--out", str(tmp_path))
    assert code == 2 and "must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED" in err


def test_a_brief_without_markings_renders_as_before_as_its_full_edition(
    reference_brief: Path,
) -> None:
    loaded = load_brief(reference_brief)
    limits = RenderLimits(sandbox=False)
    plain = render_brief(loaded, formats=("html",), limits=limits)
    full = render_brief(loaded, formats=("html",), limits=limits, edition=loaded.series.tlp)  # type: ignore[arg-type]
    assert full.files == plain.files and full.brief_path == plain.brief_path


def test_validate_lists_each_editions_portions_with_their_lines() -> None:
    code, out, err = invoke("validate", "--editions", str(BRIEF))
    assert code == 0, err
    text = BRIEF.read_text(encoding="utf-8")
    lines = out.splitlines()
    clear = lines.index(
        f"{BRIEF}: TLP:CLEAR edition (editions.clear.pdf): 10 portions kept, 10 removed"
    )
    shown = lines[clear + 1 : clear + 21]
    assert (
        f"  removed {at(text, '::: {tlp=AMBER}')}  ::: {{tlp=AMBER}} block in executive_summary"
        "  TLP:AMBER"
    ) in shown
    summary = at(text, "|", text.index("executive_summary:"))
    assert f"  kept    {summary}  executive_summary (unmarked text)  TLP:CLEAR" in shown
    # customs-leak is unmarked, but cited only from AMBER text.
    assert f"  removed {at(text, 'id: customs-leak')}  sources[2]  TLP:CLEAR" in lines
    assert f"  kept    {at(text, 'id: port-stats')}  sources[1]  TLP:CLEAR" in lines
    assert (
        f"{BRIEF}: TLP:AMBER edition, the full edition (editions.pdf): 20 portions kept, 0 removed"
        in lines
    )


def test_an_edition_of_several_levels_marks_its_portions(editions: dict[str, Rendered]) -> None:
    full = editions["AMBER"].html
    mark = '<span class="portion-mark tlp-amber">(TLP:AMBER)</span> '
    assert f"<p>{mark}Our client liaison confirmed" in full
    assert f"{mark}The diverted cargo will reach Tehran" in full
    assert f"{mark}The night shift foreman" in full
    assert f"{mark}A convoy of unflagged barges" in full
    assert f"{mark}<p>The liaison is paid monthly" in full
    assert f"{mark}<p>Three dock workers" in full
    # The AMBER source, in the reference list.
    assert f'<li id="ref-liaison">{mark}' in full
    assert full.count('class="portion-mark') == 8
    assert ".portion-mark.tlp-amber" in full


def test_an_edition_of_one_level_marks_nothing(editions: dict[str, Rendered]) -> None:
    clear = editions["CLEAR"].html
    assert "portion-mark" not in clear


def test_a_fixed_section_the_edition_empties_loses_its_heading(make_brief: object) -> None:
    text = BRIEF.read_text(encoding="utf-8").replace("editions: [CLEAR, AMBER]\n", "toc: true\n")
    start = text.index("geopolitical_context: |\n")
    end = text.index("challenges:\n")
    text = (
        text[:start]
        + "geopolitical_context: |\n  ::: {tlp=AMBER}\n  Both shores, for clients only.\n  :::\n"
        + text[end:]
    )
    path = make_brief(text)  # type: ignore[operator]
    shutil.copytree(BRIEF.parent / "figures", path.parent / "figures")
    loaded = load_brief(path)
    limits = RenderLimits(sandbox=False)
    clear = render_brief(loaded, formats=("html",), limits=limits, edition="CLEAR").html
    full = render_brief(loaded, formats=("html",), limits=limits).html
    assert 'id="geopolitical-context"' in full and 'href="#geopolitical-context"' in full
    assert 'id="geopolitical-context"' not in clear and 'href="#geopolitical-context"' not in clear
    assert 'id="background"' in clear and 'href="#background"' in clear


MOSTLY_RESTRICTED = """\
series: persian-files
volume: 1
issue: 3
title: Mostly restricted
date: 2025-01-01
authors: [Unit]
tlp: AMBER
editions: [CLEAR]
executive_summary: |
  Restricted summary paragraph for the clients only, never public.

  ::: {tlp=CLEAR}
  The one public paragraph of the summary.
  :::
background: |
  Restricted background for the clients alone, every word.
geopolitical_context: |
  Public context, marked in a block. [@open]
challenges:
  items:
    - label: Pub
      text: A public challenge.
      tlp: CLEAR
    - label: Priv
      text: A restricted challenge of the clients.
sources:
  - id: open
    title: An open source
    tlp: CLEAR
"""


def test_a_mostly_restricted_brief_publishes_only_what_is_marked_clear(
    make_brief: object,
) -> None:
    text = MOSTLY_RESTRICTED.replace(
        "  Public context, marked in a block. [@open]\n",
        "  ::: {tlp=CLEAR}\n  Public context, marked in a block. [@open]\n  :::\n",
    )
    loaded = load_brief(make_brief(text))  # type: ignore[operator]
    clear = render_brief(
        loaded, formats=("html",), limits=RenderLimits(sandbox=False), edition="CLEAR"
    ).html
    assert "The one public paragraph of the summary." in clear
    assert "Public context, marked in a block." in clear and 'href="#ref-open"' in clear
    assert "A public challenge." in clear
    for restricted in ("Restricted summary", "Restricted background", "restricted challenge"):
        assert restricted not in clear
    assert 'id="background"' not in clear


def test_open_unmarked_text_cannot_cite_a_restricted_source(
    make_brief: object,
) -> None:
    # The source is marked AMBER and cited from CLEAR (portion_default) text.
    text = MOSTLY_RESTRICTED.replace("    tlp: CLEAR\n", "    tlp: AMBER\n", 2).replace(
        "editions: [CLEAR]\n", "editions: [CLEAR]\nportion_default: CLEAR\n"
    )
    path = make_brief(text)  # type: ignore[operator]
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    [problem] = caught.value.errors
    assert problem.rule == "tlp" and "cites the source 'open', released only at TLP:AMBER" in (
        problem.located
    )


def test_a_block_marked_inside_a_footnote_is_removed(make_brief: object) -> None:
    # The parser keeps a footnote's text apart from the running text: a block marked there
    # was once missed, and the CLEAR edition printed it in the note.
    note = (
        "  Freight grew once more.[^n]\n\n  [^n]: The port said so.\n\n"
        "      ::: {tlp=AMBER}\n      The harbour master named the buyer in private.\n"
        "      :::\n\n"
    )
    text = BRIEF.read_text(encoding="utf-8").replace(
        "  Traffic through Baku rose", note + "  Traffic through Baku rose"
    )
    path = make_brief(text)  # type: ignore[operator]
    shutil.copytree(BRIEF.parent / "figures", path.parent / "figures")
    loaded = load_brief(path)
    limits = RenderLimits(sandbox=False)
    full = render_brief(loaded, limits=limits, formats=("html",))  # type: ignore[arg-type]
    assert "harbour master named the buyer" in full.html
    clear = render_brief(loaded, edition="CLEAR", limits=limits, formats=("html",))  # type: ignore[arg-type]
    assert "The port said so." in clear.html
    assert "harbour master" not in clear.html
