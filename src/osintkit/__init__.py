"""osintkit: validate OSINT briefs and render them as numbered series reports.

The public API follows the data flow: :func:`load_brief` → :func:`render_html` →
:func:`render_pdf`, or :func:`render_report` for all of it plus the files. Names are loaded on
first use so that importing osintkit (and ``osintkit --help``) does not import WeasyPrint.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_brief": "osintkit.validation",
    "LoadedBrief": "osintkit.validation",
    "BriefError": "osintkit.errors",
    "BriefErrors": "osintkit.errors",
    "OsintkitError": "osintkit.errors",
    "find_template": "osintkit.templates",
    "render_html": "osintkit.render.html",
    "render_pdf": "osintkit.render.pdf",
    "render_report": "osintkit.report",
}

__all__ = [
    "BriefError",
    "BriefErrors",
    "LoadedBrief",
    "OsintkitError",
    "__version__",
    "find_template",
    "load_brief",
    "render_html",
    "render_pdf",
    "render_report",
]

if TYPE_CHECKING:
    from osintkit.errors import BriefError, BriefErrors, OsintkitError
    from osintkit.render.html import render_html
    from osintkit.render.pdf import render_pdf
    from osintkit.report import render_report
    from osintkit.templates import find_template
    from osintkit.validation import LoadedBrief, load_brief


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'osintkit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
