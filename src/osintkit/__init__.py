"""osintkit: validate OSINT briefs and render them as numbered series reports.

The public API is the pipeline ``osintkit render`` runs, one value handed to the next::

    loaded = osintkit.load_brief(path)                  # LoadedBrief, or raises BriefErrors
    rendered = osintkit.render_brief(loaded)            # Rendered: HTML, PDF bytes, pages, …
    files = osintkit.write_report(rendered, out_dir)    # list[WrittenFile], written atomically

so a script gets the bytes the command writes. :func:`render_html` and :func:`render_pdf`
are its two steps (``render_pdf`` takes the :class:`RenderedHtml` value ``render_html``
returns, print CSS and date included); ``RenderLimits(sandbox=False)`` renders the PDF in
the calling process instead of the render child. Names are loaded on first use so that
importing osintkit (and ``osintkit --help``) does not import WeasyPrint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_brief": "osintkit.validation",
    "LoadedBrief": "osintkit.validation",
    "Diagnostic": "osintkit.errors",
    "BriefErrors": "osintkit.errors",
    "OsintkitError": "osintkit.errors",
    "find_template": "osintkit.templates",
    "render_brief": "osintkit.report",
    "write_report": "osintkit.report",
    "Rendered": "osintkit.report",
    "WrittenFile": "osintkit.report",
    "render_report": "osintkit.report",
    "render_html": "osintkit.render.html",
    "RenderedHtml": "osintkit.render.html",
    "render_pdf": "osintkit.render.pdf",
    "PdfOptions": "osintkit.render.pdf",
    "PdfVariant": "osintkit.output",
    "RenderLimits": "osintkit.render.sandbox",
}

__all__ = [
    "BriefErrors",
    "Diagnostic",
    "LoadedBrief",
    "OsintkitError",
    "PdfOptions",
    "PdfVariant",
    "RenderLimits",
    "Rendered",
    "RenderedHtml",
    "WrittenFile",
    "__version__",
    "find_template",
    "load_brief",
    "render_brief",
    "render_html",
    "render_pdf",
    "render_report",
    "write_report",
]

if TYPE_CHECKING:
    from osintkit.errors import BriefErrors, Diagnostic, OsintkitError
    from osintkit.output import PdfVariant
    from osintkit.render.html import RenderedHtml, render_html
    from osintkit.render.pdf import PdfOptions, render_pdf
    from osintkit.render.sandbox import RenderLimits
    from osintkit.report import Rendered, WrittenFile, render_brief, render_report, write_report
    from osintkit.templates import find_template
    from osintkit.validation import LoadedBrief, load_brief


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'osintkit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
