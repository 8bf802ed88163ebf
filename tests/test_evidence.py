"""``evidence add`` inserts captures as text, leaving every other byte of the brief; ``verify``
finds every capture's status; neither loses a concurrent change."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import osintkit.evidence
from osintkit.errors import BriefErrors
from osintkit.evidence import EvidenceError, add_captures, verify
from osintkit.validation import load_brief

MakeBrief = Callable[..., Path]
CAPTURED = dt.datetime(2025, 1, 18, 9, 14, tzinfo=dt.UTC)
CONTENT = b"Political relations between Belarus and Iran were established in 1993.\n"


@pytest.fixture
def minimal(fixtures_dir: Path) -> str:
    return (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    """A capture file outside the brief's folder."""
    folder = tmp_path.parent / f"{tmp_path.name}-downloads"
    folder.mkdir()
    path = folder / "mfa-page.txt"
    path.write_bytes(CONTENT)
    return path


def inserted(before: bytes, after: bytes) -> bytes:
    """What was inserted into ``before`` to make ``after``, asserting it was one insertion."""
    prefix = 0
    while prefix < len(before) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = len(before) - prefix
    assert after[:prefix] == before[:prefix]
    assert after[len(after) - suffix :] == before[prefix:], "bytes outside the insertion changed"
    return after[prefix : len(after) - suffix]


# --- the text insertion: every other byte left as it was -----------------------------------------

ODD = """\ufeff# A brief with comments, odd quoting and tabs in values.\r
series: 'persian-files'   # the series\r
volume: 29\r
issue: 3\r
title: "Minsk and Tehran:\\tA \\"Test\\" Brief"\r
date: 2025-02-10\r
language: en\r
authors: [ "SpecialEurasia OSINT Unit" ]\r
keywords: [Belarus,Iran]\r
contact_topic: Iran-Belarus relations\r
executive_summary: >-\r
  Belarus and Iran keep building a *durable*\tpartnership.\r
background: |\r
  Relations were formally established in 1993. [@mfa] [@other]\r
geopolitical_context: |\r
  Both countries look for partners outside the West.\r
challenges:\r
  items:\r
  - label: Sanctions\r
    text: Both nations face extensive sanctions.\r
sources:\r
- id: mfa\r
  title: 'Political relations between Belarus and Iran'\r
  accessed: 2025-01-18   # when we read it\r
  excerpt: |\r
    روابط سیاسی بین جمهوری بلاروس و جمهوری اسلامی ایران\r
\r
  # the next source\r
- id: other\r
  title: Other\r
  captures: [ ]\r
\r
# end of the sources"""


def test_a_capture_is_inserted_as_text_in_an_odd_brief_crlf_bom_comments_indentless(
    make_brief: MakeBrief, capture: Path
) -> None:
    path = make_brief("")
    path.write_bytes(ODD.encode())
    before = path.read_bytes()
    (added,) = add_captures(path, "mfa", [capture], captured=CAPTURED, tool="SingleFile 1.22")
    after = path.read_bytes()
    digest = hashlib.sha256(CONTENT).hexdigest()
    assert (
        inserted(before, after)
        == (
            "  captures:\r\n"
            "  - file: evidence/mfa-page.txt\r\n"
            f"    sha256: {digest}\r\n"
            "    captured: 2025-01-18T09:14:00Z\r\n"
            '    tool: "SingleFile 1.22"\r\n'
        ).encode()
    )
    assert after.startswith(b"\xef\xbb\xbf")
    assert (path.parent / "evidence" / "mfa-page.txt").read_bytes() == CONTENT
    assert added.copied_from == capture and added.file == "evidence/mfa-page.txt"
    (checked,) = load_brief(path).captures.values()
    assert checked.sha256 == digest


def test_a_capture_goes_at_the_end_of_a_flow_list(make_brief: MakeBrief, capture: Path) -> None:
    path = make_brief("")
    path.write_bytes(ODD.encode())
    before = path.read_bytes()
    add_captures(path, "other", [capture], captured=CAPTURED)
    digest = hashlib.sha256(CONTENT).hexdigest()
    expected = f"{{file: evidence/mfa-page.txt, sha256: {digest}, captured: 2025-01-18T09:14:00Z}}"
    assert inserted(before, path.read_bytes()) == expected.encode()
    other = tmp_copy(capture, "second.txt", b"second")
    before = path.read_bytes()
    add_captures(path, "other", [other], captured=CAPTURED)
    assert inserted(before, path.read_bytes()).startswith(b", {file: evidence/second.txt, ")


def tmp_copy(capture: Path, name: str, content: bytes) -> Path:
    path = capture.parent / name
    path.write_bytes(content)
    return path


def test_a_capture_goes_after_the_last_of_a_block_list_in_its_style(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    text = minimal.replace(
        "    accessed: 2025-01-18\n",
        "    accessed: 2025-01-18\n    captures:\n        -   {file: evidence/mfa-page.txt, "
        f"sha256: {hashlib.sha256(CONTENT).hexdigest()}, captured: 2025-01-18T09:14:00Z}}"
        "  # first\n        # more to come\n",
    )
    path = make_brief(text)
    (path.parent / "evidence").mkdir()
    (path.parent / "evidence" / "mfa-page.txt").write_bytes(CONTENT)
    second = path.parent / "evidence" / "second.txt"  # under the folder: not copied
    second.write_bytes(b"second")
    before = path.read_bytes()
    (added,) = add_captures(path, "mfa", [second], captured=CAPTURED, note="Persian: روابط")
    assert added.copied_from is None
    digest = hashlib.sha256(b"second").hexdigest()
    piece = (
        f"        -   {{file: evidence/second.txt, sha256: {digest}, "
        'captured: 2025-01-18T09:14:00Z, note: "Persian: روابط"}\n'
    ).encode()
    after = path.read_bytes()
    at = after.index(piece)
    assert after[:at] + after[at + len(piece) :] == before
    assert after[:at].endswith(b"# first\n")


def test_an_archive_url_is_added_with_the_captures_and_one_that_differs_refused(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    path = make_brief(minimal + "    reliability: B")  # no line break at the end of the file
    before = path.read_bytes()
    url = "https://web.archive.org/web/20250118/https://mfa.gov.by/"
    add_captures(path, "mfa", [capture], captured=CAPTURED, archive_url=url)
    piece = inserted(before, path.read_bytes()).decode()
    assert piece.startswith("\n    captures:\n      - file: evidence/mfa-page.txt\n"), piece
    assert piece.endswith(f"    archive_url: {url}\n")
    assert load_brief(path).brief.sources[0].archive_url == url
    before = path.read_bytes()
    other = tmp_copy(capture, "again.txt", b"again")
    with pytest.raises(EvidenceError, match=r"has the archive_url https://web\.archive\.org/"):
        add_captures(path, "mfa", [other], captured=CAPTURED, archive_url="https://archive.ph/x")
    assert path.read_bytes() == before
    assert not (path.parent / "evidence" / "again.txt").exists()


def test_a_flow_style_source_is_refused_with_a_clear_message(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    start = minimal.index("  - id: mfa")
    end = minimal.index("    excerpt:")
    flow = '  - {id: mfa, title: "Political relations", accessed: 2025-01-18}\n'
    path = make_brief(
        minimal[:start]
        + flow
        + minimal[end:].replace("    excerpt: |", "  - id: x\n    title: X\n    excerpt: |")
    )
    before = path.read_bytes()
    with pytest.raises(EvidenceError, match=r"is written in flow style \(\{id: …\}\)"):
        add_captures(path, "mfa", [capture], captured=CAPTURED)
    assert path.read_bytes() == before


# --- what add refuses, leaving the brief and the evidence folder as they were --------------------


def test_a_capture_after_the_brief_s_date_is_refused_and_nothing_is_copied(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    path = make_brief(minimal)
    late = dt.datetime(2025, 2, 11, 0, 0, tzinfo=dt.UTC)
    with pytest.raises(EvidenceError, match="after the brief's date 2025-02-10"):
        add_captures(path, "mfa", [capture], captured=late)
    # By default the file's modification time, which here is now: after the brief's date too.
    with pytest.raises(EvidenceError, match=r"the file's modification time \(--captured\)"):
        add_captures(path, "mfa", [capture])
    assert path.read_text(encoding="utf-8") == minimal
    assert not (path.parent / "evidence" / "mfa-page.txt").exists()


def test_the_file_s_modification_time_is_the_default_capture_time(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    path = make_brief(minimal)
    stamp = dt.datetime(2025, 1, 18, 9, 14, 30, tzinfo=dt.UTC).timestamp()
    os.utime(capture, (stamp, stamp))
    (added,) = add_captures(path, "mfa", [capture])
    assert added.from_mtime and added.captured == dt.datetime(2025, 1, 18, 9, 14, 30, tzinfo=dt.UTC)


def test_another_file_of_the_same_name_in_the_evidence_folder_is_never_overwritten(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    path = make_brief(minimal)
    (path.parent / "evidence").mkdir()
    (path.parent / "evidence" / "mfa-page.txt").write_bytes(b"someone else's capture")
    with pytest.raises(EvidenceError, match=r"mfa-page\.txt exists and is another file"):
        add_captures(path, "mfa", [capture], captured=CAPTURED)
    assert (path.parent / "evidence" / "mfa-page.txt").read_bytes() == b"someone else's capture"
    assert path.read_text(encoding="utf-8") == minimal
    assert [p.name for p in (path.parent / "evidence").iterdir()] == ["mfa-page.txt"]
    # The same bytes there already: that file is the capture.
    (path.parent / "evidence" / "mfa-page.txt").write_bytes(CONTENT)
    add_captures(path, "mfa", [capture], captured=CAPTURED)
    with pytest.raises(EvidenceError, match=r"evidence/mfa-page\.txt is already a capture"):
        add_captures(path, "mfa", [capture], captured=CAPTURED)


@pytest.mark.parametrize("kind", ["fifo", "folder", "missing"])
def test_a_file_that_is_not_one_is_a_clear_error(
    make_brief: MakeBrief, minimal: str, tmp_path: Path, kind: str
) -> None:
    path = make_brief(minimal)
    odd = tmp_path.parent / f"{tmp_path.name}-{kind}"
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "folder":
        odd.mkdir()
    message = {"fifo": "is not a file", "folder": "is a folder", "missing": "cannot be read"}[kind]
    with pytest.raises(EvidenceError, match=message):
        add_captures(path, "mfa", [odd], captured=CAPTURED)
    assert path.read_text(encoding="utf-8") == minimal


def test_an_unknown_source_or_an_invalid_brief_is_refused(
    make_brief: MakeBrief, minimal: str, capture: Path
) -> None:
    path = make_brief(minimal)
    with pytest.raises(EvidenceError, match="no source 'mfb' \\(sources: 'mfa'\\)"):
        add_captures(path, "mfb", [capture], captured=CAPTURED)
    broken = make_brief(minimal.replace("volume: 29", "volume: nine"), "broken.yaml")
    with pytest.raises(BriefErrors):
        add_captures(broken, "mfa", [capture], captured=CAPTURED)
    assert not (path.parent / "evidence" / "mfa-page.txt").exists()


# --- two at once ---------------------------------------------------------------------------------


def test_two_adds_at_once_on_one_brief_lose_nothing(
    make_brief: MakeBrief, minimal: str, capture: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_brief(minimal)
    second = tmp_copy(capture, "second.txt", b"second")
    inside, go = threading.Event(), threading.Event()
    insert = osintkit.evidence._inserted

    def paused(*args: Any) -> str:
        if threading.current_thread() is not threading.main_thread():
            inside.set()
            go.wait(timeout=30)
        return insert(*args)

    monkeypatch.setattr(osintkit.evidence, "_inserted", paused)
    errors: list[BaseException] = []

    def first() -> None:
        try:
            add_captures(path, "mfa", [capture], captured=CAPTURED)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(timeout=30)
    # The first holds the brief's folder: the second fails at once, changing nothing.
    with pytest.raises(EvidenceError, match="another `osintkit evidence add` is changing"):
        add_captures(path, "mfa", [second], captured=CAPTURED)
    go.set()
    thread.join(timeout=30)
    assert not errors
    add_captures(path, "mfa", [second], captured=CAPTURED)
    files = [c.file for c in load_brief(path).brief.sources[0].captures]
    assert files == ["evidence/mfa-page.txt", "evidence/second.txt"]


def test_a_brief_saved_by_an_editor_meanwhile_is_not_overwritten(
    make_brief: MakeBrief, minimal: str, capture: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_brief(minimal)
    edited = minimal.replace("Test Brief", "Test Brief, edited")
    parse = osintkit.evidence.parse_yaml

    def editor_saves_meanwhile(text: str, where: Path) -> Any:
        path.write_text(edited, encoding="utf-8")
        return parse(text, where)

    monkeypatch.setattr(osintkit.evidence, "parse_yaml", editor_saves_meanwhile)
    with pytest.raises(EvidenceError, match="changed while the captures were added; run again"):
        add_captures(path, "mfa", [capture], captured=CAPTURED)
    assert path.read_text(encoding="utf-8") == edited
    assert not (path.parent / "evidence" / "mfa-page.txt").exists()


# --- verify --------------------------------------------------------------------------------------


def test_verify_gives_every_capture_s_status(
    make_brief: MakeBrief, minimal: str, capture: Path, tmp_path: Path
) -> None:
    path = make_brief(minimal)
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        add_captures(path, "mfa", [tmp_copy(capture, name, name.encode())], captured=CAPTURED)
    evidence = path.parent / "evidence"
    (evidence / "b.txt").write_bytes(b"changed")
    (evidence / "c.txt").unlink()
    outside = tmp_path.parent / f"{tmp_path.name}-d.txt"
    outside.write_bytes(b"d.txt")
    (evidence / "d.txt").unlink()
    (evidence / "d.txt").symlink_to(outside)
    found, failures = verify([path])
    assert not failures
    assert [(c.file, c.status) for c in found] == [
        ("evidence/a.txt", "ok"),
        ("evidence/b.txt", "changed"),
        ("evidence/c.txt", "missing"),
        ("evidence/d.txt", "outside"),
    ]


def test_the_brief_keeps_its_permissions_and_a_symlinked_brief_stays_a_symlink(
    make_brief: MakeBrief, minimal: str, capture: Path, tmp_path: Path
) -> None:
    real = make_brief(minimal, "real.yaml")
    real.chmod(0o600)
    link = tmp_path / "brief.yaml"
    link.symlink_to(real.name)
    add_captures(link, "mfa", [capture], captured=CAPTURED)
    assert link.is_symlink() and (real.stat().st_mode & 0o777) == 0o600
    assert b"evidence/mfa-page.txt" in real.read_bytes()
