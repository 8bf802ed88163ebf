"""One brief → its report files: choose the template, render HTML and PDF, write them atomically."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from osintkit.output import output_path, write_all_atomic
from osintkit.reproducible import source_date_epoch
from osintkit.templates import ReportTemplate, find_template
from osintkit.validation import LoadedBrief

if TYPE_CHECKING:
    from osintkit.render.pdf import RenderLimits

FORMATS = ("pdf", "html")


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A file a render wrote: where, what kind, how large, and (for a PDF) how many pages."""

    path: Path
    kind: str
    size: int
    pages: int | None = None


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """What rendering one brief produced."""

    brief_path: Path
    template: ReportTemplate
    files: list[WrittenFile]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    #: Local files the PDF loaded besides the brief and the template's HTML and CSS.
    files_read: list[Path] = field(default_factory=list)


def publication_time(loaded: LoadedBrief) -> dt.datetime:
    """The date stamped into a report's PDF: ``SOURCE_DATE_EPOCH`` if set, else the brief's.

    Never the wall clock, so rendering the same brief twice gives the same bytes. Raises
    :class:`UsageError` for a malformed ``SOURCE_DATE_EPOCH``.
    """
    return source_date_epoch() or dt.datetime.combine(loaded.brief.date, dt.time(), tzinfo=dt.UTC)


def template_for(loaded: LoadedBrief, override: str | None = None) -> ReportTemplate:
    """Return the template named by ``override`` or else by the brief's series entry.

    Paths are taken relative to the registry's folder for the series entry, and to the
    current folder for an override. Raises TemplateError if it cannot be found.
    """
    if override is not None:
        return find_template(override, Path.cwd())
    return find_template(loaded.series.template, loaded.registry_path.parent)


def render_report(
    loaded: LoadedBrief,
    out_dir: Path,
    formats: Collection[str] = FORMATS,
    template: ReportTemplate | None = None,
    limits: RenderLimits | None = None,
    pdf_variant: str | None = None,
) -> RenderedReport:
    """Render ``loaded`` into ``out_dir`` in the given formats and return what was written.

    Every format is rendered before any file is written, so a failure leaves the previous
    outputs as they were. The PDF is rendered within ``limits`` (default: RenderLimits()); a
    ``pdf_variant`` ("pdf/a-3b", "pdf/ua-1") also embeds the brief for provenance.
    Raises TemplateError, RenderError or OutputError.
    """
    from osintkit.render.html import render_html

    started = time.perf_counter()
    template = template or template_for(loaded)
    html = render_html(loaded, template)
    pending: list[tuple[Path, bytes, str, int | None]] = []
    warnings = list(html.warnings)
    # The figures are inlined, so the PDF no longer reads them: they are inputs all the same.
    files_read: list[Path] = sorted({figure.path for figure in loaded.figures.values()})
    if "pdf" in formats:
        from osintkit.render.pdf import PdfOptions, RenderLimits, render_pdf

        # The bytes that were validated, never a second read of the path: a brief swapped for
        # a symlink meanwhile must not put another file into a published PDF.
        attachment = (loaded.path.name, loaded.document.source.encode("utf-8"))
        options = PdfOptions(
            variant=pdf_variant,
            attachments=(attachment,) if pdf_variant else (),
            created=publication_time(loaded),
            stylesheets=(html.print_css,) if html.print_css else (),
        )
        # The template's folder only: the figures are inlined already, and the brief's folder
        # holds other briefs (restricted ones too) that a shared template must not attach.
        roots = [template.folder]
        pdf = render_pdf(html.text, loaded.path.parent, roots, limits or RenderLimits(), options)
        files_read.extend(pdf.files_read)
        warnings.extend(pdf.warnings)
        pending.append((output_path(loaded.path, out_dir, "pdf"), pdf.data, "pdf", pdf.pages))
    if "html" in formats:
        pending.append(
            (output_path(loaded.path, out_dir, "html"), html.text.encode(), "html", None)
        )
    # Every format on disk before any is renamed into place: a full disk leaves the old
    # PDF and HTML together, never a new PDF beside an old HTML.
    write_all_atomic([(path, data) for path, data, _, _ in pending])
    files = [WrittenFile(path, kind, len(data), pages) for path, data, kind, pages in pending]
    seconds = time.perf_counter() - started
    return RenderedReport(loaded.path, template, files, seconds, warnings, files_read)
