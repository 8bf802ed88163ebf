"""One brief → its report files: what is attached, what is written together, what dates."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from osintkit.errors import OutputError, UsageError
from osintkit.render.pdf import PdfVariant
from osintkit.report import render_report
from osintkit.reproducible import publication_time, source_date_epoch
from osintkit.validation import load_brief


def test_the_attached_brief_is_the_one_validated_not_a_second_read(
    reference_brief: Path, tmp_path: Path
) -> None:
    validated = reference_brief.read_bytes()
    loaded = load_brief(reference_brief)
    # Between validation and rendering, the brief is swapped for a link to a secret.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-31337\n", encoding="utf-8")
    reference_brief.unlink()
    reference_brief.symlink_to(secret)

    report = render_report(loaded, tmp_path / "out", ("pdf",), pdf_variant=PdfVariant.pdf_a_3b)
    (written,) = report.files
    data = written.path.read_bytes()
    attachments = PdfReader(written.path).attachments
    assert list(attachments) == ["persian-files-29-2.yaml"]
    assert attachments["persian-files-29-2.yaml"] == [validated]
    assert b"TOP-SECRET-TOKEN" not in data


def test_a_full_disk_leaves_the_previous_pdf_and_html_together(
    reference_brief: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "persian-files-29-2.pdf").write_bytes(b"%PDF- previous")
    (out / "persian-files-29-2.html").write_bytes(b"<!doctype html> previous")
    loaded = load_brief(reference_brief)
    real_fsync = os.fsync
    synced = []

    def disk_full_on_the_second_file(fd: int) -> None:
        synced.append(fd)
        if len(synced) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_full_on_the_second_file)
    with pytest.raises(OutputError, match="No space left on device"):
        render_report(loaded, out)
    assert (out / "persian-files-29-2.pdf").read_bytes() == b"%PDF- previous"
    assert (out / "persian-files-29-2.html").read_bytes() == b"<!doctype html> previous"
    assert sorted(p.name for p in out.iterdir()) == [
        "persian-files-29-2.html",
        "persian-files-29-2.pdf",
    ]


def test_the_pdf_date_is_the_brief_date_or_source_date_epoch(
    reference_brief: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    date = load_brief(reference_brief).brief.date
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert publication_time(date) == dt.datetime(2025, 1, 20, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert publication_time(date) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    assert publication_time(date).year == 9999


@pytest.mark.parametrize(
    "value", ["99999999999999", "253402300800", "-1", "1e9", "soon", "١٧٠٠٠٠٠٠٠٠", "9" * 5000]
)
def test_a_source_date_epoch_no_pdf_can_hold_is_a_usage_error(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH must be a whole number"):
        source_date_epoch()
