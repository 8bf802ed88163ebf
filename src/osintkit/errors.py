"""The errors osintkit raises, located in the file that caused them.

The core raises these; only the CLI decides how to print them and which exit code to use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: A path into a YAML document: mapping keys and sequence indexes, outermost first.
KeyPath = tuple[str | int, ...]


def format_key_path(key_path: KeyPath) -> str:
    """Return ``challenges.items[1].label`` for ``("challenges", "items", 1, "label")``."""
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, slots=True)
class BriefError:
    """One problem in one file, at a 1-based line and column (0 when not known)."""

    path: Path
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else f"{self.path}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


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


def merge(groups: Sequence[BriefErrors]) -> BriefErrors:
    """Return one BriefErrors holding the problems of every group."""
    return BriefErrors(e for g in groups for e in g.errors)
