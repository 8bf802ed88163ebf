"""Report templates: where they are, one Jinja2 environment each, and their labels per language.

A template is a folder holding ``report.html.j2``, ``report.css``, ``labels/<lang>.yaml``, an
optional ``print.css.j2`` and an optional ``template.yaml`` with a one-line description. A
``template.yaml`` that says ``extends: <name or path>`` makes the folder a variant of another
template: a Jinja2 file is taken from the first folder of the chain that has it (the variant's,
then its parent's, …), the stylesheets cascade (the parent's report.css, then the variant's) and
the labels merge key by key, the variant's winning (see docs/templates.md).

A template may come from someone else, so it is confined to its folder: every file of it is
read through :func:`read_template_file` (a symlink or ``..`` out of the folder is refused), its
Jinja2 code runs in a sandbox, and its labels are filled by name only (see
:func:`osintkit.localization.label_pieces`), never as Python format strings.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from osintkit.errors import BriefErrors, TemplateError
from osintkit.fields import Calendar
from osintkit.loader import MAX_FILE_BYTES, LoadedDocument, parse_yaml
from osintkit.localization import (
    DEFAULT_LANGUAGE,
    LabelError,
    ReportLanguage,
    check_labels,
    css_string,
    first_strong_direction,
    label_pieces,
    load_language,
)

TEMPLATE_FILE = "report.html.j2"
STYLESHEET_FILE = "report.css"
#: Optional: CSS for the PDF only (paged-media features kept out of the HTML), a Jinja2 template.
PRINT_STYLESHEET_FILE = "print.css.j2"
METADATA_FILE = "template.yaml"
_REQUIRED = (TEMPLATE_FILE, STYLESHEET_FILE, f"labels/{DEFAULT_LANGUAGE}.yaml")
#: Bytes of one template file at most: a stylesheet with fonts inlined is a few MiB.
MAX_TEMPLATE_FILE_BYTES = 16 * 1024 * 1024


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
    """A template folder, checked to hold (with the templates it extends) the files a report
    needs."""

    name: str
    folder: Path
    #: The folders of the templates it extends, nearest first ("" ``extends:``: none).
    parents: tuple[Path, ...] = ()

    @property
    def folders(self) -> tuple[Path, ...]:
        """Its folder, then its parents': everything a report with this template reads."""
        return (self.folder, *self.parents)

    def has_file(self, relative: str) -> bool:
        """Whether a folder of the chain holds the file ``relative`` ("/"-separated)."""
        return any(folder.joinpath(*relative.split("/")).is_file() for folder in self.folders)

    @property
    def description(self) -> str:
        """The one-line description from ``template.yaml``, or "" if there is none.

        Raises :class:`TemplateError` if the file leads out of the template's folder.
        """
        if not os.path.lexists(self.folder / METADATA_FILE):
            return ""
        try:
            data = _yaml(self.folder, METADATA_FILE).data
        except BriefErrors:
            return ""  # only a description: a broken one is left out, not an error
        return str(data.get("description", "")) if isinstance(data, dict) else ""

    def stylesheet(self) -> str:
        """Return the template's CSS text: each report.css of the chain, the farthest parent's
        first, so a variant's rules come last and win the cascade.

        Raises :class:`TemplateError` if one cannot be read or leads out of its folder.
        """
        texts = [
            read_template_file(folder, STYLESHEET_FILE)
            for folder in reversed(self.folders)
            if os.path.lexists(folder / STYLESHEET_FILE)
        ]
        # A line break between two files, so a last rule without one does not run on.
        return "".join(t if t.endswith("\n") else t + "\n" for t in texts[:-1]) + texts[-1]

    def catalogue(self, name: str) -> dict[str, Any] | None:
        """Return the labels of ``labels/<name>.yaml``, or None if no folder of the chain has it.

        The chain's files merge key by key, a variant's label replacing its parent's.
        Raises :class:`TemplateError`, located in the file, if one is not a valid mapping, leads
        out of its template's folder, or holds a label that cannot be filled (an unknown slot,
        ``{x.y}``, a format spec).
        """
        relative = f"labels/{name}.yaml"
        merged: dict[str, Any] | None = None
        for folder in reversed(self.folders):
            path = folder / relative
            if not os.path.lexists(path):
                continue
            try:
                mtime_ns = path.stat().st_mtime_ns
            except OSError as exc:
                raise TemplateError(f"cannot read {path}: {exc.strerror or exc}") from None
            labels = _labels_as_of(folder, relative, mtime_ns)
            merged = labels if merged is None else {**merged, **labels}
        return merged

    def language(self, tag: str, calendar: Calendar = "gregorian") -> ReportLanguage:
        """Return how this template writes a report in BCP 47 language ``tag``."""
        return load_language(tag, self.catalogue, calendar)

    def languages(self) -> list[str]:
        """Return the languages this template has labels for, English first."""
        names = sorted({p.stem for f in self.folders for p in (f / "labels").glob("*.yaml")})
        return sorted(names, key=lambda n: n != DEFAULT_LANGUAGE)

    def environment(self) -> jinja2.Environment:
        """Return the template's Jinja2 environment (one per chain, reused across renders)."""
        return _environment(self.folders)


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
        raise TemplateError(f"cannot use template {_shown(name_or_path)!r}: {exc}") from None


def _find(name_or_path: str, base: Path) -> ReportTemplate:
    folder = _locate(name_or_path, base)
    return _checked(folder.name if _is_path(name_or_path) else name_or_path, folder)


def _is_path(name_or_path: str) -> bool:
    return "/" in name_or_path or name_or_path.startswith((".", "~"))


def _locate(name_or_path: str, base: Path, roots: tuple[Path, ...] = ()) -> Path:
    """The folder of the template ``name_or_path``, looked for in ``roots`` first."""
    if _is_path(name_or_path):
        folder = Path(name_or_path).expanduser()
        return folder if folder.is_absolute() else base / folder
    roots = (
        *roots,
        base / "report_templates",
        base.parent / "report_templates",
        *builtin_template_dirs(),
    )
    for root in roots:
        if (root / name_or_path).is_dir():
            return root / name_or_path
    known = ", ".join(sorted(t.name for t in list_templates())) or "none"
    raise TemplateError(f"no template named {_shown(name_or_path)!r} (known: {known})")


def _shown(name_or_path: str) -> str:
    return name_or_path if len(name_or_path) <= 60 else name_or_path[:57] + "..."


#: The folder, among the built-in template folders, of the site's own pages (the catalogue).
SITE_FOLDER = "_site"


def site_environment() -> jinja2.Environment:
    """Return the Jinja2 environment of the site's pages (the catalogue's index.html).

    Raises :class:`TemplateError` if osintkit was installed without them.
    """
    for root in builtin_template_dirs():
        if (root / SITE_FOLDER).is_dir():
            return _environment(((root / SITE_FOLDER).resolve(),))
    raise TemplateError(f"the site templates ({SITE_FOLDER}/) are not installed")


def list_templates() -> list[ReportTemplate]:
    """Return the built-in templates, by name."""
    found: dict[str, ReportTemplate] = {}
    for root in builtin_template_dirs():
        for folder in sorted(root.iterdir()):
            if folder.name in found or not _is_template_folder(folder):
                continue
            try:
                found[folder.name] = _checked(folder.name, folder)
            except TemplateError:
                continue  # listed by the command that uses it, with its error
    return list(found.values())


def _is_template_folder(folder: Path) -> bool:
    return folder.is_dir() and any((folder / f).is_file() for f in (TEMPLATE_FILE, METADATA_FILE))


def _checked(name: str, folder: Path) -> ReportTemplate:
    if not folder.is_dir():
        raise TemplateError(f"template folder {folder} does not exist")
    folder = folder.resolve()
    parents = _parents(folder)
    chain = (folder, *parents)
    missing = [f for f in _REQUIRED if not any((d / f).is_file() for d in chain)]
    if missing:
        extended = " (nor the templates it extends)" if parents else ""
        raise TemplateError(f"template {folder} lacks {', '.join(missing)}{extended}")
    return ReportTemplate(name, folder, parents)


def _parents(folder: Path) -> tuple[Path, ...]:
    """The folders of the templates ``folder`` extends, nearest first.

    Raises :class:`TemplateError`, located in the template.yaml that says so, for a parent
    that is not a template folder or a chain that comes back to a folder already in it.
    """
    chain = [folder]
    while (extends := _extends(chain[-1])) is not None:
        name_or_path, where = extends
        child = chain[-1]
        try:
            # A bare name is a sibling of the variant first, then found as --template finds it.
            parent = _locate(name_or_path, child, (child.parent,)).resolve()
        except (OSError, RuntimeError) as exc:
            shown = _shown(name_or_path)
            detail = getattr(exc, "strerror", None) or exc
            raise TemplateError(f"{where}: extends: cannot use {shown!r}: {detail}") from None
        except TemplateError as exc:
            raise TemplateError(f"{where}: extends: {exc}") from None
        if parent in chain:
            names = " → ".join(f.name for f in (*chain, parent))
            raise TemplateError(
                f"{where}: extends: {_shown(name_or_path)!r} leads back to itself ({names})"
            )
        if not parent.is_dir():
            raise TemplateError(f"{where}: extends: template folder {parent} does not exist")
        if not _is_template_folder(parent):
            raise TemplateError(
                f"{where}: extends: {parent} is not a template folder "
                f"(it has neither {TEMPLATE_FILE} nor {METADATA_FILE})"
            )
        chain.append(parent)
    return tuple(chain[1:])


def _extends(folder: Path) -> tuple[str, str] | None:
    """The ``extends:`` of a template's template.yaml and where it is written, or None."""
    if not os.path.lexists(folder / METADATA_FILE):
        return None
    try:
        document = _yaml(folder, METADATA_FILE)
    except BriefErrors as exc:
        raise TemplateError(exc.errors[0].located) from None
    if not isinstance(document.data, dict) or "extends" not in document.data:
        return None
    value = document.data["extends"]
    line, column = document.locate(("extends",))
    where = f"{folder / METADATA_FILE}:{line}:{column}"
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{where}: extends: is the name or folder of another template")
    return value, where


def read_template_file(folder: Path, relative: str) -> str:
    """Return the text of the file ``relative`` (a "/"-separated path) of template ``folder``.

    The file's resolved path must lie inside the resolved ``folder``, so a symlink or ``..``
    that leads out is refused, and on Linux the file actually opened is checked again (a link
    swapped in after the check is refused too). Only regular files are read (a FIFO would
    block), at most MAX_TEMPLATE_FILE_BYTES of them.
    Raises :class:`TemplateError` naming the file.
    """
    path = folder.joinpath(*relative.split("/"))
    try:
        folder = folder.resolve(strict=True)
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such file") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise TemplateError(
            f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if not resolved.is_relative_to(folder):
        raise TemplateError(
            f"{path} leads out of the template folder; a template reads only its own files"
        )
    try:
        raw = _read_regular_file(resolved, folder)
    except OSError as exc:
        raise TemplateError(f"cannot read {path}: {exc.strerror or exc}") from None
    if raw is None:
        raise TemplateError(
            f"{path} leads out of the template folder; a template reads only its own files"
        )
    if len(raw) > MAX_TEMPLATE_FILE_BYTES:
        limit = MAX_TEMPLATE_FILE_BYTES // (1024 * 1024)
        raise TemplateError(f"{path} is larger than {limit} MiB")
    try:
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def _read_regular_file(resolved: Path, folder: Path) -> bytes | None:
    """The bytes of ``resolved``, or None if the file opened is not inside ``folder``."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(resolved, flags)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{resolved.name} is not a regular file")
        proc = Path(f"/proc/self/fd/{fd}")
        if proc.is_symlink() and not proc.readlink().is_relative_to(folder):
            return None
        return handle.read(MAX_TEMPLATE_FILE_BYTES + 1)


def _yaml(folder: Path, relative: str) -> LoadedDocument:
    """The YAML file ``relative`` of template ``folder``, read through the confinement."""
    text = read_template_file(folder, relative)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise TemplateError(f"{folder / relative} is larger than {limit} MiB")
    return parse_yaml(text, folder / relative)


@cache
def _labels_as_of(folder: Path, relative: str, mtime_ns: int) -> dict[str, Any]:
    # Keyed by modification time too, so a long-running preview sees an edited catalogue.
    path = folder / relative
    try:
        document = _yaml(folder, relative)
    except BriefErrors as exc:
        raise TemplateError(exc.errors[0].located) from None
    if not isinstance(document.data, dict):
        raise TemplateError(f"{path}: labels are a mapping of names to text")
    problems = check_labels(document.data)
    if problems:
        key_path, offset, message = problems[0]
        line, column = document.locate(key_path, offset)
        more = len(problems) - 1
        tail = f" (and {more} more problem{'s' * (more != 1)} in this file)" if more else ""
        raise TemplateError(f"{path}:{line}:{column}: {key_path[0]}: {message}{tail}")
    return document.data


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


#: A run of characters with no break opportunity longer than a narrow table column holds.
_UNBROKEN_RE = re.compile(r"[^\s\-\u200b]{30,}")


def unbroken(value: object) -> bool:
    """Whether ``value`` holds a word too long for a narrow column (a tool's version string
    pasted whole, a user name): a template breaks that cell anywhere, which only it needs, as
    breaking every cell anywhere would re-balance the columns of every table."""
    return _UNBROKEN_RE.search(str(value)) is not None


def fill(label: str, **values: Any) -> Markup:
    """Return ``label`` with its ``{name}`` slots filled; text is escaped, Markup kept as is.

    Only the names given are slots (``{{`` and ``}}`` write braces); ``{x.y}``, ``{x[0]}``,
    a format spec or a name not given raises :class:`TemplateError`.
    """
    text = str(label)
    try:
        pieces = label_pieces(text, values.keys())
    except LabelError as exc:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise TemplateError(f"label {shown!r}: {exc}") from None
    return Markup("").join(
        escape(piece) if isinstance(piece, str) else escape(values[piece.name]) for piece in pieces
    )


class ConfinedLoader(jinja2.BaseLoader):
    """Loads a template's Jinja2 files through :func:`read_template_file`.

    So ``{% include %}``, ``{% extends %}`` and ``{% import %}`` reach only files inside the
    template's folders, as the report's own template does. A name is the first folder's that
    has it (a variant's, then its parents'), read confined to that folder.
    """

    def __init__(self, *folders: Path) -> None:
        self.folders = folders

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        relative = "/".join(split_template_path(template))  # refuses ".." itself
        owner = self._owner(relative)
        if owner is None:
            raise jinja2.TemplateNotFound(template)
        path = owner / relative
        mtime = _mtime(path)
        source = read_template_file(owner, relative)

        def uptodate() -> bool:
            # Stale too when a nearer folder gains the file (a variant starts overriding it).
            return self._owner(relative) == owner and _mtime(path) == mtime

        return source, str(path), uptodate

    def _owner(self, relative: str) -> Path | None:
        for folder in self.folders:
            if os.path.lexists(folder / relative):
                return folder
        return None


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@cache
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    # Sandboxed: a template's code may read what it is given, not walk from it to Python's
    # internals (''.__class__.__mro__…), call unsafe methods or change its inputs.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=ConfinedLoader(*folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string_filter
    env.filters["fill"] = fill
    env.filters["isolate"] = isolate
    env.tests["unbroken"] = unbroken
    return env
