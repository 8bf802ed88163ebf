"""The errors osintkit raises, located in the file that caused them.

The core raises these; only the CLI decides how to print them and which exit code to use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: A path into a YAML document: mapping keys and sequence indexes, outermost first.
KeyPath = tuple[str | int, ...]


#: Characters of one key shown in a message: an unknown key can be as long as the file.
_KEY_LIMIT = 60


def format_key_path(key_path: KeyPath) -> str:
    """Return ``challenges.items[1].label`` for ``("challenges", "items", 1, "label")``.

    A key longer than a message can show is cut short with "…".
    """
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = part if len(part) <= _KEY_LIMIT else part[:_KEY_LIMIT] + "…"
            text += f".{key}" if text else key
    return text


#: Characters escaped in a message: controls (C0 with ESC, DEL, C1 with CSI) and line separators
#: would break its one line or drive the terminal; bidi marks, embeddings, overrides and
#: isolates (ALM, LRM, RLM, LRE…RLO, LRI…PDI) would reorder the rest of it; and a lone
#: surrogate cannot be written as UTF-8 at all, so it would crash whatever prints it.
_UNSAFE_RE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """Return ``text`` with every character that could break or garble a line escaped.

    An escaped character comes out as Python writes it: ``\\x1b``, ``\\u2028``.
    """
    return _UNSAFE_RE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(frozen=True, slots=True)
class BriefError:
    """One problem in one file, at a 1-based line and column (0 when not known)."""

    path: Path
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        """One line, ``path:line:col: field: message``; whatever a brief holds cannot break it."""
        where = f"{self.path}:{self.line}:{self.column}" if self.line else f"{self.path}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        return printable(text)


class OsintkitError(Exception):
    """Base of every error osintkit raises on purpose."""


class BriefErrors(OsintkitError):
    """A brief (or a registry) is invalid; carries every problem found, in file order."""

    def __init__(self, errors: Iterable[BriefError]) -> None:
        self.errors: list[BriefError] = sorted(
            errors, key=lambda e: (str(e.path), e.line, e.column, e.field)
        )
        super().__init__("\n".join(str(e) for e in self.errors))

    @classmethod
    def single(cls, path: Path, message: str, line: int = 0, column: int = 0) -> BriefErrors:
        """Return a BriefErrors holding one file-level problem."""
        return cls([BriefError(path, line, column, "", message)])


class TemplateError(OsintkitError):
    """A report template is missing or broken."""


class RenderError(OsintkitError):
    """Rendering failed for a reason that is not the brief's fault."""


class OutputError(OsintkitError):
    """An output file could not be written."""


class UsageError(OsintkitError):
    """An option or environment value is out of range; the CLI exits with 2, as for a bad option."""


def merge(groups: Sequence[BriefErrors]) -> BriefErrors:
    """Return one BriefErrors holding the problems of every group."""
    return BriefErrors(e for g in groups for e in g.errors)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'x'?" for the closest of ``candidates`` to ``word``, or ""."""
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
