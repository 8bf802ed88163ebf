"""Starting points for analysts: the next issue's draft brief, and JSON Schemas for editors."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from osintkit.catalogue import Number, brief_paths, next_number
from osintkit.errors import BriefErrors, OsintkitError, OutputError, did_you_mean
from osintkit.loader import load_yaml
from osintkit.output import write_atomic
from osintkit.paths import REGISTRY_FILE_NAME, find_registry

BRIEF_SCHEMA = "brief.schema.json"
REGISTRY_SCHEMA = "series.schema.json"


@dataclass(frozen=True, slots=True)
class NewBrief:
    """A brief ``new`` wrote."""

    path: Path
    number: Number
    description: str


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
    among the briefs already in ``folder``, valid or not. The schema files are written
    beside it if missing. Never overwrites a file. Raises :class:`BriefErrors` for an invalid
    registry and :class:`OsintkitError` for an unknown series or a file that exists.
    """
    from osintkit.validation import load_registry

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
        number,
        series.title,
        series.unit,
        title or "Untitled draft",
        (today or dt.date.today()).isoformat(),
        language,
    )
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise OsintkitError(f"{path} already exists; it is left as it is") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not (folder / BRIEF_SCHEMA).exists():
        write_schemas(folder)
    return NewBrief(path, number, f"{series.title}, Volume {vol}, Issue {issue} (draft)")


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
    # JSON strings are YAML double-quoted strings: any title is written safely.
    quoted_title, quoted_unit = json.dumps(title, ensure_ascii=False), json.dumps(unit)
    return f"""\
# yaml-language-server: $schema={BRIEF_SCHEMA}
# {series_title}, Volume {volume}, Issue {issue}: a draft. Fill in every section, run
# `osintkit validate` until it is clean, then set `status: final` to publish it.
series: {series_key}
volume: {volume}
issue: {issue}
status: draft
title: {quoted_title}
# subtitle: ""
date: {today}
language: {language}
# calendar: persian          # adds the Solar Hijri date beside the Gregorian one
authors: [{quoted_unit}]
keywords: []
# contact_topic: ""          # ends the contact line: "… monitoring services regarding <topic>."

# Every prose field is Markdown: paragraphs, *emphasis*, lists, links, and citations of the
# sources below as [@id] or [@id, p. 4].
executive_summary: |
  Two or three short paragraphs: what happened, why it matters, what to watch.

background: |
  The facts and the history the reader needs, with their sources.

geopolitical_context: |
  The interests of the actors involved, and what they mean for the region.

challenges:
  # title: "Challenges to …"   # the heading; default "Challenges"
  intro: |
    One paragraph before the list.
  items:
    - label: First challenge
      text: What it is and why it matters.

sources: []
#  - id: short-id                # cite it as [@short-id]
#    title: ""
#    publisher: ""
#    url: https://
#    language: en
#    accessed: {today}
#    excerpt: |                  # a quotation in the source's own language
#      …
"""
