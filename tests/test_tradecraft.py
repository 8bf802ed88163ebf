"""The analytic scales, checked against their published definitions term by term."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from conftest import MakeBrief
from osintkit.cli import app
from osintkit.errors import BriefErrors
from osintkit.tradecraft import (
    CREDIBILITY,
    ICD203,
    PHIA,
    RELIABILITY,
    TLP_COLOURS,
    grade,
    likelihood,
)
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_admiralty_grades() -> None:
    assert RELIABILITY == {
        "A": "Completely reliable",
        "B": "Usually reliable",
        "C": "Fairly reliable",
        "D": "Not usually reliable",
        "E": "Unreliable",
        "F": "Reliability cannot be judged",
    }
    assert CREDIBILITY == {
        "1": "Confirmed by other sources",
        "2": "Probably true",
        "3": "Possibly true",
        "4": "Doubtful",
        "5": "Improbable",
        "6": "Truth cannot be judged",
    }
    assert grade("B", "2") == "B2"
    assert grade(None, "3") == "3"
    assert grade(None, None) is None


def test_phia_yardstick_terms_and_bands() -> None:
    # UK PHIA Probability Yardstick: the bands leave deliberate gaps between terms.
    assert [(e.term, e.band) for e in PHIA] == [
        ("remote chance", "≤5 %"),
        ("highly unlikely", "10–20 %"),
        ("unlikely", "25–35 %"),
        ("realistic possibility", "40–50 %"),
        ("likely", "55–75 %"),
        ("highly likely", "80–90 %"),
        ("almost certain", "≥95 %"),
    ]
    assert likelihood("phia", "Probably") is PHIA[4]


def test_icd_203_terms_and_bands() -> None:
    # ICD 203 (2015), D.6.e(2)(a): adjacent bands share their edges.
    assert [(e.term, e.low, e.high) for e in ICD203] == [
        ("almost no chance", 1, 5),
        ("very unlikely", 5, 20),
        ("unlikely", 20, 45),
        ("roughly even chance", 45, 55),
        ("likely", 55, 80),
        ("very likely", 80, 95),
        ("almost certain", 95, 99),
    ]
    assert ICD203[0].band == "1–5 %" and ICD203[-1].band == "95–99 %"
    assert likelihood("icd203", "roughly  even odds") is ICD203[3]
    assert likelihood("icd203", "realistic possibility") is None


@pytest.mark.parametrize("scale", [PHIA, ICD203])
def test_bands_rise_and_never_overlap_inside_a_term(scale: tuple) -> None:  # type: ignore[type-arg]
    for lower, upper in itertools.pairwise(scale):
        assert lower.low < lower.high <= upper.low < upper.high


def test_tlp_2_colours_from_first() -> None:
    assert TLP_COLOURS == {
        "RED": "#FF2B2B",
        "AMBER": "#FFC000",
        "AMBER+STRICT": "#FFC000",
        "GREEN": "#33FF00",
        "CLEAR": "#FFFFFF",
    }


# --- in a brief: validation ----------------------------------------------------------------

TRADECRAFT = """\
key_judgements:
  - text: Iran will supply drone components.
    likelihood: {likelihood}
    confidence: {confidence}
timeline:
  - date: {date}
    event: Something happened.
    source: {timeline_source}
tlp: {tlp}
"""


def brief_with(make_brief: MakeBrief, **values: str) -> Path:
    fields = {
        "likelihood": "likely", "confidence": "moderate", "date": "2024-03",
        "timeline_source": "mfa", "tlp": "AMBER", **values,
    }  # fmt: skip
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    return make_brief(text + TRADECRAFT.format(**fields))


def problems(path: Path) -> list[str]:
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    return [error.located.split(": ", 1)[1] for error in caught.value.errors]


def test_a_brief_with_every_tradecraft_field_is_valid(make_brief: MakeBrief) -> None:
    brief = load_brief(brief_with(make_brief)).brief
    assert brief.key_judgements[0].likelihood == "likely"
    assert brief.timeline[0].date == "2024-03"
    assert brief.tlp == "AMBER"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"likelihood": "probable-ish"},
            "key_judgements[0].likelihood: 'probable-ish' is not a term of the UK PHIA",
        ),
        ({"likelihood": "highly likley"}, "did you mean 'highly likely'?"),
        (
            {"confidence": "medium"},
            "key_judgements[0].confidence: input should be 'low', 'moderate' or 'high'",
        ),
        ({"date": "2024-02-30"}, "timeline[0].date: not a real date"),
        ({"date": "March 2024"}, "timeline[0].date: expected a date as YYYY, YYYY-MM or"),
        ({"timeline_source": "mfa2"}, "timeline[0].source: names no source; did you mean 'mfa'?"),
        ({"tlp": "AMBER-STRICT"}, "tlp: input should be 'CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT'"),
    ],
)  # fmt: skip
def test_tradecraft_fields_are_validated(
    make_brief: MakeBrief, values: dict[str, str], expected: str
) -> None:
    found = problems(brief_with(make_brief, **values))
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("reliability", "G", "input should be 'A', 'B', 'C', 'D', 'E' or 'F'"),
        ("reliability", "b", "input should be 'A', 'B', 'C', 'D', 'E' or 'F'"),
        ("credibility", "7", "input should be '1', '2', '3', '4', '5' or '6'"),
        ("credibility", "0", "input should be '1', '2', '3', '4', '5' or '6'"),
    ],
)
def test_source_grades_are_validated(
    make_brief: MakeBrief, field: str, value: str, expected: str
) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("    language: fa\n", f"    language: fa\n    {field}: {value}\n")
    assert f"sources[0].{field}: {expected}" in problems(make_brief(text))


def test_a_series_on_the_icd_203_scale(make_brief: MakeBrief) -> None:
    path = brief_with(make_brief, likelihood="roughly even chance")
    registry = path.parent / "series.yaml"
    assert any("PHIA" in p for p in problems(path))
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  contact: info@specialeurasia.com\n",
            "  contact: info@specialeurasia.com\n  likelihood_scale: icd203\n",
            1,
        ),
        encoding="utf-8",
    )
    assert load_brief(path).series.likelihood_scale == "icd203"


# --- in the report ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, int]:
    """The reference report's PDF text, its HTML, and its page count."""
    out = tmp_path_factory.mktemp("ref")
    brief = ROOT / "briefs" / "persian-files-29-2.yaml"
    result = CliRunner().invoke(app, ["render", str(brief), "-o", str(out)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(out / "persian-files-29-2.pdf")
    pages = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(pages, start=1):
        assert "TLP:CLEAR" in text, f"no TLP marking on page {number}"
    html = (out / "persian-files-29-2.html").read_text(encoding="utf-8")
    return " ".join(" ".join(pages).split()), html, len(pages)


def test_the_reference_report_shows_key_judgements_with_their_bands(
    reference: tuple[str, str, int],
) -> None:
    text, _, _ = reference
    assert "Key Judgements" in text
    assert "Likely (55–75 %) · moderate confidence" in text
    assert "Highly likely (80–90 %) · high confidence" in text
    assert text.index("Key Judgements") < text.index("Background Information")


def test_the_reference_report_has_a_sorted_chronology_with_partial_dates(
    reference: tuple[str, str, int],
) -> None:
    text, _, _ = reference
    dates = [
        "18 March 1993", "8 March 1998", "February 2001", "2023", "March 2023", "15 January 2025",
    ]  # fmt: skip
    positions = [text.index(d, text.index("Chronology")) for d in dates]
    assert positions == sorted(positions)


def test_graded_references_with_a_legend_and_links_both_ways(
    reference: tuple[str, str, int],
) -> None:
    text, html, _ = reference
    assert "B2" in text
    assert "Source grades (Admiralty system): B usually reliable; 2 probably true." in text
    assert 'title="Usually reliable; probably true">B2</abbr>' in html
    # Each citation links to its reference, and the reference back to each citation.
    cites = re.findall(r'<a class="citation" id="(cite-\d+)" href="#ref-mfa-belarus-iran"', html)
    assert len(cites) == 4  # the background's, and three in the chronology
    for anchor in cites:
        assert f'<a class="back" href="#{anchor}"' in html
    assert "Political relations between the Republic of Belarus" in text  # the translation


def test_tlp_marking_in_first_colours(make_brief: MakeBrief, tmp_path: Path) -> None:
    path = brief_with(make_brief, tlp="AMBER+STRICT")
    result = CliRunner().invoke(app, ["render", str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "o" / "brief.html").read_text(encoding="utf-8")
    assert '<p class="tlp" style="color: #FFC000" lang="en" dir="ltr">TLP:AMBER+STRICT</p>' in html
    reader = PdfReader(tmp_path / "o" / "brief.pdf")
    assert all("TLP:AMBER+STRICT" in page.extract_text() for page in reader.pages)


def test_restricted_reports_stay_out_of_the_public_catalogue(
    make_brief: MakeBrief, tmp_path: Path
) -> None:
    amber = brief_with(make_brief, tlp="AMBER")
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    make_brief(text.replace("issue: 3", "issue: 4"), name="clear.yaml")
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["build", str(amber.parent), "-o", str(site), "-j", "1"])
    assert result.exit_code == 0, result.output
    # Rendered for its readers, in the restricted folder only.
    assert (tmp_path / "site-restricted" / "persian-files" / "brief.pdf").is_file()
    assert not (site / "persian-files" / "brief.pdf").exists()
    listed = (site / "SHA256SUMS").read_text(encoding="utf-8")
    assert "clear.pdf" in listed and "brief.pdf" not in listed
    assert "brief.html" not in (site / "persian-files" / "feed.xml").read_text(encoding="utf-8")
