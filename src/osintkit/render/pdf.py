"""HTML → PDF with WeasyPrint, reading only files under allowed folders, nothing from the network.

WeasyPrint is imported inside the functions that need it: it costs most of a second, and
``osintkit --help`` or ``validate`` should not pay for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from osintkit.errors import RenderError


@dataclass(frozen=True, slots=True)
class PdfResult:
    """A rendered PDF with its page count and the warnings rendering produced."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


class RefusedURL(ValueError):
    """A resource the report asked for lies outside the allowed folders or off the machine."""


def is_allowed_file(url: str, allowed_roots: Sequence[Path]) -> Path | None:
    """Return the resolved local path of a ``file:`` URL if it lies under an allowed root.

    Symlinks are resolved before the check, so a link inside a root that points out of it
    is refused.
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    roots = [root.resolve() for root in allowed_roots]
    if any(path == root or path.is_relative_to(root) for root in roots) and path.is_file():
        return path
    return None


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ConfinedURLFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``data:`` URLs and files under the allowed roots; refuses everything else."""

        def __init__(self, allowed_roots: Sequence[Path]) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.allowed_roots = list(allowed_roots)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = is_allowed_file(url, self.allowed_roots)
            if path is None:
                raise RefusedURL(
                    f"refused to load {url}: only files under the brief's and the "
                    "template's folders are read"
                )
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return ConfinedURLFetcher


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_warnings() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False  # keep WeasyPrint's own stderr output out of the terminal
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


@dataclass
class _Warm:
    """What a process keeps between renders: font configuration, so fonts are set up once."""

    font_config: Any = None


_warm = _Warm()


def render_pdf(html: str, base_url: Path, allowed_roots: Sequence[Path]) -> PdfResult:
    """Return the PDF of ``html``, resolving relative URLs against the folder ``base_url``.

    Only files under ``allowed_roots`` are read; every other URL is refused with a warning
    and the report renders without it. Raises :class:`RenderError` if WeasyPrint fails.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _warm.font_config is None:
        _warm.font_config = FontConfiguration()
    fetcher = _fetcher_class()(allowed_roots)
    with _collect_warnings() as warnings:
        try:
            document = HTML(
                string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=_warm.font_config)
            data = document.write_pdf()
        except Exception as exc:  # WeasyPrint raises many types; the CLI needs one.
            raise RenderError(f"PDF rendering failed: {exc}") from exc
    return PdfResult(data, len(document.pages), list(warnings))
