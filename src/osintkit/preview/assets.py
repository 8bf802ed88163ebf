"""Which local files a rendered report loads, and the one way the preview maps a URL to a file.

The preview serves a report's images (and whatever else its HTML or CSS loads) from the
brief's folder. A brief is untrusted input, so what it asks for is only a candidate: a URL path
becomes a file only when it names a file inside that folder once every symlink is resolved.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
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
