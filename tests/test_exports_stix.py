"""The STIX 2.1 bundle: valid for OASIS's validator and MISP's importer, TLP 2.0 marked,
deterministic."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from osintkit.editions import edition_of
from osintkit.exports.stix import stix_bundle
from osintkit.exports.vocabulary import STIX_TLP_1_0_MARKINGS, STIX_TLP_MARKINGS
from osintkit.validation import load_brief
from support import stix_findings, without_evidence

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"
PERSIAN = ROOT / "briefs" / "persian-files-fa-sample.yaml"
EDITIONS = Path(__file__).resolve().parent / "fixtures" / "editions" / "editions.yaml"
CLEAR = STIX_TLP_MARKINGS["CLEAR"]
AMBER = STIX_TLP_MARKINGS["AMBER"]


def _objects(data: bytes) -> dict[str, list[dict[str, Any]]]:
    bundle = json.loads(data)
    assert bundle["type"] == "bundle"
    by_type: dict[str, list[dict[str, Any]]] = {}
    for item in bundle["objects"]:
        by_type.setdefault(item["type"], []).append(item)
    return by_type


def test_the_reference_brief_is_a_valid_bundle_with_nothing_to_warn_about() -> None:
    data = stix_bundle(load_brief(REFERENCE))
    assert stix_findings(data) == []
    objects = _objects(data)
    (report,) = objects["report"]
    assert report["name"] == "Belarus and Iran: A Partnership Against Geopolitical Isolation"
    assert report["description"].startswith("Belarus and Iran continue to solidify")
    assert "[@" not in report["description"] and "*" not in report["description"]
    assert report["published"] == "2025-01-20T00:00:00Z"
    assert report["created"] == report["modified"] == "2025-01-20T00:00:00.000Z"
    assert report["lang"] == "en"
    assert report["labels"] == ["Belarus", "Iran", "sanctions", "Eurasia", "SCO", "EAEU"]
    series, source = report["external_references"]
    assert series == {
        "source_name": "Persian Files",
        "description": "Persian Files, ISSN 2975-0598, Volume 29, Issue 2",
        "external_id": "ISSN 2975-0598",
    }
    assert source["source_name"] == "Political relations between Belarus and Iran"
    assert source["external_id"] == "mfa-belarus-iran"
    assert "Admiralty grade B2 (Usually reliable; Probably true)" in source["description"]
    unit = next(i for i in objects["identity"] if i["id"] == report["created_by_ref"])
    assert unit["name"] == "SpecialEurasia OSINT Unit"
    assert unit["identity_class"] == "organization"
    notes = objects["note"]
    assert [n["id"] for n in notes] + [unit["id"]] == report["object_refs"]
    first, second = notes
    assert first["content"] == (
        "Belarus and Iran will widen trade and industrial cooperation in 2025, building on "
        "the January talks in Minsk."
    )
    assert first["object_refs"] == [report["id"]]
    assert first["confidence"] == 65  # PHIA likely, 55–75 %
    assert first["x_osintkit_likelihood"] == "likely"
    assert first["x_osintkit_likelihood_scale"] == "phia"
    assert first["x_osintkit_likelihood_range"] == [55, 75]
    assert first["x_osintkit_confidence"] == "moderate"
    assert second["confidence"] == 85 and second["x_osintkit_confidence"] == "high"


def test_a_clear_export_carries_the_oasis_clear_id_and_no_tlp_1_0_id() -> None:
    data = stix_bundle(load_brief(REFERENCE))
    text = data.decode()
    assert CLEAR in text
    assert not any(ident in text for ident in STIX_TLP_1_0_MARKINGS)
    objects = _objects(data)
    (marking,) = objects["marking-definition"]
    assert marking["id"] == CLEAR and marking["name"] == "TLP:CLEAR"
    assert "definition_type" not in marking and "definition" not in marking
    (extension,) = [e for e in objects["extension-definition"] if e["name"] == "TLP 2.0"]
    assert extension["id"] in marking["extensions"]
    for kind in ("identity", "report", "note"):
        for item in objects[kind]:
            if item.get("name") != "osintkit":  # the fixed definitions carry no marking
                assert item["object_marking_refs"] == [CLEAR], item["id"]


def test_two_exports_are_the_same_bytes_whatever_the_hash_seed() -> None:
    loaded = load_brief(REFERENCE)
    assert stix_bundle(loaded) == stix_bundle(load_brief(REFERENCE))
    script = (
        "import sys; from pathlib import Path; from osintkit.validation import load_brief;"
        "from osintkit.exports.stix import stix_bundle;"
        "sys.stdout.buffer.write(stix_bundle(load_brief(Path(sys.argv[1]))))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(REFERENCE)],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert outputs == {stix_bundle(loaded)}


def test_each_judgement_is_marked_at_its_own_level_and_the_editions_differ() -> None:
    loaded = load_brief(EDITIONS)
    full = _objects(stix_bundle(loaded))
    (report,) = full["report"]
    assert report["object_marking_refs"] == [AMBER]
    # Unmarked, the first takes the brief's portion_default (CLEAR); the second is AMBER.
    assert [n["object_marking_refs"] for n in full["note"]] == [[CLEAR], [AMBER]]
    assert {m["id"] for m in full["marking-definition"]} == {CLEAR, AMBER}
    clear_data = stix_bundle(edition_of(loaded, "CLEAR").loaded)
    assert stix_findings(clear_data) == []
    assert AMBER not in clear_data.decode()
    clear = _objects(clear_data)
    (public,) = clear["report"]
    assert public["object_marking_refs"] == [CLEAR]
    (note,) = clear["note"]
    assert note["content"] == "Freight volumes will keep rising through 2026."
    # Another object, not a version of the AMBER one: its ids are its own.
    assert public["id"] != report["id"]
    assert note["id"] != full["note"][0]["id"]


def test_captures_give_their_hashes_and_a_source_url_its_reference(make_brief: Any) -> None:
    text = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text()
    pdf, wacz = b"%PDF-1.7 the ministry's page", b"PK a web archive"
    text = text.replace(
        "    language: fa\n",
        "    url: https://mfa.gov.by/en/bilateral/iran/\n"
        "    archive_url: https://web.archive.org/web/2025/https://mfa.gov.by/en/bilateral/iran/\n"
        "    captures:\n"
        "      - file: captures/mfa.pdf\n"
        f"        sha256: {hashlib.sha256(pdf).hexdigest().upper()}\n"
        "        captured: 2025-01-18T09:14:00Z\n"
        "      - file: captures/mfa.wacz\n"
        f"        sha256: {hashlib.sha256(wacz).hexdigest()}\n"
        "        captured: 2025-01-18T09:15:00+01:00\n"
        "    language: fa\n",
        1,
    )
    path = make_brief(text)
    (path.parent / "captures").mkdir()
    (path.parent / "captures" / "mfa.pdf").write_bytes(pdf)
    (path.parent / "captures" / "mfa.wacz").write_bytes(wacz)
    data = stix_bundle(load_brief(path))
    assert stix_findings(data) == []
    (report,) = _objects(data)["report"]
    _, source, second = report["external_references"]
    assert source["url"] == "https://mfa.gov.by/en/bilateral/iran/"
    # Written in capitals in the brief, kept in lower case as STIX's examples write them.
    assert source["hashes"] == {"SHA-256": hashlib.sha256(pdf).hexdigest()}
    assert "archived at https://web.archive.org/" in source["description"]
    assert second["hashes"] == {"SHA-256": hashlib.sha256(wacz).hexdigest()}
    assert "captures/mfa.wacz" in second["description"]


def test_a_source_url_without_a_capture_is_the_one_warning_left(make_brief: Any) -> None:
    # stix2-validator asks a reference with a URL for the hash of its content ({302}): only
    # a capture gives one, so a brief that preserved nothing keeps this warning.
    text = without_evidence(REFERENCE.read_text(encoding="utf-8")).replace(
        "    language: fa\n", "    url: https://mfa.gov.by/\n    language: fa\n"
    )
    findings = stix_findings(stix_bundle(load_brief(make_brief(text))))
    assert len(findings) == 1 and "{302}" in findings[0]


def test_a_brief_dated_before_the_year_1000_gives_four_digit_years(make_brief: Any) -> None:
    # stix2's strftime writes the year 622 as "622-…", which no STIX reader accepts.
    text = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text()
    data = stix_bundle(load_brief(make_brief(text.replace("date: 2025-02-10", "date: 0622-03-21"))))
    assert stix_findings(data) == []
    (report,) = _objects(data)["report"]
    assert report["created"] == report["modified"] == "0622-03-21T00:00:00.000Z"
    assert report["published"] == "0622-03-21T00:00:00Z"


def test_a_cross_reference_is_the_words_the_report_prints(make_brief: Any) -> None:
    text = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text()
    text = text.replace(
        "a *durable* partnership.", "a *durable* partnership, as [@sec-annex-trade] shows."
    ).replace(
        "sources:\n",
        "key_judgements:\n"
        "  - text: Trade will grow, as the figures of [@sec-annex-trade] suggest.\n"
        "    likelihood: likely\n"
        "    confidence: moderate\n"
        "appendices:\n"
        "  - id: sec-annex-trade\n"
        "    title: Trade\n"
        "    body: Trade grew.\n"
        "sources:\n",
    )
    data = stix_bundle(load_brief(make_brief(text)))
    objects = _objects(data)
    (report,) = objects["report"]
    assert report["description"] == (
        "Belarus and Iran keep building a durable partnership, as Annex A shows."
    )
    (note,) = objects["note"]
    assert note["content"] == "Trade will grow, as the figures of Annex A suggest."


def test_a_unicode_url_is_a_uri_in_the_bundle_and_in_the_event(make_brief: Any) -> None:
    # A brief may write an IRI (a Persian path, a Japanese host); STIX's url must be a URI,
    # and stix2-validator refuses the bundle otherwise.
    text = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text()
    text = text.replace(
        "    language: fa\n",
        "    url: https://例え.jp/اخبار/روابط?q=ü|x#بخش\n    language: fa\n",
        1,
    )
    loaded = load_brief(make_brief(text))
    data = stix_bundle(loaded)
    findings = stix_findings(data)
    assert len(findings) == 1 and "{302}" in findings[0]  # no capture: the one warning
    (report,) = _objects(data)["report"]
    url = report["external_references"][1]["url"]
    assert url == (
        "https://xn--r8jz45g.jp/%D8%A7%D8%AE%D8%A8%D8%A7%D8%B1/%D8%B1%D9%88%D8%A7%D8%A8%D8%B7"
        "?q=%C3%BC%7Cx#%D8%A8%D8%AE%D8%B4"
    )
    from osintkit.exports.misp import misp_event

    (link,) = json.loads(misp_event(loaded))["Event"]["Attribute"]
    assert link["type"] == "link" and link["value"] == url


def test_the_persian_sample_keeps_its_text_as_written() -> None:
    data = stix_bundle(load_brief(PERSIAN))
    assert stix_findings(data) == []
    assert "روابط بلاروس و ایران".encode() in data  # UTF-8, not \\u escapes
    (report,) = _objects(data)["report"]
    assert report["name"] == "روابط بلاروس و ایران"
    assert report["lang"] == "fa"
    assert report["labels"][:2] == ["بلاروس", "ایران"]


def test_misp_stix_imports_the_bundle_without_errors() -> None:
    import stix2
    from misp_stix_converter import ExternalSTIX2toMISPParser

    for path in (REFERENCE, PERSIAN, EDITIONS):
        parser = ExternalSTIX2toMISPParser()
        parser.load_stix_bundle(stix2.parse(stix_bundle(load_brief(path)), allow_custom=True))
        parser.parse_stix_bundle()
        assert dict(parser.errors) == {}, path.name
        assert parser.warnings == {}, path.name
        event = parser.misp_event
        tags = {tag.name for tag in event.tags}
        assert ("tlp:amber" if path == EDITIONS else "tlp:clear") in tags
        assert len(event.notes) == len(load_brief(path).brief.key_judgements)


def test_a_brief_without_judgements_or_keywords_is_still_a_valid_report(
    make_brief: Any,
) -> None:
    text = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text()
    text = text.replace("keywords: [Belarus, Iran]\n", "")
    text = text[: text.index("sources:")].replace(" [@mfa]", "")
    data = stix_bundle(load_brief(make_brief(text)))
    assert stix_findings(data) == []
    (report,) = _objects(data)["report"]
    assert "labels" not in report
    assert report["object_refs"] == [report["created_by_ref"]]
    assert report["external_references"][0]["source_name"] == "Persian Files"
