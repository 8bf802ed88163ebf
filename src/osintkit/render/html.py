"""A validated brief + a template → one self-contained HTML document.

Self-contained: the CSS is inlined, and so is every figure, as a ``data:`` URI of the bytes
validation checked; nothing the page shows is loaded from beside it or from the network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from osintkit.errors import TemplateError
from osintkit.render.context import report_context
from osintkit.reproducible import publication_time
from osintkit.templates import PRINT_STYLESHEET_FILE, TEMPLATE_FILE, ReportTemplate
from osintkit.validation import LoadedBrief


@dataclass(frozen=True, slots=True)
class RenderedHtml:
    """The report as one HTML document, with all a PDF of it needs besides its options."""

    text: str
    #: The folder the document's relative URLs resolve against (the brief's).
    base: Path
    #: The only folders the PDF may read files from: the template's (and its parents').
    allowed_roots: tuple[Path, ...]
    #: What the brief's language or the template lacked.
    warnings: list[str] = field(default_factory=list)
    #: CSS for the PDF only, from the template's print.css.j2 ("" when it has none).
    print_css: str = ""
    #: The date stamped into the PDF (see :func:`reproducible.publication_time`); None: now.
    created: dt.datetime | None = None


def render_html(loaded: LoadedBrief, template: ReportTemplate) -> RenderedHtml:
    """Return the report as one HTML document with its CSS and its figures inlined.

    Raises :class:`TemplateError` when the template itself fails, :class:`RenderError` when a
    figure is no longer what validation checked, :class:`UsageError` for a malformed
    ``SOURCE_DATE_EPOCH``.
    """
    created = publication_time(loaded.brief.date)
    try:
        context = report_context(loaded, template)
    except KeyError as exc:
        # Only a label can be missing here: English fills every other catalogue's gaps, so
        # it is the template's labels/en.yaml (or its parent's) that lacks it.
        raise TemplateError(
            f"template {template.name}: labels/en.yaml has no {exc.args[0]!r} label (docs/"
            "templates.md lists them; with extends: series in its template.yaml, a template "
            "takes those it does not write from the series template)"
        ) from None
    variables = context.variables()
    try:
        environment = template.environment()
        text = environment.get_template(TEMPLATE_FILE).render(variables)
        print_css = ""
        if template.has_file(PRINT_STYLESHEET_FILE):
            print_css = environment.get_template(PRINT_STYLESHEET_FILE).render(variables)
    except jinja2.TemplateError as exc:
        where = (
            f"{exc.filename}:{exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        )
        raise TemplateError(f"{where}template {template.name}: {exc.message}") from None
    except (
        ArithmeticError,
        AttributeError,
        LookupError,
        RecursionError,
        TypeError,
        ValueError,
    ) as exc:
        # The template's code is its author's, not osintkit's: `{{ 1 / 0 }}`, a macro calling
        # itself or a range past the sandbox's cap fails this render, not osintkit.
        detail = str(exc) if len(str(exc)) <= 200 else str(exc)[:197] + "..."
        raise TemplateError(f"template {template.name}: {type(exc).__name__}: {detail}") from None
    # The PDF may read the template's folders only: the figures are inlined already, and the
    # brief's folder holds other briefs (restricted ones too) that a shared template must not
    # attach to this report.
    return RenderedHtml(
        text,
        loaded.path.parent,
        tuple(template.folders),
        context.language.warnings,
        print_css,
        created,
    )
