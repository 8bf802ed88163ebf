"""The errors osintkit raises, located in the file that caused them.

The core raises these; only the CLI decides how to print them and which exit code to use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: A path into a YAML document: mapping keys and sequence indexes, outermost first.
KeyPath = tuple[str | int, ...]


#: Characters of a value a message shows (a key, a tag, a quoted value): enough to recognise
#: it, never a flood, though a hostile brief can make any of them as long as the file.
QUOTE_LIMIT = 60
#: Problems listed for one file; the rest are counted in one last line. More than a screenful
#: is one mistake repeated (or an attack), and each line costs the terminal too.
MAX_PROBLEMS = 50


def shortened(value: str, limit: int = QUOTE_LIMIT) -> str:
    """``value``, cut short with "…" if it is longer than ``limit`` characters."""
    return value if len(value) <= limit else value[:limit] + "…"


def quoted(value: str) -> str:
    """``value`` in quotes for a message, cut short when a hostile brief makes it huge."""
    return repr(value) if len(value) <= QUOTE_LIMIT else repr(value[:QUOTE_LIMIT]) + "…"


def format_key_path(key_path: KeyPath) -> str:
    """Return ``challenges.items[1].label`` for ``("challenges", "items", 1, "label")``.

    A key longer than a message can show is cut short with "…".
    """
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = shortened(part)
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


#: How much a diagnostic matters: an error fails the command, a warning is worth a look.
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in one file, at a 1-based line and column (0 when not known).

    ``field`` is the key path the problem is about ("" for the file as a whole); ``rule`` a
    short name of the check that found it ("schema", "citation", "uncited-source", …), given
    where the problem is found. Every command prints these, and only these, through
    :mod:`osintkit.diagnostics`.
    """

    path: Path
    line: int
    column: int
    field: str
    rule: str
    message: str
    severity: Severity = "error"

    @property
    def text(self) -> str:
        """The message with its field in front: ``background: citation … names no source``."""
        return f"{self.field}: {self.message}" if self.field else self.message

    @property
    def located(self) -> str:
        """``path:line:col: field: message``, one printable line: the problem where another
        message quotes it (a template's broken YAML in a TemplateError)."""
        return printable(f"{self._where}: {self.text}")

    @property
    def _where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}" if self.line else f"{self.path}"

    def __str__(self) -> str:
        """One line, ``path:line:col: error: field: message [rule]``; unbreakable by a brief."""
        rule = f" [{self.rule}]" if self.rule else ""
        return printable(f"{self._where}: {self.severity}: {self.text}{rule}")


class OsintkitError(Exception):
    """Base of every error osintkit raises on purpose."""


@dataclass(frozen=True, slots=True)
class MoreProblems(Diagnostic):
    """The last line of a file's problems when there are more than MAX_PROBLEMS of them."""

    count: int = 0

    @classmethod
    def counting(cls, path: Path, count: int) -> MoreProblems:
        """Stand for ``count`` problems of ``path`` that were counted but not located."""
        more = f"… and {count} more problem{'s' * (count != 1)}"
        return cls(path, 0, 0, "", "", more, "error", count)


class BriefErrors(OsintkitError):
    """A brief (or a registry) is invalid; carries its diagnostics, in file order.

    At most MAX_PROBLEMS a file: a :class:`MoreProblems` line counts the rest, so that every
    list of problems, however made, prints in a screenful. Problems given again (as a brief's
    list takes in its registry's) are capped once, with their counts added up.
    """

    def __init__(self, errors: Iterable[Diagnostic]) -> None:
        problems: dict[Path, list[Diagnostic]] = {}
        more: dict[Path, int] = {}
        for error in errors:
            if isinstance(error, MoreProblems):
                more[error.path] = more.get(error.path, 0) + error.count
            else:
                problems.setdefault(error.path, []).append(error)
        self.errors: list[Diagnostic] = []
        for path in sorted({*problems, *more}, key=str):
            found = sorted(problems.get(path, []), key=lambda e: (e.line, e.column, e.field))
            self.errors.extend(found[:MAX_PROBLEMS])
            rest = more.get(path, 0) + len(found[MAX_PROBLEMS:])
            if rest:
                self.errors.append(MoreProblems.counting(path, rest))
        super().__init__("\n".join(str(e) for e in self.errors))

    @property
    def count(self) -> int:
        """How many problems were found, those left out of ``errors`` included."""
        return sum(e.count if isinstance(e, MoreProblems) else 1 for e in self.errors)

    @classmethod
    def single(
        cls, path: Path, message: str, line: int = 0, column: int = 0, *, rule: str
    ) -> BriefErrors:
        """Return a BriefErrors holding one file-level problem found by ``rule``."""
        return cls([Diagnostic(path, line, column, "", rule, message)])


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
    close = _closest(word, candidates)
    return f"; did you mean {close!r}?" if close is not None else ""


def _closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``difflib.get_close_matches(word, candidates, n=1, cutoff)``, the same answer faster.

    Against thousands of alike ids ("tbl-t0001" …) every candidate passes difflib's quick
    bounds, and its full ratio for each took a tenth of a second a hint. Here candidates
    are tried from the highest upper bound (``quick_ratio``) down, and the search stops
    once no bound left can match the best ratio found: ties go, as in difflib, to the
    greater string.
    """
    import difflib

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounded: list[tuple[float, str]] = []
    for candidate in set(candidates):
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and (bound := matcher.quick_ratio()) >= cutoff:
            bounded.append((bound, candidate))
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for bound, candidate in bounded:
        if best is not None and bound < best[0]:
            break
        matcher.set_seq1(candidate)
        score = matcher.ratio()
        if score >= cutoff and (best is None or (score, candidate) > best):
            best = (score, candidate)
    return best[1] if best is not None else None
