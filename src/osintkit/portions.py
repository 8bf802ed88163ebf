"""The TLP level of every portion of a brief: what an edition for an audience keeps.

A portion is a key judgement, a challenge item, a chronology event, a source, an extra section
or annex (each may carry ``tlp``), a ``::: {tlp=…}`` block inside Markdown, or a figure with
``tlp=…``. An unmarked portion takes the level of what contains it; the fixed sections are
contained by the brief, so they take its ``portion_default`` or, without one, its own TLP:
forgetting a marking can never publish restricted text. The title block, the bottom line and
the disclaimer are in every edition, so they are held to the lowest edition's level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from osintkit.errors import KeyPath
from osintkit.markdown import MarkedBlock, find_anchors, find_marked_blocks, line_of
from osintkit.models import Brief
from osintkit.outline import EVIDENCE_REGISTER, has_evidence, markdown_in_reading_order
from osintkit.series import Series
from osintkit.tradecraft import TLP_ORDER, tlp_rank

#: The lists whose items may each carry ``tlp``, by their key path in the brief.
MARKED_LISTS: tuple[KeyPath, ...] = (
    ("key_judgements",),
    ("challenges", "items"),
    ("timeline",),
    ("sources",),
    ("sections",),
    ("appendices",),
    ("custody",),
)
#: Fields printed in every edition, whatever it holds.
EVERY_EDITION = frozenset({("bluf",), ("disclaimer",)})


@dataclass(frozen=True, slots=True)
class Marking:
    """The levels a brief's portions are measured against."""

    #: The full edition's level: the brief's TLP, or its series'.
    full: str
    #: The level of an unmarked portion: ``portion_default``, or the full level.
    default: str
    #: The editions the brief is released to, most open first, the full one last.
    editions: tuple[str, ...]

    @property
    def lowest(self) -> str:
        """The most open edition: what every edition prints is written for it."""
        return self.editions[0]


def marking(brief: Brief, series: Series) -> Marking:
    """The marking of ``brief`` in ``series``. Levels above the full one are validation's to
    report; they are kept here as written."""
    full = brief.tlp or series.tlp
    listed = brief.editions if brief.editions is not None else series.editions
    editions = sorted({*listed, full}, key=tlp_rank)
    return Marking(full, brief.portion_default or full, tuple(editions))


def highest(*levels: str) -> str:
    """The most restricted of ``levels``."""
    return max(levels, key=tlp_rank)


def item(brief: Brief, key_path: KeyPath) -> object:
    """The value of ``brief`` at ``key_path``."""
    value: object = brief
    for step in key_path:
        value = value[step] if isinstance(step, int) else getattr(value, step)  # type: ignore[index]
    return value


def portion_of(key_path: KeyPath) -> KeyPath | None:
    """The key path of the marked list item holding the field at ``key_path``, if any."""
    for prefix in MARKED_LISTS:
        n = len(prefix)
        if key_path[:n] == prefix and len(key_path) > n and isinstance(key_path[n], int):
            return key_path[: n + 1]
    return None


def portion_level(brief: Brief, mark: Marking, portion: KeyPath) -> str:
    """The level of a marked list item: its own ``tlp``, else the portion default."""
    own = getattr(item(brief, portion), "tlp", None)
    return own or mark.default


def field_level(brief: Brief, mark: Marking, key_path: KeyPath) -> str:
    """The level of the Markdown field at ``key_path`` as a whole."""
    if key_path in EVERY_EDITION:
        return mark.lowest
    portion = portion_of(key_path)
    return portion_level(brief, mark, portion) if portion else mark.default


@dataclass(frozen=True, slots=True)
class MarkedField:
    """One Markdown field of a brief with its level and the marked blocks inside it."""

    key_path: KeyPath
    text: str
    level: str
    blocks: tuple[MarkedBlock, ...]
    #: Whether ``level`` is only what the field inherits (a fixed section's, from the brief):
    #: then a block marked inside it has its own level, lower or higher. Inside a portion
    #: marked of its own (an item, a block) a block can only be as restricted or more: it
    #: cannot be published without what holds it.
    inherited: bool = False

    def _containers(self, line: int) -> list[str]:
        return [
            _known(b.level)
            for b in self.blocks
            if b.kind == "container" and b.lines[0] <= line < b.lines[1]
        ]

    def level_at_line(self, line: int) -> str:
        """The level of the text on ``line`` (0-based): the blocks' around it, and the
        field's unless the field only inherits its level."""
        around = self._containers(line)
        if not around:
            return self.level
        return highest(*around) if self.inherited else highest(self.level, *around)

    def block_level(self, block: MarkedBlock) -> str:
        """What ``block`` is released at: its own level within what holds it."""
        line = block.lines[0]
        if block.kind == "container" or block.level is None:
            return self.level_at_line(line)
        own = _known(block.level)
        around = self._containers(line)
        if self.inherited:
            return highest(own, *around)
        return highest(own, self.level, *around)

    def level_at(self, offset: int) -> str:
        """The level of the text at ``offset``."""
        return self.level_at_line(line_of(self.text, offset))

    def holder_level(self, block: MarkedBlock) -> str | None:
        """The level of what marks the text around ``block`` (an enclosing block, a marked
        portion), or None when only the brief's default does."""
        around = self._containers(block.lines[0])
        if block.kind == "container":
            around = [
                _known(b.level)
                for b in self.blocks
                if b is not block
                and b.kind == "container"
                and b.lines[0] <= block.lines[0]
                and block.lines[1] <= b.lines[1]
            ]
        levels = around if self.inherited else [self.level, *around]
        return highest(*levels) if levels else None


def _known(level: str | None) -> str:
    """A level as written, an unknown one (validation reports it) taken as the most closed."""
    if level is None:
        return TLP_ORDER[0]
    return level if level in TLP_ORDER else TLP_ORDER[-1]


def marked_fields(brief: Brief, mark: Marking) -> Iterator[MarkedField]:
    """Every Markdown field of ``brief`` in reading order, with its level and blocks."""
    for key_path, text in markdown_in_reading_order(brief):
        level = field_level(brief, mark, key_path)
        blocks = tuple(find_marked_blocks(text))
        yield MarkedField(key_path, text, level, blocks, portion_of(key_path) is None)


def target_levels(brief: Brief, mark: Marking) -> dict[str, str]:
    """The level of every cross-reference target (section, annex, figure, table) by its id."""
    levels: dict[str, str] = {}
    for key in ("sections", "appendices"):
        for i, part in enumerate(getattr(brief, key)):
            levels.setdefault(part.id, portion_level(brief, mark, (key, i)))
    for marked in marked_fields(brief, mark):
        figures = [b for b in marked.blocks if b.kind == "figure"]
        for anchor in find_anchors(marked.text):
            level = marked.level_at(anchor.offset)
            if anchor.kind == "figure":
                line = line_of(marked.text, anchor.offset)
                own = next((b for b in figures if b.lines[0] <= line < b.lines[1]), None)
                if own is not None:
                    level = marked.block_level(own)
            levels.setdefault(anchor.id, level)
    if has_evidence(brief):
        # The register is in every edition that keeps one of what it lists.
        listed: list[tuple[str, int]] = [
            ("sources", i) for i, s in enumerate(brief.sources) if s.captures or s.archive_url
        ]
        listed.extend(("custody", i) for i in range(len(brief.custody)))
        lowest = min((portion_level(brief, mark, p) for p in listed), key=tlp_rank)
        levels.setdefault(EVIDENCE_REGISTER, lowest)
    return levels


def source_levels(brief: Brief, mark: Marking) -> dict[str, str]:
    """The level of every source by its id."""
    return {
        source.id: portion_level(brief, mark, ("sources", i))
        for i, source in enumerate(brief.sources)
    }


def portion_marks(brief: Brief, series: Series) -> bool:
    """Whether the report of ``brief`` marks its portions: it holds more than one level, so
    a reader must see which paragraph, item or section is released to whom."""
    mark = marking(brief, series)
    levels = {mark.default}
    for prefix in MARKED_LISTS:
        values = item(brief, prefix)
        assert isinstance(values, list)
        levels.update(portion_level(brief, mark, (*prefix, i)) for i in range(len(values)))
    for marked in marked_fields(brief, mark):
        if marked.key_path in EVERY_EDITION:
            continue
        levels.update(marked.block_level(b) for b in marked.blocks if b.level is not None)
    return len(levels) > 1
