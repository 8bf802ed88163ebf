"""osintkit: validate OSINT briefs and render them as numbered series reports.

The public API is small: :func:`load_brief` → :func:`render_html` → :func:`render_pdf`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
