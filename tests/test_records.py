"""The record of a built issue: its manifest form, read back field by field."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest

from osintkit.records import IssueRecord, Malformed, OutputFile

RECORD = IssueRecord(
    series="persian-files",
    volume=29,
    issue=2,
    title="Iran's drone exports",
    subtitle=None,
    date="2025-03-14",
    language="en",
    status="final",
    tlp="CLEAR",
    authors=("A. Analyst",),
    keywords=("Iran", "UAV"),
    summary="Exports grew.",
    brief="persian-files-29-2.yaml",
    files={
        "pdf": OutputFile("persian-files/persian-files-29-2.pdf", 1234, "a" * 64, pages=7),
        "html": OutputFile("persian-files/persian-files-29-2.html", 99, "b" * 64),
    },
)


def test_a_record_reads_back_as_it_was_written() -> None:
    data = RECORD.to_json()
    assert IssueRecord.from_json(data, "entry") == RECORD
    # The manifest's layout: lists, a null subtitle, pages for the PDF only.
    assert data["authors"] == ["A. Analyst"] and data["subtitle"] is None
    assert data["files"]["pdf"]["pages"] == 7 and "pages" not in data["files"]["html"]


def _changed(path: tuple[str, ...], value: object) -> dict[str, Any]:
    data = copy.deepcopy(RECORD.to_json())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()

BROKEN = {
    "volume 0": (("volume",), 0, "entry.volume should be a whole number from 1"),
    "true as an issue": (("issue",), True, "entry.issue should be a whole number from 1"),
    "a number as a title": (("title",), 5, "entry.title should be a string"),
    "an unknown status": (("status",), "published", 'entry.status should be "draft" or "final"'),
    "a string for authors": (("authors",), "A. Analyst", "entry.authors should be a list"),
    "no summary": (("summary",), _DELETE, "entry should be an object with authors, brief"),
    "a kind no file has": (("files", "../x"), {}, "entry.files should be an object with"),
    # An export's file (osintkit.exports: "stix") is <series>/<name>.<kind>.json.
    "an export as another file": (
        ("files", "stix"),
        {"path": "persian-files/catalogue.json", "size": 1, "sha256": "0" * 64},
        "entry.files.stix.path should be <series>/<name>.stix.json",
    ),
    "an export named as nothing": (
        ("files", "stix"),
        {"path": "persian-files/.stix.json", "size": 1, "sha256": "0" * 64},
        "entry.files.stix.path should be <series>/<name>.stix.json",
    ),
    "a path out of the site": (
        ("files", "pdf", "path"),
        "../victim.pdf",
        "entry.files.pdf.path should be <series>/<name>.pdf",
    ),
    "an HTML file named .pdf": (
        ("files", "html", "path"),
        "persian-files/x.pdf",
        "entry.files.html.path should be <series>/<name>.html",
    ),
    "a short checksum": (("files", "pdf", "sha256"), "abc", "entry.files.pdf.sha256 should be"),
    "0 pages": (("files", "pdf", "pages"), 0, "entry.files.pdf.pages should be a whole number"),
}


@pytest.mark.parametrize(("path", "value", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_malformed_record_names_its_field(
    path: tuple[str, ...], value: object, message: str
) -> None:
    with pytest.raises(Malformed) as caught:
        IssueRecord.from_json(_changed(path, value), "entry")
    assert str(caught.value).startswith(message)


def test_reading_records_needs_no_pydantic_and_no_yaml_parser() -> None:
    # A no-op build reads every record from its manifest and parses no brief: its modules
    # must not pull in Pydantic, ruamel.yaml or WeasyPrint at import.
    code = (
        "import sys, osintkit.build, osintkit.records;"
        "print(sorted(m for m in ('pydantic', 'ruamel', 'weasyprint') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
