"""Output files: their names, and writes that never leave a half-written file behind."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path

from osintkit.errors import OutputError

#: The files a report is written as, by extension, in the order they are written (and offered
#: by ``osintkit render --format``). :func:`osintkit.report.render_brief` renders each.
FORMATS = ("pdf", "html")


class PdfVariant(StrEnum):
    """The PDF variants a distribution copy may be written as (WeasyPrint's names), with the
    brief attached for provenance."""

    pdf_a_3b = "pdf/a-3b"
    pdf_a_3u = "pdf/a-3u"
    pdf_ua_1 = "pdf/ua-1"


def output_path(brief_path: Path, out_dir: Path, extension: str) -> Path:
    """Return where the ``extension`` output ("pdf", "html") of a brief goes in ``out_dir``."""
    return out_dir / f"{brief_path.stem}.{extension}"


TEMP_SUFFIX = ".osintkit-tmp"

# The files osintkit keeps beside the reports in an output folder.
#: The checksums of every published file (written by osintkit.site).
CHECKSUMS = "SHA256SUMS"
#: What each brief was built from (osintkit.build; only in the restricted folder).
MANIFEST_FILE = ".osintkit-build.json"
#: The lock a build holds on each of its folders for as long as it runs.
LOCK_FILE = ".osintkit-build.lock"


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files a killed osintkit left beside ``path``.

    A process killed with SIGKILL between creating its temporary file and renaming it cannot
    clean up; its temporaries carry its process id, so the next write removes those whose
    process is gone.
    """
    _remove_dead(path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"))


def remove_stale_temporaries(folder: Path) -> None:
    """Delete every temporary file in ``folder`` whose writing process is gone."""
    _remove_dead(folder.glob(f".*{TEMP_SUFFIX}"))


def _remove_dead(temporaries: Iterable[Path]) -> None:
    for temp in temporaries:
        # ".<name>.<pid>.<random><suffix>": the pid is the second field from the end.
        fields = temp.name[: -len(TEMP_SUFFIX)].split(".")
        pid_text = fields[-2] if len(fields) >= 3 else ""
        if pid_text.isdigit() and not _process_exists(int(pid_text)):
            with contextlib.suppress(OSError):
                temp.unlink()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The bytes go to a temporary file in the same folder, are flushed to disk, then renamed over
    ``path``, with the permission bits ``mode`` if given (a file edited in place keeps its
    own), else those the umask allows. On any failure (or KeyboardInterrupt) the temporary
    file is removed and the old file is left as it was. Raises :class:`OutputError` when the
    folder cannot be written.
    """
    if mode is None:
        write_all_atomic([(path, data)])
        return
    temp = _stage(path, data, mode)
    try:
        temp.replace(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def write_all_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files so that either all of them are replaced or, as far as the file system
    allows, none: the report's PDF never stands beside the previous HTML.

    Every file's bytes go to a temporary file in its own folder and are flushed to disk first;
    only when all are on disk are they renamed over their targets, one after another. A full
    disk or any other failure while writing removes every temporary and leaves every old file
    as it was. A rename can still fail after an earlier one succeeded (a target replaced by a
    folder meanwhile, say); the error then names exactly which files were replaced and which
    were left as they were. Raises :class:`OutputError`.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((path, _stage(path, data)))
    except BaseException:
        for _, temp in staged:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise
    replaced: list[Path] = []
    for index, (path, temp) in enumerate(staged):
        try:
            temp.replace(path)
        except BaseException as exc:
            for _, left in staged[index:]:
                with contextlib.suppress(OSError):
                    left.unlink()
            if not isinstance(exc, OSError):
                raise
            reason = f"cannot write {path}: {exc.strerror or exc}"
            if replaced:
                kept = ", ".join(str(p) for p, _ in staged[index:])
                done = ", ".join(str(p) for p in replaced)
                reason += f"; already replaced: {done}; left as they were: {kept}"
            raise OutputError(reason) from None
        replaced.append(path)


def _stage(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` to a flushed temporary file beside ``path`` and return the temporary."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path)
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=path.parent
        )
    except OSError as exc:
        raise OutputError(f"cannot write to {path.parent}: {exc.strerror or exc}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; a report is meant to be read like any other file.
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        temp.chmod(mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return temp


def write_new(path: Path, data: bytes, check: Callable[[Path], None] | None = None) -> None:
    """Create ``path`` holding ``data``, never replacing a file, never seen half-written.

    The bytes go to a flushed temporary file in the same folder (as for :func:`write_atomic`);
    ``check`` (if given) is called with the temporary file and may raise to stop the write,
    which then leaves nothing behind. The file appears under its name in one step (a hard
    link), which fails if the name is taken: :class:`FileExistsError`, the file there left as
    it was. Raises :class:`OutputError` when the folder cannot be written.
    """
    temp = _stage(path, data)
    try:
        if check is not None:
            check(temp)
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:
            _create_exclusive(path, data)  # a filesystem without hard links
    except FileExistsError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def _create_exclusive(path: Path, data: bytes) -> None:
    """Create ``path`` (failing if it exists) and write ``data``; remove it if that fails."""
    with path.open("xb") as handle:
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
