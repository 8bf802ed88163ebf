"""Load a brief and its series registry and check them, reporting every problem at once.

file → :func:`osintkit.loader.load_yaml` → Pydantic models → cross-checks (citations resolve,
source ids are unique, the series exists), each problem located as file:line:column.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from osintkit.captures import CheckedCapture, check_evidence
from osintkit.digests import Digests
from osintkit.errors import (
    MAX_PROBLEMS,
    BriefErrors,
    Diagnostic,
    KeyPath,
    MoreProblems,
    did_you_mean,
    format_key_path,
    quoted,
    shortened,
)
from osintkit.fields import CALENDAR_DAYS, LAST_DAY, MARKDOWN_MAX_LENGTH, iso_day
from osintkit.figures import Figure, load_figures
from osintkit.loader import LoadedDocument, load_yaml, parse_yaml
from osintkit.localization import LabelError, label_pieces
from osintkit.markdown import (
    TLP_LEVELS,
    Xref,
    find_anchors,
    find_citations,
    find_markup_problems,
    find_too_deep,
    find_xrefs,
    is_target_id,
)
from osintkit.models import UNION_TAGS, Brief, markdown_fields
from osintkit.outline import EVIDENCE_REGISTER
from osintkit.paths import find_registry
from osintkit.series import Registry, Series


@dataclass(frozen=True, slots=True)
class LoadedBrief:
    """A valid brief with the series entry it belongs to and the files it came from."""

    path: Path
    brief: Brief
    series: Series
    registry_path: Path
    #: The file as it was read and validated, with the position of every value. Later stages
    #: use this, never a second read of ``path``, which may have changed since (or been
    #: swapped for a symlink to a file outside the folder).
    document: LoadedDocument
    #: The local images the brief's Markdown shows, by their URL there, as checked.
    figures: Mapping[str, Figure] = field(default_factory=dict)
    #: The sources' captures, by their ``file`` as written, as checked: found under the
    #: brief's folder with the SHA-256 the brief gives.
    captures: Mapping[str, CheckedCapture] = field(default_factory=dict)


def load_registry(path: Path) -> dict[str, Series]:
    """Return the series of a registry file by key; raises BriefErrors if it is invalid."""
    document = load_yaml(path)
    if not isinstance(document.data, dict):
        message = "a series registry is a mapping of series keys"
        raise BriefErrors.single(path, message, 1, 1, rule="schema")
    try:
        registry = Registry.model_validate(document.data).root
    except ValidationError as exc:
        raise BriefErrors(_located(exc, document, Registry)) from None
    problems = _contact_text_problems(document, registry)
    if problems:
        raise BriefErrors(problems)
    return registry


#: The slots a series' ``contact_text`` may use.
CONTACT_TEXT_SLOTS = frozenset({"contact", "topic"})


def _contact_text_problems(
    document: LoadedDocument, registry: Mapping[str, Series]
) -> list[Diagnostic]:
    """A ``contact_text`` with a brace that is not a slot, at that brace: every report of the
    series would fail to render, so it fails where it is written."""
    problems = []
    for key, series in registry.items():
        if series.contact_text is None:
            continue
        key_path = (key, "contact_text")
        # The text as written (the model strips it), so the offset is the file's.
        raw = document.data[key].get("contact_text")
        text = raw if isinstance(raw, str) else series.contact_text
        try:
            label_pieces(text, CONTACT_TEXT_SLOTS)
        except LabelError as exc:
            problems.append(document.diagnostic(key_path, "registry", str(exc), exc.offset))
    return problems


def load_brief(
    path: Path,
    registry_path: Path | None = None,
    *,
    digests: Digests | None = None,
    source: str | None = None,
) -> LoadedBrief:
    """Load, validate and cross-check one brief.

    The registry is ``registry_path`` or the nearest ``series.yaml`` above the brief. Every
    capture is hashed, through ``digests`` if given (which remembers files unchanged since),
    else afresh. With ``source``, that text is checked as if it were the file at ``path`` (a
    brief about to be written there). Returns the brief with its series; raises
    :class:`BriefErrors` listing every problem.
    """
    document = load_yaml(path) if source is None else parse_yaml(source, path)
    data = document.data
    if not isinstance(data, dict):
        message = "a brief is a mapping of fields (series:, title:, …)"
        raise BriefErrors.single(path, message, 1, 1, rule="schema")

    problems: list[Diagnostic] = []
    brief: Brief | None = None
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        problems.extend(_located(exc, document, Brief))
    problems.extend(_source_problems(document))
    problems.extend(_document_model_problems(document))
    figures, refused = load_figures(_parseable(markdown_fields(data)), path.parent)
    problems.extend(document.diagnostic(p.key_path, "figure", p.message, p.offset) for p in refused)

    registry_path = registry_path or find_registry(path)
    series: Series | None = None
    key = data.get("series")
    if registry_path is None:
        problems.append(
            document.diagnostic(
                ("series",),
                "registry",
                "no series.yaml found beside the brief or above it",
            )
        )
    elif isinstance(key, str):
        try:
            registry = load_registry(registry_path)
        except BriefErrors as exc:
            # The registry's own problems, listed with the brief's rather than instead of them.
            problems.extend(exc.errors)
            registry = None
        series = registry.get(key) if registry is not None else None
        if registry is not None and series is None:
            hint = did_you_mean(key, registry)
            problems.append(
                document.diagnostic(
                    ("series",),
                    "registry",
                    f"unknown series {quoted(key)} in {registry_path}{hint}",
                )
            )
    problems.extend(_tradecraft_problems(document, series))
    problems.extend(_calendar_problems(document, series, key))
    problems.extend(_bluf_problems(document))
    problems.extend(_label_problems(document))
    if brief is not None and series is not None:
        problems.extend(_tlp_problems(document, brief, series))
    captures: dict[str, CheckedCapture] = {}
    if brief is not None:
        captures, refused_captures = check_evidence(document, brief, digests or Digests())
        problems.extend(refused_captures)
    if problems:
        raise BriefErrors(problems)
    assert brief is not None and series is not None and registry_path is not None
    return LoadedBrief(path, brief, series, registry_path, document, figures, captures)


def _tlp_problems(document: LoadedDocument, brief: Brief, series: Series) -> list[Diagnostic]:
    """Portion markings an edition could not honour: a portion marked above the brief's TLP
    (the full edition), an edition above it, and a portion pointing at a source, figure, table
    or section released only above the portion's own level (the edition would cite or
    refer to something it lacks)."""
    from osintkit.portions import (
        MARKED_LISTS,
        item,
        marked_fields,
        marking,
        source_levels,
        target_levels,
    )
    from osintkit.tradecraft import tlp_above

    mark = marking(brief, series)
    full = f"the brief's TLP:{mark.full}"
    problems: list[Diagnostic] = []

    def above(key_path: KeyPath, what: str, level: str, offset: int | None = None) -> None:
        if tlp_above(level, mark.full):
            message = f"{what} TLP:{level} is above {full}: no edition could hold it"
            problems.append(document.diagnostic(key_path, "tlp", message, offset))

    if brief.portion_default is not None:
        above(("portion_default",), "the portion default", brief.portion_default)
    for i, level in enumerate(brief.editions or []):
        above(("editions", i), "the edition", level)
    for prefix in MARKED_LISTS:
        values = item(brief, prefix)
        assert isinstance(values, list)
        for i, value in enumerate(values):
            if value.tlp is not None:
                above((*prefix, i, "tlp"), "the portion's marking", value.tlp)
    fields = list(marked_fields(brief, mark))
    for marked in fields:
        for block in marked.blocks:
            if block.level is not None and block.level in TLP_LEVELS:
                what = "the block's marking" if block.kind == "container" else "the figure's"
                above(marked.key_path, what, block.level, block.offset)
                holder = marked.holder_level(block)
                if holder is not None and tlp_above(holder, block.level):
                    kind = "a block" if block.kind == "container" else "a figure"
                    message = (
                        f"{kind} marked TLP:{block.level} inside TLP:{holder} text is released "
                        f"only with it: mark it TLP:{holder}, or move it out"
                    )
                    problems.append(
                        document.diagnostic(marked.key_path, "tlp", message, block.offset)
                    )
    sources = source_levels(brief, mark)
    targets = target_levels(brief, mark)
    for marked in fields:
        cited = [(c.source_id, c.offset, "cites the source") for c in find_citations(marked.text)]
        cited.extend((x.target_id, x.offset, "refers to") for x in find_xrefs(marked.text))
        for target_id, offset, verb in cited:
            released = sources.get(target_id) or targets.get(target_id)
            here = marked.level_at(offset)
            if released is not None and tlp_above(released, here):
                message = (
                    f"a TLP:{here} portion {verb} {quoted(shortened(target_id))}, released only "
                    f"at TLP:{released}: mark the citing text TLP:{released} too, or rephrase"
                )
                problems.append(document.diagnostic(marked.key_path, "tlp", message, offset))
    for i, event in enumerate(brief.timeline):
        released = sources.get(event.source or "")
        here = event.tlp or mark.default
        if released is not None and tlp_above(released, here):
            message = (
                f"a TLP:{here} event names the source {quoted(shortened(str(event.source)))}, "
                f"released only at TLP:{released}"
            )
            problems.append(document.diagnostic(("timeline", i, "source"), "tlp", message))
    return problems


def _tradecraft_problems(document: LoadedDocument, series: Series | None) -> list[Diagnostic]:
    """Key judgements in the series' probability yardstick; chronology sources that exist.

    Works on the raw data, like the citation check, so these problems are listed together
    with any others the brief has.
    """
    from osintkit.tradecraft import SCALE_TITLES, SCALES, likelihood

    data = document.data
    pending: list[_Unworded] = []
    scale = series.likelihood_scale if series is not None else "phia"
    terms = [entry.term for entry in SCALES[scale]]
    for i, judgement in enumerate(_dicts(data.get("key_judgements"))):
        term = judgement.get("likelihood")
        if isinstance(term, str) and term.strip() and likelihood(scale, term) is None:
            title = SCALE_TITLES[scale]
            wrong_term = functools.partial(_not_a_term, term, title, terms)
            key_path: KeyPath = ("key_judgements", i, "likelihood")
            pending.append(_unworded(document, key_path, "likelihood", wrong_term))
    ids = {s["id"] for s in _dicts(data.get("sources")) if isinstance(s.get("id"), str)}
    for i, event in enumerate(_dicts(data.get("timeline"))):
        source = event.get("source")
        if isinstance(source, str) and source not in ids:
            no_source = functools.partial(_no_source, "", source, ids)
            pending.append(_unworded(document, ("timeline", i, "source"), "citation", no_source))
    return _worded(document.path, pending)


def _not_a_term(term: str, title: str, terms: list[str]) -> str:
    hint = did_you_mean(term.lower(), terms)
    return f"{quoted(term)} is not a term of the {title} ({', '.join(terms)}){hint}"


def _no_source(what: str, source_id: str, ids: set[str]) -> str:
    return f"{what}names no source{did_you_mean(source_id, ids)}"


@dataclass(frozen=True, slots=True)
class _Unworded:
    """A problem located but not yet worded: a "did you mean" costs time, so only the first
    MAX_PROBLEMS of a check, in file order, are ever worded."""

    line: int
    column: int
    field: str
    rule: str
    word: Callable[[], str]


def _unworded(
    document: LoadedDocument, key_path: KeyPath, rule: str, word: Callable[[], str]
) -> _Unworded:
    line, column = document.locate(key_path)
    return _Unworded(line, column, format_key_path(key_path), rule, word)


def _worded(path: Path, pending: list[_Unworded], unlocated: int = 0) -> list[Diagnostic]:
    """The first MAX_PROBLEMS of ``pending`` in file order, worded; the rest, and ``unlocated``
    more problems, only counted."""
    pending.sort(key=lambda p: (p.line, p.column, p.field))
    problems = [
        Diagnostic(path, p.line, p.column, p.field, p.rule, p.word())
        for p in pending[:MAX_PROBLEMS]
    ]
    more = len(pending[MAX_PROBLEMS:]) + unlocated
    if more:
        problems.append(MoreProblems.counting(path, more))
    return problems


_CALENDAR_NAMES = {"gregorian": "Gregorian", "persian": "Solar Hijri"}


def _calendar_problems(
    document: LoadedDocument, series: Series | None, series_key: Any
) -> list[Diagnostic]:
    """The brief's date within what its calendar (its own, else the series') can write.

    Every report writes the brief's date in its calendar; the Solar Hijri converter knows
    fewer days than Python's dates, and would fail the render of a date this check let by.
    """
    data = document.data
    own = data.get("calendar")
    if isinstance(own, str) and own in CALENDAR_DAYS:
        calendar, origin = own, f"calendar: {own}"
    elif own is None and series is not None:
        calendar = series.calendar
        origin = f"calendar: {calendar} of the series {quoted(str(series_key))}"
    else:
        return []  # an invalid calendar, or no series to take it from: reported elsewhere
    day = iso_day(data.get("date"))
    first, last = CALENDAR_DAYS[calendar]
    if day is None or day > LAST_DAY or first <= day <= last:
        return []  # in range, or not a date the model accepts: it reports those
    bound = f"starts on {first.isoformat()}" if day < first else f"ends on {last.isoformat()}"
    name = _CALENDAR_NAMES[calendar]
    message = f"the {name} calendar ({origin}) {bound}; it cannot write this date"
    return [document.diagnostic(("date",), "date", message)]


#: What ends the bottom line's one paragraph: a blank line before more text, or a line that
#: opens a list, a heading, a quotation, a table or a code block (which the bottom line,
#: set inline after its label, would print as typed).
_NOT_ONE_PARAGRAPH = re.compile(
    r"\n[ \t]*\n\s*(?=\S)|^ {0,3}(?:[-*+][ \t]|1[.)][ \t]|#{1,6}[ \t]|>|\||```|~~~)",
    re.MULTILINE,
)


def _bluf_problems(document: LoadedDocument) -> list[Diagnostic]:
    """A bottom line of more than one paragraph, located where the second block starts."""
    text = document.data.get("bluf")
    if not isinstance(text, str) or len(text) > MARKDOWN_MAX_LENGTH:
        return []
    match = _NOT_ONE_PARAGRAPH.search(text)
    if match is None:
        return []
    offset = match.end() if match.group(0).startswith("\n") else match.start()
    message = (
        "bluf is one short paragraph (no blank line, list, heading, quotation, table or code, "
        "so no footnote either: its definition needs a blank line); the rest belongs in the "
        "executive summary"
    )
    return [document.diagnostic(("bluf",), "markdown", message, offset)]


#: What a writer means as Markdown in a challenge's label, which is printed as plain text.
_MARKUP_IN_LABEL = re.compile(r"\[@|\[\^|!\[|\[[^\]\n]*\]\(")


def _label_problems(document: LoadedDocument) -> list[Diagnostic]:
    """A citation, cross-reference, footnote, image or link written in a challenge's label.

    The label is plain text (it is set in bold before the item), so they would print as
    written, brackets and all, and a citation there would number nothing.
    """
    challenges = document.data.get("challenges")
    items = challenges.get("items") if isinstance(challenges, dict) else None
    problems = []
    for i, item in enumerate(_dicts(items)):
        label = item.get("label")
        if isinstance(label, str) and (match := _MARKUP_IN_LABEL.search(label)):
            problems.append(
                document.diagnostic(
                    ("challenges", "items", i, "label"),
                    "markdown",
                    "a challenge's label is plain text and prints as written: a citation, "
                    "cross-reference, footnote, image or link belongs in its text",
                    match.start(),
                )
            )
    return problems


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The items of a list that are mappings (others are reported by the model)."""
    return (
        [item if isinstance(item, dict) else {} for item in value]
        if isinstance(value, list)
        else []
    )


def _source_problems(document: LoadedDocument) -> list[Diagnostic]:
    """Citations that name no source, source ids given twice, Markdown the report would lose."""
    data = document.data
    sources = data.get("sources")
    ids: set[str] = set()
    problems: list[Diagnostic] = []
    if isinstance(sources, list):
        for i, source in enumerate(sources):
            source_id = source.get("id") if isinstance(source, dict) else None
            if not isinstance(source_id, str):
                continue
            if source_id in ids:
                problems.append(
                    document.diagnostic(
                        ("sources", i, "id"),
                        "source",
                        f"source id {quoted(source_id)} is used twice",
                    )
                )
            ids.add(source_id)
    for key_path, text in _parseable(markdown_fields(data)):
        too_deep = find_too_deep(text)
        if too_deep is not None:
            message = "lists or quotes nested too deeply: the report would lose what they hold"
            problems.append(document.diagnostic(key_path, "markdown", message, too_deep))
    pending: list[_Unworded] = []
    unlocated = 0
    for key_path, text in _parseable(markdown_fields(data)):
        located, more = _unknown_citations(document, key_path, text, ids)
        pending.extend(located)
        unlocated += more
    problems.extend(_worded(document.path, pending, unlocated))
    return problems


def _parseable(fields: Iterable[tuple[KeyPath, str]]) -> Iterator[tuple[KeyPath, str]]:
    """The Markdown fields short enough to parse; the model reports the others, which would
    cost the parser seconds each (a field is capped for that reason)."""
    return ((path, text) for path, text in fields if len(text) <= MARKDOWN_MAX_LENGTH)


def _unknown_citations(
    document: LoadedDocument, key_path: KeyPath, text: str, ids: set[str]
) -> tuple[list[_Unworded], int]:
    """The citations of one field that name no source: the first MAX_PROBLEMS of them located
    (in one pass over the field), and how many more there are. Those come after the first
    MAX_PROBLEMS in file order, so they are never among the problems a list shows."""
    unknown = [c for c in find_citations(text) if c.source_id not in ids]
    shown = unknown[:MAX_PROBLEMS]
    positions = document.locate_offsets(key_path, [c.offset for c in shown])
    field = format_key_path(key_path)
    pending = []
    for citation, (line, column) in zip(shown, positions, strict=True):
        what = f"citation [@{shortened(citation.source_id)}] "
        no_source = functools.partial(_no_source, what, citation.source_id, ids)
        if is_target_id(citation.source_id):
            no_source = functools.partial(_mixed_bracket, citation.source_id)
        pending.append(_Unworded(line, column, field, "citation", no_source))
    return pending, len(unknown) - len(shown)


def _mixed_bracket(target_id: str) -> str:
    return (
        f"[@{shortened(target_id)}] is a cross-reference in a bracket of citations: "
        "give it a bracket of its own"
    )


def _document_model_problems(document: LoadedDocument) -> list[Diagnostic]:
    """Figures, table captions and footnotes the report cannot print as written; ids of
    sections, annexes, figures and tables given twice; cross-references to no target.

    On the raw data, like the citation check, so these are listed with every other problem.
    """
    data = document.data
    problems: list[Diagnostic] = []
    # Where each id is first given, located only when it is given again: locating walks
    # the field up to the offset, which for thousands of figures would be quadratic.
    first: dict[str, tuple[KeyPath, int | None]] = {}

    def define(target_id: str, key_path: KeyPath, offset: int | None) -> None:
        if target_id not in first:
            first[target_id] = (key_path, offset)
            return
        line, column = document.locate(*first[target_id])
        message = f"id {quoted(target_id)} is used twice (first at line {line}, column {column})"
        problems.append(document.diagnostic(key_path, "crossref", message, offset))

    register = _has_evidence(data)
    for key in ("sections", "appendices"):
        for i, item in enumerate(_dicts(data.get(key))):
            target_id = item.get("id")
            if register and target_id == EVIDENCE_REGISTER:
                message = (
                    f"id {quoted(EVIDENCE_REGISTER)} is the evidence register's, the annex this "
                    "brief gets for its captures, archive links and custody: choose another"
                )
                problems.append(document.diagnostic((key, i, "id"), "crossref", message))
            elif isinstance(target_id, str):
                define(target_id, (key, i, "id"), None)
    if register:
        first[EVIDENCE_REGISTER] = (("sources",), None)
    xrefs: list[tuple[KeyPath, list[Xref]]] = []
    for key_path, text in _parseable(markdown_fields(data)):
        for problem in find_markup_problems(text):
            problems.append(
                document.diagnostic(key_path, problem.rule, problem.message, problem.offset)
            )
        for anchor in find_anchors(text):
            define(anchor.id, key_path, anchor.offset)
        # Taken now, while the field's parse is cached; checked once every id is known.
        xrefs.append((key_path, list(find_xrefs(text))))
    pending: list[_Unworded] = []
    unlocated = 0
    for key_path, found in xrefs:
        unknown = [x for x in found if x.target_id not in first]
        shown = unknown[:MAX_PROBLEMS]
        unlocated += len(unknown) - len(shown)
        positions = document.locate_offsets(key_path, [x.offset for x in shown])
        for xref, (line, column) in zip(shown, positions, strict=True):
            word = functools.partial(_no_target, xref.target_id, first.keys())
            pending.append(_Unworded(line, column, format_key_path(key_path), "crossref", word))
    problems.extend(_worded(document.path, pending, unlocated))
    return problems


def _has_evidence(data: Mapping[str, Any]) -> bool:
    """:func:`osintkit.outline.has_evidence` on raw data, so its problems are listed with the
    rest."""
    if isinstance(data.get("custody"), list) and data["custody"]:
        return True
    return any(s.get("captures") or s.get("archive_url") for s in _dicts(data.get("sources")))


def _no_target(target_id: str, ids: Iterable[str]) -> str:
    kinds = "figure ({#fig-…}), table ({#tbl-…}), section or annex (id: sec-…)"
    hint = did_you_mean(target_id, ids)
    return f"cross-reference [@{shortened(target_id)}] points at no {kinds}{hint}"


def _located(
    exc: ValidationError, document: LoadedDocument, model: type[BaseModel]
) -> list[Diagnostic]:
    """Pydantic's errors, located in the file; past MAX_PROBLEMS, only counted.

    Each is located first (cheap) and worded only if it is among the first MAX_PROBLEMS in
    file order: a "did you mean" for each of thousands of unknown fields would take seconds.
    """
    pending = []
    for error in exc.errors(include_url=False):
        loc: KeyPath = tuple(error["loc"])
        # An invalid dict key (a series key) comes with a "[key]" step: point at the key.
        on_key = loc[-1:] == ("[key]",)
        loc = tuple(
            p
            for i, p in enumerate(loc)
            if p != "[key]" and not (p in UNION_TAGS and i and isinstance(loc[i - 1], int))
        )
        kind = error["type"]

        word: Callable[[], str] = functools.partial(_message, error)
        if on_key:
            line, column = document.locate_key(loc)
        elif kind == "extra_forbidden":
            word = functools.partial(_unknown_field, model, loc)
            line, column = document.locate_key(loc)
        elif kind == "missing":
            line, column = document.locate_key(loc[:-1]) if loc[:-1] else (1, 1)
        else:
            line, column = document.locate(loc)
        pending.append(_Unworded(line, column, format_key_path(loc), "schema", word))
    return _worded(document.path, pending)


def _unknown_field(model: type[BaseModel], loc: KeyPath) -> str:
    return f"unknown field{did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]))}"


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "field required"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    text = str(error["msg"])
    if kind == "string_pattern_mismatch":
        text = f"{text} (got {quoted(str(error['input']))})"
    return text[:1].lower() + text[1:]


def _fields_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """Return the field names of the model found by following ``loc`` from ``model``."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, RootModel):
            annotation = _unwrap(annotation.model_fields["root"].annotation)
        if isinstance(part, int) or typing.get_origin(annotation) is dict:
            # A list's items or a dict's values: the last type argument either way.
            args = typing.get_args(annotation)
            annotation = args[-1] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(part)
            annotation = info.annotation if info else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] down to the type that has fields or items."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation
