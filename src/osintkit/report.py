"""One brief → its report files: choose the template, render HTML and PDF, write them atomically."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from osintkit.output import output_path, write_atomic
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
) -> RenderedReport:
    """Render ``loaded`` into ``out_dir`` in the given formats and return what was written.

    Every format is rendered before any file is written, so a failure leaves the previous
    outputs as they were. The PDF is rendered within ``limits`` (default: RenderLimits()).
    Raises TemplateError, RenderError or OutputError.
    """
    from osintkit.render.html import render_html

    started = time.perf_counter()
    template = template or template_for(loaded)
    html = render_html(loaded, template)
    pending: list[tuple[Path, bytes, str, int | None]] = []
    warnings = list(html.warnings)
    if "pdf" in formats:
        from osintkit.render.pdf import RenderLimits, render_pdf

        roots = [loaded.path.parent, template.folder]
        pdf = render_pdf(html.text, loaded.path.parent, roots, limits or RenderLimits())
        warnings.extend(pdf.warnings)
        pending.append((output_path(loaded.path, out_dir, "pdf"), pdf.data, "pdf", pdf.pages))
    if "html" in formats:
        pending.append(
            (output_path(loaded.path, out_dir, "html"), html.text.encode(), "html", None)
        )
    files = []
    for path, data, kind, pages in pending:
        write_atomic(path, data)
        files.append(WrittenFile(path, kind, len(data), pages))
    return RenderedReport(loaded.path, template, files, time.perf_counter() - started, warnings)
