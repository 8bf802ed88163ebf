"""Report templates: where they are, one Jinja2 environment each, and their labels per language.

A template is a folder holding ``report.html.j2``, ``report.css``, ``labels/<lang>.yaml`` and an
optional ``template.yaml`` with a one-line description.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from osintkit.errors import BriefErrors, TemplateError
from osintkit.fields import Calendar
from osintkit.loader import load_yaml
from osintkit.localization import (
    DEFAULT_LANGUAGE,
    ReportLanguage,
    css_string,
    first_strong_direction,
    load_language,
)

TEMPLATE_FILE = "report.html.j2"
STYLESHEET_FILE = "report.css"
#: Optional: CSS for the PDF only (paged-media features kept out of the HTML), a Jinja2 template.
PRINT_STYLESHEET_FILE = "print.css.j2"
_REQUIRED = (TEMPLATE_FILE, STYLESHEET_FILE, f"labels/{DEFAULT_LANGUAGE}.yaml")


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

    def catalogue(self, name: str) -> dict[str, Any] | None:
        """Return the labels of ``labels/<name>.yaml``, or None if the template has none.

        Raises :class:`TemplateError` if the file is not a valid mapping.
        """
        path = self.folder / "labels" / f"{name}.yaml"
        return _labels(path) if path.is_file() else None

    def language(self, tag: str, calendar: Calendar = "gregorian") -> ReportLanguage:
        """Return how this template writes a report in BCP 47 language ``tag``."""
        return load_language(tag, self.catalogue, calendar)

    def languages(self) -> list[str]:
        """Return the languages this template has labels for, English first."""
        names = sorted(p.stem for p in (self.folder / "labels").glob("*.yaml"))
        return sorted(names, key=lambda n: n != DEFAULT_LANGUAGE)

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
    try:
        return _find(name_or_path, search_from or Path.cwd())
    except (OSError, RuntimeError) as exc:
        # A name too long for the file system, "~nobody/x": a registry is data, not a path.
        shown = name_or_path if len(name_or_path) <= 60 else name_or_path[:57] + "..."
        raise TemplateError(f"cannot use template {shown!r}: {exc}") from None


def _find(name_or_path: str, base: Path) -> ReportTemplate:
    if "/" in name_or_path or name_or_path.startswith((".", "~")):
        folder = Path(name_or_path).expanduser()
        folder = folder if folder.is_absolute() else base / folder
        return _checked(folder.name, folder)
    roots = [base / "report_templates", base.parent / "report_templates", *builtin_template_dirs()]
    for root in roots:
        if (root / name_or_path).is_dir():
            return _checked(name_or_path, root / name_or_path)
    known = ", ".join(sorted(t.name for t in list_templates())) or "none"
    shown = name_or_path if len(name_or_path) <= 60 else name_or_path[:57] + "..."
    raise TemplateError(f"no template named {shown!r} (known: {known})")


#: The folder, among the built-in template folders, of the site's own pages (the catalogue).
SITE_FOLDER = "_site"


def site_environment() -> jinja2.Environment:
    """Return the Jinja2 environment of the site's pages (the catalogue's index.html).

    Raises :class:`TemplateError` if osintkit was installed without them.
    """
    for root in builtin_template_dirs():
        if (root / SITE_FOLDER).is_dir():
            return _environment((root / SITE_FOLDER).resolve())
    raise TemplateError(f"the site templates ({SITE_FOLDER}/) are not installed")


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


def _labels(path: Path) -> dict[str, Any]:
    # Keyed by modification time too, so a long-running preview sees an edited catalogue.
    try:
        return _labels_as_of(path, path.stat().st_mtime_ns)
    except OSError as exc:
        raise TemplateError(f"cannot read {path}: {exc.strerror or exc}") from None


@cache
def _labels_as_of(path: Path, mtime_ns: int) -> dict[str, Any]:
    try:
        data = load_yaml(path).data
    except BriefErrors as exc:
        raise TemplateError(str(exc)) from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: labels are a mapping of names to text")
    return data


def css_string_filter(value: str) -> Markup:
    """Return ``value`` as a quoted CSS string, safe inside a ``<style>`` element."""
    return Markup(css_string(value))


def isolate(value: str) -> Markup:
    """Return ``value`` in a ``<bdi>`` with the direction of its own text.

    A Latin name in a Persian sentence (or the reverse) is then laid out on its own and does
    not pull the neutral characters around it, such as commas and brackets, into its
    direction. The direction is given explicitly because WeasyPrint has no ``dir="auto"``.
    """
    direction = first_strong_direction(str(value))
    attribute = f' dir="{direction}"' if direction else ""
    return Markup(f"<bdi{attribute}>{escape(value)}</bdi>")


def fill(label: str, **values: Any) -> Markup:
    """Return ``label`` with its ``{name}`` slots filled; text is escaped, Markup kept as is."""
    return Markup(escape(label).format(**values))


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
    env.filters["css_string"] = css_string_filter
    env.filters["fill"] = fill
    env.filters["isolate"] = isolate
    return env
