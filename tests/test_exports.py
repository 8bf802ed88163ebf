"""The exports package: its contract, an edition's exports, the leak check, hostile briefs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from osintkit.errors import BriefErrors
from osintkit.exports import EXPORTERS, export_brief, json_strings
from osintkit.leaks import LeakError
from osintkit.validation import load_brief
from support import stix_findings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITIONS = FIXTURES / "editions" / "editions.yaml"


def test_the_exporters_are_the_contracts() -> None:
    assert [(e.name, e.suffix) for e in EXPORTERS.values()] == [
        ("stix", ".stix.json"),
        ("misp", ".misp.json"),
        ("csl", ".csl.json"),
        ("evidence", ".evidence.json"),
    ]
    assert all(name == e.name for name, e in EXPORTERS.items())
    assert EXPORTERS["stix"].media_type == "application/stix+json;version=2.1"


@pytest.mark.parametrize(
    ("path", "names"),
    [
        # The reference brief keeps a capture of its Persian source: it has evidence too.
        ("persian-files-29-2.yaml", ["stix", "misp", "csl", "evidence"]),
        ("persian-files-fa-sample.yaml", ["stix", "misp", "csl"]),
    ],
)
def test_the_samples_export_to_all_three(path: str, names: list[str]) -> None:
    made = export_brief(load_brief(ROOT / "briefs" / path))
    assert [e.exporter.name for e in made] == names
    for exported in made:
        assert exported.brief_path.name == path
        decoded = json.loads(exported.data)
        # Round-trips: what is read back is what was written.
        assert json.dumps(decoded, indent=2, ensure_ascii=False).encode() + b"\n" == (exported.data)


def test_an_edition_exports_its_own_content_under_its_own_name() -> None:
    made = export_brief(load_brief(EDITIONS), "CLEAR")
    assert [e.brief_path.name for e in made] == ["editions.clear.yaml"] * 3
    text = " ".join(s for e in made for s in json_strings(json.loads(e.data)))
    for phrase in ("Astrakhan terminal manager", "Informant roster", "diverted cargo"):
        assert phrase not in text
    assert "Freight volumes will keep rising through 2026." in text


def test_an_edition_the_brief_cannot_have_is_located() -> None:
    with pytest.raises(BriefErrors) as caught:
        export_brief(load_brief(ROOT / "briefs" / "persian-files-29-2.yaml"), "AMBER")
    (problem,) = caught.value.errors
    assert problem.rule == "tlp" and problem.line > 0


def test_an_export_holding_removed_text_is_a_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    import osintkit.exports.csl as csl

    def leaking(loaded: Any) -> bytes:
        removed = "The liaison is paid monthly through a shell company registered in Aktau."
        return json.dumps([{"id": "x", "type": "document", "title": removed}]).encode()

    monkeypatch.setattr(csl, "csl_json", leaking)
    with pytest.raises(LeakError) as caught:
        export_brief(load_brief(EDITIONS), "CLEAR")
    assert caught.value.leak is not None
    assert caught.value.leak.where == "csl export"
    assert caught.value.leak.portion.key_path == ("sections", 0)
    # The full edition removes nothing: the same text there is no leak.
    assert len(export_brief(load_brief(EDITIONS))) == 3


def test_an_edition_that_removes_every_judgement_and_source(make_brief: Any) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("language: en\n", "language: en\ntlp: AMBER\neditions: [CLEAR]\n")
    text = text.replace("Relations were formally established in 1993. [@mfa]", "Relations.")
    text = text.replace("    accessed: 2025-01-18\n", "    accessed: 2025-01-18\n    tlp: AMBER\n")
    text = text.replace(
        "sources:",
        "key_judgements:\n"
        "  - {text: Secret one., likelihood: likely, confidence: low, tlp: AMBER}\n"
        "  - {text: Secret two., likelihood: unlikely, confidence: high, tlp: AMBER}\n"
        "sources:",
    )
    made = {e.exporter.name: e.data for e in export_brief(load_brief(make_brief(text)), "CLEAR")}
    assert list(made) == ["stix", "misp"]  # no source left: nothing for CSL
    assert stix_findings(made["stix"]) == []
    bundle = json.loads(made["stix"])
    assert not [o for o in bundle["objects"] if o["type"] == "note"]
    event = json.loads(made["misp"])["Event"]
    assert event["Attribute"] == [] and event["distribution"] == 3


def test_a_title_with_quotes_line_breaks_and_rtl_marks(make_brief: Any) -> None:
    from pymisp import MISPEvent

    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    title = 'Tehran\'s "Look East"\n\u202eeulav\u202c روابط <b>&amp;</b>'
    text = text.replace('title: "Minsk and Tehran: A Test Brief"', f"title: {json.dumps(title)}")
    made = {e.exporter.name: e.data for e in export_brief(load_brief(make_brief(text)))}
    assert stix_findings(made["stix"]) == []
    report = next(o for o in json.loads(made["stix"])["objects"] if o["type"] == "report")
    assert report["name"] == title
    event = MISPEvent()
    event.load(made["misp"].decode())
    assert event.info == title
    (report,) = event.event_reports
    # The report's heading stays one line: the title's line break is a space there.
    assert report.content.splitlines()[0] == f"# {' '.join(title.split())}"


def test_five_hundred_sources_export_in_reasonable_time(make_brief: Any) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    cites = "; ".join(f"@s{n}" for n in range(500))
    text = text.replace("[@mfa]", f"[@mfa; {cites}]")
    text += "".join(
        f"  - id: s{n}\n    title: Source number {n}\n    url: https://example.org/{n}\n"
        f"    reliability: B\n    credibility: 2\n    published: 2024-0{n % 9 + 1}\n"
        for n in range(500)
    )
    loaded = load_brief(make_brief(text))
    started = time.perf_counter()
    made = {e.exporter.name: e.data for e in export_brief(loaded)}
    seconds = time.perf_counter() - started
    assert len(json.loads(made["csl"])) == 501
    assert len(json.loads(made["misp"])["Event"]["Attribute"]) == 501
    report = next(o for o in json.loads(made["stix"])["objects"] if o["type"] == "report")
    assert len(report["external_references"]) == 502
    print(f"500 sources: {seconds:.2f} s")  # seen with -s; no wall-clock assertion


def test_the_list_of_exports_loads_no_exporter() -> None:
    # A no-op build fingerprints the list of exports: it must not pay for stix2, the
    # exporters' modules or Pydantic (the brief models they need).
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from osintkit.build import BuildOptions;"
        "BuildOptions(Path('x')).fingerprint();"
        "print(sorted(m for m in ('stix2', 'osintkit.exports.stix', 'osintkit.exports.misp',"
        " 'osintkit.exports.csl', 'pydantic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
