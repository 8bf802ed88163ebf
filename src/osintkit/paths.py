"""Where a series' input files are (the registry's file name, finding it above a brief),
reading an input file without letting a FIFO or a device hang the command, opening a file
that must stay under a folder (a figure, a capture) so that no symlink leads out of it, and
osintkit's cache folder.

No osintkit imports and nothing heavy: the series model, validation, the catalogue, scaffold,
preview, the loader and build's no-op path all need these names, and each of those imports this
module, never the others.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

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


class Refused(Exception):
    """A file under a folder that is not read; the message completes "file 'x' …".

    ``kind`` says why in one word, for a table: ``missing``, ``outside``, ``not-a-file``,
    ``unreadable`` (or ``refused`` for a reason of the caller's own).
    """

    def __init__(self, message: str, kind: str = "refused") -> None:
        super().__init__(message)
        self.kind = kind


#: What a file that must stay under its folder is refused for, resolved or once open.
OUTSIDE = "lies outside the brief's folder: only files under it are read"


def confined_path(root: Path, relative: PurePosixPath) -> Path:
    """The file ``relative`` names under ``root`` (resolved), symlinks resolved, if it stays
    there; raises :class:`Refused` if it does not, or if a symlink loops."""
    try:
        path = root.joinpath(*relative.parts).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise Refused(f"cannot be read: {reason(exc)}", "unreadable") from None
    if not path.is_relative_to(root):
        raise Refused(OUTSIDE, "outside")
    return path


@contextlib.contextmanager
def open_confined(path: Path, root: Path) -> Iterator[tuple[int, os.stat_result]]:
    """Open the regular file ``path`` (as :func:`confined_path` gave it) for reading, and yield
    its descriptor and status; raises :class:`Refused`.

    What is not a regular file is refused unopened, so a FIFO or a device under the folder is
    never opened; the open itself does not block and does not follow a symlink, and the check
    that the file lies under ``root`` is made again on the file actually opened, so a file or
    folder swapped for a symlink between the check and the open is caught. An ``OSError``
    raised in the ``with`` block (reading the file) is refused as "cannot be read" too.
    """
    try:
        before = path.stat()
    except FileNotFoundError:
        raise Refused("does not exist", "missing") from None
    except OSError as exc:
        raise Refused(f"cannot be read: {reason(exc)}", "unreadable") from None
    _refuse_irregular(before)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise Refused("does not exist", "missing") from None
    except OSError as exc:
        raise Refused(f"cannot be read: {reason(exc)}", "unreadable") from None
    try:
        try:
            info = os.fstat(fd)
            _refuse_irregular(info)
            if not _opened_path(fd, path, info).is_relative_to(root):
                raise Refused(OUTSIDE, "outside")
            yield fd, info
        except OSError as exc:  # the caller's reads too: a disk error is this file's problem
            raise Refused(f"cannot be read: {reason(exc)}", "unreadable") from None
    finally:
        os.close(fd)


def _refuse_irregular(info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise Refused("is a folder, not a file", "not-a-file")
    if not stat.S_ISREG(info.st_mode):
        raise Refused("is not a file (a FIFO, a device or a socket)", "not-a-file")


def _opened_path(fd: int, path: Path, info: os.stat_result) -> Path:
    """Where the open file ``fd`` really is: from /proc on Linux, else ``path`` if it is it."""
    try:
        return Path(f"/proc/self/fd/{fd}").readlink()
    except OSError:
        now = path.stat()
        return path if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino) else Path("/")


def reason(exc: BaseException) -> str:
    """An OS error's words without its errno and path ("Permission denied")."""
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def cache_folder() -> Path:
    """Return osintkit's cache folder: ``$XDG_CACHE_HOME/osintkit``, else ``~/.cache/osintkit``.

    What is there can be rebuilt (fonts' cache, parsed hyphenation dictionaries); it may not
    exist yet. A relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification says.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "osintkit"
