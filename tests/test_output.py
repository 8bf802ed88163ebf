"""Atomic writes: the old file or the new one, never a part, never a stray temp file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from osintkit.errors import OutputError
from osintkit.output import TEMP_SUFFIX, output_path, write_all_atomic, write_atomic, write_new


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.pdf"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


def test_file_mode_follows_the_umask_not_mkstemp(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    old = os.umask(0o022)
    try:
        write_atomic(target, b"x")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"previous good report")

    def broken_fsync(fd: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OutputError if isinstance(failure, OSError) else KeyboardInterrupt):
        write_atomic(target, b"half a new rep")
    assert target.read_bytes() == b"previous good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_an_unusable_folder_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write to"):
        write_atomic(blocker / "report.pdf", b"x")


def test_output_names_follow_the_brief(tmp_path: Path) -> None:
    assert output_path(Path("briefs/pf-29-2.yaml"), tmp_path, "pdf") == tmp_path / "pf-29-2.pdf"


def test_several_files_are_all_staged_before_any_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    pdf.write_bytes(b"old pdf")
    html.write_bytes(b"old html")
    calls = []

    def fsync_fails_on_the_second_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync_fails_on_the_second_file)
    with pytest.raises(OutputError, match="No space left on device"):
        write_all_atomic([(pdf, b"new pdf"), (html, b"new html")])
    # The disk filled up on the HTML: the new PDF must not stand beside the old HTML.
    assert pdf.read_bytes() == b"old pdf"
    assert html.read_bytes() == b"old html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]


def test_a_rename_that_fails_after_another_says_which_files_were_replaced(tmp_path: Path) -> None:
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    pdf.write_bytes(b"old pdf")
    html.mkdir()  # a folder where the HTML goes: renaming a file over it fails
    (html / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_all_atomic([(pdf, b"new pdf"), (html, b"new html")])
    message = str(caught.value)
    assert f"already replaced: {pdf}" in message
    assert f"left as they were: {html}" in message
    assert "\n" not in message
    assert pdf.read_bytes() == b"new pdf"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]


# --- new files: never replacing one, never seen half-written -----------------------------------


def test_write_new_creates_a_whole_file_once(tmp_path: Path) -> None:
    target = tmp_path / "draft.yaml"
    seen: list[bytes] = []

    def check(temp: Path) -> None:
        # The check sees every byte, before the name exists.
        seen.append(temp.read_bytes())
        assert not target.exists()

    write_new(target, b"whole", check)
    assert target.read_bytes() == b"whole" and seen == [b"whole"]
    with pytest.raises(FileExistsError):
        write_new(target, b"other")
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.yaml"]


def test_write_new_leaves_nothing_when_the_check_fails(tmp_path: Path) -> None:
    def refuse(temp: Path) -> None:
        raise OutputError("no")

    with pytest.raises(OutputError):
        write_new(tmp_path / "draft.yaml", b"x", refuse)
    assert list(tmp_path.iterdir()) == []


def test_write_new_without_hard_links_still_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "draft.yaml"
    write_new(target, b"whole")
    assert target.read_bytes() == b"whole"
    with pytest.raises(FileExistsError):
        write_new(target, b"other")
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.yaml"]
