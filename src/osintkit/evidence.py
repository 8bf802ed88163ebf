"""``osintkit evidence``: add captures to a brief's source, and verify every capture on disk.

``add`` hashes each file (streamed), copies it into the brief's ``evidence/`` folder if it
lies elsewhere, and inserts the capture entries into the brief as text, at the end of the
source's ``captures:`` list (which it creates if absent), in that list's style and the file's
line breaks: every other byte of the file stays as it was (a YAML round trip would re-indent
and re-quote it). The result is loaded and validated before it replaces the brief, atomically;
the brief's folder is locked meanwhile, so two ``add`` at once cannot lose one's entries.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import TypeAdapter, ValidationError

from osintkit.captures import CaptureStatus, inspect_capture
from osintkit.digests import CHUNK_BYTES, Digests, stream_sha256
from osintkit.errors import BriefErrors, OsintkitError, quoted, shortened
from osintkit.fields import HttpUrl, Instant, instant_text
from osintkit.loader import LoadedDocument, load_yaml, parse_yaml
from osintkit.models import Capture
from osintkit.output import TEMP_SUFFIX, remove_stale_temporaries, write_atomic
from osintkit.paths import Refused, confined_path, open_confined, reason
from osintkit.validation import load_brief

#: Where ``add`` copies a capture that lies outside the brief's folder.
EVIDENCE_FOLDER = "evidence"


class EvidenceError(OsintkitError):
    """Evidence that cannot be added: the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class AddedCapture:
    """One capture ``add`` inserted into a brief."""

    file: str  # as written in the brief, relative to its folder
    sha256: str
    captured: dt.datetime
    #: Whether ``captured`` is the file's modification time (no ``--captured`` given).
    from_mtime: bool
    #: Where the file was copied from (None: it was under the brief's folder already).
    copied_from: Path | None


@dataclass(frozen=True, slots=True)
class VerifiedCapture:
    """One capture of a brief as ``verify`` found it on disk."""

    brief: Path
    source_id: str
    file: str
    #: ``ok``, ``changed``, ``missing``, ``outside``, ``not-a-file``, ``unreadable`` or
    #: ``invalid`` (the entry itself is not a valid capture).
    status: str
    message: str
    size: int | None = None


def parse_instant(text: str) -> dt.datetime:
    """``text`` as an instant in UTC (Z or an offset); raises ValueError with the reason."""
    try:
        return TypeAdapter(Instant).validate_python(text)
    except ValidationError as exc:
        raise ValueError(_reason(exc)) from None


def parse_archive_url(text: str) -> str:
    """``text`` as an http(s) URL; raises ValueError with the reason."""
    try:
        return str(TypeAdapter(HttpUrl).validate_python(text))
    except ValidationError as exc:
        raise ValueError(_reason(exc)) from None


def add_captures(
    brief_path: Path,
    source_id: str,
    files: Sequence[Path],
    *,
    captured: dt.datetime | None = None,
    tool: str | None = None,
    note: str | None = None,
    archive_url: str | None = None,
) -> list[AddedCapture]:
    """Add ``files`` as captures of the source ``source_id`` of the brief at ``brief_path``.

    ``captured`` defaults to each file's modification time, in UTC. Returns what was added.
    Raises :class:`BriefErrors` (the brief, or the brief as it would be, is invalid) or
    :class:`EvidenceError`; then the brief is left as it was and no file was copied.
    """
    folder = brief_path.parent
    with _locked(folder):
        loaded = load_brief(brief_path)
        document = loaded.document
        index = next((i for i, s in enumerate(loaded.brief.sources) if s.id == source_id), None)
        if index is None:
            ids = ", ".join(quoted(s.id) for s in loaded.brief.sources) or "none"
            raise EvidenceError(f"{brief_path}: no source {quoted(source_id)} (sources: {ids})")
        source = loaded.brief.sources[index]
        if archive_url is not None and source.archive_url not in (None, archive_url):
            raise EvidenceError(
                f"{brief_path}: source {quoted(source_id)} has the archive_url "
                f"{source.archive_url}, not {archive_url}: change it in the brief by hand"
            )
        end_of_day = dt.datetime.combine(
            loaded.brief.date + dt.timedelta(days=1), dt.time(), dt.UTC
        )
        copied: list[Path] = []
        written: bytes | None = None
        try:
            added = [
                _place(brief_path, file, captured, end_of_day, loaded.brief.date, copied)
                for file in files
            ]
            taken = {c.file for c in loaded.captures.values()} | {
                PurePosixPath(c.file).as_posix() for s in loaded.brief.sources for c in s.captures
            }
            given: set[str] = set()
            for capture in added:
                if capture.file in taken:
                    raise EvidenceError(f"{capture.file} is already a capture of this brief")
                if capture.file in given:
                    raise EvidenceError(f"{capture.file} is given twice: one file, one capture")
                given.add(capture.file)
            entries = [_entry(c, tool, note) for c in added]
            url = archive_url if source.archive_url is None else None
            text = _inserted(document, index, entries, url)
            expected = copy.deepcopy(document.data)
            expected["sources"][index].setdefault("captures", []).extend(entries)
            if url is not None:
                expected["sources"][index]["archive_url"] = url
            try:
                check = parse_yaml(text, brief_path)
                if check.data != expected:
                    raise EvidenceError(
                        f"{brief_path}: the captures could not be inserted as text here; add "
                        "them by hand"
                    )
                load_brief(brief_path, source=text)
            except BriefErrors as exc:
                # Located in the text as it would be, which is not on disk: said, not located.
                first, *rest = exc.errors
                more = f" (and {len(rest)} more)" if rest else ""
                raise EvidenceError(
                    f"{brief_path}: the captures would make the brief invalid: {first.text}"
                    f"{more}; nothing was written"
                ) from None
            raw = _read_raw(brief_path)
            if raw != _encoded(document.source, raw):
                raise EvidenceError(
                    f"{brief_path} changed while the captures were added; run again"
                )
            # The file itself, if the brief is a symlink to it, with its own permissions.
            target = brief_path.resolve()
            written = _encoded(text, raw)
            write_atomic(target, written, stat.S_IMODE(target.stat().st_mode))
        except BaseException:
            if written is not None and _written(brief_path, written):
                raise  # interrupted once the brief named them: the copies are its captures
            for path in reversed(copied):  # files, then the evidence folder if made for them
                with contextlib.suppress(OSError):
                    path.rmdir() if path.is_dir() else path.unlink()
            raise
    return added


def verify(briefs: Sequence[Path]) -> tuple[list[VerifiedCapture], list[BriefErrors]]:
    """Every capture of ``briefs`` as found on disk (each hashed afresh), and the briefs that
    could not be read as YAML. Only the captures are checked, not the rest of each brief."""
    found: list[VerifiedCapture] = []
    failures: list[BriefErrors] = []
    digests = Digests()
    for path in briefs:
        try:
            document = load_yaml(path)
        except BriefErrors as exc:
            failures.append(exc)
            continue
        sources = document.data.get("sources") if isinstance(document.data, dict) else None
        for source in sources if isinstance(sources, list) else []:
            if not isinstance(source, dict) or not isinstance(source.get("captures"), list):
                continue
            source_id = str(source.get("id", "?"))
            for raw in source["captures"]:
                file = str(raw.get("file", "?")) if isinstance(raw, dict) else "?"
                try:
                    capture = Capture.model_validate(raw)
                except ValidationError as exc:
                    found.append(VerifiedCapture(path, source_id, file, "invalid", _reason(exc)))
                    continue
                status: CaptureStatus = inspect_capture(path.parent, capture, digests)
                size = status.checked.size if status.checked else None
                found.append(
                    VerifiedCapture(path, source_id, file, status.status, status.message, size)
                )
    return found, failures


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the brief's folder (the folder itself: no lock file is left
    beside the briefs), or fail at once if another ``evidence add`` holds it."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise EvidenceError(f"{folder}: cannot be opened: {reason(exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EvidenceError(
                f"{folder}: another `osintkit evidence add` is changing a brief here; run "
                "again when it is done"
            ) from None
        except OSError as exc:  # a file system without locks (some NFS mounts)
            raise EvidenceError(f"{folder}: cannot be locked: {reason(exc)}") from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _place(
    brief_path: Path,
    file: Path,
    captured: dt.datetime | None,
    end_of_day: dt.datetime,
    brief_date: dt.date,
    copied: list[Path],
) -> AddedCapture:
    """Hash ``file``, copied into the evidence folder if it is not under the brief's folder."""
    root = brief_path.parent.resolve()
    try:
        resolved = file.resolve()
        itself = resolved == brief_path.resolve()
    except (OSError, RuntimeError) as exc:
        raise EvidenceError(f"{file}: cannot be read: {reason(exc)}") from None
    if itself:
        # Its SHA-256 changes as the entry is written into it: it could never be verified.
        raise EvidenceError(f"{file} is the brief itself, which cannot be a capture of it")
    inside = resolved.is_relative_to(root) and resolved != root
    relative = PurePosixPath(resolved.relative_to(root).as_posix()) if inside else None
    written = relative.as_posix() if relative else f"{EVIDENCE_FOLDER}/{file.name}"
    if written != written.strip():
        # A brief's text is read stripped: the entry would name another file.
        raise EvidenceError(
            f"{file}: a capture's path cannot begin or end with a space; rename the file"
        )
    if relative is not None:
        try:
            with open_confined(confined_path(root, relative), root) as (fd, info):
                digest = stream_sha256(fd)
        except Refused as exc:
            raise EvidenceError(f"{file} {exc}") from None
        source = None
    else:
        digest, info = _copy(file, root / EVIDENCE_FOLDER / file.name, copied)
        source = file
    when = captured or dt.datetime.fromtimestamp(info.st_mtime_ns / 1e9, dt.UTC).replace(
        microsecond=0
    )
    if when >= end_of_day:
        origin = "--captured" if captured else "the file's modification time (--captured)"
        raise EvidenceError(
            f"{file}: captured {instant_text(when)} ({origin}) is after the brief's date "
            f"{brief_date.isoformat()}: a report cannot cite a capture made after it"
        )
    return AddedCapture(written, digest, when, captured is None, source)


def _copy(file: Path, target: Path, copied: list[Path]) -> tuple[str, os.stat_result]:
    """Copy the regular file ``file`` to ``target`` (a new name: never over another file),
    hashing it on the way; return its SHA-256 and its status. What it creates is added to
    ``copied``, to be removed if the capture is not added after all."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise EvidenceError(f"{file}: cannot be read: {reason(exc)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise EvidenceError(f"{file} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise EvidenceError(f"{file} is not a file (a FIFO, a device or a socket)")
        if not target.parent.is_dir():
            target.parent.mkdir()
            copied.append(target.parent)
        if not target.parent.resolve().is_relative_to(target.parent.parent.resolve()):
            # Nothing is written through it: every capture there would be refused.
            raise EvidenceError(
                f"{target.parent} leads outside the brief's folder (a symlink?): a capture "
                "must lie under it"
            )
        # A copy killed midway (SIGTERM, SIGKILL) leaves its temporary: gone once it is dead.
        remove_stale_temporaries(target.parent)
        temp_fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
        temp = Path(temp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(temp_fd, "wb") as out:
                while chunk := os.read(fd, CHUNK_BYTES):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            umask = os.umask(0)
            os.umask(umask)
            # FAT refuses a mode its mount options do not give: the file keeps that one.
            with contextlib.suppress(PermissionError):
                temp.chmod(0o666 & ~umask)
            try:
                _place_new(temp, target)
                copied.append(target)
            except FileExistsError:
                there = Digests().file(target)
                if there != digest.hexdigest():
                    raise EvidenceError(
                        f"{target} exists and is another file: rename {file.name}, or remove it"
                    ) from None
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()
    except OSError as exc:
        raise EvidenceError(f"{file}: cannot be copied: {reason(exc)}") from None
    finally:
        os.close(fd)
    return digest.hexdigest(), info


def _place_new(temp: Path, target: Path) -> None:
    """Give ``temp`` the name ``target``, which must be new: raises FileExistsError if a file
    has it. A hard link does it in one step; where the file system has none (FAT, exFAT: the
    link is refused with EPERM), the name is first taken by an empty file of our own, then
    replaced."""
    try:
        os.link(temp, target)
        return
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS):
            raise
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    try:
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise


def _entry(capture: AddedCapture, tool: str | None, note: str | None) -> dict[str, str]:
    entry = {
        "file": capture.file,
        "sha256": capture.sha256,
        "captured": instant_text(capture.captured),
    }
    if tool:
        entry["tool"] = tool
    if note:
        entry["note"] = note
    return entry


# --- the text insertion -------------------------------------------------------------------------

_BREAK_RE = re.compile(r"\r\n|\r|\n")
#: A plain scalar every YAML reader reads back as this same string in block and flow context.
_PLAIN_RE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./+@%~?=&:-]*(?<!:)")
#: What YAML 1.2's core schema reads as something other than a string.
_NOT_A_STRING_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
)


def _scalar(value: str) -> str:
    if _PLAIN_RE.fullmatch(value) and not _NOT_A_STRING_RE.fullmatch(value):
        return value
    quoted_value = json.dumps(value, ensure_ascii=False)
    # Breaks YAML reads as line breaks even inside quotes; JSON leaves them raw.
    for char in ("\u0085", "\u2028", "\u2029"):
        quoted_value = quoted_value.replace(char, f"\\u{ord(char):04x}")
    return quoted_value


def _inserted(
    document: LoadedDocument, index: int, entries: list[dict[str, str]], archive_url: str | None
) -> str:
    """The brief's text with ``entries`` added to the captures of source ``index`` (and its
    ``archive_url`` line), nothing else changed; raises EvidenceError for a layout it does not
    edit."""
    text = document.source
    newline = match.group() if (match := _BREAK_RE.search(text)) else "\n"
    at: tuple[Any, ...] = ("sources", index)
    source = document.data["sources"][index]
    start, _ = document.span(at)
    if text[start] == "{":
        raise EvidenceError(
            f"{document.path}: source {quoted(shortened(str(source.get('id'))))} is written in "
            "flow style ({id: …}); write it as a block mapping (one key a line) to add captures"
        )
    key_indent = _indent(text, start)
    insertions: list[tuple[int, int, str]] = []
    captures = source.get("captures")
    if isinstance(captures, list):
        list_start, list_end = document.span((*at, "captures"))
        list_start = _past_properties(text, list_start)
        if not captures and text[list_start] != "[":
            raise EvidenceError(
                f"{document.path}: the captures of source "
                f"{quoted(shortened(str(source.get('id'))))} are not written as a list here "
                "(an alias?); write them as a list to add captures"
            )
        if text[list_start] == "[":
            close = text.rindex("]", list_start, list_end)
            items = ", ".join(_flow(e) for e in entries)
            before = text[list_start + 1 : close].strip()
            glue = ", " if before else ""
            last = list_start + 1 + len(text[list_start + 1 : close].rstrip())
            insertions.append((last, 0, glue + items))
        else:
            last_item = (*at, "captures", len(captures) - 1)
            item_start, _ = document.span(last_item)
            dash = text.rindex("-", _line_start(text, item_start), item_start)
            indent = text[_line_start(text, dash) : dash]
            gap = text[dash + 1 : item_start]
            point = _after(document, last_item)
            block = text[item_start] != "{"
            lines = [
                _block_item(indent, gap, e, newline) if block else f"{indent}-{gap}{_flow(e)}"
                for e in entries
            ]
            insertions.append((point, 0, _lines(lines, newline)))
    else:
        step = _sequence_step(document)
        dash_indent = key_indent + " " * step
        lines = [f"{key_indent}captures:"]
        lines += [_block_item(dash_indent, " ", e, newline) for e in entries]
        point = _source_end(document, at)
        insertions.append((point, 0, _lines(lines, newline)))
    if archive_url is not None:
        point = _source_end(document, at)
        line = f"{key_indent}archive_url: {_scalar(archive_url)}"
        insertions.append((point, 1, _lines([line], newline)))
    insertions.sort()
    if text and text[-1] not in "\r\n" and insertions[-1][0] == len(text):
        # The file's last line had no line break: the first piece inserted after it gives it one.
        first = next(i for i, (point, _, _) in enumerate(insertions) if point == len(text))
        point, order, piece = insertions[first]
        insertions[first] = (point, order, newline + piece)
    for point, _, piece in reversed(insertions):
        text = text[:point] + piece + text[point:]
    return text


def _past_properties(text: str, index: int) -> int:
    """Where a node that starts at ``index`` starts past its anchor and tag (``&a !!seq [``)."""
    while index < len(text) and text[index] in "&!":
        while index < len(text) and text[index] not in " \t\r\n":
            index += 1
        while index < len(text) and text[index] in " \t":
            index += 1
    return index


def _lines(lines: list[str], newline: str) -> str:
    """``lines`` as text to insert at a line start."""
    return "".join(line + newline for line in lines)


def _block_item(indent: str, gap: str, entry: dict[str, str], newline: str) -> str:
    inner = indent + " " * (1 + len(gap))
    first, *rest = entry.items()
    lines = [f"{indent}-{gap}{first[0]}: {_scalar(first[1])}"]
    lines += [f"{inner}{key}: {_scalar(value)}" for key, value in rest]
    return newline.join(lines)


def _flow(entry: dict[str, str]) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in entry.items()) + "}"


def _indent(text: str, index: int) -> str:
    return " " * (index - _line_start(text, index))


def _line_start(text: str, index: int) -> int:
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _sequence_step(document: LoadedDocument) -> int:
    """How far the brief indents a list's dashes past its key (``sources:`` ⟶ ``  - id``)."""
    text = document.source
    _, key_column = document.locate_key(("sources",))
    item_start, _ = document.span(("sources", 0))
    dash = text.rfind("-", _line_start(text, item_start), item_start)
    if dash < 0 or text[item_start] in "{[":
        return 2
    return max(0, dash - _line_start(text, dash) - (key_column - 1))


def _source_end(document: LoadedDocument, at: tuple[Any, ...]) -> int:
    """Where keys added to the source at ``at`` go: after its last line, or, if that line ends
    the file without a line break and holds a block scalar (``excerpt: |``), before the key of
    that scalar: the line break the insertion needs would otherwise become part of its value.
    """
    text = document.source
    point = _after(document, at)
    if point < len(text) or text.endswith(("\n", "\r")):
        return point
    last = (*at, list(document.value_at(at))[-1])
    _, _, style = next(where for path, where in document.spans_under(last) if path == last)
    if style not in ("|", ">"):
        return point
    line, _ = document.locate_key(last)
    starts = [0, *(match.end() for match in _BREAK_RE.finditer(text))]
    return starts[line - 1]


def _after(document: LoadedDocument, key_path: tuple[Any, ...]) -> int:
    """The start of the line after the last line the node at ``key_path`` takes.

    A block collection's end, as the parser marks it, is where the next token starts, past
    blank lines and comments: the end of its last scalar or flow collection is used instead.
    """
    text = document.source
    end = 0
    for path, (start, stop, style) in document.spans_under(key_path):
        value = document.value_at(path)
        if isinstance(value, (dict, list)) and text[start] not in "{[":
            continue  # a block collection: its descendants say where it ends
        if style in ("|", ">") and "+" not in text[start : text.find("\n", start)]:
            # The trailing blank lines are not the scalar's (except with "+", "keep").
            stop = start + len(text[start:stop].rstrip())
        end = max(end, stop)
    if end > 0 and text[end - 1] in "\r\n":
        return end
    match = _BREAK_RE.search(text, end)
    return match.end() if match else len(text)


def _written(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds ``data`` (False if it cannot be read)."""
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _read_raw(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot be read: {reason(exc)}") from None


def _encoded(text: str, raw: bytes) -> bytes:
    """``text`` as the file's bytes: UTF-8, with the byte order mark the file had."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    return bom + text.encode("utf-8")


def _reason(exc: ValidationError) -> str:
    """The first of Pydantic's errors in validate's words (not "instance of Capture")."""
    error = exc.errors(include_url=False)[0]
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("model_type", "model_attributes_type"):
        return "a capture is a mapping of file, sha256 and captured (and tool, note)"
    where = ".".join(str(p) for p in error["loc"])
    text = "field required" if kind == "missing" else str(error["msg"])
    text = text[:1].lower() + text[1:]
    return f"{where}: {text}" if where else text
