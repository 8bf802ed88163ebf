"""A validated brief + a template → one self-contained HTML document.

Self-contained: the CSS is inlined, and so is every figure, as a ``data:`` URI of the bytes
validation checked; nothing the page shows is loaded from beside it or from the network.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from osintkit.errors import TemplateError
from osintkit.render.context import report_context
from osintkit.reproducible import publication_time
from osintkit.templates import PRINT_STYLESHEET_FILE, TEMPLATE_FILE, ReportTemplate
from osintkit.validation import LoadedBrief

#: The report's Content-Security-Policy, whatever the template writes: opened from a disk or
#: a web site, it runs no script and loads nothing — not even what a template's own markup or
#: CSS asks for (`<script>`, `@import url(https://…)`), which the template's author decides
#: and osintkit does not sanitise. Styles and figures are inline, so they still show.
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)
POLICY_META = f'<meta http-equiv="Content-Security-Policy" content="{REPORT_POLICY}">'

# What may stand before the policy: the doctype, the <html> and <head> start tags and comments,
# each only in a plain form that every HTML parser reads alike (names of letters, values in
# double quotes without "<" or ">"; comments without "--" inside). A template that writes
# anything else first, such as `<!--><script>` (a whole comment to a browser), gets the
# policy before it.
_COMMENT = r"<!--(?![->])(?:(?!--).)*-->"
_GAP = rf"(?:\s|{_COMMENT})*"
_ATTRIBUTES = r'(?:\s+[A-Za-z][A-Za-z0-9_:-]*(?:="[^"<>]*")?)*\s*'
_BEFORE_POLICY_RE = re.compile(
    rf"\A{_GAP}(?:<!doctype[^>]*>{_GAP})?(?:<html{_ATTRIBUTES}>{_GAP})?(?:<head{_ATTRIBUTES}>)?",
    re.IGNORECASE | re.DOTALL,
)


def with_policy(text: str) -> str:
    """Return the HTML document ``text`` with :data:`POLICY_META` as early as it can stand.

    That is the first element of the head for a template that writes ``<html><head>``; when a
    template writes something else first, the policy goes before it, where the HTML parser
    still puts it into the head, so it governs every element after it.
    """
    end = _BEFORE_POLICY_RE.match(text)
    at = end.end() if end else 0
    return f"{text[:at]}\n{POLICY_META}{text[at:]}"


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


def render_html(
    loaded: LoadedBrief, template: ReportTemplate, *, pdf_url: str | None = None
) -> RenderedHtml:
    """Return the report as one HTML document with its CSS and its figures inlined; its
    head names ``pdf_url`` as the report's PDF (``citation_pdf_url``) when given.

    Raises :class:`TemplateError` when the template itself fails, :class:`RenderError` when a
    figure is no longer what validation checked, :class:`UsageError` for a malformed
    ``SOURCE_DATE_EPOCH``.
    """
    created = publication_time(loaded.brief.date)
    try:
        context = report_context(loaded, template, pdf_url=pdf_url)
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
        with_policy(text),
        loaded.path.parent,
        tuple(template.folders),
        context.language.warnings,
        print_css,
        created,
    )
