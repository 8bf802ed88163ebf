"""The MISP event: what pymisp loads of it, its tags from MISP's taxonomies, its report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from osintkit.editions import edition_of
from osintkit.exports.misp import misp_event
from osintkit.exports.stix import stix_bundle
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"
PERSIAN = ROOT / "briefs" / "persian-files-fa-sample.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITIONS = FIXTURES / "editions" / "editions.yaml"


def _load(data: bytes) -> Any:
    from pymisp import MISPEvent

    event = MISPEvent()
    event.load(data.decode("utf-8"))
    return event


def _tags(item: Any) -> list[str]:
    return [tag.name for tag in item.tags]


def test_pymisp_loads_the_reference_event_with_its_tags() -> None:
    loaded = load_brief(REFERENCE)
    event = _load(misp_event(loaded))
    assert event.info == "Belarus and Iran: A Partnership Against Geopolitical Isolation"
    assert event.date.isoformat() == "2025-01-20"
    assert event.distribution == 3  # TLP:CLEAR: all communities
    assert event.analysis == 2
    assert event.threat_level_id == 4
    assert _tags(event) == ["tlp:clear"]
    source, likely, highly_likely = event.attributes
    assert source.type == "text"  # the source has no URL
    assert source.value.startswith("Political relations between Belarus and Iran (")
    assert _tags(source) == [
        'admiralty-scale:source-reliability="b"',
        'admiralty-scale:information-credibility="2"',
    ]
    assert likely.type == "text" and likely.value.startswith("Belarus and Iran will widen")
    assert _tags(likely) == [
        'estimative-language:likelihood-probability="likely"',
        'estimative-language:confidence-in-analytic-judgment="moderate"',
    ]
    # PHIA "highly likely" (80–90 %) is ICD 203's "very likely" (80–95 %).
    assert _tags(highly_likely) == [
        'estimative-language:likelihood-probability="very-likely"',
        'estimative-language:confidence-in-analytic-judgment="high"',
    ]
    assert "highly likely (80–90 %), high confidence" in highly_likely.comment
    (report,) = event.event_reports
    content = report.content
    headings = [line for line in content.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Executive Summary",
        "## Key Judgements",
        "## Background Information",
        "## Chronology",
        "## Geopolitical Context",
        "## Challenges to the Belarus-Iran Partnership",
        "## Sources",
    ]
    assert content.startswith("# Belarus and Iran: A Partnership Against Geopolitical Isolation\n")
    assert "Persian Files, ISSN 2975-0598, Volume 29, Issue 2 · 2025-01-20" in content
    assert "Lukashenko visiting Iran as recently as March 2023. [1]" in content
    assert "- 1993-03-18: Belarus and Iran establish diplomatic relations. [1]" in content
    assert "- **Sanctions Limitations**: Both nations face extensive sanctions" in content
    assert "1. Political relations between Belarus and Iran: Ministry of Foreign" in content
    assert "[@" not in content


def test_the_event_is_the_stix_reports_uuid_and_the_same_bytes_twice() -> None:
    loaded = load_brief(REFERENCE)
    data = misp_event(loaded)
    assert data == misp_event(load_brief(REFERENCE))
    report = next(o for o in json.loads(stix_bundle(loaded))["objects"] if o["type"] == "report")
    assert report["id"] == f"report--{json.loads(data)['Event']['uuid']}"
    assert json.loads(data)["Event"]["timestamp"] == "1737331200"  # 2025-01-20T00:00:00Z


def test_a_source_url_is_a_link_attribute(make_brief: Any) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    language: fa\n",
        "    url: https://mfa.gov.by/en/\n    reliability: C\n    credibility: 3\n"
        "    language: fa\n",
    )
    (source,) = _load(misp_event(load_brief(make_brief(text)))).attributes
    assert (source.type, source.category, source.value) == (
        "link",
        "External analysis",
        "https://mfa.gov.by/en/",
    )
    assert source.comment.startswith("Political relations between Belarus and Iran")
    assert _tags(source) == [
        'admiralty-scale:source-reliability="c"',
        'admiralty-scale:information-credibility="3"',
    ]


@pytest.mark.parametrize(
    ("tlp", "distribution", "tag"),
    [
        ("GREEN", 2, "tlp:green"),
        ("AMBER", 1, "tlp:amber"),
        ("AMBER+STRICT", 0, "tlp:amber+strict"),
        ("RED", 0, "tlp:red"),
    ],
)
def test_the_tlp_gives_the_distribution_and_the_tag(
    make_brief: Any, tlp: str, distribution: int, tag: str
) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("language: en\n", f"language: en\ntlp: {tlp}\nstatus: draft\n", 1)
    event = _load(misp_event(load_brief(make_brief(text))))
    assert event.distribution == distribution
    assert _tags(event) == [tag]
    assert event.analysis == 0  # a draft: initial


def test_an_edition_holds_its_own_judgements_and_marks_a_lower_portion() -> None:
    loaded = load_brief(EDITIONS)
    full = _load(misp_event(loaded))
    assert full.distribution == 1 and _tags(full) == ["tlp:amber"]
    judgements = [a for a in full.attributes if a.category == "Other"]
    # The first is unmarked, so at the brief's portion_default, CLEAR: its tag says so.
    assert "tlp:clear" in _tags(judgements[0])
    assert not any(t.startswith("tlp:") for t in _tags(judgements[1]))
    sources = {a.value.split(" (")[0]: _tags(a) for a in full.attributes if a.type == "text"}
    assert "tlp:clear" in sources["Caspian port statistics"]  # unmarked: CLEAR
    assert sources["Client liaison debriefing notes"] == []  # AMBER, as the event
    clear = _load(misp_event(edition_of(loaded, "CLEAR").loaded))
    assert clear.distribution == 3 and _tags(clear) == ["tlp:clear"]
    (judgement,) = [a for a in clear.attributes if a.category == "Other"]
    assert judgement.value == "Freight volumes will keep rising through 2026."
    assert clear.uuid != full.uuid
    (report,) = clear.event_reports
    assert "Astrakhan" not in report.content and "Informant roster" not in report.content
    assert ":::" not in report.content


def test_the_persian_sample_reads_in_persian() -> None:
    data = misp_event(load_brief(PERSIAN))
    assert "روابط بلاروس و ایران".encode() in data  # UTF-8, not \\u escapes
    event = _load(data)
    assert event.info == "روابط بلاروس و ایران"
    (report,) = event.event_reports
    assert "## خلاصه مدیریتی" in report.content  # the template's Persian heading
    assert "### روابط سیاسی" in report.content
