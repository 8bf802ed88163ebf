"""HTML → PDF with WeasyPrint, reading only files under allowed folders, nothing from the network.

A brief is untrusted input and so is a template someone sent: every URL the document asks
for goes through a fetcher that serves only ``data:`` URLs and files under the allowed
folders, symlinks resolved, and the render itself runs in the render child of
:mod:`osintkit.render.sandbox`, within a time and a memory limit.

WeasyPrint is imported inside the functions that need it: it costs most of a second, and
``osintkit --help`` or ``validate`` should not pay for it.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from osintkit.errors import RenderError
from osintkit.output import PdfVariant
from osintkit.render import fonts, sandbox
from osintkit.render.captures import EvidenceFile
from osintkit.render.libraries import import_weasyprint
from osintkit.render.sandbox import DEFAULT_LIMITS, RenderLimits

if TYPE_CHECKING:
    from osintkit.render.html import RenderedHtml

__all__ = [
    "PdfOptions",
    "PdfResult",
    "PdfVariant",
    "RenderLimits",
    "is_allowed_file",
    "render_pdf",
    "start_renderer",
    "warm_up",
]


@dataclass(frozen=True, slots=True)
class PdfResult:
    """A rendered PDF with its page count and the warnings rendering produced."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    #: Local files the document loaded (images, fonts, stylesheets): inputs of the output.
    files_read: list[Path] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How the PDF is written, beyond its content (which :class:`RenderedHtml` carries)."""

    #: A PDF/A or PDF/UA variant; None for a plain PDF.
    variant: PdfVariant | None = None
    #: Files embedded in the PDF, as (file name, bytes): the brief itself, for provenance.
    #: Bytes, not paths: what is attached is what was validated, never a second read.
    attachments: tuple[tuple[str, bytes], ...] = ()
    #: Capture files attached as the report's sources (``AFRelationship /Source``), beside
    #: the brief: read and hashed before the render (:mod:`osintkit.render.captures`).
    evidence: tuple[EvidenceFile, ...] = ()
    #: A tagged PDF (structure tree, /Lang, alt text): always, but for measuring what tagging
    #: costs (bench/tagging.py). A PDF/UA variant is tagged whatever this says.
    tagged: bool = True


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
        """Serves ``data:`` URLs (lifted ones from memory) and files under the allowed roots;
        refuses everything else."""

        def __init__(
            self, allowed_roots: Sequence[Path], lifted: dict[str, tuple[str, bytes]]
        ) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.allowed_roots = list(allowed_roots)
            self.lifted = lifted
            self.refused: list[str] = []
            self.served: list[Path] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url in self.lifted:
                media_type, body = self.lifted[url]
                return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = is_allowed_file(url, self.allowed_roots)
            if path is None:
                # An empty answer, not an exception: WeasyPrint lets a failed fetch of a
                # @color-profile abort the whole document. The refusal is reported by us.
                if url not in self.refused:
                    self.refused.append(url)
                return URLFetcherResponse(url, body=b"")
            if path not in self.served:
                self.served.append(path)
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


def render_pdf(
    html: RenderedHtml, limits: RenderLimits = DEFAULT_LIMITS, options: PdfOptions = PdfOptions()
) -> PdfResult:
    """Return the PDF of the rendered ``html``: its print CSS applied, relative URLs resolved
    against its base folder, its date stamped in.

    Only files under the HTML's allowed roots are read; every other URL is refused with a
    warning and the report renders without it. WeasyPrint runs in the render child, which is
    stopped when it overruns ``limits``; ``RenderLimits(sandbox=False)`` renders in this
    process. Raises :class:`RenderError` if WeasyPrint fails or a limit is hit.
    """
    if not limits.sandbox or not sandbox.can_fork():
        return _render_here((html, options))
    result = sandbox.run_in_child(_PDF_WORK, (html, options), limits)
    assert isinstance(result, PdfResult)
    return result


def start_renderer(limits: RenderLimits = DEFAULT_LIMITS) -> None:
    """Start the render child now (see :func:`osintkit.render.sandbox.start_renderer`)."""
    sandbox.start_renderer(_PDF_WORK, limits)


def _render_here(request: tuple[RenderedHtml, PdfOptions]) -> PdfResult:
    import_weasyprint()
    from weasyprint import CSS, HTML, Attachment

    rendered, options = request
    html, lifted = _lift_data_uris(rendered.text)
    fetcher = _fetcher_class()(rendered.allowed_roots, lifted)
    base = rendered.base.resolve().as_uri() + "/"
    created = rendered.created
    with _collect_warnings() as warnings:
        try:
            font_config = _font_config()
            stylesheets = [
                CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=font_config)
                for css in ((rendered.print_css,) if rendered.print_css else ())
            ]
            document = HTML(string=html, base_url=base, url_fetcher=fetcher).render(
                font_config=font_config, stylesheets=stylesheets
            )
            if created is not None:
                stamp = created.isoformat()
                document.metadata.created = document.metadata.modified = stamp
            attachments = [
                Attachment(
                    file_obj=io.BytesIO(data),
                    name=name,
                    description="The brief this report was rendered from",
                    created=created,
                    modified=created,
                )
                for name, data in options.attachments
            ]
            attachments.extend(_evidence_attachments(options.evidence))
            # WeasyPrint writes the EmbeddedFiles name tree in this order, keyed by the name's
            # UTF-8 bytes, and the PDF format requires a name tree's keys in byte order.
            attachments.sort(key=lambda attachment: attachment.name.encode())
            variant = str(options.variant) if options.variant else None
            # Tagged by default (issue 14), not only for PDF/UA: headings, lists, tables with
            # their header cells and figures with their alt text reach assistive technology
            # in every report. It costs little (bench/RESULTS.md, "Tagged PDFs").
            data = document.write_pdf(
                pdf_variant=variant,
                pdf_tags=options.tagged or bool(variant and variant.startswith("pdf/ua")),
                attachments=attachments or None,
            )
        except MemoryError:
            raise  # the child process reports it against its memory limit
        except Exception as exc:  # WeasyPrint raises many types; the CLI needs one.
            raise RenderError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    refused = [
        f"refused to load {url}: only files under the template's folder are read"
        for url in fetcher.refused
    ]
    # WeasyPrint's own complaint about the empty answer a refused URL got says no more.
    others = [
        w
        for w in warnings
        if not any(url in w for url in fetcher.refused) and not _NO_ALT_RE.fullmatch(w)
    ]
    shown = [_shortened(w) for w in [*refused, *others]]
    return PdfResult(data, len(document.pages), shown, list(fetcher.served))


#: The scheme of the URLs a capture is handed to WeasyPrint by, from memory.
_EVIDENCE_SCHEME = "osintkit-evidence"


def _evidence_attachments(files: Sequence[EvidenceFile]) -> list[Any]:
    """The captures as WeasyPrint attachments, each an associated file of the document
    (PDF/A-3 writes the /AF entry) with the relationship Source and its media type.

    Each is served from memory through a fetcher of its own, which is how WeasyPrint takes
    an attachment's media type (from a file name it would guess with the system's table).
    """
    from weasyprint import Attachment

    result = []
    for n, file in enumerate(files):
        url = f"{_EVIDENCE_SCHEME}:{n}"
        fetcher = _fetcher_class()((), {url: (file.media_type, file.data)})
        result.append(
            Attachment(
                url=url,
                url_fetcher=fetcher,
                name=file.name,
                description=file.description,
                created=file.captured,
                modified=file.captured,
                relationship="Source",
            )
        )
    return result


#: What WeasyPrint 70 logs, tagging, for an image whose alt is empty. An empty alt is how HTML
#: marks an image decorative (an inline image written ``![](x.png)``), and a figure's alt is
#: checked, with its line, when the brief is validated; the message would name the image
#: only by a data: URI or a lifted URL, and say what is not wrong.
_NO_ALT_RE = re.compile(r'Image ".*" has no required alt description', re.S)
#: A ``data:`` URI long enough to drown the line that quotes it: a prefix says which it is.
_LONG_DATA_URI_RE = re.compile(r"(data:[^\s'\"]{60})[^\s'\"]+", re.I)
#: Any other warning is cut here (a URL of a file is shown whole below this).
_MAX_WARNING = 2000


def _shortened(warning: str) -> str:
    """``warning`` with each long ``data:`` URI cut to a prefix: WeasyPrint quotes a
    figure's whole URI, megabytes on one line of the terminal."""
    warning = _LONG_DATA_URI_RE.sub(r"\1…", warning)
    return warning if len(warning) <= _MAX_WARNING else warning[:_MAX_WARNING] + "…"


#: A large base64 ``data:`` URI as an image's source, as the HTML carries its figures (in a
#: tag: text cannot hold an unescaped "<", so prose that looks like one is never touched).
_DATA_URI_RE = re.compile(
    r'(<img\s[^<>]*?\bsrc=)"data:([\w.+-]+/[\w.+-]+);base64,([A-Za-z0-9+/=]{4096,})"'
)
#: What such a URI is replaced by: a scheme served only from the map of lifted URIs.
_LIFTED_SCHEME = "osintkit-lifted"


def _lift_data_uris(html: str) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """``html`` with each large ``data:`` URI replaced by a short URL, and what each serves.

    WeasyPrint reads a megabyte-long ``data:`` URI slowly (a report with 17 MiB of figures
    took twice as long as with the same figures as files); the fetcher hands over the same
    bytes from memory instead. A URL of this scheme that the document writes itself can get
    no more than one of the document's own figures.
    """
    lifted: dict[str, tuple[str, bytes]] = {}
    by_uri: dict[str, str] = {}

    def lift(match: re.Match[str]) -> str:
        tag, media_type, data = match.groups()
        url = by_uri.get(data)
        if url is None:
            url = by_uri[data] = f"{_LIFTED_SCHEME}:{len(by_uri)}"
            lifted[url] = (media_type, base64.b64decode(data))
        return f'{tag}"{url}"'

    return _DATA_URI_RE.sub(lift, html), lifted


def warm_up() -> None:
    """Import WeasyPrint and set up fonts now, so the renders that follow start warm."""
    import_weasyprint()
    _font_config()


@cache
def _font_config() -> Any:
    """The process's one font configuration: fonts are set up once, not per render."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _warm_up_child() -> None:
    # Only the render child reads hyphenation dictionaries through osintkit's cache: a
    # process that renders in-process (sandbox=False) keeps pyphen as it found it.
    from osintkit.render import hyphenation

    hyphenation.install()
    warm_up()


#: What the render child does: WeasyPrint warmed up once, then one PDF after another.
_PDF_WORK = sandbox.ChildWork(_warm_up_child, _render_here, fonts.render_environment)
