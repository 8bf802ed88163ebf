"""``exports.evidence.evidence_json``: the evidence register as data, per edition."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from osintkit.editions import edition_of
from osintkit.exports.evidence import evidence_json
from osintkit.validation import load_brief

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BRIEF = FIXTURES / "evidence" / "evidence.yaml"


def test_the_register_as_data() -> None:
    data = evidence_json(load_brief(BRIEF))
    assert data is not None
    register = json.loads(data.decode("utf-8"))
    assert register["format"] == "osintkit-evidence/1"
    assert register["brief"] == {
        "series": "persian-files",
        "volume": 29,
        "issue": 8,
        "title": "Caspian Freight: Preserved Sources",
        "date": "2025-03-02",
        "tlp": "AMBER",
    }
    public, amber = register["sources"]
    assert public == {
        "id": "port-stats",
        "title": "Aktau port statistics 2024",
        "url": "https://example.org/aktau/stats-2024",
        "archive_url": "https://web.archive.org/web/20250301091400/https://example.org/aktau/stats-2024",
        "captures": [
            {
                "file": "evidence/port-stats.txt",
                "sha256": "991b75296d4a94cbbc67d886c6ca075723eb1b680da8930c786e22abdf603747",
                # Written +03:30 in the brief: an instant in UTC here.
                "captured": "2025-03-01T09:14:00Z",
                "tool": "SingleFile 1.22",
                "note": "Full page text",
            }
        ],
    }
    assert amber["id"] == "liaison" and amber["url"] is None
    assert register["custody"][2] == {
        "at": "2025-03-02T08:30:00Z",
        "by": "M. Haddadi",
        "action": "verified translation",
        "files": [],
    }


def test_the_same_brief_gives_the_same_bytes_and_utf_8_as_written(make_brief) -> None:  # type: ignore[no-untyped-def]
    loaded = load_brief(BRIEF)
    assert evidence_json(loaded) == evidence_json(load_brief(BRIEF))
    text = BRIEF.read_text(encoding="utf-8").replace("M. Haddadi", "م. حدادی")
    path = make_brief(text)
    shutil.copytree(BRIEF.parent / "evidence", path.parent / "evidence")
    data = evidence_json(load_brief(path))
    assert data is not None and "م. حدادی".encode() in data and data.endswith(b"}\n")


def test_an_editions_export_holds_that_editions_evidence_only() -> None:
    clear = edition_of(load_brief(BRIEF), "CLEAR").loaded
    data = evidence_json(clear)
    assert data is not None
    register = json.loads(data)
    assert [s["id"] for s in register["sources"]] == ["port-stats"]
    assert [e["action"] for e in register["custody"]] == ["collected", "verified translation"]
    assert register["brief"]["tlp"] == "CLEAR"
    assert b"liaison" not in data and b"6e9e28e0" not in data


def test_a_brief_without_evidence_exports_nothing() -> None:
    assert evidence_json(load_brief(FIXTURES / "minimal.yaml")) is None
