"""SVG figures through the allow-list: drawing stays, nothing that runs or loads survives."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from osintkit.svg import SvgError, sanitise_svg

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def clean(body: str, root: str = f'<svg {NS} width="10" height="10">') -> str:
    return sanitise_svg(f"{root}{body}</svg>".encode()).decode()


def test_a_chart_comes_through_whole() -> None:
    # Roughly what matplotlib writes: a DOCTYPE without declarations, a style sheet, defs,
    # clip paths, <use> of markers, text, and a raster image as a data: URI.
    chart = (
        '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
        '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        f'<svg {NS} width="460pt" height="345pt" viewBox="0 0 460 345" version="1.1">\n'
        " <metadata><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/></metadata>"
        ' <defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'
        '  <clipPath id="p1"><rect x="57" y="41" width="357" height="266"/></clipPath>'
        '  <path id="m1" d="M 0 0 L 0 3.5" style="stroke: #000000; stroke-width: 0.8"/>'
        '  <linearGradient id="g"><stop offset="0" stop-color="rgb(10, 20, 30)"/></linearGradient>'
        " </defs>"
        ' <g id="figure_1" clip-path="url(#p1)" transform="translate(1 2) scale(2)">'
        '  <use xlink:href="#m1" x="57.6" y="307.584" style="stroke: #000000"/>'
        '  <rect width="5" height="5" fill="url(#g)"/>'
        '  <text x="3" y="4" style="font: 10px \'DejaVu Sans\'" text-anchor="middle">'
        "1993 &amp; after</text>"
        '  <image width="2" height="2" xlink:href="data:image/png;base64,iVBORw0KGgo="/>'
        " </g>\n</svg>\n"
    )
    out = sanitise_svg(chart.encode()).decode()
    tree = ElementTree.fromstring(out)  # well-formed, and what a reader's browser parses
    names = [element.tag.split("}")[1] for element in tree.iter()]
    assert names == [
        "svg", "defs", "style", "clipPath", "rect", "path", "linearGradient", "stop", "g", "use",
        "rect", "text", "image",
    ]  # fmt: skip
    assert 'xlink:href="#m1"' in out and 'clip-path="url(#p1)"' in out and 'fill="url(#g)"' in out
    assert "*{stroke-linejoin: round; stroke-linecap: butt}" in out
    assert "1993 &amp; after" in out
    assert 'xlink:href="data:image/png;base64,iVBORw0KGgo="' in out
    assert 'viewBox="0 0 460 345"' in out and "DOCTYPE" not in out and "metadata" not in out


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<script xlink:href="https://evil.example/x.js"/>',
        "<foreignObject><iframe xmlns='http://www.w3.org/1999/xhtml' src='https://evil.example'/></foreignObject>",
        '<rect onload="alert(1)" onclick="alert(1)" width="1" height="1"/>',
        '<use xlink:href="https://evil.example/s.svg#x"/>',
        '<use href="other.svg#x"/>',
        '<use xlink:href=" javascript:alert(1)"/>',
        '<image xlink:href="https://evil.example/pixel.png" width="1" height="1"/>',
        '<image href="../secret.png" width="1" height="1"/>',
        '<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" width="1" height="1"/>',
        '<image href="file:///etc/passwd"/>',
        '<feImage xlink:href="https://evil.example/x.png"/>',
        '<a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a>',
        '<set attributeName="href" to="javascript:alert(1)"/>',
        '<animate attributeName="xlink:href" values="https://evil.example/x"/>',
        '<rect style="fill: url(https://evil.example/p.svg#g)" width="1" height="1"/>',
        '<rect fill="url(\'//evil.example/p.svg#g\')" width="1" height="1"/>',
        '<rect filter="url(https://evil.example/f.svg#f)" width="1" height="1"/>',
        '<rect style="fill: u\\72l(https://evil.example/p)" width="1" height="1"/>',
        "<rect style=\"background: image-set('https://evil.example/p.png' 1x)\"/>",
        "<style>@import url(https://evil.example/s.css);</style>",
        "<style>@font-face { font-family: x; src: url(https://evil.example/f.woff) }</style>",
        "<style>rect { fill: url(https://evil.example/p.svg#g) }</style>",
        "<style>rect { fill: u\\rl(https://evil.example/p) }</style>",
        "<style><![CDATA[ rect { background: url(//evil.example/p) } ]]></style>",
        '<x:evil xmlns:x="urn:x" href="https://evil.example"/>',
        "<?xml-stylesheet href='https://evil.example/s.css'?>",
        '<rect xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="click" width="1"/>',
        '<rect xml:base="https://evil.example/" width="1" height="1"/>',
    ],
)
def test_nothing_that_runs_or_loads_survives(body: str) -> None:
    out = clean(body)
    lowered = out.lower()
    for word in (
        "evil.example", "script", "javascript", "onload", "onclick", "@import", "foreignobject",
        "iframe", "secret", "passwd", "other.svg", "<set", "animate", "feimage", "image-set",
        "xml-stylesheet", "svg+xml", "xml:base", "\\",
    ):  # fmt: skip
        assert word not in lowered, (word, out)
    assert not re.search(r"""href=["'](?!#|data:image/png)""", out), out


def test_the_sanitised_svg_is_the_same_drawing() -> None:
    out = clean('<g><a xlink:href="https://x.example"><rect width="1" height="1"/></a></g>')
    assert out == f'<svg {NS} width="10" height="10"><g><rect width="1" height="1"/></g></svg>'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body/></html>", "the root element is not an SVG <svg>"),
        (b"<svg><rect/></svg>", "the root element is not an SVG <svg>"),  # no SVG namespace
        (f"<svg {NS}><rect></svg>".encode(), "not well-formed XML: mismatched tag"),
        (b"", "not well-formed XML: no element found"),
        (
            b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
            "it declares XML entities",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY % p SYSTEM "https://evil.example/p.dtd"> %p;]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "it declares XML entities",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg">&undefined;</svg>', "undefined entity"),
    ],
)
def test_what_is_not_a_plain_svg_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(SvgError, match=re.escape(message)):
        sanitise_svg(data)


def test_a_billion_laughs_is_refused_before_anything_is_expanded() -> None:
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 30)
    )
    bomb = f'<!DOCTYPE svg [{entities}]><svg xmlns="http://www.w3.org/2000/svg">&a29;</svg>'
    # Expanded, this is 10**29 laughs: the test would not end if any were.
    with pytest.raises(SvgError, match="declares XML entities"):
        sanitise_svg(bomb.encode())


@pytest.mark.parametrize(
    "body", ['<image href="x.png" width="1"/>', '<use xlink:href="o.svg#a"/>', "<use/>"]
)
def test_an_image_or_use_whose_reference_is_refused_goes_whole(body: str) -> None:
    # Left without its reference it would be a broken image (WeasyPrint warns of one).
    assert clean(body) == f'<svg {NS} width="10" height="10"/>'
