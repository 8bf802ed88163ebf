"""HTML → PDF with WeasyPrint, reading only files under allowed folders, nothing from the network.

A brief is untrusted input and so is a template someone sent: rendering runs in a child
process (kept warm from one render to the next) with a time and a memory limit (a 1 KB SVG
``<use>`` bomb keeps WeasyPrint busy for minutes), and every URL the document asks for goes
through a fetcher that serves only ``data:`` URLs and files under the allowed folders,
symlinks resolved.

WeasyPrint is imported inside the functions that need it: it costs most of a second, and
``osintkit --help`` or ``validate`` should not pay for it.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import logging
import multiprocessing
import os
import re
import resource
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from osintkit.errors import RenderError
from osintkit.processes import die_with_parent, ignore_interrupts, start_ignoring_interrupts


@dataclass(frozen=True, slots=True)
class PdfResult:
    """A rendered PDF with its page count and the warnings rendering produced."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    #: Local files the document loaded (images, fonts, stylesheets): inputs of the output.
    files_read: list[Path] = field(default_factory=list)


#: PDF variants a distribution copy may be written as (WeasyPrint's names).
PDF_VARIANTS = ("pdf/a-3b", "pdf/a-3u", "pdf/ua-1")


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How the PDF is written, beyond its content."""

    #: A PDF/A or PDF/UA variant, e.g. "pdf/a-3b"; None for a plain PDF.
    variant: str | None = None
    #: Files embedded in the PDF, as (file name, bytes): the brief itself, for provenance.
    #: Bytes, not paths: what is attached is what was validated, never a second read.
    attachments: tuple[tuple[str, bytes], ...] = ()
    #: The creation (and modification) date written into the PDF and its attachments; a
    #: fixed date, with nothing else varying, makes two renders byte-identical.
    created: dt.datetime | None = None
    #: Stylesheets for the PDF only, after the document's own.
    stylesheets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RenderLimits:
    """How long and how much memory one PDF render may take before it is stopped."""

    seconds: float = 60.0
    memory_mib: int = 2048


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
    html: str,
    base_url: Path,
    allowed_roots: Sequence[Path],
    limits: RenderLimits | None = RenderLimits(),
    options: PdfOptions = PdfOptions(),
) -> PdfResult:
    """Return the PDF of ``html``, resolving relative URLs against the folder ``base_url``.

    Only files under ``allowed_roots`` are read; every other URL is refused with a warning
    and the report renders without it. With ``limits`` (the default), WeasyPrint runs in a
    child process that is stopped when it takes longer or needs more memory; ``None`` renders
    in this process. Raises :class:`RenderError` if WeasyPrint fails or a limit is hit.
    """
    if limits is None or not hasattr(os, "fork"):
        return _render_here(html, base_url, allowed_roots, options)
    return _render_in_child(html, base_url, allowed_roots, limits, options)


def _render_here(
    html: str, base_url: Path, allowed_roots: Sequence[Path], options: PdfOptions
) -> PdfResult:
    from weasyprint import CSS, HTML, Attachment

    html, lifted = _lift_data_uris(html)
    fetcher = _fetcher_class()(allowed_roots, lifted)
    base = base_url.resolve().as_uri() + "/"
    with _collect_warnings() as warnings:
        try:
            font_config = _font_config()
            stylesheets = [
                CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=font_config)
                for css in options.stylesheets
            ]
            document = HTML(string=html, base_url=base, url_fetcher=fetcher).render(
                font_config=font_config, stylesheets=stylesheets
            )
            if options.created is not None:
                stamp = options.created.isoformat()
                document.metadata.created = document.metadata.modified = stamp
            attachments = [
                Attachment(
                    file_obj=io.BytesIO(data),
                    name=name,
                    description="The brief this report was rendered from",
                    created=options.created,
                    modified=options.created,
                )
                for name, data in options.attachments
            ]
            data = document.write_pdf(
                pdf_variant=options.variant,
                pdf_tags=bool(options.variant and options.variant.startswith("pdf/ua")),
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
    others = [w for w in warnings if not any(url in w for url in fetcher.refused)]
    shown = [_shortened(w) for w in [*refused, *others]]
    return PdfResult(data, len(document.pages), shown, list(fetcher.served))


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
    import weasyprint  # noqa: F401

    _font_config()


@cache
def _font_config() -> Any:
    """The process's one font configuration: fonts are set up once, not per render."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def start_renderer(limits: RenderLimits = RenderLimits()) -> None:
    """Start the render child now, so it is warm by the time the first PDF is wanted.

    A command that will render calls this first: the child's 0.6 s of imports and font set-up
    then overlap with the brief's validation and HTML rendering.
    """
    if hasattr(os, "fork"):
        with _worker_lock:
            _worker.get(limits.memory_mib)


def _render_in_child(
    html: str,
    base_url: Path,
    allowed_roots: Sequence[Path],
    limits: RenderLimits,
    options: PdfOptions,
) -> PdfResult:
    with _worker_lock:
        worker = _worker.get(limits.memory_mib)
        try:
            return worker.render(html, base_url, list(allowed_roots), options, limits)
        except _OutOfMemory:
            if worker.renders == 1:
                raise RenderError(
                    f"PDF rendering needed more than {limits.memory_mib} MiB of memory and "
                    "was stopped"
                ) from None
        # A worker that had rendered before may have held memory a fresh one would not: the
        # document gets one more try, alone in a new child.
        worker = _worker.get(limits.memory_mib)
        try:
            return worker.render(html, base_url, list(allowed_roots), options, limits)
        except _OutOfMemory:
            raise RenderError(
                f"PDF rendering needed more than {limits.memory_mib} MiB of memory and was stopped"
            ) from None


class _OutOfMemory(Exception):
    """The render child ran out of its memory budget (and has been stopped)."""


#: Renders a worker may do before it is replaced, so whatever it keeps cannot grow forever.
_RENDERS_PER_WORKER = 50


class _RenderWorker:
    """A forked child that renders one PDF after another within the memory limit.

    Forking once and keeping the child warm (fonts loaded, caches filled) costs a re-render
    nothing over rendering in this process; forking for every render cost about 15 % more,
    and a child of a process that had never rendered redid the font set-up every time. A
    child that overruns its time, runs out of memory or crashes is killed and replaced.
    """

    def __init__(self, memory_mib: int) -> None:
        # The child imports WeasyPrint and sets up fonts itself: started early (see
        # start_renderer), that work runs on another core while this process validates the
        # brief and renders its HTML.
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe(duplex=True)
        self.memory_mib = memory_mib
        self.renders = 0
        self.process = context.Process(
            target=_worker_main, args=(child_end, memory_mib, os.getpid()), daemon=True
        )
        start_ignoring_interrupts(self.process)
        child_end.close()

    @property
    def usable(self) -> bool:
        return self.process.is_alive() and self.renders < _RENDERS_PER_WORKER

    def render(
        self,
        html: str,
        base_url: Path,
        allowed_roots: list[Path],
        options: PdfOptions,
        limits: RenderLimits,
    ) -> PdfResult:
        self.renders += 1
        try:
            self.connection.send((html, base_url, allowed_roots, options))
            if not self.connection.poll(limits.seconds):
                raise RenderError(
                    f"PDF rendering took longer than {limits.seconds:g} s and was stopped "
                    "(a very large or deeply nested image or table?)"
                )
            kind, payload = self.connection.recv()
        except (EOFError, OSError):
            self.stop()
            raise RenderError(
                f"PDF rendering stopped unexpectedly (exit code {self.process.exitcode}); "
                f"it may have needed more than {self.memory_mib} MiB of memory"
            ) from None
        except BaseException:
            # A timeout, Ctrl-C: the child may be mid-render; it cannot be trusted again.
            self.stop()
            raise
        if kind == "memory":
            self.stop()
            raise _OutOfMemory
        if kind == "error":
            raise RenderError(str(payload))
        assert isinstance(payload, PdfResult)
        return payload

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


class _WorkerSlot:
    """This process's render worker, started on first use and replaced when unusable."""

    def __init__(self) -> None:
        self.worker: _RenderWorker | None = None

    def get(self, memory_mib: int) -> _RenderWorker:
        worker = self.worker
        if worker is None or not worker.usable or worker.memory_mib != memory_mib:
            if worker is not None:
                worker.stop()
            worker = self.worker = _RenderWorker(memory_mib)
        return worker

    def forget(self) -> None:
        """In a forked process: the inherited worker is the parent's, not to be used or killed."""
        if self.worker is not None:
            with contextlib.suppress(OSError):
                self.worker.connection.close()
        self.worker = None


_worker = _WorkerSlot()
_worker_lock = threading.Lock()


def _after_fork_in_child() -> None:
    # A build's worker processes are forked from a process that may have a render worker,
    # and perhaps from a moment another thread held its lock.
    global _worker_lock
    _worker_lock = threading.Lock()
    _worker.forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _worker_main(connection: Any, memory_mib: int, parent_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the parent decides, and kills this child.
    ignore_interrupts()
    die_with_parent(parent_pid)
    # What a starved GLib prints on its way down means nothing to an analyst; the parent
    # reports the failure in words.
    with Path(os.devnull).open("wb") as devnull:
        os.dup2(devnull.fileno(), 2)
    _limit_memory(memory_mib)
    try:
        warm_up()
        while True:
            try:
                html, base_url, allowed_roots, options = connection.recv()
            except (EOFError, OSError):
                break  # the parent is done with this worker
            message = _render_message(html, base_url, allowed_roots, options)
            try:
                connection.send(message)
            except MemoryError:
                connection.send(("memory", None))
            if message[0] == "memory":
                break  # its heap may be in pieces: the parent starts a fresh worker
    finally:
        # No interpreter clean-up in a forked child, which may be out of memory: it only
        # prints noise. The parent owns every file and handler.
        os._exit(0)


def _render_message(
    html: str, base_url: Path, allowed_roots: list[Path], options: PdfOptions
) -> tuple[str, object]:
    try:
        return ("ok", _render_here(html, base_url, allowed_roots, options))
    except MemoryError:
        return ("memory", None)
    except RenderError as exc:
        return ("error", str(exc))
    except Exception as exc:
        return ("error", f"PDF rendering failed: {type(exc).__name__}: {exc}")


def _limit_memory(memory_mib: int) -> None:
    """Cap this process's address space at what it maps now plus ``memory_mib``."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
        mapped_kib = next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmSize:")
        )
    except (OSError, StopIteration, ValueError):
        return  # no /proc: no reliable base to add the budget to
    limit = (mapped_kib * 1024) + memory_mib * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
