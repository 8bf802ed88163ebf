"""A brief's figures: the local images its Markdown shows, read once, checked and inlined.

The HTML report is one file that must show its figures wherever it is moved, so every local
image is carried inside it as a ``data:`` URI, and the PDF is rendered from that same HTML:
both show the same bytes, the ones checked when the brief was validated. Validation keeps
only their SHA-256 (a build validates every brief before it renders one: holding the
figures of all would cost their size in memory for each); rendering reads them again and
refuses any whose bytes are not those any more. A figure is read only from
under the brief's folder, symlinks resolved (as the PDF fetcher confines files), up to a size
cap; its type is taken from its content (PNG, JPEG, GIF, WebP or SVG), never from its name,
and an SVG is passed through :mod:`osintkit.svg`'s allow-list. An image with a scheme or a
host (``https:``, ``//host/``, ``data:``) is not a figure: the report shows it as a link.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from osintkit.errors import KeyPath, RenderError, quoted
from osintkit.markdown import find_images, url_scheme
from osintkit.paths import Refused, confined_path, open_confined
from osintkit.svg import SvgError, sanitise_svg

MIB = 1024 * 1024
#: One figure, as read and as shown: a full-page chart is a few hundred kilobytes.
MAX_FIGURE_BYTES = 5 * MIB
#: Every figure the report shows, counted each time it is shown (each is a copy in the HTML).
MAX_FIGURES_BYTES = 20 * MIB
#: Pixels of one raster figure: a page at 600 dpi is 35 million; a browser decodes them all.
MAX_PIXELS = 50_000_000

_RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_OVER_BUDGET = (
    f"would make the figures shown add up to more than {MAX_FIGURES_BYTES // MIB} MiB "
    "(each showing is a copy in the HTML)"
)


@dataclass(frozen=True, slots=True)
class Figure:
    """A local image the report shows, as validation found it."""

    path: Path  # the file, symlinks resolved
    root: Path  # the folder it must stay under, resolved
    media_type: str
    size: int  # bytes shown (an SVG's after sanitising)
    sha256: str  # of the bytes shown


def figure_data_uri(figure: Figure) -> str:
    """Return ``figure`` as a ``data:`` URI of the bytes validation checked.

    The file is read again through the same confinement and checks; raises
    :class:`RenderError` if it is gone, refused or not the same bytes any more.
    """
    try:
        shown = _checked(_read_confined(figure.path, figure.root, MAX_FIGURE_BYTES))[1]
    except Refused as exc:
        raise RenderError(f"figure {figure.path} {exc}") from None
    if hashlib.sha256(shown).hexdigest() != figure.sha256:
        raise RenderError(f"figure {figure.path} changed after the brief was checked")
    return f"data:{figure.media_type};base64,{base64.b64encode(shown).decode('ascii')}"


@dataclass(frozen=True, slots=True)
class FigureProblem:
    """Why an image of a Markdown field cannot be shown, and where it is written."""

    key_path: KeyPath
    offset: int
    message: str


def figure_candidates(fields: Iterable[tuple[KeyPath, str]], folder: Path) -> frozenset[Path]:
    """Return the files the images of ``fields`` name under ``folder``, existing or not.

    For watching: a figure that is missing now is one to rebuild for when it appears.
    """
    found = set()
    for _, text in fields:
        for image in find_images(text):
            relative = _local_path(image.src)
            if isinstance(relative, PurePosixPath):
                found.add(folder / relative)
    return frozenset(found)


def load_figures(
    fields: Iterable[tuple[KeyPath, str]], folder: Path
) -> tuple[dict[str, Figure], list[FigureProblem]]:
    """Read every local image of the Markdown ``fields`` from under ``folder``.

    Returns the figures by their URL as the Markdown renderer sees it, and the problems:
    an image that is missing, outside the folder, too large, not an image or an unusable
    SVG, each at the ``![`` that shows it. Remote images are left out (they are links).
    """
    figures: dict[str, Figure] = {}
    by_path: dict[Path, Figure] = {}
    problems: list[FigureProblem] = []
    shown = 0
    for key_path, text in fields:
        for image in find_images(text):
            relative = _local_path(image.src)
            if relative is None:
                continue
            try:
                if isinstance(relative, str):
                    raise Refused(relative)
                budget = MAX_FIGURES_BYTES - shown
                figure = figures.get(image.src) or _read_figure(folder, relative, by_path, budget)
                if figure.size > budget:
                    raise Refused(_OVER_BUDGET)
            except Refused as exc:
                where = quoted(unquote(image.src))
                problems.append(FigureProblem(key_path, image.offset, f"figure {where} {exc}"))
                continue
            shown += figure.size
            figures[image.src] = figure
    return figures, problems


def _local_path(src: str) -> PurePosixPath | str | None:
    """The path below the brief's folder that an image URL names; None for a remote image.

    A URL a browser would read as naming a host or a scheme is remote, whichever way it is
    written (``//host``, ``\\\\host``, `` //host``, ``HTTP:host``, percent-encoded). Anything
    else is meant as a local file, and must be a plain relative path: otherwise the reason
    it is not (a str) is returned.
    """
    text = unquote(src)
    browser = text.strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    browser = re.sub(r"[\t\n\r]", "", browser)
    if url_scheme(text) or browser.startswith("//"):
        return None
    if not text.strip():
        return "names no file"
    if _CONTROL_RE.search(text):
        return "holds a control character"
    if "?" in src or "#" in src:
        return "is a file's path: it cannot have a query (?…) or a fragment (#…)"
    if "\\" in text:
        return "must use / between folders, not \\"
    if text.startswith("/"):
        return "is an absolute path: write it relative to the brief's folder"
    return PurePosixPath(text)


def _read_figure(
    folder: Path, relative: PurePosixPath, by_path: dict[Path, Figure], budget: int
) -> Figure:
    root = folder.resolve()
    path = confined_path(root, relative)
    figure = by_path.get(path)
    if figure is None:
        media_type, shown = _checked(_read_confined(path, root, budget))
        digest = hashlib.sha256(shown).hexdigest()
        figure = by_path[path] = Figure(path, root, media_type, len(shown), digest)
    return figure


def _read_confined(path: Path, root: Path, budget: int) -> bytes:
    """The bytes of the regular file ``path``, checked to be under ``root`` once open
    (:func:`osintkit.paths.open_confined`). A file larger than the cap, or than what is left
    of the ``budget`` of all figures, is refused unread.
    """
    with open_confined(path, root) as (fd, info):
        if info.st_size > MAX_FIGURE_BYTES:
            raise Refused(_too_large(info.st_size))
        if info.st_size > budget:
            raise Refused(_OVER_BUDGET)
        chunks = []
        left = MAX_FIGURE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(left, MIB))):
            chunks.append(chunk)
            left -= len(chunk)
    data = b"".join(chunks)
    if len(data) > MAX_FIGURE_BYTES:  # it grew while being read
        raise Refused(_too_large(len(data)))
    return data


def _checked(data: bytes) -> tuple[str, bytes]:
    """The media type of an image by its content, and the bytes to show."""
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    ):
        return _raster(data, MAX_PIXELS)[0], data
    # The rasters an SVG embeds are decoded by the reader's browser like any figure: they
    # share one figure's pixel cap.
    pixels_left = MAX_PIXELS

    def check_embedded(raster: bytes) -> None:
        nonlocal pixels_left
        if not raster.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8")) and not (
            raster[:4] == b"RIFF" and raster[8:12] == b"WEBP"
        ):
            raise ValueError("is not a PNG, JPEG, GIF or WebP image")
        try:
            pixels_left -= _raster(raster, pixels_left)[1]
        except Refused as exc:
            raise ValueError(str(exc)) from None

    try:
        shown = sanitise_svg(data, check_embedded)
    except SvgError as exc:
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            raise Refused(f"is not a usable SVG image: {exc}") from None
        raise Refused("is not a PNG, JPEG, GIF, WebP or SVG image") from None
    if len(shown) > MAX_FIGURE_BYTES:
        raise Refused(_too_large(len(shown)))
    return "image/svg+xml", shown


def _raster(data: bytes, max_pixels: int) -> tuple[str, int]:
    """The media type and pixel count of a PNG, JPEG, GIF or WebP that decodes, within
    ``max_pixels``."""
    import io
    import warnings

    from PIL import Image

    try:
        # Pillow warns of a "decompression bomb" on stderr; the pixel cap below says more.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_RASTER_TYPES))
        with image:
            kind, (width, height) = image.format or "", image.size
            if width * height > max_pixels:
                raise Refused(f"is {width} × {height} pixels: {_too_many_pixels(max_pixels)}")
            image.verify()
    except Refused:
        raise
    except Image.DecompressionBombError:  # refused by Pillow itself, far above the cap
        raise Refused(f"has too many pixels: {_too_many_pixels(max_pixels)}") from None
    except Exception as exc:  # Pillow raises many types for a damaged file
        raise Refused(f"is a damaged image: {exc}") from None
    return _RASTER_TYPES[kind], width * height


def _too_many_pixels(max_pixels: int) -> str:
    if max_pixels < MAX_PIXELS:
        return f"the images of one figure may have at most {MAX_PIXELS // 1_000_000} million in all"
    return f"a figure may have at most {MAX_PIXELS // 1_000_000} million"


def _too_large(size: int) -> str:
    return f"is {size / MIB:.1f} MiB: a figure may be at most {MAX_FIGURE_BYTES // MIB} MiB"
