"""SVG → SVG through an allow-list: a figure as shapes, text and paint, nothing that acts.

A figure from a brief's folder is untrusted: opened on its own an SVG can run script, and
rendered it can fetch files and URLs (``<image href>``, ``<use href="other.svg#x">``, CSS
``url()`` and ``@import``). What comes out keeps only drawing elements and attributes, every
reference within the document (``#id``), raster images only as ``data:`` URIs, and CSS
without at-rules, escapes or functions beyond colours, transforms and ``url(#id)``. Entity
declarations are refused before anything is expanded (the "billion laughs"), and no external
DTD or entity is ever read.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from xml.parsers import expat

SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
_XML_NS = "http://www.w3.org/XML/1998/namespace"


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Static drawing: structure, shapes, text, paint servers, clipping, masking and filters.
#: Left out: script, foreignObject, animation (``<set>`` can rewrite an href), ``<a>``
#: (unwrapped: its content stays), feImage, and everything not in the SVG namespace.
_ELEMENTS = _names(
    """svg g defs symbol use title desc style switch
    path rect circle ellipse line polyline polygon text tspan textPath image
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence"""
)
_UNWRAPPED = frozenset({"a"})
_ATTRIBUTES = _names(
    """id class style transform x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points
    pathLength viewBox preserveAspectRatio version baseProfile
    dx dy rotate textLength lengthAdjust startOffset method spacing side
    text-anchor dominant-baseline alignment-baseline baseline-shift font-family font-size
    font-size-adjust font-stretch font-style font-variant font-weight letter-spacing
    word-spacing text-decoration writing-mode direction unicode-bidi
    fill fill-opacity fill-rule stroke stroke-dasharray stroke-dashoffset stroke-linecap
    stroke-linejoin stroke-miterlimit stroke-opacity stroke-width opacity color display
    visibility overflow clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits
    marker-start marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient
    filter filterUnits primitiveUnits flood-color flood-opacity lighting-color stop-color
    stop-opacity offset gradientUnits gradientTransform spreadMethod patternUnits
    patternContentUnits patternTransform color-interpolation color-interpolation-filters
    shape-rendering text-rendering image-rendering vector-effect paint-order mix-blend-mode
    isolation
    in in2 result stdDeviation mode type values operator k1 k2 k3 k4 order kernelMatrix
    divisor bias targetX targetY edgeMode kernelUnitLength preserveAlpha surfaceScale
    diffuseConstant specularConstant specularExponent scale xChannelSelector
    yChannelSelector radius azimuth elevation pointsAtX pointsAtY pointsAtZ
    limitingConeAngle z baseFrequency numOctaves seed stitchTiles tableValues slope
    intercept amplitude exponent requiredFeatures requiredExtensions systemLanguage"""
)
#: The one attribute outside the allow-list: a reference, on the elements that take one.
_HREF_ELEMENTS = frozenset(
    {"use", "textPath", "linearGradient", "radialGradient", "pattern", "filter", "image"}
)
_NEEDS_HREF = frozenset({"use", "image"})
_SAME_DOCUMENT_RE = re.compile(r"#[^\s\"'()<>\\]+")
_RASTER_DATA_RE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
#: CSS functions a figure's colours, transforms and selectors need.
_CSS_FUNCTIONS = _names(
    """url rgb rgba hsl hsla hwb lab lch oklab oklch color calc min max clamp var
    translate translatex translatey rotate scale scalex scaley skewx skewy matrix
    blur brightness contrast drop-shadow grayscale hue-rotate invert saturate sepia
    not is where nth-child nth-last-child nth-of-type nth-last-of-type lang dir"""
)
_CSS_FUNCTION_RE = re.compile(r"([-\w]*)\(\s*(['\"]?)\s*(.?)")
_CSS_COMMENT_RE = re.compile(r"/\*.*?(\*/|$)", re.S)
_CSS_SUSPECT_RE = re.compile(r"[(@\\<]|/\*")


class SvgError(ValueError):
    """The bytes are not an SVG document this module can vouch for."""


def sanitise_svg(data: bytes, check_raster: Callable[[bytes], None] | None = None) -> bytes:
    """Return ``data`` (an SVG document) as UTF-8 SVG holding only allow-listed content.

    ``check_raster`` is given the bytes of every raster image the document embeds (an
    ``<image>``'s ``data:`` URI), which are as untrusted as the SVG: a PNG of a few
    kilobytes can decode to gigapixels in the reader's browser. A ``ValueError`` it raises
    refuses the document.

    Raises :class:`SvgError` if it is not well-formed XML, its root is not an SVG
    ``<svg>``, it declares entities or ``check_raster`` refuses an embedded image.
    """
    writer = _Writer(check_raster)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    parser.StartElementHandler = writer.start
    parser.EndElementHandler = writer.end
    parser.CharacterDataHandler = writer.text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SvgError(
            f"not well-formed XML: {expat.errors.messages[exc.code]} "
            f"(line {exc.lineno}, column {exc.offset + 1})"
        ) from None
    if not writer.parts:
        raise SvgError("no <svg> root element")
    return "".join(writer.parts).encode("utf-8")


def _refuse_entities(*_: object) -> None:
    raise SvgError("it declares XML entities, which an image has no use for")


class _Writer:
    """Writes the allowed part of the document as expat reads it.

    Written for speed (a 5 MiB chart is a million elements): known names are looked up
    whole, and an element with no content is closed as ``<g/>``, as charting tools write it,
    so that the output is not larger than the input.
    """

    def __init__(self, check_raster: Callable[[bytes], None] | None = None) -> None:
        self.check_raster = check_raster
        self.parts: list[str] = []
        #: Per open element: its local name if written, "" if dropped or unwrapped.
        self.stack: list[str] = []
        self.dropping = 0  # open elements inside a dropped one, itself included
        self.open_tag = False  # the last start tag written still lacks its ">"
        self.style: list[str] | None = None  # the text of an open <style>

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if not self.stack and name != _ROOT:
            raise SvgError("the root element is not an SVG <svg>")
        local = _KEPT.get(name)
        if self.dropping or self.style is not None or local is None:
            self.dropping += 1
            self.stack.append("")
            return
        if local in _UNWRAPPED:
            self.stack.append("")
            return
        kept = [
            f' {attribute}="{value.translate(_ATTRIBUTE_ESCAPES)}"'
            for name, value in attributes.items()
            if (attribute := _attribute(local, name, value)) is not None
        ]
        if local in _NEEDS_HREF and not any(k.startswith((" href=", " xlink:href=")) for k in kept):
            # Without the reference it was refused, it would only be a broken image.
            self.dropping += 1
            self.stack.append("")
            return
        if local == "image" and self.check_raster is not None:
            for name, value in attributes.items():
                if name in _HREF_NAMES and _RASTER_DATA_RE.fullmatch(value.strip()):
                    _check_raster(self.check_raster, value)
        if not self.stack:
            kept.insert(0, f' xmlns="{SVG_NS}" xmlns:xlink="{_XLINK_NS}"')
        self.stack.append(local)
        self._close_start_tag()
        self.parts.append(f"<{local}{''.join(kept)}")
        self.open_tag = True
        if local == "style":
            self.style = []

    def end(self, name: str) -> None:
        local = self.stack.pop()
        if not local:
            if self.dropping:
                self.dropping -= 1
            return
        if local == "style" and self.style is not None:
            css = "".join(self.style)
            self.style = None
            if css.strip() and _css_is_inert(css):
                self.text(css)
        if self.open_tag:
            self.parts.append("/>")
            self.open_tag = False
        else:
            self.parts.append(f"</{local}>")

    def text(self, data: str) -> None:
        if self.dropping or not self.stack:
            return
        if self.style is not None:
            self.style.append(data)
            return
        self._close_start_tag()
        self.parts.append(data.translate(_TEXT_ESCAPES))

    def _close_start_tag(self) -> None:
        if self.open_tag:
            self.parts.append(">")
            self.open_tag = False


_ROOT = f"{SVG_NS} svg"
_HREF_NAMES = frozenset({"href", f"{_XLINK_NS} href"})
_KEPT = {f"{SVG_NS} {name}": name for name in _ELEMENTS | _UNWRAPPED}
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _check_raster(check: Callable[[bytes], None], uri: str) -> None:
    try:
        data = base64.b64decode(re.sub(r"\s", "", uri.partition(",")[2]), validate=True)
    except binascii.Error:
        raise SvgError("an <image> holds a data: URI that is not valid base64") from None
    try:
        check(data)
    except ValueError as exc:
        raise SvgError(f"an <image> it holds {exc}") from None


def _attribute(element: str, name: str, value: str) -> str | None:
    """The name to write an allowed attribute under, or None to leave it out."""
    if name in _ATTRIBUTES:  # the common case: a plain attribute
        return name if _css_is_inert(value) else None
    namespace, _, local = name.rpartition(" ")
    if local == "href" and namespace in ("", _XLINK_NS):
        if element not in _HREF_ELEMENTS:
            return None
        pattern = _RASTER_DATA_RE if element == "image" else _SAME_DOCUMENT_RE
        if not pattern.fullmatch(value.strip()):
            return None
        return "xlink:href" if namespace else "href"
    if namespace == _XML_NS and local in ("space", "lang"):
        return f"xml:{local}"
    return None


def _css_is_inert(css: str) -> bool:
    """Whether CSS (a stylesheet, a declaration list or one value) can load nothing.

    Refused outright: at-rules (``@import``, ``@font-face``), escapes (which could spell
    ``url`` so no check sees it) and ``<``; every function must be a known harmless one, and
    ``url()`` may only name an element of the same document.
    """
    if not _CSS_SUSPECT_RE.search(css):  # the common case: a number, a colour, a name
        return True
    css = _CSS_COMMENT_RE.sub(" ", css)
    if any(c in css for c in "@\\<"):
        return False
    for match in _CSS_FUNCTION_RE.finditer(css):
        function, first = match.group(1).lower(), match.group(3)
        if function and function not in _CSS_FUNCTIONS:
            return False
        if function == "url" and first != "#":
            return False
    return True
