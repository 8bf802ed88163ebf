"""SHA-256 of files that may be hundreds of megabytes, streamed, and remembered between builds
by what the file system says of each file.

A capture of a source (a WACZ, a full-page PDF) is checked against its SHA-256 every time a
brief is loaded; hashing 500 MB on every build would cost seconds for nothing. A
:class:`Digests` remembers each file's digest with its resolved path, size, modification and
change times (in nanoseconds), inode and device: if none of those changed, neither did the
bytes, as far as the file system can tell. The change time (``st_ctime``) is set by the kernel
on every write and cannot be set back by ``touch`` or ``os.utime``, so a file rewritten and
given its old modification time is still hashed again.

A digest taken within :data:`RACY_SECONDS` of the file's last change is not remembered at all:
a write in the same tick of the file system's clock as the one before would leave every field
the same (git's "racily clean" entries). Only files of :data:`KEEP_FROM_BYTES` or more are
remembered between runs.

Only ``osintkit build`` keeps digests between runs (in its manifest, in the restricted
folder, :mod:`osintkit.build`), so the cache is as trustworthy as that folder;
``osintkit preview`` keeps one object for its session, so a capture is not hashed again on
every save of the brief. Everything else (``validate``, ``render``, ``evidence verify``)
hashes every capture every time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A digest is kept between runs only if the file last changed this long before it was taken.
RACY_SECONDS = 2
#: A file smaller than this is hashed again rather than remembered between runs: that takes
#: less time than its entry would, and a build's manifest stays the size it was.
KEEP_FROM_BYTES = 1024 * 1024
#: What each read of a file to hash takes; a capture is never read whole into memory.
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the file system said of a file when its digest was taken."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, info: os.stat_result) -> _Seen:
        return cls(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


@dataclass(frozen=True, slots=True)
class _Known:
    seen: _Seen
    sha256: str


class Digests:
    """The SHA-256 of files by their resolved path, taken once while the file is unchanged.

    ``Digests()`` is empty; :meth:`from_json` starts from what a build saved with
    :meth:`to_json`. One object may serve many briefs: a file two briefs capture is hashed
    once.
    """

    def __init__(self) -> None:
        #: Digests that may be kept between runs.
        self._kept: dict[str, _Known] = {}
        #: Every digest taken or found this run, of files of any size.
        self._run: dict[str, _Known] = {}
        #: The paths looked up this run, kept or not.
        self.used: set[str] = set()

    def sha256(self, fd: int, info: os.stat_result, path: Path) -> str:
        """Return the SHA-256 (hex) of the regular file open as ``fd`` (its ``fstat`` is
        ``info``; ``path`` is where it is, resolved): remembered if the file is unchanged,
        else streamed from ``fd`` in chunks. Raises ``OSError`` from reading."""
        name = os.fspath(path)
        seen = _Seen.of(info)
        self.used.add(name)
        for known in (self._run.get(name), self._kept.get(name)):
            if known is not None and known.seen == seen:
                self._run[name] = known
                return known.sha256
        started = _now_ns()
        digest = stream_sha256(fd)
        known = _Known(seen, digest)
        # A file written while it was read is not the file hashed, and one changed moments
        # before may change again within the same tick of the file system's clock: neither is
        # remembered, not even for this run.
        settled = max(seen.mtime_ns, seen.ctime_ns) < started - RACY_SECONDS * 1_000_000_000
        self._kept.pop(name, None)
        if settled and _Seen.of(os.fstat(fd)) == seen:
            self._run[name] = known
            if seen.size >= KEEP_FROM_BYTES:
                self._kept[name] = known
        return digest

    def file(self, path: Path) -> str | None:
        """The SHA-256 of the regular file ``path`` (symlinks followed), or None if it is
        missing, not a regular file or unreadable. Never blocks on a FIFO."""
        try:
            if not stat.S_ISREG(path.stat().st_mode):
                return None  # not even opened: opening a device may do something
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            return self.sha256(fd, info, path.resolve())
        except (OSError, RuntimeError):
            return None
        finally:
            os.close(fd)

    def to_json(self, keep: set[str] | None = None) -> dict[str, Any]:
        """The digests to keep, as JSON data: those of ``keep`` and those used this run (all
        of them without ``keep``)."""
        names = self._kept.keys() if keep is None else (self.used | keep) & self._kept.keys()
        return {
            name: {
                "sha256": self._kept[name].sha256,
                "size": self._kept[name].seen.size,
                "mtime_ns": self._kept[name].seen.mtime_ns,
                "ctime_ns": self._kept[name].seen.ctime_ns,
                "inode": self._kept[name].seen.inode,
                "device": self._kept[name].seen.device,
            }
            for name in sorted(names)
        }

    @classmethod
    def from_json(cls, data: object) -> Digests:
        """Digests from what :meth:`to_json` gave; an entry that is not one is left out (a
        digest not remembered is only taken again)."""
        digests = cls()
        if not isinstance(data, dict):
            return digests
        fields = ("size", "mtime_ns", "ctime_ns", "inode", "device")
        for name, entry in data.items():
            if not (
                isinstance(name, str)
                and isinstance(entry, dict)
                and _is_sha256(entry.get("sha256"))
                and all(type(entry.get(f)) is int for f in fields)
            ):
                continue
            seen = _Seen(*(entry[f] for f in fields))
            digests._kept[name] = _Known(seen, entry["sha256"])
        return digests


def stream_sha256(fd: int) -> str:
    """The SHA-256 (hex) of what is left to read of ``fd``, read a chunk at a time."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with os.fdopen(fd, "rb", buffering=0, closefd=False) as handle:
        while count := handle.readinto(buffer):
            digest.update(view[:count])
    return digest.hexdigest()


def _is_sha256(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _now_ns() -> int:
    return time.time_ns()
