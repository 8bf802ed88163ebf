"""Which local files a rendered report loads, and the one way the preview maps a URL to a file.

The preview serves a report's images (and whatever else its HTML or CSS loads) from the
brief's folder. A brief is untrusted input, so what it asks for is only a candidate: a URL path
becomes a file only when it names a file inside that folder once every symlink is resolved,
and only when its name says it is of a passive type (:func:`served_type`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

#: Attributes whose URL a browser loads by itself (links followed by a click are not loads).
_LOADING_ATTRIBUTES = {
    "img": ("src",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "iframe": ("src",),
    "link": ("href",),
    "script": ("src",),
}
_CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
#: The types a report loads that cannot run script of their own, by lower-case file name
#: suffix, and the Content-Type each is served as. The table is fixed rather than the system's
#: MIME database, so what is served does not depend on the machine; anything else (HTML,
#: XHTML, XML, JavaScript, PDF, JSON …) is not served as an asset at all. SVG can hold script,
#: but the preview serves every asset with a policy that sandboxes it as a document, and an
#: <img> never runs an SVG's script.
_PASSIVE_TYPES = {
    ".apng": "image/apng",
    ".avif": "image/avif",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".ico": "image/vnd.microsoft.icon",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".css": "text/css; charset=utf-8",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".oga": "audio/ogg",
    ".ogg": "audio/ogg",
    ".ogv": "video/ogg",
    ".wav": "audio/wav",
    ".webm": "video/webm",
}
#: Any base with a path of "/": joining a reference to it gives the path a browser asks for.
_PAGE = "http://preview.invalid/"


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        names = _LOADING_ATTRIBUTES.get(tag, ())
        for name, value in attrs:
            if value is None:
                continue
            if name in names:
                self.found.append(value)
            elif name == "style":
                self.found.extend(_css_urls(value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(_css_urls(data))


def _css_urls(css: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in _CSS_URL_RE.finditer(css)]


def local_url_paths(html: str) -> frozenset[str]:
    """Return the URL paths (``/images/chart.png``) of the local files ``html`` loads.

    Served from ``/``, a page asks for a relative reference at the path its URL joins to;
    absolute URLs (``https:``, ``data:``, ``//host/``) are not local and are left out.
    """
    parser = _References()
    parser.feed(html)
    parser.close()
    paths = set()
    for reference in parser.found:
        parts = urlsplit(reference.strip())
        if parts.scheme or parts.netloc or not (parts.path or "").strip():
            continue
        paths.add(unquote(urlsplit(urljoin(_PAGE, reference.strip())).path))
    return frozenset(paths)


def served_type(url_path: str) -> str | None:
    """Return the Content-Type the file ``url_path`` names is served as, or None if its name
    is not that of a passive type (then it is not served)."""
    return _PASSIVE_TYPES.get(PurePosixPath(url_path).suffix.lower())


def candidate_file(root: Path, url_path: str) -> Path | None:
    """Return the file ``url_path`` names under ``root``, without touching the disk.

    Returns None for anything but a plain relative path below the root: an empty path,
    ``..`` or ``.`` steps, ``//`` (an absolute path once the first "/" is gone), backslashes
    and NUL. The file need not exist: a missing image is still worth watching for.
    """
    if not url_path.startswith("/"):
        return None
    relative = url_path[1:]
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return root.joinpath(*parts)


def confined_file(root: Path, url_path: str) -> Path | None:
    """Return the resolved file ``url_path`` names if it exists inside ``root``, else None.

    Symlinks are resolved before the check, so a link inside the folder that points out of
    it is refused like ``..`` is.
    """
    candidate = candidate_file(root, url_path)
    if candidate is None:
        return None
    try:
        resolved = candidate.resolve(strict=True)
        inside = resolved.is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):
        return None
    return resolved if inside and resolved.is_file() else None
