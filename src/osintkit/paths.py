"""Where a series' input files are (the registry's file name, finding it above a brief),
reading an input file without letting a FIFO or a device hang the command, and osintkit's
cache folder.

No osintkit imports and nothing heavy: the series model, validation, the catalogue, scaffold,
preview, the loader and build's no-op path all need these names, and each of those imports this
module, never the others.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: The series registry's file name.
REGISTRY_FILE_NAME = "series.yaml"

#: What a brief's file name ends in.
BRIEF_SUFFIXES = (".yaml", ".yml")


def find_registry(start: Path) -> Path | None:
    """Return the nearest ``series.yaml`` in ``start`` (a brief file or folder) or a parent."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder.resolve(), *folder.resolve().parents):
        path = candidate / REGISTRY_FILE_NAME
        if path.is_file():
            return path
    return None


class NotARegularFileError(OSError):
    """The path names a FIFO, a device or a socket, which is never read."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """Return at most ``limit + 1`` bytes of the regular file ``path`` (more than ``limit``
    means it is larger).

    The file is opened without blocking, so that a FIFO cannot hang the command before
    fstat says what it is, and only a regular file is read (a device can be endless).
    Raises :class:`NotARegularFileError`, or the ``OSError`` of opening or reading.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFileError(f"{path} is not a regular file (a FIFO or a device?)")
        return handle.read(limit + 1)


def cache_folder() -> Path:
    """Return osintkit's cache folder: ``$XDG_CACHE_HOME/osintkit``, else ``~/.cache/osintkit``.

    What is there can be rebuilt (fonts' cache, parsed hyphenation dictionaries); it may not
    exist yet. A relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification says.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "osintkit"
