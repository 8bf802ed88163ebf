"""The capture files an archival PDF attaches (``--attach-evidence``): read once, confined,
hashed while read.

The bytes attached are the bytes hashed: each file is read from under the brief's folder
through the same confinement as a figure (:func:`osintkit.paths.open_confined`: symlinks
resolved, checked again on the file opened, regular files only), its SHA-256 computed as it
is read, and a file that no longer has the digest the brief gives is refused, never attached.
Everything to attach is measured before anything is read, so a cap exceeded is reported with
the total, not after half a gigabyte was read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from osintkit.errors import RenderError, quoted
from osintkit.fields import instant_text
from osintkit.figures import MIB
from osintkit.models import Brief, Capture, Source
from osintkit.paths import Refused, confined_path, open_confined

#: What ``--attach-limit`` is without one, in MiB: the captures of a report, all together.
DEFAULT_ATTACH_LIMIT_MIB = 50


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A capture as a PDF attaches it: bytes that had their SHA-256, with what it says."""

    #: The attachment's name: the file's own name, numbered when two would share one.
    name: str
    data: bytes
    #: From the file name (Python's table), ``application/octet-stream`` when unknown.
    media_type: str
    #: The attachment list's description: the source, the file's path, the capture time and
    #: the whole SHA-256 (the PDF's /CheckSum is the MD5 the PDF format defines).
    description: str
    #: When it was captured: the attachment's creation and modification date.
    captured: dt.datetime


def media_type(file: str) -> str:
    """The media type of a capture by its file name; ``application/octet-stream`` if unknown."""
    return _media_types().guess_type(file, strict=False)[0] or "application/octet-stream"


@cache
def _media_types() -> mimetypes.MimeTypes:
    """Python's own table of media types, not the system's: /etc/mime.types differs between
    machines, and the type is written into the PDF, which must be the same file everywhere."""
    return mimetypes.MimeTypes()


def evidence_files(
    brief: Brief, folder: Path, limit_mib: int, taken: frozenset[str] = frozenset()
) -> tuple[EvidenceFile, ...]:
    """Every capture of ``brief``'s sources, read from under ``folder``, in source order
    (a file two sources name is attached once).

    ``taken`` are attachment names already used (the brief's own file). Raises
    :class:`RenderError` when a capture is missing, outside the folder or not the file its
    SHA-256 names, or when they add up to more than ``limit_mib`` MiB.
    """
    root = folder.resolve()
    listed: dict[str, tuple[Source, Capture]] = {}
    for source in brief.sources:
        for capture in source.captures:
            listed.setdefault(capture.file, (source, capture))
    paths = {file: _path(root, file) for file in listed}
    sizes = {file: _size(path, root, file) for file, path in paths.items()}
    total = sum(sizes.values())
    if total > limit_mib * MIB:
        raise RenderError(
            f"the captures to attach add up to {total / MIB:.1f} MiB, over the attach limit "
            f"of {limit_mib} MiB: raise it with --attach-limit, or render without "
            "--attach-evidence"
        )
    names = set(taken)
    result = []
    for n, (file, (source, capture)) in enumerate(listed.items(), start=1):
        data = _read(paths[file], root, capture, sizes[file])
        name = _unique(PurePosixPath(file).name, n, names)
        names.add(name)
        description = (
            f"Capture of the source {source.id} ({source.title}): {file}, "
            f"captured {instant_text(capture.captured)}, SHA-256 {capture.sha256}"
        )
        result.append(EvidenceFile(name, data, media_type(file), description, capture.captured))
    return tuple(result)


def _unique(name: str, n: int, names: set[str]) -> str:
    """``name``, or numbered from ``n`` on until it is none of ``names``: a file listed
    earlier may already be called "3-page.txt", and two attachments of one name are one
    file to ``pdfdetach -saveall``, which writes the second over the first."""
    result = name
    while result in names:
        result = f"{n}-{name}"
        n += 1
    return result


def _path(root: Path, file: str) -> Path:
    try:
        return confined_path(root, PurePosixPath(file))
    except Refused as exc:
        raise RenderError(f"capture {quoted(file)} {exc}") from None


def _size(path: Path, root: Path, file: str) -> int:
    try:
        with open_confined(path, root) as (_fd, info):
            return info.st_size
    except Refused as exc:
        raise RenderError(f"capture {quoted(file)} {exc}") from None


def _read(path: Path, root: Path, capture: Capture, size: int) -> bytes:
    """The bytes of one capture, hashed as they are read; refused unless they are the
    ``size`` bytes measured and have the capture's SHA-256."""
    digest = hashlib.sha256()
    chunks = []
    try:
        with open_confined(path, root) as (fd, _info):
            left = size + 1  # one byte more than measured: a file that grew is refused
            while left > 0 and (chunk := os.read(fd, min(left, MIB))):
                digest.update(chunk)
                chunks.append(chunk)
                left -= len(chunk)
    except Refused as exc:
        raise RenderError(f"capture {quoted(capture.file)} {exc}") from None
    data = b"".join(chunks)
    if len(data) != size or digest.hexdigest() != capture.sha256:
        raise RenderError(
            f"capture {quoted(capture.file)} changed after the brief was checked: its SHA-256 "
            f"is {digest.hexdigest()[:16]}…, not {capture.sha256[:16]}…"
        )
    return data
