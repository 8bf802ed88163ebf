"""A folder of briefs as a series catalogue: which briefs there are, and whether their numbers
hold together (no two briefs with one number, no holes in a volume)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from osintkit.errors import BriefErrors, Diagnostic
from osintkit.paths import BRIEF_SUFFIXES, REGISTRY_FILE_NAME

if TYPE_CHECKING:
    from osintkit.validation import LoadedBrief

# Kept light (no YAML parser, no Pydantic at import): a no-op build imports this module and
# should cost only the time to hash its inputs.

#: (series key, volume, issue): what a brief's number is.
Number = tuple[str, int, int]


def brief_paths(paths: Iterable[Path]) -> list[Path]:
    """Return the brief files named by ``paths``: files as given, folders as their briefs.

    A folder stands for every ``*.yaml``/``*.yml`` file in it except the series registry, in
    name order. Raises :class:`BriefErrors` for a folder that holds no brief.
    """
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        briefs = sorted(
            p
            for p in path.iterdir()
            if p.suffix in BRIEF_SUFFIXES and p.name != REGISTRY_FILE_NAME and p.is_file()
        )
        if not briefs:
            raise BriefErrors.single(path, "no briefs (*.yaml) in this folder", rule="file")
        found.extend(briefs)
    return found


@dataclass
class Catalogue:
    """The briefs of one or more folders, loaded, with what is wrong with them as a whole."""

    briefs: list[LoadedBrief] = field(default_factory=list)
    #: Each brief that failed to load, with its own problems.
    failures: list[BriefErrors] = field(default_factory=list)
    #: Problems of the catalogue as a whole: numbers given twice.
    problems: list[Diagnostic] = field(default_factory=list)
    #: Holes in a volume's numbering: worth a look, not an error.
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every brief loaded and no number is given twice."""
        return not self.failures and not self.problems


def load_catalogue(paths: Sequence[Path], registry: Path | None = None) -> Catalogue:
    """Load every brief named by ``paths`` (files or folders) and check their numbering.

    Never raises for a bad brief: problems are collected in the returned catalogue. Raises
    :class:`BriefErrors` only for a folder without briefs.
    """
    from osintkit.validation import load_brief

    catalogue = Catalogue()
    for path in brief_paths(paths):
        try:
            catalogue.briefs.append(load_brief(path, registry))
        except BriefErrors as exc:
            catalogue.failures.append(exc)
    numbers = {item.path: number_of(item) for item in catalogue.briefs}
    catalogue.problems = duplicate_numbers(numbers, issue_position)
    catalogue.warnings = numbering_gaps(numbers, issue_position)
    return catalogue


def number_of(item: LoadedBrief) -> Number:
    """The (series, volume, issue) of a loaded brief."""
    return (item.brief.series, item.brief.volume, item.brief.issue)


def duplicate_numbers(
    numbers: dict[Path, Number], position: Callable[[Path], tuple[int, int]] | None = None
) -> list[Diagnostic]:
    """One error per brief that shares its number with another, naming the others."""
    by_number: dict[Number, list[Path]] = defaultdict(list)
    for path, number in numbers.items():
        by_number[number].append(path)
    problems = []
    for (series, volume, issue), paths in sorted(by_number.items()):
        if len(paths) < 2:
            continue
        for path in paths:
            others = ", ".join(str(p) for p in paths if p != path)
            line, column = position(path) if position else (0, 0)
            problems.append(
                Diagnostic(
                    path,
                    line,
                    column,
                    "issue",
                    "numbering",
                    f"{series} volume {volume} issue {issue} is also the number of {others}",
                )
            )
    return problems


def numbering_gaps(
    numbers: dict[Path, Number], position: Callable[[Path], tuple[int, int]] | None = None
) -> list[Diagnostic]:
    """A warning per volume with issues missing between its first and its last, at the brief
    just after the first hole."""
    issues: dict[tuple[str, int], dict[int, Path]] = defaultdict(dict)
    for path, (series, volume, issue) in sorted(numbers.items()):
        issues[(series, volume)].setdefault(issue, path)
    warnings = []
    for (series, volume), present in sorted(issues.items()):
        # Holes as ranges, never as every number: a build's manifest, not only a checked
        # brief, gives numbers, and 1 and 10**12 must not mean a list of 10**12.
        ordered = sorted(present)
        holes = [(a + 1, b - 1) for a, b in pairwise(ordered) if b - a > 1]
        if not holes:
            continue
        after = present[holes[0][1] + 1]
        line, column = position(after) if position else (0, 0)
        count = sum(last - first + 1 for first, last in holes)
        listed = ", ".join(_hole(first, last) for first, last in holes)
        message = f"{series} volume {volume}: no brief for issue{'s' * (count > 1)} {listed}"
        warnings.append(Diagnostic(after, line, column, "issue", "numbering", message, "warning"))
    return warnings


def _hole(first: int, last: int) -> str:
    """``3``, ``3, 4`` or ``3–9``."""
    if last - first < 2:
        return ", ".join(str(n) for n in range(first, last + 1))
    return f"{first}–{last}"


def next_number(numbers: Iterable[Number], series: str, volume: int | None = None) -> Number:
    """The number a new issue of ``series`` gets: the next issue of ``volume``.

    Without ``volume``, the series' latest volume (volume 1 for a series with no briefs).
    """
    taken = [(v, i) for s, v, i in numbers if s == series]
    if volume is None:
        volume = max((v for v, _ in taken), default=1)
    last = max((i for v, i in taken if v == volume), default=0)
    return (series, volume, last + 1)


def issue_position(path: Path) -> tuple[int, int]:
    """Where a brief's ``issue:`` key stands, for an error that points at it."""
    from osintkit.loader import load_yaml

    try:
        return load_yaml(path).locate_key(("issue",))
    except BriefErrors:
        return (0, 0)
