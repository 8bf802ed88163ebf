"""The record of one built issue, as build keeps it in its manifest and site publishes it.

A frozen dataclass, not a Pydantic model: a no-op build reads every record from the manifest
and must not pay for Pydantic (or a YAML parser) to do so. The JSON form is checked field by
field, since the manifest is a file anyone could have edited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from osintkit.output import FORMATS

_SHA256 = re.compile(r"[0-9a-f]{64}")


class Malformed(Exception):
    """A field of a stored record is not what osintkit wrote there."""


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of a built issue, relative to the folder it is in."""

    path: str
    size: int
    sha256: str
    #: A PDF's page count; None for HTML.
    pages: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The file's manifest form (``pages`` only for a PDF)."""
        data: dict[str, Any] = {"path": self.path, "size": self.size, "sha256": self.sha256}
        if self.pages is not None:
            data["pages"] = self.pages
        return data

    @classmethod
    def from_json(cls, data: object, where: str, kind: str) -> OutputFile:
        """Raise :class:`Malformed` unless ``data`` is a ``kind`` file as :meth:`to_json` wrote."""
        written = json_object(data, where, frozenset({"path", "size", "sha256"}), {"pages"})
        shape = f"<series>/<name>.{kind}" if kind in FORMATS else f"<series>/<name>.{kind}.json"
        want(_is_output(written["path"], kind), f"{where}.path", shape)
        want(is_count(written["size"], 0), f"{where}.size", "a whole number")
        want(
            isinstance(written["sha256"], str) and _SHA256.fullmatch(written["sha256"]) is not None,
            f"{where}.sha256",
            "a SHA-256 in hex",
        )
        pages = written.get("pages")
        if "pages" in written:
            want(is_count(pages, 1), f"{where}.pages", "a whole number from 1")
        return cls(written["path"], written["size"], written["sha256"], pages)


@dataclass(frozen=True, slots=True)
class IssueRecord:
    """One built issue: its number, what the catalogue and feeds show of it, and its files."""

    series: str
    volume: int
    issue: int
    title: str
    subtitle: str | None
    #: Publication date, ISO 8601 (YYYY-MM-DD).
    date: str
    language: str
    status: str
    #: The TLP marking, the brief's own or its series'.
    tlp: str
    authors: tuple[str, ...]
    keywords: tuple[str, ...]
    #: The executive summary's first paragraph, plain text.
    summary: str
    #: File name of the brief it was rendered from.
    brief: str
    #: Its files by kind: "pdf", "html", and its exports by name ("stix", "misp", "csl").
    files: Mapping[str, OutputFile]

    def to_json(self) -> dict[str, Any]:
        """The record as the build manifest stores it."""
        return {
            "series": self.series,
            "volume": self.volume,
            "issue": self.issue,
            "title": self.title,
            "subtitle": self.subtitle,
            "date": self.date,
            "language": self.language,
            "status": self.status,
            "tlp": self.tlp,
            "authors": list(self.authors),
            "keywords": list(self.keywords),
            "summary": self.summary,
            "brief": self.brief,
            "files": {kind: f.to_json() for kind, f in self.files.items()},
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> IssueRecord:
        """Check every field :meth:`to_json` writes; raise :class:`Malformed` (naming the field
        by ``where``) if one is missing, unknown or of the wrong kind."""
        entry = json_object(data, where, _FIELDS)
        for name in _TEXT:
            want(isinstance(entry[name], str), f"{where}.{name}", "a string")
        for name in ("volume", "issue"):
            want(is_count(entry[name], 1), f"{where}.{name}", "a whole number from 1")
        subtitle = entry["subtitle"]
        want(subtitle is None or isinstance(subtitle, str), f"{where}.subtitle", "a string or null")
        want(entry["status"] in ("draft", "final"), f"{where}.status", '"draft" or "final"')
        for name in ("authors", "keywords"):
            value = entry[name]
            want(
                isinstance(value, list) and all(isinstance(v, str) for v in value),
                f"{where}.{name}",
                "a list of strings",
            )
        files = entry["files"]
        want(
            isinstance(files, dict) and all(is_kind(kind) for kind in files),
            f"{where}.files",
            "an object with " + " and ".join(f'"{kind}"' for kind in FORMATS) + " and exports",
        )
        return cls(
            series=entry["series"],
            volume=entry["volume"],
            issue=entry["issue"],
            title=entry["title"],
            subtitle=subtitle,
            date=entry["date"],
            language=entry["language"],
            status=entry["status"],
            tlp=entry["tlp"],
            authors=tuple(entry["authors"]),
            keywords=tuple(entry["keywords"]),
            summary=entry["summary"],
            brief=entry["brief"],
            files={
                kind: OutputFile.from_json(value, f"{where}.files.{kind}", kind)
                for kind, value in files.items()
            },
        )


_TEXT = ("series", "title", "date", "language", "tlp", "summary", "brief")
_FIELDS = frozenset(
    {*_TEXT, "volume", "issue", "subtitle", "status", "authors", "keywords", "files"}
)


def json_object(
    data: object, where: str, required: frozenset[str], optional: set[str] | None = None
) -> dict[str, Any]:
    """``data`` as an object with every ``required`` key and no key but those and ``optional``;
    raises :class:`Malformed`."""
    keys = sorted(required)
    want(
        isinstance(data, dict) and required <= set(data) <= required | (optional or set()),
        where,
        "an object with " + ", ".join(keys),
    )
    assert isinstance(data, dict)
    return data


def want(ok: bool, where: str, what: str) -> None:
    """Raise :class:`Malformed` (``where`` should be ``what``) unless ``ok``."""
    if not ok:
        raise Malformed(f"{where} should be {what}")


def is_count(value: object, minimum: int) -> bool:
    """Whether ``value`` is a whole number (not a bool) of at least ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def is_path(value: object) -> bool:
    """Whether ``value`` can name a file: a non-empty string without NUL."""
    return isinstance(value, str) and value != "" and "\0" not in value


def is_kind(kind: object) -> bool:
    """Whether ``kind`` can name a file of a built issue: a format of ``output.FORMATS``
    ("pdf") or an export's name ("stix", written as ``<name>.stix.json``)."""
    return isinstance(kind, str) and (kind in FORMATS or _EXPORT_KIND.fullmatch(kind) is not None)


_EXPORT_KIND = re.compile(r"[a-z][a-z0-9]{0,30}")


def _is_output(value: object, kind: str) -> bool:
    """``<series>/<name>.<kind>`` (``<series>/<name>.<kind>.json`` for an export): the only
    files a build removes are ones of this shape inside its own folders, whatever a
    manifest says; an export's double suffix is never a catalogue's, feed's or checksum's."""
    if not is_path(value) or "\\" in str(value):
        return False
    path = PurePosixPath(str(value))
    suffix = f".{kind}" if kind in FORMATS else f".{kind}.json"
    return (
        path.as_posix() == value
        and len(path.parts) == 2
        and not any(part in (".", "..") for part in path.parts)
        and path.name.endswith(suffix)
        and len(path.name) > len(suffix)
    )
