"""Load a brief and its series registry and check them, reporting every problem at once.

file → :func:`osintkit.loader.load_yaml` → Pydantic models → cross-checks (citations resolve,
source ids are unique, the series exists), each problem located as file:line:column.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from osintkit.errors import BriefError, BriefErrors, KeyPath, did_you_mean, format_key_path
from osintkit.fields import CALENDAR_DAYS, LAST_DAY, iso_day
from osintkit.loader import LoadedDocument, load_yaml
from osintkit.markdown import find_citations, find_too_deep
from osintkit.models import Brief, markdown_fields
from osintkit.series import Registry, Series, find_registry


@dataclass(frozen=True, slots=True)
class LoadedBrief:
    """A valid brief with the series entry it belongs to and the files it came from."""

    path: Path
    brief: Brief
    series: Series
    registry_path: Path


def load_registry(path: Path) -> dict[str, Series]:
    """Return the series of a registry file by key; raises BriefErrors if it is invalid."""
    document = load_yaml(path)
    if not isinstance(document.data, dict):
        raise BriefErrors.single(path, "a series registry is a mapping of series keys", 1, 1)
    try:
        return Registry.model_validate(document.data).root
    except ValidationError as exc:
        raise BriefErrors(_located(exc, document, Registry)) from None


def load_brief(path: Path, registry_path: Path | None = None) -> LoadedBrief:
    """Load, validate and cross-check one brief.

    The registry is ``registry_path`` or the nearest ``series.yaml`` above the brief.
    Returns the brief with its series; raises :class:`BriefErrors` listing every problem.
    """
    document = load_yaml(path)
    data = document.data
    if not isinstance(data, dict):
        raise BriefErrors.single(path, "a brief is a mapping of fields (series:, title:, …)", 1, 1)

    problems: list[BriefError] = []
    brief: Brief | None = None
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        problems.extend(_located(exc, document, Brief))
    problems.extend(_source_problems(document))

    registry_path = registry_path or find_registry(path)
    series: Series | None = None
    key = data.get("series")
    if registry_path is None:
        problems.append(
            _at(document, ("series",), "no series.yaml found beside the brief or above it")
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
                _at(
                    document, ("series",), f"unknown series {_quoted(key)} in {registry_path}{hint}"
                )
            )
    problems.extend(_tradecraft_problems(document, series))
    problems.extend(_calendar_problems(document, series, key))
    if problems:
        raise BriefErrors(problems)
    assert brief is not None and series is not None and registry_path is not None
    return LoadedBrief(path, brief, series, registry_path)


def _tradecraft_problems(document: LoadedDocument, series: Series | None) -> list[BriefError]:
    """Key judgements in the series' probability yardstick; chronology sources that exist.

    Works on the raw data, like the citation check, so these problems are listed together
    with any others the brief has.
    """
    from osintkit.tradecraft import SCALE_TITLES, SCALES, likelihood

    data = document.data
    problems = []
    scale = series.likelihood_scale if series is not None else "phia"
    terms = [entry.term for entry in SCALES[scale]]
    for i, judgement in enumerate(_dicts(data.get("key_judgements"))):
        term = judgement.get("likelihood")
        if isinstance(term, str) and term.strip() and likelihood(scale, term) is None:
            hint = did_you_mean(term.lower(), terms)
            problems.append(
                _at(
                    document,
                    ("key_judgements", i, "likelihood"),
                    f"{_quoted(term)} is not a term of the {SCALE_TITLES[scale]} "
                    f"({', '.join(terms)}){hint}",
                )
            )
    ids = {s["id"] for s in _dicts(data.get("sources")) if isinstance(s.get("id"), str)}
    for i, event in enumerate(_dicts(data.get("timeline"))):
        source = event.get("source")
        if isinstance(source, str) and source not in ids:
            hint = did_you_mean(source, ids)
            problems.append(_at(document, ("timeline", i, "source"), f"names no source{hint}"))
    return problems


_CALENDAR_NAMES = {"gregorian": "Gregorian", "persian": "Solar Hijri"}


def _calendar_problems(
    document: LoadedDocument, series: Series | None, series_key: Any
) -> list[BriefError]:
    """The brief's date within what its calendar (its own, else the series') can write.

    Every report writes the brief's date in its calendar; the Solar Hijri converter knows
    fewer days than Python's dates, and would fail the render of a date this check let by.
    """
    data = document.data
    own = data.get("calendar")
    if own in CALENDAR_DAYS:
        calendar, origin = own, f"calendar: {own}"
    elif own is None and series is not None:
        calendar = series.calendar
        origin = f"calendar: {calendar} of the series {_quoted(str(series_key))}"
    else:
        return []  # an invalid calendar, or no series to take it from: reported elsewhere
    day = iso_day(data.get("date"))
    first, last = CALENDAR_DAYS[calendar]
    if day is None or day > LAST_DAY or first <= day <= last:
        return []  # in range, or not a date the model accepts: it reports those
    bound = f"starts on {first.isoformat()}" if day < first else f"ends on {last.isoformat()}"
    name = _CALENDAR_NAMES[calendar]
    message = f"the {name} calendar ({origin}) {bound}; it cannot write this date"
    return [_at(document, ("date",), message)]


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The items of a list that are mappings (others are reported by the model)."""
    return (
        [item if isinstance(item, dict) else {} for item in value]
        if isinstance(value, list)
        else []
    )


def _at(
    document: LoadedDocument, key_path: KeyPath, message: str, offset: int | None = None
) -> BriefError:
    line, column = document.locate(key_path, offset)
    return BriefError(document.path, line, column, format_key_path(key_path), message)


def _source_problems(document: LoadedDocument) -> list[BriefError]:
    """Citations that name no source, source ids given twice, Markdown the report would lose."""
    data = document.data
    sources = data.get("sources")
    ids: set[str] = set()
    problems: list[BriefError] = []
    if isinstance(sources, list):
        for i, source in enumerate(sources):
            source_id = source.get("id") if isinstance(source, dict) else None
            if not isinstance(source_id, str):
                continue
            if source_id in ids:
                problems.append(
                    _at(
                        document,
                        ("sources", i, "id"),
                        f"source id {_quoted(source_id)} is used twice",
                    )
                )
            ids.add(source_id)
    excerpts = [
        (("sources", i, "excerpt"), source["excerpt"])
        for i, source in enumerate(sources if isinstance(sources, list) else [])
        if isinstance(source, dict) and isinstance(source.get("excerpt"), str)
    ]
    for key_path, text in [*markdown_fields(data), *excerpts]:
        too_deep = find_too_deep(text)
        if too_deep is not None:
            message = "lists or quotes nested too deeply: the report would lose what they hold"
            problems.append(_at(document, key_path, message, too_deep))
    for key_path, text in markdown_fields(data):
        for citation in find_citations(text):
            if citation.source_id not in ids:
                hint = did_you_mean(citation.source_id, ids)
                problems.append(
                    _at(
                        document,
                        key_path,
                        f"citation [@{_shortened(citation.source_id)}] names no source{hint}",
                        citation.offset,
                    )
                )
    return problems


def _located(
    exc: ValidationError, document: LoadedDocument, model: type[BaseModel]
) -> list[BriefError]:
    problems = []
    for error in exc.errors(include_url=False):
        loc: KeyPath = tuple(error["loc"])
        # An invalid dict key (a series key) comes with a "[key]" step: point at the key.
        on_key = loc[-1:] == ("[key]",)
        loc = tuple(p for p in loc if p != "[key]")
        kind = error["type"]
        message = _message(error)
        if on_key:
            line, column = document.locate_key(loc)
        elif kind == "extra_forbidden":
            known = _fields_at(model, loc[:-1])
            message = f"unknown field{did_you_mean(str(loc[-1]), known)}"
            line, column = document.locate_key(loc)
        elif kind == "missing":
            line, column = document.locate_key(loc[:-1]) if loc[:-1] else (1, 1)
        else:
            line, column = document.locate(loc)
        problems.append(BriefError(document.path, line, column, format_key_path(loc), message))
    return problems


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "field required"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    text = str(error["msg"])
    if kind == "string_pattern_mismatch":
        text = f"{text} (got {_quoted(str(error['input']))})"
    return text[:1].lower() + text[1:]


#: Characters of a value quoted in a message: enough to recognise it, never a flood.
_QUOTE_LIMIT = 60


def _shortened(value: str) -> str:
    return value if len(value) <= _QUOTE_LIMIT else value[:_QUOTE_LIMIT] + "…"


def _quoted(value: str) -> str:
    """``value`` in quotes for a message, cut short when a hostile brief makes it huge."""
    return repr(value) if len(value) <= _QUOTE_LIMIT else repr(value[:_QUOTE_LIMIT]) + "…"


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
