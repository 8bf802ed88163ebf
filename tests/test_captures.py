"""A brief's captures checked against the disk when it is loaded: confined under its folder,
hashed (streamed, remembered by a Digests), captured by the brief's date; its chain of custody."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import osintkit.captures
import osintkit.digests
from osintkit.digests import Digests
from osintkit.validation import load_brief
from support import at, problems

MakeBrief = Callable[..., Path]
CONTENT = b"Political relations between Belarus and Iran were established in 1993.\n"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def minimal(fixtures_dir: Path) -> str:
    return (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")


def capturing(minimal: str, *captures: str, custody: str = "") -> str:
    """minimal.yaml whose source ``mfa`` lists ``captures`` (each the YAML of one item)."""
    items = "".join(f"      - {c}\n" for c in captures)
    text = minimal.replace(
        "    accessed: 2025-01-18\n", f"    accessed: 2025-01-18\n    captures:\n{items}"
    )
    assert text != minimal
    return text + custody


def item(
    file: str = "evidence/mfa.txt", sha256: str = DIGEST, captured: str = "2025-01-18T09:14:00Z"
) -> str:
    return f"{{file: {file}, sha256: {sha256}, captured: {captured}}}"


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "mfa.txt").write_bytes(CONTENT)
    return folder


def test_a_capture_whose_file_matches_is_loaded_with_its_digest(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    loaded = load_brief(make_brief(capturing(minimal, item())))
    (checked,) = loaded.captures.values()
    assert (checked.file, checked.sha256, checked.size) == (
        "evidence/mfa.txt",
        DIGEST,
        len(CONTENT),
    )
    assert checked.path == (evidence / "mfa.txt").resolve()


def test_a_changed_capture_is_a_located_mismatch_at_its_sha256(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    text = capturing(minimal, item())
    path = make_brief(text)
    (evidence / "mfa.txt").write_bytes(CONTENT + b"edited\n")
    actual = hashlib.sha256(CONTENT + b"edited\n").hexdigest()
    assert problems(path) == [
        f"{path}:{at(text, DIGEST)}: sources[0].captures[0].sha256: the file's SHA-256 is "
        f"{actual[:12]}…, not {DIGEST[:12]}…; was the capture changed?"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("evidence/gone.txt", "capture 'evidence/gone.txt' does not exist"),
        ("evidence/link.txt", "capture 'evidence/link.txt' lies outside the brief's folder"),
        ("linked/mfa.txt", "capture 'linked/mfa.txt' lies outside the brief's folder"),
        ("evidence", "capture 'evidence' is a folder, not a file"),
        ("evidence/fifo", "capture 'evidence/fifo' is not a file (a FIFO, a device or a socket)"),
        ("evidence/secret.txt", "capture 'evidence/secret.txt' cannot be read: Permission denied"),
        ("evidence/loop", "capture 'evidence/loop' cannot be read"),
    ],
)
def test_a_capture_that_cannot_be_read_is_a_located_error_at_its_file(
    make_brief: MakeBrief, minimal: str, evidence: Path, tmp_path: Path, name: str, message: str
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "mfa.txt").write_bytes(CONTENT)
    (evidence / "link.txt").symlink_to(outside / "mfa.txt")
    (tmp_path / "linked").symlink_to(outside)  # a symlinked evidence folder
    os.mkfifo(evidence / "fifo")
    (evidence / "secret.txt").write_bytes(CONTENT)
    (evidence / "secret.txt").chmod(0)
    (evidence / "loop").symlink_to(evidence / "loop")
    if name.endswith("secret.txt") and os.access(evidence / "secret.txt", os.R_OK):
        pytest.skip("running as root: a file without permissions is still readable")
    text = capturing(minimal, item(name))
    path = make_brief(text)
    (problem,) = problems(path)
    assert problem.startswith(f"{path}:{at(text, name)}: sources[0].captures[0].file: {message}")


@pytest.mark.parametrize(
    "name", ["../outside.txt", "/etc/hostname", "evidence\\\\mfa.txt", "evidence/mfa\\n.txt"]
)
def test_a_capture_path_that_could_never_be_under_the_folder_is_refused_as_written(
    make_brief: MakeBrief, minimal: str, evidence: Path, name: str
) -> None:
    text = capturing(minimal, item(f'"{name}"'))
    (problem,) = problems(make_brief(text))
    assert ": sources[0].captures[0].file: " in problem


def test_a_file_swapped_for_a_symlink_between_check_and_open_is_refused(
    make_brief: MakeBrief,
    minimal: str,
    evidence: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    outside.mkdir()
    (outside / "mfa.txt").write_bytes(CONTENT)  # the same bytes: only confinement can tell
    checked = osintkit.captures.confined_path

    def check_then_swap(root: Path, relative: object) -> Path:
        found = checked(root, relative)  # type: ignore[arg-type]
        evidence.rename(tmp_path / "evidence-before")
        evidence.symlink_to(outside)
        return found

    monkeypatch.setattr(osintkit.captures, "confined_path", check_then_swap)
    (problem,) = problems(make_brief(capturing(minimal, item())))
    assert "capture 'evidence/mfa.txt' lies outside the brief's folder" in problem


def test_a_file_replaced_by_a_symlink_after_the_check_is_not_followed(
    make_brief: MakeBrief,
    minimal: str,
    evidence: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere.txt"
    outside.write_bytes(CONTENT)
    checked = osintkit.captures.confined_path

    def check_then_swap(root: Path, relative: object) -> Path:
        found = checked(root, relative)  # type: ignore[arg-type]
        (evidence / "mfa.txt").unlink()
        (evidence / "mfa.txt").symlink_to(outside)
        return found

    monkeypatch.setattr(osintkit.captures, "confined_path", check_then_swap)
    (problem,) = problems(make_brief(capturing(minimal, item())))
    assert "capture 'evidence/mfa.txt' cannot be read" in problem


def test_a_capture_after_the_brief_s_date_in_utc_is_an_error(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    # The brief is dated 2025-02-10: 23:30 that day at UTC-01:00 is 00:30 UTC on the 11th.
    late, fine = "2025-02-10T23:30:00-01:00", "2025-02-10T23:59:59Z"
    text = capturing(minimal, item(captured=late))
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, late)}: sources[0].captures[0].captured: captured "
        "2025-02-11T00:30:00Z, after the brief's date 2025-02-10 (which ends at "
        "2025-02-11T00:00:00Z): a report cannot cite a capture made after it"
    ]
    load_brief(make_brief(capturing(minimal, item(captured=fine))))


def test_a_capture_time_without_an_offset_is_refused(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    (problem,) = problems(make_brief(capturing(minimal, item(captured="2025-01-18T09:14:00"))))
    assert "sources[0].captures[0].captured: expected a UTC instant" in problem


def test_the_same_file_listed_twice_is_an_error_at_the_second(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    text = capturing(minimal, item(), item("evidence/./mfa.txt"))
    path = make_brief(text)
    line, column = at(text, "evidence/mfa.txt").split(":")
    assert problems(path) == [
        f"{path}:{at(text, 'evidence/./mfa.txt')}: sources[0].captures[1].file: capture "
        f"'evidence/./mfa.txt' is listed twice (first at line {line}, column {column}): one "
        "file preserves one source"
    ]


CUSTODY = """
custody:
  - {at: 2025-01-18T10:00:00Z, by: A. Karimova, action: collected, files: [evidence/mfa.txt]}
  - {at: 2025-01-18T09:00:00Z, by: M. Haddadi, action: verified translation}
  - {at: 2025-01-19T08:00:00Z, by: M. Haddadi, action: moved, files: [evidence/other.txt]}
  - {at: 2025-01-17T08:00:00Z, by: M. Haddadi, action: hashed, files: [evidence/mfa.txt]}
"""


def test_custody_out_of_order_before_the_capture_or_naming_no_capture_is_located(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    text = capturing(minimal, item(), custody=CUSTODY)
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '2025-01-18T09:00:00Z')}: custody[1].at: 2025-01-18T09:00:00Z is "
        "before the entry above it (2025-01-18T10:00:00Z): the chain of custody is listed in "
        "time order",
        f"{path}:{at(text, 'evidence/other.txt')}: custody[2].files[0]: 'evidence/other.txt' "
        "is not a capture of any source (captures: 'evidence/mfa.txt')",
        f"{path}:{at(text, '2025-01-17T08:00:00Z')}: custody[3].at: 2025-01-17T08:00:00Z is "
        "before the entry above it (2025-01-19T08:00:00Z): the chain of custody is listed in "
        "time order",
        f"{path}:{at(text, '2025-01-17T08:00:00Z')}: custody[3].at: 2025-01-17T08:00:00Z is "
        "before 'evidence/mfa.txt' was captured (2025-01-18T09:14:00Z)",
    ]


def test_custody_in_order_after_the_capture_is_valid(
    make_brief: MakeBrief, minimal: str, evidence: Path
) -> None:
    custody = CUSTODY.split("\n  - {at: 2025-01-18T09")[0] + "\n"
    load_brief(make_brief(capturing(minimal, item(), custody=custody)))


# --- hashing: streamed, remembered while the file is unchanged ----------------------------------


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The descriptors each full hash of a file read, in order (a counter of hashes)."""
    calls: list[int] = []
    stream = osintkit.digests.stream_sha256

    def counting(fd: int) -> str:
        calls.append(fd)
        return stream(fd)

    monkeypatch.setattr(osintkit.digests, "stream_sha256", counting)
    return calls


def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the hashing ran a minute after the files were written (else it is racy), with
    small files remembered too."""
    now = osintkit.digests._now_ns
    monkeypatch.setattr(osintkit.digests, "_now_ns", lambda: now() + 60 * 10**9)
    monkeypatch.setattr(osintkit.digests, "KEEP_FROM_BYTES", 0)


def test_a_200_mb_capture_is_hashed_once_then_found_by_its_digest(
    make_brief: MakeBrief,
    minimal: str,
    tmp_path: Path,
    hashed: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = tmp_path / "evidence" / "page.wacz"
    big.parent.mkdir()
    with big.open("wb") as handle:
        os.truncate(handle.fileno(), 200 * 1024 * 1024)  # sparse: 200 MB of zeros
        handle.seek(100 * 1024 * 1024)
        handle.write(b"the middle of the capture")
    digest = hashlib.sha256()
    with big.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    path = make_brief(capturing(minimal, item("evidence/page.wacz", digest.hexdigest())))
    later(monkeypatch)
    digests = Digests()
    load_brief(path, digests=digests)
    assert len(hashed) == 1
    load_brief(path, digests=digests)
    saved = Digests.from_json(digests.to_json())  # as a build keeps them in its manifest
    load_brief(path, digests=saved)
    assert len(hashed) == 1
    load_brief(path)  # no digests given: hashed afresh
    assert len(hashed) == 2


def test_a_rewritten_capture_is_hashed_again_even_with_its_old_times(
    make_brief: MakeBrief,
    minimal: str,
    evidence: Path,
    hashed: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_brief(capturing(minimal, item()))
    later(monkeypatch)
    digests = Digests.from_json({})
    load_brief(path, digests=digests)
    capture = evidence / "mfa.txt"
    before = capture.stat()
    # The same size, the old modification time: only the change time tells.
    capture.write_bytes(CONTENT.replace(b"1993", b"1994"))
    os.utime(capture, ns=(before.st_atime_ns, before.st_mtime_ns))
    saved = Digests.from_json(digests.to_json())
    (problem,) = problems_with(path, saved)
    assert "was the capture changed?" in problem
    assert len(hashed) == 2


def test_a_digest_taken_just_after_the_file_changed_is_not_kept(
    make_brief: MakeBrief,
    minimal: str,
    evidence: Path,
    hashed: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_brief(capturing(minimal, item()))
    monkeypatch.setattr(osintkit.digests, "KEEP_FROM_BYTES", 0)
    digests = Digests()
    load_brief(path, digests=digests)
    load_brief(path, digests=digests)  # just written: it may change again within the tick
    assert len(hashed) == 2
    assert digests.to_json() == {}


def test_a_small_file_is_not_remembered_between_runs(
    make_brief: MakeBrief, minimal: str, evidence: Path, hashed: list[int]
) -> None:
    path = make_brief(capturing(minimal, item()))
    now = osintkit.digests._now_ns
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(osintkit.digests, "_now_ns", lambda: now() + 60 * 10**9)
        digests = Digests()
        load_brief(path, digests=digests)
    assert digests.to_json() == {}


def test_digests_saved_wrongly_are_only_taken_again(
    make_brief: MakeBrief, minimal: str, evidence: Path, hashed: list[int]
) -> None:
    path = make_brief(capturing(minimal, item()))
    name = os.fspath((evidence / "mfa.txt").resolve())
    for data in (None, [], {name: "x"}, {name: {"sha256": DIGEST, "size": "1"}}):
        load_brief(path, digests=Digests.from_json(data))
    assert len(hashed) == 4


def problems_with(path: Path, digests: Digests) -> list[str]:
    from osintkit.errors import BriefErrors

    with pytest.raises(BriefErrors) as caught:
        load_brief(path, digests=digests)
    return [e.located for e in caught.value.errors]
