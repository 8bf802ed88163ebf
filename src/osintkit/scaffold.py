"""Starting points for analysts: the next issue's draft brief, and JSON Schemas for editors."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osintkit.catalogue import Number, brief_paths, next_number
from osintkit.errors import BriefErrors, OsintkitError, did_you_mean
from osintkit.fields import LanguageTag, Line, Volume
from osintkit.loader import load_yaml, text_problem
from osintkit.output import write_atomic, write_new
from osintkit.paths import REGISTRY_FILE_NAME, find_registry

BRIEF_SCHEMA = "brief.schema.json"
REGISTRY_SCHEMA = "series.schema.json"


@dataclass(frozen=True, slots=True)
class NewBrief:
    """A brief ``new`` wrote."""

    path: Path
    number: Number
    description: str


class DraftValueError(OsintkitError):
    """A value given for the draft (its title, language, volume) that no brief can hold."""

    def __init__(self, option: str, reason: str) -> None:
        self.option = option
        self.reason = reason
        super().__init__(f"{option}: {reason}")


def new_brief(
    folder: Path,
    series_key: str,
    title: str | None = None,
    volume: int | None = None,
    language: str = "en",
    today: dt.date | None = None,
) -> NewBrief:
    """Write the draft brief of the next issue of ``series_key`` into ``folder``.

    The issue number is the next free one of ``volume`` (default: the series' latest volume)
    among the briefs already in ``folder``, valid or not. The draft is checked by loading it
    as ``validate`` would before it appears under its name, all at once; the schema files are
    written beside it if missing. Never overwrites a file. Raises :class:`DraftValueError` for
    a title, language or volume a brief cannot hold, :class:`BriefErrors` for an invalid
    registry and :class:`OsintkitError` for an unknown series, a file that exists or a draft
    that would not load.
    """
    from osintkit.validation import load_brief, load_registry

    title = "Untitled draft" if title is None else title
    _check_value("--title", title, Line)
    _check_value("--language", language, LanguageTag)
    if volume is not None:
        _check_value("--volume", volume, Volume)
    registry_path = find_registry(folder) if folder.is_dir() else None
    if registry_path is None:
        raise OsintkitError(f"no {REGISTRY_FILE_NAME} in {folder} or above it")
    registry = load_registry(registry_path)
    series = registry.get(series_key)
    if series is None:
        hint = did_you_mean(series_key, registry)
        known = ", ".join(sorted(registry)) or "none"
        raise OsintkitError(
            f"unknown series {series_key!r} in {registry_path} (known: {known}){hint}"
        )
    number = next_number(_numbers_in(folder), series_key, volume)
    _, vol, issue = number
    path = folder / f"{series_key}-{vol}-{issue}.yaml"
    text = _draft_text(
        number, series.title, series.unit, title, (today or dt.date.today()).isoformat(), language
    )

    def loads(draft: Path) -> None:
        try:
            load_brief(draft, registry_path)
        except BriefErrors as exc:
            first = exc.errors[0].located.replace(str(draft), str(path), 1)
            raise OsintkitError(
                f"the draft would not load ({first}); nothing was written"
            ) from None

    try:
        write_new(path, text.encode("utf-8"), check=loads)
    except FileExistsError:
        raise OsintkitError(f"{path} already exists; it is left as it is") from None
    if not (folder / BRIEF_SCHEMA).exists():
        write_schemas(folder)
    return NewBrief(path, number, f"{series.title}, Volume {vol}, Issue {issue} (draft)")


def _check_value(option: str, value: object, field_type: Any) -> None:
    """Raise DraftValueError unless ``value`` is one the brief's ``field_type`` accepts, and
    text the loader would read back (no control character, non-character or lone surrogate)."""
    from pydantic import TypeAdapter, ValidationError

    problem = text_problem(value) if isinstance(value, str) else None
    if problem is None:
        try:
            TypeAdapter(field_type).validate_python(value)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            text = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            problem = text[:1].lower() + text[1:]
    if problem is not None:
        raise DraftValueError(option, problem)


def write_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schemas of a brief and of the series registry into ``folder``."""
    from osintkit.models import Brief
    from osintkit.series import Registry

    written = []
    for name, schema in (
        (BRIEF_SCHEMA, _schema(Brief.model_json_schema(), "osintkit brief")),
        (REGISTRY_SCHEMA, _schema(Registry.model_json_schema(), "osintkit series registry")),
    ):
        path = folder / name
        write_atomic(path, (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode())
        written.append(path)
    return written


def _schema(schema: dict[str, Any], title: str) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}


def _numbers_in(folder: Path) -> list[Number]:
    """The numbers of the briefs in ``folder``, read from the YAML alone.

    A brief that is invalid elsewhere still holds its number: a new issue must not take it.
    """
    numbers: list[Number] = []
    try:
        paths = brief_paths([folder])
    except BriefErrors:
        return numbers
    for path in paths:
        try:
            data = load_yaml(path).data
        except BriefErrors:
            continue
        if not isinstance(data, dict):
            continue
        series, volume, issue = data.get("series"), data.get("volume"), data.get("issue")
        if isinstance(series, str) and isinstance(volume, int) and isinstance(issue, int):
            numbers.append((series, volume, issue))
    return numbers


def _draft_text(
    number: Number, series_title: str, unit: str, title: str, today: str, language: str
) -> str:
    series_key, volume, issue = number
    # Values are written by the YAML emitter, so whatever they hold stays one value; the
    # series' title from the registry goes into a comment, on one line.
    comment = " ".join(series_title.split())
    year = today[:4]
    return f"""\
# yaml-language-server: $schema={BRIEF_SCHEMA}
# {comment}, Volume {volume}, Issue {issue}: a draft. Fill in every section, run
# `osintkit validate` until it is clean, then set `status: final` to publish it.
# Every optional block is here, commented out: remove the "# " of its lines to use it.
series: {_scalar(series_key, quoted=False)}
volume: {volume}
issue: {issue}
status: draft
title: {_scalar(title)}
# subtitle: "A line under the title"
date: {today}
language: {_scalar(language, quoted=False)}
# calendar: persian          # adds the Solar Hijri date beside the Gregorian one
# tlp: AMBER                 # CLEAR, GREEN, AMBER, AMBER+STRICT or RED; default: the series'
# toc: true                  # a contents list after the title, with page numbers in the PDF
authors:
  - {_scalar(unit)}
  # - name: A. Analyst       # an author with a role, an affiliation and an address
  #   role: Lead analyst
  #   affiliation: {_scalar(unit)}
  #   email: analyst@example.org
keywords: []
# contact_topic: "the topic" # ends the contact line: "… monitoring services regarding <topic>."

# Every prose field is Markdown: paragraphs, *emphasis*, lists, links, and citations of the
# sources below as [@id] or [@id, p. 4].
# bluf: |                    # "Bottom line up front": one short paragraph, first in the summary
#   The one sentence a reader must take away.
executive_summary: |
  Two or three short paragraphs: what happened, why it matters, what to watch.

# key_judgements:            # each with a term of the series' probability yardstick
#   - text: What you judge will happen, and why.
#     likelihood: likely
#     confidence: moderate   # low, moderate or high

background: |
  The facts and the history the reader needs, with their sources.

# timeline:                  # the chronology, after the background; add source: <id> to cite
#   - date: {year}             # a day (2025-01-20), a month (2025-01) or a year
#     event: What happened.

geopolitical_context: |
  The interests of the actors involved, and what they mean for the region.

challenges:
  # title: "Challenges to …"   # the heading; default "Challenges"
  intro: |
    One paragraph before the list.
  items:
    - label: First challenge
      text: What it is and why it matters.

# sections:                  # more sections, each after one of the four above
#   - id: sec-method         # cross-reference it as [@sec-method]
#     title: Method and sources
#     after: background      # executive_summary, background, geopolitical_context or challenges
#     body: |
#       How the brief was researched.

# sources:
#   - id: short-id             # cite it as [@short-id]
#     title: Title of the source
#     publisher: Its publisher
#     url: https://example.org/
#     language: en
#     published: {year}         # a day, a month or a year
#     accessed: {today}
#     reliability: B           # Admiralty grades: reliability A-F, credibility 1-6
#     credibility: 2
#     excerpt: |               # a quotation in the source's own language
#       The words as the source has them.
#     translation: |           # the excerpt in the brief's language
#       The words in the brief's language.

# appendices:                # annexes after the sources: "Annex A: Data tables"
#   - id: sec-annex-data
#     title: Data tables
#     body: |
#       The tables and figures a reader may want apart from the text.

# disclaimer: |              # at the end, before the contact line; default: the series'
#   What the report is not, and who answers for it.
"""


def _scalar(value: str, quoted: bool = True) -> str:
    """``value`` as one YAML scalar on one line, as ruamel's emitter writes it: double-quoted,
    or (``quoted=False``) in the style the emitter picks, plain where plain is safe."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    if quoted:
        yaml.default_style = '"'  # type: ignore[assignment]  # ruamel's annotation is None
    yaml.allow_unicode = True
    yaml.width = 1 << 30  # never folded onto a second line
    stream = io.StringIO()
    yaml.dump(value, stream)
    text = stream.getvalue().removesuffix("\n...\n").rstrip("\n")
    return text if quoted or "\n" not in text else _scalar(value)
