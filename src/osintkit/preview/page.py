"""The page the preview serves: the report with the reload script and, when the latest build
failed, an overlay listing its problems; or, for the PDF, a page that frames the PDF.

Only the preview's copy gets these additions: the snapshot holds the report exactly as
``osintkit render`` writes it.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib.resources import files

from osintkit.preview.session import Snapshot
from osintkit.render.html import POLICY_META

#: The reload channel (Server-Sent Events) and the PDF, under a prefix no brief folder uses.
EVENTS_PATH = "/__osintkit/events"
PDF_PATH = "/__osintkit/report.pdf"

_HEAD_END_RE = re.compile(r"</head\s*>", re.I)
_BODY_END_RE = re.compile(r"</body\s*>(?![\s\S]*</body\s*>)", re.I)


@cache
def _resource(name: str) -> str:
    return files("osintkit.preview").joinpath(name).read_text(encoding="utf-8")


def served_page(snapshot: Snapshot, pdf: bool, nonce: str) -> str:
    """Return the HTML served at ``/`` for ``snapshot``.

    ``nonce`` is the Content-Security-Policy nonce that lets the injected script, and no
    other, run.
    """
    if not pdf and snapshot.html is not None:
        return _inject(snapshot.html, snapshot, nonce)
    title = f"{snapshot.title} (PDF preview)" if snapshot.title else "osintkit preview"
    if pdf and snapshot.pdf is not None:
        content = (
            f'<iframe src="{PDF_PATH}?v={escape(snapshot.generation)}" '
            f'title="{escape(title)}"></iframe>'
        )
    else:
        content = "<p>No report yet: the brief could not be rendered.</p>"
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        "<style>html, body { margin: 0; height: 100%; } p { margin: 1rem; font: 16px "
        "system-ui, sans-serif; } iframe { display: block; border: 0; width: 100%; "
        "height: 100%; }</style>\n</head>\n<body>\n"
        f"{content}\n</body>\n</html>\n"
    )
    return _inject(page, snapshot, nonce)


def _inject(html: str, snapshot: Snapshot, nonce: str) -> str:
    """``html`` with the overlay's style in its head, the overlay and the script at its end.

    The report's own policy goes: it lets no script run, and policies only add up, so the
    injected script would be blocked too. The server's policy header, which lets that one
    script run and still loads nothing from the web, governs the page instead.
    """
    html = html.replace(POLICY_META, "", 1)
    script = (
        f'<script nonce="{escape(nonce)}" data-generation="{escape(snapshot.generation)}" '
        f'data-events="{EVENTS_PATH}">\n{_resource("client.js")}</script>\n'
    )
    tail = _overlay(snapshot) + script
    if snapshot.errors:
        style = f'<style id="osintkit-preview-style">\n{_resource("overlay.css")}</style>\n'
        head_end = _HEAD_END_RE.search(html)
        at = head_end.start() if head_end else 0
        html = html[:at] + style + html[at:]
    body_end = _BODY_END_RE.search(html)
    at = body_end.start() if body_end else len(html)
    return html[:at] + tail + html[at:]


def _overlay(snapshot: Snapshot) -> str:
    if not snapshot.errors:
        return ""
    count = len(snapshot.errors)
    showing = (
        "the page shows the last report that rendered"
        if snapshot.html is not None or snapshot.pdf is not None
        else "there is no report to show yet"
    )
    items = "".join(f"<li><code>{escape(line)}</code></li>\n" for line in snapshot.errors)
    return (
        '<div id="osintkit-preview-errors" role="alert" lang="en" dir="ltr">\n'
        f"<p><strong>{count} problem{'s' * (count != 1)}</strong>: the brief could not be "
        f"rendered; {showing}. Save a fix to reload.</p>\n"
        f"<ul>\n{items}</ul>\n</div>\n"
    )
