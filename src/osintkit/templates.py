"""Report templates: where they are, one Jinja2 environment each, and their labels per language.

A template is a folder holding ``report.html.j2``, ``report.css``, ``labels/<lang>.yaml`` and an
optional ``template.yaml`` with a one-line description.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from osintkit.errors import BriefErrors, TemplateError
from osintkit.loader import load_yaml

TEMPLATE_FILE = "report.html.j2"
STYLESHEET_FILE = "report.css"
DEFAULT_LANGUAGE = "en"
_REQUIRED = (TEMPLATE_FILE, STYLESHEET_FILE, f"labels/{DEFAULT_LANGUAGE}.yaml")

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def builtin_template_dirs() -> list[Path]:
    """Return the folders that hold the templates shipped with osintkit.

    An installed wheel carries them inside the package; a checkout (or an editable install)
    has them at the repository root.
    """
    package = Path(__file__).resolve().parent
    candidates = [package / "report_templates", package.parents[1] / "report_templates"]
    return [c for c in candidates if c.is_dir()]


@dataclass(frozen=True, slots=True)
class ReportTemplate:
    """A template folder, checked to hold the files a report needs."""

    name: str
    folder: Path

    @property
    def description(self) -> str:
        """The one-line description from ``template.yaml``, or "" if there is none."""
        meta = self.folder / "template.yaml"
        if not meta.is_file():
            return ""
        try:
            data = load_yaml(meta).data
        except BriefErrors:
            return ""
        return str(data.get("description", "")) if isinstance(data, dict) else ""

    def stylesheet(self) -> str:
        """Return the template's CSS text."""
        return _read(self.folder / STYLESHEET_FILE)

    def labels(self, language: str) -> dict[str, Any]:
        """Return the labels for ``language`` (e.g. "fa-IR" → fa.yaml), English filling gaps."""
        labels = dict(_labels(self.folder / "labels" / f"{DEFAULT_LANGUAGE}.yaml"))
        primary = language.split("-")[0].lower()
        own = self.folder / "labels" / f"{primary}.yaml"
        if primary != DEFAULT_LANGUAGE and own.is_file():
            labels.update(_labels(own))
        return labels

    def environment(self) -> jinja2.Environment:
        """Return the template's Jinja2 environment (one per folder, reused across renders)."""
        return _environment(self.folder)


def find_template(name_or_path: str, search_from: Path | None = None) -> ReportTemplate:
    """Return the template named ``name_or_path`` or found at that path.

    A value with a path separator or starting with "." is a folder path, relative to
    ``search_from`` (the registry's folder) when not absolute. A bare name is looked up in
    ``report_templates/`` beside ``search_from`` or its parent, then among the built-in ones.
    Raises :class:`TemplateError` if there is no such template or it lacks a required file.
    """
    base = search_from or Path.cwd()
    if "/" in name_or_path or name_or_path.startswith("."):
        folder = Path(name_or_path).expanduser()
        folder = folder if folder.is_absolute() else base / folder
        return _checked(folder.name, folder)
    roots = [base / "report_templates", base.parent / "report_templates", *builtin_template_dirs()]
    for root in roots:
        if (root / name_or_path).is_dir():
            return _checked(name_or_path, root / name_or_path)
    known = ", ".join(sorted(t.name for t in list_templates())) or "none"
    raise TemplateError(f"no template named {name_or_path!r} (known: {known})")


def list_templates() -> list[ReportTemplate]:
    """Return the built-in templates, by name."""
    found: dict[str, ReportTemplate] = {}
    for root in builtin_template_dirs():
        for folder in sorted(root.iterdir()):
            if folder.is_dir() and folder.name not in found and (folder / TEMPLATE_FILE).is_file():
                found[folder.name] = ReportTemplate(folder.name, folder.resolve())
    return list(found.values())


def _checked(name: str, folder: Path) -> ReportTemplate:
    if not folder.is_dir():
        raise TemplateError(f"template folder {folder} does not exist")
    missing = [f for f in _REQUIRED if not (folder / f).is_file()]
    if missing:
        raise TemplateError(f"template {folder} lacks {', '.join(missing)}")
    return ReportTemplate(name, folder.resolve())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read {path}: {exc}") from None


@cache
def _labels(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path).data
    except BriefErrors as exc:
        raise TemplateError(str(exc)) from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: labels are a mapping of names to text")
    return data


def css_string(value: str) -> Markup:
    """Return ``value`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;!?()-_'’/" or ord(ch) > 127 else f"\\{ord(ch):x} "
        for ch in str(value)
    )
    return Markup(f'"{escaped}"')


def fill(label: str, **values: Any) -> Markup:
    """Return ``label`` with its ``{name}`` slots filled; text is escaped, Markup kept as is."""
    return Markup(escape(label).format(**values))


def long_date(value: dt.date) -> str:
    """Return a date as "20 January 2025"."""
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


@cache
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["fill"] = fill
    env.filters["long_date"] = long_date
    return env
