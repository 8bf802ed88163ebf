"""A brief's evidence checked against the disk: each capture's file under the brief's folder
with the SHA-256 the brief gives, captured no later than the brief's date, and a chain of
custody in time order that names only captures, none before it was captured.

A capture is opened as a figure is (:func:`osintkit.paths.open_confined`): the resolved path
must lie under the brief's folder, a symlink out is refused, and the check is made again on
the file actually opened. It is hashed streamed (:mod:`osintkit.digests`), never read whole.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from osintkit.digests import Digests
from osintkit.errors import Diagnostic, KeyPath, quoted, shortened
from osintkit.fields import instant_text
from osintkit.loader import LoadedDocument
from osintkit.models import Brief, Capture
from osintkit.paths import Refused, confined_path, open_confined

#: How many hexadecimal digits of a digest a message shows.
_SHOWN_DIGITS = 12


@dataclass(frozen=True, slots=True)
class CheckedCapture:
    """A capture whose file was found, under the brief's folder, with the SHA-256 it had."""

    file: str  # as the brief writes it
    path: Path  # the file, symlinks resolved
    root: Path  # the folder it must stay under, resolved
    size: int
    sha256: str  # of the file as it was read (the brief's, when it is valid)


@dataclass(frozen=True, slots=True)
class CaptureStatus:
    """What the disk holds for one capture: ``ok``, ``changed``, or why it was not read
    (``missing``, ``outside``, ``not-a-file``, ``unreadable``)."""

    status: str
    #: What completes "capture 'x' …" when it is not ``ok``.
    message: str
    checked: CheckedCapture | None = None


def inspect_capture(folder: Path, capture: Capture, digests: Digests) -> CaptureStatus:
    """Open ``capture``'s file under ``folder`` (confined) and compare its SHA-256 with the
    capture's; never raises for what is on disk."""
    root = folder.resolve()
    try:
        path = confined_path(root, PurePosixPath(capture.file))
        with open_confined(path, root) as (fd, info):
            digest = digests.sha256(fd, info, path)
    except Refused as exc:
        return CaptureStatus(exc.kind, str(exc))
    checked = CheckedCapture(capture.file, path, root, info.st_size, digest)
    if digest != capture.sha256:
        message = (
            f"the file's SHA-256 is {_short(digest)}, not {_short(capture.sha256)}; "
            "was the capture changed?"
        )
        return CaptureStatus("changed", message, checked)
    return CaptureStatus("ok", "", checked)


def check_evidence(
    document: LoadedDocument, brief: Brief, digests: Digests
) -> tuple[dict[str, CheckedCapture], list[Diagnostic]]:
    """Check every capture of ``brief`` (loaded from ``document``) and its chain of custody.

    Returns the captures found as they should be, by their ``file`` as written, and a located
    Diagnostic (rule ``evidence``) for each problem.
    """
    folder = document.path.parent
    brief_file = document.path.resolve()
    found: dict[str, CheckedCapture] = {}
    problems: list[Diagnostic] = []
    #: Each capture's file (resolved if found, else as written, normalised), where first given.
    first: dict[str, KeyPath] = {}
    #: When each file, as written (normalised), was captured: the earliest if given twice.
    captured: dict[str, dt.datetime] = {}
    end_of_day = dt.datetime.combine(brief.date + dt.timedelta(days=1), dt.time(), dt.UTC)

    def problem(key_path: KeyPath, message: str) -> None:
        problems.append(document.diagnostic(key_path, "evidence", message))

    for i, source in enumerate(brief.sources):
        for j, capture in enumerate(source.captures):
            at: KeyPath = ("sources", i, "captures", j)
            written = normalised_file(capture.file)
            if capture.captured >= end_of_day:
                problem(
                    (*at, "captured"),
                    f"captured {instant_text(capture.captured)}, after the brief's date "
                    f"{brief.date.isoformat()} (which ends at {instant_text(end_of_day)}): a "
                    "report cannot cite a capture made after it",
                )
            captured[written] = min(capture.captured, captured.get(written, capture.captured))
            status = inspect_capture(folder, capture, digests)
            same = os.fspath(status.checked.path) if status.checked else written
            if same in first:
                line, column = document.locate((*first[same], "file"))
                problem(
                    (*at, "file"),
                    f"capture {quoted(shortened(capture.file))} is listed twice (first at line "
                    f"{line}, column {column}): one file preserves one source",
                )
                continue
            first[same] = at
            if status.checked is not None and status.checked.path == brief_file:
                problem(
                    (*at, "file"),
                    f"capture {quoted(shortened(capture.file))} is the brief itself, whose "
                    "SHA-256 changes as the entry is written into it: it cannot be a capture",
                )
                continue
            if status.status == "changed":
                problem((*at, "sha256"), status.message)
            elif status.status != "ok":
                what = f"capture {quoted(shortened(capture.file))}"
                problem((*at, "file"), f"{what} {status.message}")
            if status.status == "ok" and status.checked is not None:
                found[capture.file] = status.checked
    problems.extend(_custody_problems(document, brief, captured))
    return found, problems


def _custody_problems(
    document: LoadedDocument, brief: Brief, captured: Mapping[str, dt.datetime]
) -> Iterator[Diagnostic]:
    """Custody entries out of time order, naming a file that is no capture, or dated before
    the capture of a file they name."""
    previous: dt.datetime | None = None
    for i, entry in enumerate(brief.custody):
        if previous is not None and entry.at < previous:
            yield document.diagnostic(
                ("custody", i, "at"),
                "evidence",
                f"{instant_text(entry.at)} is before the entry above it "
                f"({instant_text(previous)}): the chain of custody is listed in time order",
            )
        previous = entry.at if previous is None else max(previous, entry.at)
        for k, file in enumerate(entry.files):
            when = captured.get(normalised_file(file))
            if when is None:
                names = ", ".join(quoted(shortened(f)) for f in sorted(captured)[:5]) or "none"
                yield document.diagnostic(
                    ("custody", i, "files", k),
                    "evidence",
                    f"{quoted(shortened(file))} is not a capture of any source (captures: {names})",
                )
            elif entry.at < when:
                yield document.diagnostic(
                    ("custody", i, "at"),
                    "evidence",
                    f"{instant_text(entry.at)} is before {quoted(shortened(file))} was captured "
                    f"({instant_text(when)})",
                )


def normalised_file(file: str) -> str:
    """A capture's path as written, with ``./`` and doubled slashes taken out."""
    return PurePosixPath(file).as_posix()


def _short(digest: str) -> str:
    return f"{digest[:_SHOWN_DIGITS]}…"
