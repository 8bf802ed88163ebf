"""An edition of a brief for one audience: the brief with every portion above its level removed.

:func:`derive` is the whole derivation, on data: (a validated brief, a level) → the brief of
that edition, which then renders through the one pipeline unchanged, so citations, figures,
tables and annexes are numbered afresh and run without gaps. Markdown is cut by the line
ranges the parser gives each ``::: {tlp=…}`` block and figure (never by a pattern on the
rendered HTML). :func:`edition_of` does it for a loaded brief and gives the edition its own
file name (``brief.clear.yaml``, so ``brief.clear.pdf``) and its own redacted brief, written
from data, which is what a PDF/A-3b attaches: comments of the YAML file never reach an edition.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from osintkit.captures import normalised_file
from osintkit.errors import BriefErrors, Diagnostic, KeyPath, format_key_path, quoted, shortened
from osintkit.fields import Tlp
from osintkit.loader import parse_yaml
from osintkit.markdown import (
    find_anchors,
    find_citations,
    find_images,
    find_markup_problems,
    find_xrefs,
    line_of,
    split_lines,
)
from osintkit.models import Brief
from osintkit.outline import EVIDENCE_REGISTER, has_evidence, markdown_in_reading_order
from osintkit.portions import (
    MARKED_LISTS,
    MarkedField,
    Marking,
    item,
    marked_fields,
    marking,
    portion_level,
    portion_of,
)
from osintkit.tradecraft import tlp_above
from osintkit.validation import LoadedBrief


@dataclass(frozen=True, slots=True)
class Removed:
    """A portion an edition left out, and what it said (for the leak check)."""

    #: Where it is in the full brief: ("key_judgements", 1), ("background",).
    key_path: KeyPath
    text: str
    #: The lines of its field it held (0-based, end excluded); None for a whole portion.
    lines: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Dangling:
    """Kept text pointing at something the edition removed, located in the full brief."""

    key_path: KeyPath
    #: In the field's text as the full brief has it.
    offset: int
    message: str


@dataclass(frozen=True, slots=True)
class Edition:
    """The brief of one edition and what was left out to make it."""

    level: str
    #: Whether this is the full edition (the brief's own TLP): nothing removed.
    full: bool
    brief: Brief
    removed: tuple[Removed, ...]
    dangling: tuple[Dangling, ...] = ()


def suffix(level: str) -> str:
    """What an edition adds to file names: "clear", "amber-strict"."""
    return level.lower().replace("+", "-")


def derive(brief: Brief, mark: Marking, level: str) -> Edition:
    """Return the edition of ``brief`` (marked as ``mark``) for an audience cleared to ``level``.

    The portions above ``level`` go (items, events, sources, sections and annexes marked above
    it, ``::: {tlp=…}`` blocks and figures), a source cited only from them goes, and so does a
    section, item or event left with no text. The edition is marked ``level``. What kept text
    points at and the edition lacks is listed in ``Edition.dangling``, never silently dropped.
    """
    if not tlp_above(mark.full, level):
        return Edition(mark.full, True, brief, ())
    removed: list[Removed] = []
    dropped: set[KeyPath] = set()
    for prefix in MARKED_LISTS:
        values = item(brief, prefix)
        assert isinstance(values, list)
        for i, value in enumerate(values):
            if tlp_above(portion_level(brief, mark, (*prefix, i)), level):
                dropped.add((*prefix, i))
                removed.append(Removed((*prefix, i), "\n".join(strings(value))))
    # Each kept field's text for the edition, with the full text's line of each kept line.
    texts: dict[KeyPath, str] = {}
    line_maps: dict[KeyPath, tuple[str, list[int]]] = {}
    for marked in marked_fields(brief, mark):
        if portion_of(marked.key_path) in dropped:
            continue
        lines = split_lines(marked.text)
        gone = {n for n in range(len(lines)) if tlp_above(marked.level_at_line(n), level)}
        for block in marked.blocks:
            if block.kind == "figure" and tlp_above(marked.block_level(block), level):
                gone.update(range(*block.lines))
        if not gone:
            continue
        for start, end in _merged((n, n + 1) for n in gone):
            removed.append(Removed(marked.key_path, "".join(lines[start:end]), (start, end)))
        kept = [n for n in range(len(lines)) if n not in gone]
        texts[marked.key_path] = "".join(lines[n] for n in kept).strip("\n")
        line_maps[marked.key_path] = (marked.text, kept)
    edition = brief
    for key_path, text in texts.items():
        edition = _with(edition, key_path, text)
    edition = _without(edition, dropped, removed)
    edition = _without_sources(brief, edition, removed)
    edition = _without_custody_of_removed(brief, edition, removed)
    edition = edition.model_copy(
        update={
            "tlp": level,
            "portion_default": (
                None
                if brief.portion_default is None or not tlp_above(level, brief.portion_default)
                else brief.portion_default
            ),
            "editions": None,
        }
    )
    dangling = tuple(
        replace(d, message=f"in the TLP:{level} edition, {d.message}")
        for d in _dangling(edition, line_maps)
    )
    return Edition(level, False, edition, tuple(removed), dangling)


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Line ranges joined where they overlap (a figure inside a removed block)."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def strings(value: Any) -> Iterator[str]:
    """Every string ``value`` (a brief, a portion) holds: text, labels, titles, excerpts."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from strings(getattr(value, name))
    elif isinstance(value, list | tuple):
        for entry in value:
            yield from strings(entry)


def _with(value: Any, key_path: KeyPath, new: Any) -> Any:
    """``value`` (a model or list) with ``new`` at ``key_path``; nothing else copied."""
    if not key_path:
        return new
    head, rest = key_path[0], key_path[1:]
    if isinstance(value, list):
        assert isinstance(head, int)
        items = list(value)
        items[head] = _with(items[head], rest, new)
        return items
    assert isinstance(head, str)
    return value.model_copy(update={head: _with(getattr(value, head), rest, new)})


#: The text field of each marked list's items: an item whose text was all cut goes too.
_TEXT_OF: dict[KeyPath, str] = {
    ("key_judgements",): "text",
    ("challenges", "items"): "text",
    ("timeline",): "event",
    ("sections",): "body",
    ("appendices",): "body",
}


def _without(brief: Brief, dropped: set[KeyPath], removed: list[Removed]) -> Brief:
    """``brief`` without the dropped list items, nor those whose text was all cut."""
    for prefix in MARKED_LISTS:
        values = item(brief, prefix)
        assert isinstance(values, list)
        text_field = _TEXT_OF.get(prefix)
        kept = []
        for i, value in enumerate(values):
            if (*prefix, i) in dropped:
                continue
            if text_field is not None and not str(getattr(value, text_field)).strip():
                # Its text went with a marked block; its title or label goes with it.
                removed.append(Removed((*prefix, i), "\n".join(strings(value))))
                continue
            kept.append(value)
        brief = _with(brief, prefix, kept)
    return brief


def _cited(brief: Brief) -> set[str]:
    ids = {
        c.source_id for _, text in markdown_in_reading_order(brief) for c in find_citations(text)
    }
    ids.update(event.source for event in brief.timeline if event.source)
    return ids


def _without_sources(full: Brief, edition: Brief, removed: list[Removed]) -> Brief:
    """The edition without the sources cited in the full brief only from removed portions."""
    before, after = _cited(full), _cited(edition)
    # Located in the full brief, whose list still holds the sources dropped before.
    index = {id(source): i for i, source in enumerate(full.sources)}
    kept = []
    for source in edition.sources:
        if source.id in before and source.id not in after:
            removed.append(Removed(("sources", index[id(source)]), "\n".join(strings(source))))
        else:
            kept.append(source)
    return edition.model_copy(update={"sources": kept})


def _without_custody_of_removed(full: Brief, edition: Brief, removed: list[Removed]) -> Brief:
    """The edition's chain of custody naming only the captures of the sources it keeps: an
    entry loses the files of removed sources, and an entry that named only those goes (its
    file names would tell what the edition removed). An entry naming no file stays."""
    # Compared as validation compares them: "./evidence/a.txt" names "evidence/a.txt".
    kept_files = {
        normalised_file(capture.file) for source in edition.sources for capture in source.captures
    }
    index = {id(entry): i for i, entry in enumerate(full.custody)}
    custody = []
    for entry in edition.custody:
        files = [f for f in entry.files if normalised_file(f) in kept_files]
        if entry.files and not files:
            removed.append(Removed(("custody", index[id(entry)]), "\n".join(strings(entry))))
        elif files != entry.files:
            custody.append(entry.model_copy(update={"files": files}))
        else:
            custody.append(entry)
    return edition.model_copy(update={"custody": custody})


def _dangling(
    edition: Brief, line_maps: dict[KeyPath, tuple[str, list[int]]]
) -> Iterator[Dangling]:
    """What the edition's text points at and the edition lacks, located in the full text."""
    targets = {part.id for part in edition.sections} | {part.id for part in edition.appendices}
    if has_evidence(edition):
        targets.add(EVIDENCE_REGISTER)
    sources = {source.id for source in edition.sources}
    fields = list(markdown_in_reading_order(edition))
    for _key_path, text in fields:
        targets.update(anchor.id for anchor in find_anchors(text))
    for key_path, text in fields:

        def at(offset: int, key_path: KeyPath = key_path, text: str = text) -> int:
            return _full_offset(line_maps.get(key_path), text, offset)

        for xref in find_xrefs(text):
            if xref.target_id not in targets:
                yield Dangling(
                    key_path,
                    at(xref.offset),
                    f"the cross-reference [@{shortened(xref.target_id)}] points at a portion "
                    f"this edition removes: mark this text at its level too, or rephrase",
                )
        for citation in find_citations(text):
            if citation.source_id not in sources:
                yield Dangling(
                    key_path,
                    at(citation.offset),
                    f"the citation [@{shortened(citation.source_id)}] names a source this "
                    "edition removes",
                )
        for problem in find_markup_problems(text):
            yield Dangling(key_path, at(problem.offset), problem.message)
    for i, event in enumerate(edition.timeline):
        if event.source and event.source not in sources:
            message = f"the source {quoted(event.source)} is removed from this edition"
            yield Dangling(("timeline", i, "source"), -1, message)


def _full_offset(line_map: tuple[str, list[int]] | None, text: str, offset: int) -> int:
    """Where ``offset`` of an edition's field text is in the full brief's text."""
    if line_map is None:
        return offset
    full_text, kept = line_map
    # The edition's text lost its leading blank lines (strip): count them back.
    lines = split_lines(full_text)
    joined = "".join(lines[n] for n in kept)
    lead = len(joined) - len(joined.lstrip("\n"))
    offset += lead
    line = line_of(joined, offset)
    column = offset - sum(len(lines[n]) for n in kept[:line])
    full_line = kept[min(line, len(kept) - 1)] if kept else 0
    return sum(len(lines[n]) for n in range(full_line)) + column


@dataclass(frozen=True, slots=True)
class EditionBrief:
    """A loaded brief's edition, ready for the pipeline, with what was removed to make it."""

    loaded: LoadedBrief
    edition: Edition


def edition_of(loaded: LoadedBrief, level: Tlp) -> EditionBrief:
    """The edition of ``loaded`` for ``level``, as a LoadedBrief the pipeline renders.

    The full edition (the brief's TLP) is ``loaded`` itself. Any other is named after the
    brief with the level before its extension (``brief.clear.yaml``, so its outputs are
    ``brief.clear.pdf`` …); its document is the redacted brief written from data. Raises
    BriefErrors for an edition above the brief's TLP, or kept text pointing at a removed
    portion, located in the brief.
    """
    mark = marking(loaded.brief, loaded.series)
    if tlp_above(level, mark.full):
        message = (
            f"no TLP:{level} edition: the brief's TLP is {mark.full}, the full edition, "
            f"and an edition holds no more than it"
        )
        raise BriefErrors([loaded.document.diagnostic(("tlp",), "tlp", message)])
    edition = derive(loaded.brief, mark, level)
    if edition.full:
        return EditionBrief(loaded, edition)
    if edition.dangling:
        raise BriefErrors([_diagnostic(loaded, d) for d in edition.dangling])
    path = edition_path(loaded, level)
    document = parse_yaml(redacted_yaml(edition.brief), path)
    shown = {
        image.src
        for _, text in markdown_in_reading_order(edition.brief)
        for image in find_images(text)
    }
    figures = {src: figure for src, figure in loaded.figures.items() if src in shown}
    return EditionBrief(
        replace(loaded, path=path, brief=edition.brief, document=document, figures=figures), edition
    )


def edition_path(loaded: LoadedBrief, level: str) -> Path:
    """The brief file the edition of ``loaded`` for ``level`` is named after, as its outputs
    are: ``brief.clear.yaml``, or the brief's own path for the full edition (its TLP)."""
    if not tlp_above(marking(loaded.brief, loaded.series).full, level):
        return loaded.path
    return loaded.path.with_name(f"{loaded.path.stem}.{suffix(level)}{loaded.path.suffix}")


def _diagnostic(loaded: LoadedBrief, dangling: Dangling) -> Diagnostic:
    offset = dangling.offset if dangling.offset >= 0 else None
    return loaded.document.diagnostic(dangling.key_path, "tlp", dangling.message, offset)


def redacted_yaml(brief: Brief) -> str:
    """``brief`` as a YAML file, written from its data: what an edition's PDF attaches."""
    from ruamel.yaml import YAML
    from ruamel.yaml.scalarstring import LiteralScalarString

    def literal(value: Any) -> Any:
        if isinstance(value, str) and "\n" in value:
            return LiteralScalarString(value)
        if isinstance(value, dict):
            return {key: literal(entry) for key, entry in value.items()}
        if isinstance(value, list):
            return [literal(entry) for entry in value]
        return value

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    data = brief.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data = {"series": brief.series, "volume": brief.volume, "issue": brief.issue, **data}
    stream = io.StringIO()
    yaml.dump(literal(data), stream)
    return stream.getvalue()


@dataclass(frozen=True, slots=True)
class Placed:
    """A portion of the full brief, where it is written, as ``validate --editions`` lists it."""

    line: int
    column: int
    #: "key_judgements[1]", "::: {tlp=AMBER} block in executive_summary".
    what: str
    level: str


@dataclass(frozen=True, slots=True)
class Shape:
    """What one edition of a brief holds: its portions kept and removed, in file order."""

    level: str
    full: bool
    #: The name its files take: "editions.clear" (the full edition: the brief's stem).
    stem: str
    kept: tuple[Placed, ...]
    removed: tuple[Placed, ...]
    #: Kept text pointing at something the edition removes: the edition cannot render.
    problems: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class _Portion:
    key_path: KeyPath
    #: The lines of its field a marked block or figure holds; None for a list item, or for
    #: the unmarked text of a fixed section (``fixed``).
    lines: tuple[int, int] | None
    placed: Placed
    fixed: bool = False

    def removed_from(self, edition: Edition) -> bool:
        if self.fixed:
            return not edition.full and tlp_above(self.placed.level, edition.level)
        return _gone(edition, self.key_path, self.lines)


def shapes(loaded: LoadedBrief) -> list[Shape]:
    """Every edition ``loaded`` lists (``editions``, and the full one), most open first."""
    brief, document = loaded.brief, loaded.document
    mark = marking(brief, loaded.series)
    portions: list[_Portion] = []
    for prefix in MARKED_LISTS:
        values = item(brief, prefix)
        assert isinstance(values, list)
        for i in range(len(values)):
            key_path = (*prefix, i)
            line, column = document.locate(key_path)
            level = portion_level(brief, mark, key_path)
            placed = Placed(line, column, format_key_path(key_path), level)
            portions.append(_Portion(key_path, None, placed))
    for marked in marked_fields(brief, mark):
        name = format_key_path(marked.key_path)
        if marked.inherited and _unmarked(marked):
            # A fixed section's unmarked text: a portion of its own, at the brief's default.
            line, column = document.locate(marked.key_path)
            placed = Placed(line, column, f"{name} (unmarked text)", marked.level)
            portions.append(_Portion(marked.key_path, None, placed, fixed=True))
        for block in marked.blocks:
            if block.kind == "figure" and block.level is None:
                continue  # unmarked: part of its field, not a portion of its own
            line, column = document.locate(marked.key_path, block.offset)
            kind = f"::: {{tlp={block.level}}} block" if block.kind == "container" else "figure"
            placed = Placed(line, column, f"{kind} in {name}", marked.block_level(block))
            portions.append(_Portion(marked.key_path, block.lines, placed))
    portions.sort(key=lambda p: (p.placed.line, p.placed.column))
    result = []
    for level in mark.editions:
        edition = derive(brief, mark, level)
        removed = tuple(p.placed for p in portions if p.removed_from(edition))
        kept = tuple(p.placed for p in portions if not p.removed_from(edition))
        stem = loaded.path.stem if edition.full else f"{loaded.path.stem}.{suffix(level)}"
        problems = tuple(_diagnostic(loaded, d) for d in edition.dangling)
        result.append(Shape(level, edition.full, stem, kept, removed, problems))
    return result


def _unmarked(marked: MarkedField) -> bool:
    """Whether a field holds text outside its ``::: {tlp=…}`` blocks."""
    inside = {n for b in marked.blocks if b.kind == "container" for n in range(*b.lines)}
    lines = split_lines(marked.text)
    return any(line.strip() for n, line in enumerate(lines) if n not in inside)


def _gone(edition: Edition, key_path: KeyPath, lines: tuple[int, int] | None) -> bool:
    """Whether the edition removed the portion at ``key_path`` (``lines`` of it, if given)."""
    items = {r.key_path for r in edition.removed if r.lines is None}
    if key_path in items or portion_of(key_path) in items:
        return True
    if lines is None:
        return False
    cut = {
        n for r in edition.removed if r.key_path == key_path and r.lines for n in range(*r.lines)
    }
    return all(n in cut for n in range(*lines))
