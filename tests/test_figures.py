"""A brief's figures: read once from under its folder, sniffed, capped, located when refused."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import osintkit.figures
from osintkit.errors import RenderError
from osintkit.figures import MAX_FIGURE_BYTES, MAX_FIGURES_BYTES, figure_data_uri
from osintkit.validation import load_brief
from support import at, problems

MakeBrief = Callable[..., Path]
MakePng = Callable[..., bytes]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2"/>'
SVG += b"</svg>"


@pytest.fixture
def minimal(fixtures_dir: Path) -> str:
    return (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")


def showing(minimal: str, *images: str) -> str:
    """minimal.yaml whose geopolitical context starts with a line showing ``images``."""
    line = " ".join(f"![figure {i}]({image})" for i, image in enumerate(images, 1))
    text = minimal.replace("geopolitical_context: |\n", f"geopolitical_context: |\n  {line}\n\n")
    assert text != minimal
    return text


def test_local_images_are_read_and_typed_by_their_content(
    make_brief: MakeBrief, minimal: str, make_png: MakePng
) -> None:
    path = make_brief(showing(minimal, "figs/chart.png", "figs/map%20one.svg", "named.svg"))
    (path.parent / "figs").mkdir()
    png = make_png()
    (path.parent / "figs" / "chart.png").write_bytes(png)
    (path.parent / "figs" / "map one.svg").write_bytes(SVG)
    (path.parent / "named.svg").write_bytes(png)  # the name says SVG; the bytes are a PNG
    figures = load_brief(path).figures
    assert list(figures) == ["figs/chart.png", "figs/map%20one.svg", "named.svg"]
    chart, svg, named = figures.values()
    assert figure_data_uri(chart) == "data:image/png;base64," + base64.b64encode(png).decode()
    assert chart.path == (path.parent / "figs" / "chart.png").resolve()
    assert svg.media_type == "image/svg+xml"
    assert figure_data_uri(svg).startswith("data:image/svg+xml;base64,")
    assert named.media_type == "image/png"


def test_figures_in_every_markdown_field_are_read(
    make_brief: MakeBrief, minimal: str, make_png: MakePng
) -> None:
    text = minimal.replace("    excerpt: |\n", "    translation: '![t](t.png)'\n    excerpt: |\n")
    text += (
        "key_judgements:\n  - {text: '![k](k.png)', likelihood: likely, confidence: low}\n"
        "timeline:\n  - {date: 1993, event: '![e](e.png)'}\n"
    )
    path = make_brief(text)
    for name in ("t", "k", "e"):
        (path.parent / f"{name}.png").write_bytes(make_png())
    assert sorted(load_brief(path).figures) == ["e.png", "k.png", "t.png"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x.png",
        "//example.org/x.png",
        "HTTP:example.org/x.png",
        "&#47;&#47;example.org/x.png",
        "<\\\\\\\\example.org/x.png>",
        "/\\\\example.org/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_a_remote_image_is_no_figure_and_no_error(
    make_brief: MakeBrief, minimal: str, url: str
) -> None:
    assert load_brief(make_brief(showing(minimal, url))).figures == {}


@pytest.fixture
def files(tmp_path: Path, make_png: MakePng) -> Path:
    """Beside the briefs: a secret one level up, links to it, a folder, a FIFO, bad images."""
    (tmp_path.parent / f"{tmp_path.name}-secret.png").write_bytes(make_png())
    (tmp_path / "out.png").symlink_to(tmp_path.parent / f"{tmp_path.name}-secret.png")
    (tmp_path / "folder.png").mkdir()
    os.mkfifo(tmp_path / "fifo.png")
    (tmp_path / "notes.png").write_text("not an image", encoding="utf-8")
    (tmp_path / "damaged.png").write_bytes(make_png()[:-20])
    (tmp_path / "huge.png").write_bytes(_png_header(8000, 8000))
    (tmp_path / "bomb.png").write_bytes(_png_header(60000, 60000))  # past Pillow's own cap
    (tmp_path / "holds-huge.svg").write_bytes(_svg_holding(_png_header(8000, 8000)))
    (tmp_path / "holds-many.svg").write_bytes(_svg_holding(*[_png_blank(5000, 5000)] * 3))
    (tmp_path / "holds-html.svg").write_bytes(_svg_holding(b"<html><script>1</script>"))
    with (tmp_path / "large.svg").open("wb") as large:
        large.truncate(MAX_FIGURE_BYTES + 1)
    (tmp_path / "entities.svg").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    (tmp_path / "page.svg").write_bytes(b"<html><body>not an svg</body></html>")
    return tmp_path


def _svg_holding(*rasters: bytes) -> bytes:
    """An SVG that embeds ``rasters`` as ``data:`` URIs, as a charting tool writes a bitmap."""
    images = "".join(
        f'<image width="4" height="2" href="data:image/png;base64,{base64.b64encode(r).decode()}"/>'
        for r in rasters
    )
    return f'<svg xmlns="http://www.w3.org/2000/svg">{images}</svg>'.encode()


def _png_blank(width: int, height: int) -> bytes:
    """A black 1-bit PNG that decodes: a few kilobytes for millions of pixels."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that only says how large it is: its pixels are never decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("missing.png", "'missing.png' does not exist"),
        ("sub/missing.png", "'sub/missing.png' does not exist"),
        ("../outside.png", "'../outside.png' lies outside the brief's folder"),
        ("%2e%2e/outside.png", "'../outside.png' lies outside the brief's folder"),
        ("out.png", "'out.png' lies outside the brief's folder"),
        ("/etc/hostname", "'/etc/hostname' is an absolute path"),
        ("<a\\\\b.png>", "'a\\\\b.png' must use / between folders"),
        ("chart.png?v=2", "'chart.png?v=2' is a file's path: it cannot have a query"),
        ("chart.png#frame", "'chart.png#frame' is a file's path"),
        ("%01.png", "'\\x01.png' holds a control character"),
        ("<>", "'' names no file"),
        ("folder.png", "'folder.png' is a folder, not a file"),
        ("fifo.png", "'fifo.png' is not a file"),
        ("notes.png", "'notes.png' is not a PNG, JPEG, GIF, WebP or SVG image"),
        ("damaged.png", "'damaged.png' is a damaged image"),
        ("huge.png", "'huge.png' is 8000 × 8000 pixels: a figure may have at most 50 million"),
        ("bomb.png", "'bomb.png' has too many pixels: a figure may have at most 50 million"),
        (
            "holds-huge.svg",
            "'holds-huge.svg' is not a usable SVG image: an <image> it holds is 8000 × 8000 "
            "pixels: a figure may have at most 50 million",
        ),
        (
            "holds-many.svg",
            "'holds-many.svg' is not a usable SVG image: an <image> it holds is 5000 × 5000 "
            "pixels: the images of one figure may have at most 50 million in all",
        ),
        (
            "holds-html.svg",
            "'holds-html.svg' is not a usable SVG image: an <image> it holds is not a PNG",
        ),
        ("large.svg", "'large.svg' is 5.0 MiB: a figure may be at most 5 MiB"),
        ("entities.svg", "'entities.svg' is not a usable SVG image: it declares XML entities"),
        ("page.svg", "'page.svg' is not a usable SVG image: the root element is not an SVG"),
    ],
)
def test_an_image_that_cannot_be_shown_is_a_located_error(
    make_brief: MakeBrief, minimal: str, files: Path, url: str, message: str
) -> None:
    text = showing(minimal, url)
    path = make_brief(text)
    (problem,) = problems(path)
    where = at(text, "![figure 1]")
    assert problem.startswith(f"{path}:{where}: geopolitical_context: figure {message}"), problem


def test_every_refused_image_is_reported_at_once_where_it_is(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = showing(minimal, "a.png", "b.png")
    text = text.replace("extensive sanctions.", "extensive sanctions ![c](c.png).")
    text = text.replace("outside the West.", "outside the West.\n  ![again](a.png)")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '![figure 1]')}: geopolitical_context: figure 'a.png' does not exist",
        f"{path}:{at(text, '![figure 2]')}: geopolitical_context: figure 'b.png' does not exist",
        f"{path}:{at(text, '![again]')}: geopolitical_context: figure 'a.png' does not exist",
        f"{path}:{at(text, '![c]')}: challenges.items[0].text: figure 'c.png' does not exist",
    ]


def test_the_figures_shown_are_capped_in_all(
    make_brief: MakeBrief, minimal: str, make_png: MakePng
) -> None:
    # One figure of 3 MiB is fine; shown seven times it would put 21 MiB into the HTML.
    body = b"x" * (3 * 1024 * 1024)
    big = SVG.replace(b"<rect", b"<desc>" + body + b"</desc><rect")
    text = showing(minimal, *["big.svg"] * 7)
    path = make_brief(text)
    (path.parent / "big.svg").write_bytes(big)
    (problem,) = problems(path)
    where = at(text, "![figure 7]")
    assert problem.startswith(f"{path}:{where}: geopolitical_context: figure 'big.svg' ")
    assert f"add up to more than {MAX_FIGURES_BYTES // 1024 // 1024} MiB" in problem


def test_a_folder_swapped_for_a_symlink_after_the_check_is_caught(
    make_brief: MakeBrief,
    minimal: str,
    make_png: MakePng,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make_brief(showing(minimal, "figs/chart.png"))
    (path.parent / "figs").mkdir()
    (path.parent / "figs" / "chart.png").write_bytes(make_png())
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (elsewhere / "chart.png").write_bytes(make_png(colour=(0, 0, 0)))
    checked = osintkit.figures.confined_path

    def check_then_swap(root: Path, relative: object) -> Path:
        found = checked(root, relative)  # type: ignore[arg-type]
        (path.parent / "figs").rename(path.parent / "figs-before")
        (path.parent / "figs").symlink_to(elsewhere)
        return found

    monkeypatch.setattr(osintkit.figures, "confined_path", check_then_swap)
    (problem,) = problems(path)
    assert "figure 'figs/chart.png' lies outside the brief's folder" in problem


@pytest.mark.parametrize("change", ["rewritten", "linked-out", "removed"])
def test_a_figure_changed_after_validation_is_not_shown(
    make_brief: MakeBrief, minimal: str, make_png: MakePng, tmp_path: Path, change: str
) -> None:
    path = make_brief(showing(minimal, "chart.png"))
    chart = (path.parent / "chart.png").resolve()
    chart.write_bytes(make_png())
    (figure,) = load_brief(path).figures.values()
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(make_png(colour=(0, 0, 0)))
    chart.unlink()
    if change == "rewritten":
        chart.write_bytes(make_png(colour=(0, 200, 0)))
    elif change == "linked-out":
        chart.symlink_to(outside)
    with pytest.raises(RenderError) as caught:
        figure_data_uri(figure)
    expected = {
        "rewritten": "changed after the brief was checked",
        "linked-out": "cannot be read",  # the link itself is refused: O_NOFOLLOW
        "removed": "does not exist",
    }[change]
    assert str(caught.value).startswith(f"figure {chart} {expected}"), caught.value


def test_an_svg_may_embed_a_raster_that_decodes_within_the_cap(
    make_brief: MakeBrief, minimal: str, make_png: MakePng
) -> None:
    path = make_brief(showing(minimal, "chart.svg"))
    (path.parent / "chart.svg").write_bytes(_svg_holding(make_png(), make_png(40, 30)))
    (figure,) = load_brief(path).figures.values()
    assert figure.media_type == "image/svg+xml"
