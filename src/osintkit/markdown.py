"""Markdown → safe HTML fragments, with ``[@id]`` citations turned into numbered references.

Raw HTML is switched off in the parser (it comes out as text) and the result goes through an
allow-list sanitiser as well, so neither a parser bug nor a later plugin can let markup through.
An image is an ``<img>`` only when the caller hands over its bytes as a ``data:`` URI (a
figure read from the brief's folder); every other image becomes a link, so the report loads
nothing from anywhere when it is opened.
"""

from __future__ import annotations

import bisect
import re
import typing
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from osintkit.errors import did_you_mean, quoted, shortened
from osintkit.fields import TARGET_ID_PATTERN, TARGET_PREFIXES, Tlp

# "[@id]", "[@id, p. 4]", "[@a; @b, pp. 3-5]": one bracket, one or more ";"-separated cites.
_CITE_BRACKET_RE = re.compile(r"\[(@[^\[\]\n]+)\]")
_CITE_PART_RE = re.compile(r"^\s*@([A-Za-z0-9][A-Za-z0-9_.:-]*)\s*(?:,\s*(.+?))?\s*$")

#: The parser turns each of these into one "\n" before it counts lines.
_LINE_BREAK_RE = re.compile(r"\r\n?|\n")

#: Report sections are h2; headings written inside a Markdown field sit below them.
HEADING_SHIFT = 2

_ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "s", "code", "pre", "blockquote", "a", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "img",
    "span", "figure", "figcaption", "caption",
}  # fmt: skip
#: Link schemes a reader may follow; no scheme is a reference within the report (``#ref-…``).
_LINK_SCHEMES = frozenset(("", "http", "https", "mailto"))
#: The one inline style Markdown writes: a table column's alignment.
_ALIGNMENT_RE = re.compile(r"\s*text-align\s*:\s*(left|right|center)\s*", re.IGNORECASE)
#: What a browser drops from a URL before reading it: C0 controls and spaces at either end,
#: tabs and line breaks anywhere (the WHATWG URL parser).
_URL_EDGES = "".join(map(chr, range(0x21)))
_URL_INSIDE_RE = re.compile(r"[\t\n\r]")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_ALLOWED_ATTRIBUTES = {
    "*": {"lang", "dir"},
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "span": {"class", "data-number"},
    "sup": {"class"},
    "em": {"data-script"},
    "figure": {"id", "class", "style"},
    "figcaption": {"class"},
    "table": {"id"},
}
#: The one style a figure may have: its width, as validation checked it.
_WIDTH_RE = re.compile(r"(\d{1,3}(?:\.\d{1,2})?)(%|mm)", re.ASCII)  # "٧٠%" is no CSS width
#: Widths a figure may be given: a share of the text width, or millimetres up to an A4 page's.
MAX_WIDTH = {"%": 100.0, "mm": 297.0}
#: The attributes a figure understands; anything else is a located error.
FIGURE_ATTRIBUTES = ("id", "alt", "width", "credit", "tlp")
#: pandoc writes ``width=70%`` unquoted; the attributes grammar needs quotes around the "%".
_BARE_PERCENT_RE = re.compile(r"=(\d+(?:\.\d+)?%)(?=[\s}])", re.ASCII)
#: A table's caption paragraph, pandoc's and Quarto's syntax: ": Caption. {#tbl-x}".
_CAPTION_RE = re.compile(r":[ \t]+(\S.*)", re.DOTALL)
_FOOTNOTE_CALL_RE = re.compile(r"\[\^([^\]\s]+)\]")
#: In an attributes block: a quoted value, and an id ("#fig-a") outside one.
_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_ID_RE = re.compile(r"(?<![^\s{])#([^\s}]+)")


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited source inside a citation bracket, with its optional locator ("p. 4")."""

    source_id: str
    locator: str | None
    offset: int  # of the bracket in the Markdown text


def find_citations(text: str) -> Iterator[Citation]:
    """Yield every citation in ``text`` in order, with the offset of its bracket.

    The text goes through the same parser as :func:`render_markdown`, so a ``[@id]`` inside
    code or after a backslash, which the report prints literally, is not a citation here
    either. The parser gives line ranges, not offsets: each bracket is then found in the
    text from the start of its block on.
    """
    cursor = _Cursor(text)
    for token in cursor.tokens("citation"):
        offset = cursor.find(token.content)
        if offset < 0:  # cannot happen for text the parser saw; keep the block start
            offset = cursor.at
        else:
            cursor.at = offset + len(token.content)
        for source_id, locator in token.meta["cites"]:
            yield Citation(source_id, locator, offset)


class _Cursor:
    """Walks Markdown text in step with the parser's inline blocks, to find where each token
    is written: the parser gives line ranges, not offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = _line_starts(text)
        #: Where the next token's source is looked for: never before its block's first line.
        self.at = 0
        self._tokens, self.env = _parsed(text)

    def line_start(self, line: int) -> int:
        """The offset of the parser's line ``line`` (0-based)."""
        return self.line_starts[min(line, len(self.line_starts) - 1)]

    def inline_blocks(self) -> Iterator[Token]:
        """Yield the inline blocks in the order they are written, the footnotes' texts among
        them (the parser keeps those apart), moving the cursor to each one's first line."""
        blocks = [t for t in self._tokens if t.type == "inline" and t.children]
        bodies: dict[int, list[Token]] = self.env.get("footnote_bodies", {})
        notes = [t for body in bodies.values() for t in body if t.type == "inline" and t.children]
        if notes:
            blocks = sorted(blocks + notes, key=lambda t: t.map[0] if t.map else 0)
        for block in blocks:
            if block.map:
                self.at = max(self.at, self.line_start(block.map[0]))
            yield block

    def tokens(self, kind: str) -> Iterator[Token]:
        """Yield the inline tokens of ``kind``, moving the cursor to each one's block; those
        of a figure's caption too (its image's children, which the report prints)."""
        for block in self.inline_blocks():
            for token in block.children or []:
                if token.type == kind:
                    yield token
                elif token.type == "image" and token.meta.get("figure"):
                    yield from (t for t in token.children or [] if t.type == kind)

    def find(self, needle: str) -> int:
        """The offset of ``needle`` from the cursor on, not escaped by a backslash; -1 if none."""
        return _find_unescaped(self.text, needle, self.at)


@lru_cache(maxsize=8)
def _parsed(text: str) -> tuple[list[Token], dict[str, Any]]:
    """The tokens and environment of ``text``, for the finders, which only read them.

    Validation and lint look for citations, images, figures, cross-references and footnotes
    in each field, one after another: a field is parsed once for all of them.
    """
    env: dict[str, Any] = {}
    return _parser().parse(text, env), env


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` is escaped: after an odd run of backslashes.

    ``\\[@a]`` is a literal bracket, but ``\\\\[@a]`` an escaped backslash and a citation.
    """
    start = index
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (index - start) % 2 == 1


#: Quotes and list items the parser fills by parsing their insides as blocks again.
_CONTAINERS = ("blockquote_open", "list_item_open")


def find_too_deep(text: str) -> int | None:
    """Return the offset of the first quote or list item nested too deeply, or None.

    The parser stops nesting at a fixed depth (a list counts twice: the list and its item)
    and silently drops what such a container holds, so the report would lose that text.
    Only the line is known: the offset is that of the line's start.
    """
    md = _parser()
    deepest = md.options["maxNesting"] - 1
    for token in md.parse(text):
        if token.type in _CONTAINERS and token.level >= deepest and token.map:
            line = token.map[0]
            starts = _line_starts(text)
            return starts[min(line, len(starts) - 1)]
    return None


@dataclass(frozen=True, slots=True)
class Image:
    """One image in Markdown text: its URL as the renderer sees it, and where it is written."""

    src: str
    offset: int  # of its "![" in the Markdown text


def find_images(text: str) -> Iterator[Image]:
    """Yield every image of ``text`` in order, with the offset of its ``![``.

    Like :func:`find_citations`, through the renderer's own parser, so an image in code is
    not one, and ``src`` is the URL exactly as the renderer looks it up (percent-encoded,
    entities decoded, reference definitions applied).
    """
    cursor = _Cursor(text)
    for token in cursor.tokens("image"):
        offset = cursor.find(f"![{token.content}]")
        if offset < 0:  # a label over several indented lines: its start is enough
            offset = cursor.find("![")
        if offset < 0:
            offset = cursor.at
        else:
            cursor.at = offset + 2
        yield Image(str(token.attrGet("src") or ""), offset)


def _find_unescaped(text: str, needle: str, start: int) -> int:
    offset = text.find(needle, start)
    while offset > 0 and _escaped(text, offset):
        offset = text.find(needle, offset + 1)
    return offset


def url_scheme(url: str) -> str:
    """Return the scheme a browser reads in ``url``, lowercased; "" for a relative URL.

    The browser first drops controls and spaces around the URL and tabs and line breaks
    inside it, so `` JaVa\tscript:`` is ``javascript:``.
    """
    match = _SCHEME_RE.match(_URL_INSIDE_RE.sub("", url.strip(_URL_EDGES)))
    return match.group(1).lower() if match else ""


def _line_starts(text: str) -> list[int]:
    """The offset of each line of ``text`` as the parser numbers lines in its maps."""
    return [0, *(match.end() for match in _LINE_BREAK_RE.finditer(text))]


def _split_cites(inner: str) -> list[tuple[str, str | None]]:
    """Return the (id, locator) pairs of one bracket, or [] if it is not a citation."""
    parts: list[tuple[str, str | None]] = []
    for chunk in inner.split(";"):
        m = _CITE_PART_RE.match(chunk)
        if not m:
            return []
        parts.append((m.group(1), m.group(2)))
    return parts


@dataclass
class CitationIndex:
    """Numbers sources in the order they are first cited, across every field of a report."""

    known: set[str]
    numbers: dict[str, int] = field(default_factory=dict)
    occurrences: int = 0
    #: The anchors of the places citing each source, in reading order: the back-links'
    #: targets, recorded as citations are rendered (see :meth:`record`).
    cited_at: dict[str, list[str]] = field(default_factory=dict)
    #: Each source's citations that give a locator ("pp. 4–9"), as (anchor, locator) in
    #: reading order: the reference list prints them, since print superscripts do not.
    locators: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def cite(self, source_id: str) -> int | None:
        """Return the number of ``source_id`` (assigning the next one), or None if unknown."""
        if source_id not in self.known:
            return None
        if source_id not in self.numbers:
            self.numbers[source_id] = len(self.numbers) + 1
        return self.numbers[source_id]

    def next_anchor(self) -> str:
        """Return a fresh id for one citation in the text, the target of back-links."""
        self.occurrences += 1
        return f"cite-{self.occurrences}"

    def record(self, source_id: str, anchor: str, locator: str | None = None) -> None:
        """Note that the citation with id ``anchor`` cites ``source_id`` (at ``locator``).

        Apart from :meth:`next_anchor` because reading order and numbering order can differ:
        a chronology row numbers its source column first but reads its event text first.
        """
        self.cited_at.setdefault(source_id, []).append(anchor)
        if locator:
            self.locators.setdefault(source_id, []).append((anchor, locator))


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = _CITE_BRACKET_RE.match(state.src, state.pos)
    if not match:
        return False
    parts = _split_cites(match.group(1))
    if not parts:
        return False
    if not silent:
        # A bracket of target ids only is a cross-reference; mixed with sources, a citation
        # (validation then names the targets that are not sources).
        kind = "xref" if all(is_target_id(name) for name, _ in parts) else "citation"
        token = state.push(kind, "", 0)
        token.content = match.group(0)
        token.meta = {"cites": parts}
    state.pos = match.end()
    return True


def _render_citation(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    index: CitationIndex | None = env.get("citations")
    write_number: Callable[[int], str] = env.get("number", str)
    rendered = []
    for source_id, locator in tokens[idx].meta["cites"]:
        number = index.cite(source_id) if index else None
        label = str(escape(write_number(number) if number is not None else "?"))
        # The locator is a span of its own: the screen reads "[1, pp. 4–9]", print sets a
        # bare superscript "1" and the reference list carries "pp. 4–9" (CitationIndex.locators).
        if locator:
            label += f'<span class="cite-locator">, {escape(locator)}</span>'
        if number is None:
            rendered.append(f'<span class="citation-missing">{label}</span>')
            continue
        anchor = ""
        # Not in a footnote's second copy (see _render_footnote_ref): a back-link to it
        # would be a second one, and on screen it would land on hidden text.
        if index is not None and not env.get("copy"):
            anchor = index.next_anchor()
            index.record(source_id, anchor, locator)
        # No id at all rather than an empty one, which HTML forbids (the Nu checker's error).
        id_attribute = f' id="{anchor}"' if anchor else ""
        rendered.append(
            f'<a class="citation"{id_attribute} href="#ref-{escape(source_id)}">{label}</a>'
        )
    # The separator too: "[1; 2]" on screen, comma-separated superscripts "1,2" in print.
    return wrap_citation('<span class="cite-sep">; </span>'.join(rendered))


def wrap_citation(inner: str) -> str:
    """Return the HTML of one citation bracket around ``inner`` (its linked numbers).

    The brackets are spans of their own, so print CSS can set citations as footnote-style
    superscripts without them while the screen keeps "[1]".
    """
    bracket = '<span class="cite-bracket">{}</span>'
    return f'<span class="cite">{bracket.format("[")}{inner}{bracket.format("]")}</span>'


class Labelled(Protocol):
    """What a cross-reference prints and links to: a figure's "Figure 1" and "#fig-x"."""

    @property
    def label(self) -> str: ...

    @property
    def href(self) -> str: ...


def is_target_id(name: str) -> bool:
    """Whether ``name`` is a cross-reference target's id: ``fig-…``, ``tbl-…``, ``sec-…``."""
    return name.startswith(tuple(TARGET_PREFIXES))


@dataclass(frozen=True, slots=True)
class Anchor:
    """A figure or a captioned table that cross-references can point at, where it is written."""

    kind: Literal["figure", "table"]
    id: str
    offset: int  # of the figure's "![" or the caption's ":"


@dataclass(frozen=True, slots=True)
class Xref:
    """One target of a cross-reference bracket, ``[@fig-x]``, and where the bracket is."""

    target_id: str
    offset: int


@dataclass(frozen=True, slots=True)
class MarkupProblem:
    """A figure, table caption or footnote the report cannot print as written."""

    rule: str
    message: str
    offset: int


def find_xrefs(text: str) -> Iterator[Xref]:
    """Yield every cross-reference of ``text`` in order, each target with its bracket's offset.

    A bracket holding only target ids (``[@fig-a; @tbl-b]``) is a cross-reference; a bracket
    mixing them with sources is a citation, and :func:`find_citations` yields its ids.
    """
    cursor = _Cursor(text)
    for token in cursor.tokens("xref"):
        offset = cursor.find(token.content)
        if offset < 0:
            offset = cursor.at
        else:
            cursor.at = offset + len(token.content)
        for target_id, _locator in token.meta["cites"]:
            yield Xref(target_id, offset)


def find_anchors(text: str) -> Iterator[Anchor]:
    """Yield the figures and captioned tables of ``text`` that have an id, in order."""
    for block in _blocks(text):
        if block.kind is not None and block.id:
            yield Anchor(block.kind, block.id, block.offset)


def find_markup_problems(text: str) -> Iterator[MarkupProblem]:
    """Yield what is wrong with the figures, table captions and footnotes of ``text``.

    A figure (an image alone in its paragraph, with an id) needs a non-empty ``alt``, a
    ``width`` it can print and an id that is ``fig-…``; an image with attributes but no id,
    or with an id inside running text, would silently lose them. A caption's id is
    ``tbl-…``. A footnote called but not defined would print "[^x]"; one defined but never
    called would not print at all.
    """
    for block in _blocks(text):
        yield from block.problems
    yield from _footnote_problems(text)
    yield from _container_problems(text)


@dataclass
class _Block:
    kind: Literal["figure", "table"] | None
    id: str | None
    offset: int
    problems: list[MarkupProblem] = field(default_factory=list)


def _blocks(text: str) -> Iterator[_Block]:
    """The figures and table captions of ``text`` (and images with attributes), located."""
    tokens, _env = _parsed(text)
    starts = _line_starts(text)
    cursor = 0
    for i, token in enumerate(tokens):
        if token.map:
            cursor = max(cursor, starts[min(token.map[0], len(starts) - 1)])
        if token.type == "caption_open":
            attributes: dict[str, str] = token.meta["attributes"]
            offset = _find_unescaped(text, ":", cursor)
            offset = cursor if offset < 0 else offset
            block = _Block("table", attributes.get("id"), offset)
            block.problems.extend(_caption_problems(attributes, offset))
            yield block
        if token.type != "inline" or not token.children:
            continue
        if i and tokens[i - 1].type == "paragraph_open":
            stray = _caption(token.content)
            if stray is not None and "id" in stray[1]:
                # Left as a paragraph: it would print as written, "{#tbl-…}" and all.
                yield _Block(None, None, cursor, [_stray_caption(stray[1]["id"], cursor)])
        for child in token.children:
            if child.type != "image" or not {"attributes", "unread_attributes"} & set(child.meta):
                continue
            offset = _find_unescaped(text, "![", cursor)
            offset = cursor if offset < 0 else offset
            cursor = offset + 2
            if "unread_attributes" in child.meta:
                yield _Block(None, None, offset, [_unread_attributes(child, offset)])
            else:
                yield _image_block(child, offset)


def _unread_attributes(image: Token, offset: int) -> MarkupProblem:
    written = shortened(str(image.meta["unread_attributes"]))
    return MarkupProblem(
        "figure",
        f"the attributes {written} after the image cannot be read, so they would print as "
        'text: write them as {#fig-x alt="…" width=70%}, quoting any other value',
        offset,
    )


def _image_block(image: Token, offset: int) -> _Block:
    attributes: dict[str, str] = image.meta["attributes"]
    figure_id = attributes.get("id")
    block = _Block("figure" if image.meta.get("figure") else None, figure_id, offset)

    def problem(message: str) -> None:
        block.problems.append(MarkupProblem("figure", message, offset))

    if not image.meta.get("figure"):
        if figure_id:
            problem(
                f"the image #{shortened(figure_id)} is a figure only alone in its paragraph: "
                "put a blank line before and after it"
            )
        else:
            problem("an image with attributes is a figure only with an id: add #fig-…")
        return block
    if not re.fullmatch(TARGET_ID_PATTERN, str(figure_id)) or not str(figure_id).startswith("fig-"):
        problem(
            f"a figure's id starts with fig- and goes on with letters, digits and . _ : - "
            f"(got #{shortened(str(figure_id))})"
        )
    ids = image.meta.get("ids", [])
    if len(ids) > 1:
        problem(
            f"a figure takes one id, not {len(ids)}: {', '.join('#' + shortened(i) for i in ids)}"
        )
    if not attributes.get("alt", "").strip():
        problem(
            'a figure needs a text alternative for readers who cannot see it: alt="what it shows"'
        )
    width = attributes.get("width")
    if width is not None and figure_width(width) is None:
        problem(
            f"width {quoted(width)} is not a width a figure can take: "
            "a share of the text width up to 100% (width=70%) or millimetres (width=120mm)"
        )
    level = attributes.get("tlp")
    if level is not None and level not in TLP_LEVELS:
        problem(_unknown_level(level))
    for name in sorted(set(attributes) - set(FIGURE_ATTRIBUTES)):
        hint = did_you_mean(name, FIGURE_ATTRIBUTES)
        problem(
            f"a figure has no attribute {quoted(name)} "
            f"(it takes {', '.join(FIGURE_ATTRIBUTES)}){hint}"
        )
    return block


def _stray_caption(table_id: str, offset: int) -> MarkupProblem:
    return MarkupProblem(
        "table",
        f"the caption {{#{shortened(table_id)}}} is not under a table: a table takes one "
        "caption, on the line after a blank line after its last row",
        offset,
    )


def _caption_problems(attributes: Mapping[str, str], offset: int) -> Iterator[MarkupProblem]:
    table_id = attributes.get("id")
    if table_id is not None and (
        not re.fullmatch(TARGET_ID_PATTERN, table_id) or not table_id.startswith("tbl-")
    ):
        yield MarkupProblem(
            "table",
            "a table's id starts with tbl- and goes on with letters, digits and . _ : - "
            f"(got #{shortened(table_id)})",
            offset,
        )
    for name in sorted(set(attributes) - {"id"}):
        yield MarkupProblem(
            "table", f"a table caption takes only an id ({{#tbl-…}}), not {name!r}", offset
        )


def figure_width(value: str) -> str | None:
    """The CSS width of a figure's ``width`` attribute ("70%", "120mm"), or None if invalid."""
    match = _WIDTH_RE.fullmatch(value.strip())
    if not match:
        return None
    amount, unit = float(match.group(1)), match.group(2)
    if not 0 < amount <= MAX_WIDTH[unit]:
        return None
    return f"{match.group(1)}{unit}"


def _footnote_problems(text: str) -> Iterator[MarkupProblem]:
    cursor = _Cursor(text)
    defined: dict[str, int] = {}
    called: set[str] = set()
    for block in cursor.inline_blocks():
        for child in _walk(block.children or []):
            if child.type == "footnote_ref":
                called.add(child.meta["label"])
            elif child.type == "text":
                for match in _FOOTNOTE_CALL_RE.finditer(child.content):
                    offset = cursor.find(match.group(0))
                    if offset < 0:
                        offset = cursor.at
                    cursor.at = offset + 1
                    label = shortened(match.group(1))
                    yield MarkupProblem(
                        "footnote",
                        f"footnote [^{label}] is not defined: add a line [^{label}]: …",
                        offset,
                    )
    for body in cursor.env.get("footnote_bodies", {}).values():
        for token in body:
            if token.type == "caption_open" or (
                token.type == "inline"
                and any("attributes" in t.meta for t in token.children or [] if t.type == "image")
            ):
                # Neither numbered nor a target, and printed twice (at the call and in the
                # list of notes) with one id.
                yield MarkupProblem(
                    "footnote",
                    "a footnote holds no figure or captioned table: put it in the text and "
                    "refer to it from the note",
                    cursor.line_start(token.map[0] if token.map else 0),
                )
            if token.type == "inline" and any(
                t.type == "footnote_ref" for t in _walk(token.children or [])
            ):
                line = token.map[0] if token.map else 0
                yield MarkupProblem(
                    "footnote",
                    "a footnote calls another footnote: put its text in the note itself",
                    cursor.line_start(line),
                )
    for token in cursor.env.get("footnote_definitions", ()):
        line = token.map[0] if token.map else 0
        defined.setdefault(token.meta["label"], cursor.line_start(line))
    for label, offset in defined.items():
        if label not in called:
            yield MarkupProblem(
                "footnote",
                f"footnote [^{shortened(label)}] is defined but never called, so the report "
                f"would not print it: call it as [^{shortened(label)}] in the text",
                offset,
            )


def _walk(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _image_attributes_rule(state: StateInline, silent: bool) -> bool:
    """``{#fig-x alt="…" width=70%}`` right after an image: its attributes, kept in its meta.

    The attributes go to the token's ``meta``, never its ``attrs``: only a figure prints
    them, and then only as :func:`_render_figure_open` writes them. The grammar is the attrs
    plugin's (djot's); pandoc's unquoted ``70%`` is quoted for it first.
    """
    if state.src[state.pos] != "{" or state.pending or not state.tokens:
        return False
    image = state.tokens[-1]
    if image.type != "image":
        return False
    end = state.src.find("}", state.pos, state.posMax)
    if end < 0:
        return False
    written = _BARE_PERCENT_RE.sub(r'="\1"', state.src[state.pos : end + 1])
    try:
        length, attributes = parse_attributes(written)
    except ParseError:
        length, attributes = -1, {}
    if length != len(written) - 1:  # unreadable, or a "%comment%" holding "}"
        if not silent:  # printed as written; validation says why
            image.meta["unread_attributes"] = state.src[state.pos : end + 1]
        return False
    if not silent:  # blocks after one another merge, as in djot
        image.meta.setdefault("attributes", {}).update(attributes)
        # The grammar keeps the last of several ids; a figure would silently lose the others.
        bare = _QUOTED_RE.sub('""', written)
        image.meta.setdefault("ids", []).extend(_ID_RE.findall(bare))
    state.pos = end + 1
    return True


def _figures(state: StateCore) -> None:
    """An image alone in its paragraph, with an id, becomes a figure: the paragraph's tokens
    are renamed, so the image stays where :func:`find_images` and the citations find it."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        inline = tokens[i]
        if inline.type != "inline" or tokens[i - 1].type != "paragraph_open":
            continue
        if tokens[i + 1].type != "paragraph_close" or not inline.children:
            continue
        content = [t for t in inline.children if not (t.type == "text" and not t.content.strip())]
        if len(content) != 1 or content[0].type != "image":
            continue
        image = content[0]
        if "id" not in image.meta.get("attributes", {}):
            continue
        image.meta["figure"] = True
        for token, kind in ((tokens[i - 1], "figure_open"), (tokens[i + 1], "figure_close")):
            token.type, token.tag = kind, "figure"
            token.meta = {"image": image}


def _table_captions(state: StateCore) -> None:
    """A ": Caption. {#tbl-x}" paragraph right after a table becomes the table's caption.

    Before the inline rules run, so the caption's text is parsed like any other (emphasis,
    citations); its attributes are parsed here and kept in the caption token's meta.
    """
    tokens = state.tokens
    i = 0
    while i + 3 < len(tokens):
        closing = tokens[i]
        if closing.type != "table_close" or tokens[i + 1].type != "paragraph_open":
            i += 1
            continue
        inline = tokens[i + 2]
        caption = _caption(inline.content) if inline.type == "inline" else None
        if caption is None:
            i += 1
            continue
        text, attributes = caption
        opening = next(
            j
            for j in range(i - 1, -1, -1)
            if tokens[j].type == "table_open" and tokens[j].level == closing.level
        )
        if tokens[opening + 1].type == "caption_open":  # a table takes one caption
            i += 1
            continue
        if "id" in attributes:
            tokens[opening].attrSet("id", attributes["id"])
        inline.content = text
        caption_open = Token("caption_open", "caption", 1, map=tokens[i + 1].map)
        caption_open.meta = {"attributes": attributes}
        caption_close = Token("caption_close", "caption", -1)
        del tokens[i + 1 : i + 4]
        tokens[opening + 1 : opening + 1] = [caption_open, inline, caption_close]
        i += 1


def _caption(content: str) -> tuple[str, dict[str, str]] | None:
    """(text, attributes) of a caption paragraph's content, or None if it is not one."""
    match = _CAPTION_RE.fullmatch(content)
    if not match:
        return None
    text = match.group(1).rstrip()
    start = text.rfind("{")
    if text.endswith("}") and start >= 0:
        try:
            length, attributes = parse_attributes(text[start:])
        except ParseError:
            return text, {}
        if length == len(text) - start - 1:
            return text[:start].rstrip(), attributes
    return text, {}


def _render_figure_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    attributes: dict[str, str] = tokens[idx].meta["image"].meta["attributes"]
    width = figure_width(attributes.get("width", "100%"))
    style = f' style="width:{width}"' if width and attributes.get("width") else ""
    return f'<figure id="{escape(attributes["id"])}" class="figure"{style}>\n'


def _render_figure_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    image: Token = tokens[idx].meta["image"]
    attributes: dict[str, str] = image.meta["attributes"]
    caption = self.renderInline(image.children or [], options, env)
    label = _target_label(env, attributes["id"])
    colon = ":" if caption.strip() else ""
    head = f'<span class="figure-label">{escape(label)}{colon}</span> ' if label else ""
    credit = attributes.get("credit", "").strip()
    credit_html = f'<span class="figure-credit">{escape(credit)}</span>' if credit else ""
    return f"<figcaption>{head}{caption}{credit_html}</figcaption>\n</figure>\n"


def _render_caption_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    table_id = tokens[idx].meta["attributes"].get("id")
    label = _target_label(env, table_id) if table_id else ""
    head = f'<span class="table-label">{escape(label)}:</span> ' if label else ""
    return f"<caption>{head}"


def _target_label(env: EnvType, target_id: str) -> str:
    targets: Mapping[str, Labelled] = env.get("targets") or {}
    target = targets.get(target_id)
    return target.label if target is not None else ""


def _render_xref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    targets: Mapping[str, Labelled] = env.get("targets") or {}
    rendered = []
    for target_id, locator in tokens[idx].meta["cites"]:
        target = targets.get(target_id)
        if target is None:
            rendered.append('<span class="xref-missing">?</span>')
            continue
        label = escape(f"{target.label}, {locator}" if locator else target.label)
        rendered.append(f'<a class="xref" href="{escape(target.href)}">{label}</a>')
    return "; ".join(rendered)


@dataclass
class Note:
    """A footnote as the report's list of notes shows it: its number, text and calls."""

    number: int
    #: The note's anchor, the target of its calls: "fn-1".
    anchor: str
    #: The note's text as blocks, sanitised.
    html: Markup
    #: The ids of the places calling it, in reading order: targets of the links back.
    calls: list[str] = field(default_factory=list)


@dataclass
class NoteIndex:
    """Numbers footnotes across every field of a report, in the order they are first called."""

    notes: list[Note] = field(default_factory=list)


def _footnote_definitions(state: StateCore) -> None:
    """Take the footnotes' texts out of the token stream: each is printed at its first call
    (and in the report's list of notes), not at the end of the field that defines it."""
    tokens = state.tokens
    bodies: dict[int, list[Token]] = {}
    kept: list[Token] = []
    current: list[Token] | None = None
    for token in tokens:
        if token.type == "footnote_block_open" or token.type == "footnote_block_close":
            continue
        if token.type == "footnote_open":
            current = bodies.setdefault(token.meta["id"], [])
            continue
        if token.type == "footnote_close":
            current = None
            continue
        if current is not None:
            if token.type != "footnote_anchor":
                current.append(token)
            continue
        kept.append(token)
    state.tokens = kept
    state.env["footnote_bodies"] = bodies


def _keep_definitions(state: Any) -> None:
    """Note each footnote definition (with its line) before the plugin's tail drops it."""
    state.env["footnote_definitions"] = [
        t for t in state.tokens if t.type == "footnote_reference_open"
    ]


def _render_footnote_ref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The call, and at its first call the note's text, which print CSS floats to the foot
    of the page and the screen hides (it reads the list of notes at the end instead)."""
    index: NoteIndex | None = env.get("notes")
    if index is None:
        return ""
    write_number: Callable[[int], str] = env.get("number", str)
    local: dict[int, Note] = env.setdefault("local_notes", {})
    meta = tokens[idx].meta
    note = local.get(meta["id"])
    text = ""
    if note is None:
        number = len(index.notes) + 1
        body = env.get("footnote_bodies", {}).get(meta["id"], [])
        # Numbered before its text is rendered: a note called inside it comes after it.
        note = Note(number, f"fn-{number}", Markup(""))
        index.notes.append(note)
        local[meta["id"]] = note
        note.html = Markup(self.render(body, options, env))
        # The text again, for the foot of the PDF's page: its citations are the list of
        # notes' ones, numbered alike but not linked back to twice.
        copy = {**env, "copy": True}
        inline = " ".join(
            self.renderInline(t.children or [], options, copy) for t in body if t.type == "inline"
        )
        text = (
            f'<span class="footnote-text" data-number="{escape(write_number(number))}">'
            f"{inline}</span>"
        )
    call = f"fnref-{note.number}" + (f"-{len(note.calls) + 1}" if note.calls else "")
    note.calls.append(call)
    number_text = escape(write_number(note.number))
    return (
        f'<sup class="footnote-call"><a class="footnote-ref" id="{call}" '
        f'href="#{note.anchor}">{number_text}</a></sup>{text}'
    )


def _upright_arabic_emphasis(state: StateCore) -> None:
    """Mark emphasis written in Arabic script ``data-script="arab"``, which the CSS sets upright
    and bold.

    Arabic script has no italic: in an English field, ``*مرگ بر آمریکا*`` asked Naskh for an
    oblique it lacks, so the PDF named a synthesised ``Noto-Naskh-Arabic-Oblique`` and the
    emphasis did not show. ``:lang()`` cannot see it (the field's language is English); the
    script of the emphasised letters can.
    """
    for block in state.tokens:
        children = block.children or []
        for i, token in enumerate(children):
            if token.type != "em_open":
                continue
            depth, text = 0, []
            for inner in children[i:]:
                depth += {"em_open": 1, "em_close": -1}.get(inner.type, 0)
                if depth == 0:
                    break
                text.append(inner.content if inner.type in ("text", "code_inline") else "")
            kinds = {unicodedata.bidirectional(char) for char in "".join(text)}
            if "AL" in kinds and "L" not in kinds:
                token.attrSet("data-script", "arab")


def _rank_headings(state: Any) -> None:
    """Give a field's headings the levels below the report's section heading (h2).

    The shallowest level a field uses becomes h3 and the next ones follow in order, never
    skipping a level after the heading before them: "###" alone is h3, not h5. A heading
    with no text is dropped rather than printed empty.
    """
    tokens = state.tokens
    empty = {
        i
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
        and i + 2 < len(tokens)
        and not tokens[i + 1].content.strip()
    }
    state.tokens = [t for i, t in enumerate(tokens) if not {i, i - 1, i - 2} & empty]
    levels = sorted({int(t.tag[1]) for t in state.tokens if t.type == "heading_open"})
    rank = {level: i for i, level in enumerate(levels)}
    previous = HEADING_SHIFT
    for token in state.tokens:
        if token.type == "heading_open":
            level = min(6, HEADING_SHIFT + 1 + rank[int(token.tag[1])], previous + 1)
            previous = level
            token.tag = f"h{level}"
        elif token.type == "heading_close":
            token.tag = f"h{previous}"


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A figure the caller inlined as an image; any other image as a link to it.

    A report that loads an image from the web when opened tells that server who read it and
    when: for an intelligence product that is a leak, so the reader decides by following
    the link. Deciding by what was inlined, not by what the URL looks like, leaves no form
    of URL (``//host``, ``\\host``, ``http:host``, entities) for a browser to read as a host.
    """
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    figures: Mapping[str, str] = env.get("figures") or {}
    inlined = figures.get(src)
    if token.meta.get("figure"):
        # A figure's text alternative is its alt attribute; the bracket is its caption.
        alt = token.meta["attributes"].get("alt", "")
        if inlined is not None:
            return f'<img src="{escape(inlined)}" alt="{escape(alt)}">'
        return f'<a class="remote-image" href="{escape(src)}">{escape(alt or src)}</a>'
    if inlined is not None:
        token.attrSet("src", inlined)
        return str(self.image(tokens, idx, options, env))
    alt = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a class="remote-image" href="{escape(src)}">{escape(alt)}</a>'


def _attribute_filter(figures: Collection[str]) -> Callable[[str, str, str], str | None]:
    """The sanitiser's check of each URL and style it keeps, by what the value is.

    An ``<img>`` keeps only a ``src`` that is one of the inlined figures; a link only a
    scheme a reader may follow (``data:`` is allowed to the sanitiser for the figures'
    sake, so it is refused for links here); a style only a column's alignment.
    """

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "src":
            return value if value in figures else None
        if attribute == "href":
            return value if url_scheme(value) in _LINK_SCHEMES else None
        if attribute == "style" and tag == "figure":
            # Rewritten, not passed on: only a width as a figure's attribute gives it.
            match = re.fullmatch(r"width:(.+)", value)
            width = figure_width(match.group(1)) if match else None
            return f"width:{width}" if width else None
        if attribute == "style":
            # Rewritten, not passed on: only a declaration that is exactly an alignment.
            aligned = [m.group(1) for d in value.split(";") if (m := _ALIGNMENT_RE.fullmatch(d))]
            return f"text-align:{aligned[-1].lower()}" if aligned else None
        return value

    return keep


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.push("image_attributes", _image_attributes_rule)
    footnote_plugin(md, inline=False)
    container_plugin(md, "tlp", validate=_is_tlp_container, render=_render_tlp_container)
    md.add_render_rule("paragraph_open", _render_paragraph_open)
    md.core.ruler.after("block", "table_captions", _table_captions)
    md.core.ruler.after("table_captions", "keep_definitions", _keep_definitions)
    md.core.ruler.after("footnote_tail", "footnote_definitions", _footnote_definitions)
    md.core.ruler.after("inline", "figures", _figures)
    md.core.ruler.push("rank_headings", _rank_headings)
    md.core.ruler.push("upright_arabic_emphasis", _upright_arabic_emphasis)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("xref", _render_xref)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("figure_open", _render_figure_open)
    md.add_render_rule("figure_close", _render_figure_close)
    md.add_render_rule("caption_open", _render_caption_open)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    return md


def render_markdown(
    text: str,
    citations: CitationIndex | None = None,
    inline: bool = False,
    number: Callable[[int], str] = str,
    figures: Mapping[str, str] | None = None,
    targets: Mapping[str, Labelled] | None = None,
    notes: NoteIndex | None = None,
    marks: bool = False,
) -> Markup:
    """Return ``text`` as sanitised HTML, numbering its citations through ``citations``.

    With ``inline``, the text is one paragraph's content (no ``<p>`` around it). ``number``
    writes a citation number in the report's digits. ``figures`` maps an image's URL (as
    :func:`find_images` gives it) to the ``data:`` URI it is shown as; every other image is
    written as a link. ``targets`` gives what a cross-reference prints and links to by its
    id (a figure's caption and a table's take their labels from it too); ``notes`` numbers
    the footnotes across the report and collects their texts for its list of notes.
    With ``marks``, a ``::: {tlp=…}`` block's first paragraph opens with its portion mark.
    """
    figures = figures or {}
    env: dict[str, Any] = {
        "citations": citations,
        "number": number,
        "figures": figures,
        "targets": targets or {},
        "notes": notes,
        "portion_marks": marks,
    }
    md = _parser()
    first_note = len(notes.notes) if notes is not None else 0
    html = _render(md, text, env, inline)
    clean = _sanitiser(frozenset(figures.values()))
    if notes is not None:
        for note in notes.notes[first_note:]:
            note.html = Markup(clean(note.html))
    return Markup(clean(html))


def _render(md: MarkdownIt, text: str, env: dict[str, Any], inline: bool) -> str:
    """The HTML of ``text``; with ``inline``, of its paragraphs' content only.

    An inline field (a key judgement, a challenge) is parsed as one paragraph, unless it
    holds blocks that cannot be: a figure, a table or a footnote's definition. Then it is
    parsed as blocks, and its paragraphs' content joined if paragraphs are all it has.
    """
    if not inline:
        return str(md.render(text, env))
    tokens = md.parse(text, env)
    blocks = any(t.type in ("figure_open", "table_open", "container_tlp_open") for t in tokens)
    if not blocks and not env.get("footnote_bodies"):
        return str(md.renderInline(text, {k: v for k, v in env.items() if k in _RENDER_KEYS}))
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)
    if blocks:
        return str(renderer.render(tokens, md.options, env))
    return " ".join(
        str(renderer.renderInline(t.children or [], md.options, env))
        for t in tokens
        if t.type == "inline"
    )


#: What :func:`render_markdown` hands the renderer; the parser adds its own keys.
_RENDER_KEYS = frozenset(("citations", "number", "figures", "targets", "notes", "portion_marks"))


def _sanitiser(figures: Collection[str]) -> Callable[[str], str]:
    """The allow-list every rendered fragment goes through, ``figures`` the only images."""
    keep = _attribute_filter(figures)

    def clean(html: str) -> str:
        return str(
            nh3.clean(
                html,
                tags=_ALLOWED_TAGS,
                attributes=_ALLOWED_ATTRIBUTES,
                url_schemes={"http", "https", "mailto", "data"},
                attribute_filter=keep,
                link_rel="noopener noreferrer",
                # A column's alignment and a figure's width are the only inline styles
                # Markdown makes; url() is never needed.
                filter_style_properties={"text-align", "width"},
            )
        )

    return clean


def plain_text(text: str, targets: Mapping[str, Labelled] | None = None) -> str:
    """Return ``text`` as a reader reads it, without markup and without its citations.

    For summaries (feeds, the catalogue), where a citation's number would point nowhere:
    the bracket goes, with the space before it. A cross-reference goes too, unless
    ``targets`` (:func:`osintkit.crossrefs.targets`) is given: then it is the words the
    report prints ("Figure 1", "Annex A"), so that "as Figure 1 shows" does not become
    "as shows". Line breaks stay as they are.
    """
    import html

    md = _parser()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    for block in tokens:
        if not block.children:
            continue
        kept: list[Token] = []
        for token in block.children:
            label = _xref_text(token, targets) if token.type == "xref" else None
            if label:
                token.type, token.content = "text", label
            elif token.type in ("citation", "xref", "footnote_ref"):
                if kept and kept[-1].type == "text":
                    kept[-1].content = kept[-1].content.rstrip()
                continue
            kept.append(token)
        block.children = kept
    rendered = md.renderer.render(tokens, md.options, env)
    return html.unescape(nh3.clean(rendered, tags=set()))


def _xref_text(token: Token, targets: Mapping[str, Labelled] | None) -> str:
    """A cross-reference as plain words ("Figure 1, panel b; Table 2"), "" without targets."""
    if targets is None:
        return ""
    words = []
    for target_id, locator in token.meta["cites"]:
        target = targets.get(target_id)
        if target is not None:
            words.append(f"{target.label}, {locator}" if locator else target.label)
    return "; ".join(words)


# Portion marking: ``::: {tlp=AMBER}`` … ``:::`` around the paragraphs released only to that
# level and above, and a figure's ``tlp=AMBER``. The report prints what a block holds, never
# the fences; an edition removes a block by the lines the parser gives it (osintkit.editions).

#: The TLP levels a portion may be marked with, as written.
TLP_LEVELS: tuple[str, ...] = typing.get_args(Tlp)

_TLP_CONTAINER_RE = re.compile(r"\s*\{\s*tlp\s*=\s*\"?([^\s\"}]*)\"?\s*\}\s*")


def _is_tlp_container(params: str, markup: str) -> bool:
    return _TLP_CONTAINER_RE.fullmatch(params) is not None


def _render_tlp_container(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if token.nesting == 1 and env.get("portion_marks"):
        match = _TLP_CONTAINER_RE.fullmatch(token.info)
        if match and match.group(1) in TLP_LEVELS:
            env["pending_mark"] = match.group(1)
    return ""


def _render_paragraph_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A paragraph, opening with the portion mark of the block it is the first of."""
    opening = str(self.renderToken(tokens, idx, options, env))
    level = env.pop("pending_mark", None)
    return opening + str(portion_mark(level)) if level else opening


def portion_mark(level: str) -> Markup:
    """A portion mark, "(TLP:AMBER)", as the report prints it before a marked portion."""
    css = "tlp-" + level.lower().replace("+", "-")
    return Markup('<span class="portion-mark {}">(TLP:{})</span> ').format(css, level)


def _unknown_level(level: str) -> str:
    hint = did_you_mean(level.upper(), TLP_LEVELS)
    return f"{quoted(level)} is not a TLP level ({', '.join(TLP_LEVELS)}){hint}"


@dataclass(frozen=True, slots=True)
class MarkedBlock:
    """A portion marked inside Markdown text: a ``::: {tlp=…}`` block or a figure with ``tlp``.

    ``lines`` are the parser's (0-based, end excluded): a block's fences included, a figure's
    paragraph. ``level`` is as written (a figure's may be None: it takes its container's).
    """

    kind: Literal["container", "figure"]
    level: str | None
    lines: tuple[int, int]
    offset: int


def find_marked_blocks(text: str) -> Iterator[MarkedBlock]:
    """Yield the marked blocks of ``text`` and every figure, in the order they are written."""
    starts = _line_starts(text)
    for token in sorted(_block_tokens(text), key=lambda t: t.map[0] if t.map else 0):
        if not token.map:
            continue
        offset = starts[min(token.map[0], len(starts) - 1)]
        if token.type == "container_tlp_open":
            match = _TLP_CONTAINER_RE.fullmatch(token.info)
            level = match.group(1) if match else ""
            # The parser's range stops before the closing fence; an unclosed block runs on
            # to the end of the text.
            end = token.map[1]
            if end < len(starts) and _FENCE_RE.fullmatch(_line(text, starts, end)):
                end += 1
            yield MarkedBlock("container", level, (token.map[0], end), offset)
        elif token.type == "figure_open":
            attributes: dict[str, str] = token.meta["image"].meta["attributes"]
            lines = (token.map[0], token.map[1])
            yield MarkedBlock("figure", attributes.get("tlp"), lines, offset)


_FENCE_RE = re.compile(r"[ \t]*:{3,}[ \t]*")


def _block_tokens(text: str) -> list[Token]:
    """The tokens of ``text`` and of its footnotes' texts, which the parser keeps apart: a
    block marked inside a footnote is as much a portion as one in the running text."""
    tokens, env = _parsed(text)
    bodies: dict[int, list[Token]] = env.get("footnote_bodies", {})
    return [*tokens, *(token for body in bodies.values() for token in body)]


def _line(text: str, starts: list[int], line: int) -> str:
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    return text[starts[line] : end].rstrip("\r\n")


def line_of(text: str, offset: int) -> int:
    """The 0-based line of ``text`` that holds ``offset``, as the parser counts lines."""
    return bisect.bisect_right(_line_starts(text), offset) - 1


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as the parser counts them, each with its line break."""
    starts = _line_starts(text)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def _container_problems(text: str) -> Iterator[MarkupProblem]:
    for block in find_marked_blocks(text):
        if block.kind == "container" and block.level not in TLP_LEVELS:
            yield MarkupProblem("tlp", _unknown_level(str(block.level)), block.offset)
    yield from _stray_markings(text)
    yield from _fences_cut_short(text)


def _fences_cut_short(text: str) -> Iterator[MarkupProblem]:
    """A ``:::`` line inside a code block inside a marked block ends the marked block (the
    container rule does not know code), so the rest of the code and what follows it would be
    published at the level around it: refuse it."""
    starts = _line_starts(text)
    holders: list[Token] = []
    for token in _block_tokens(text):
        if token.type == "container_tlp_open":
            holders.append(token)
        elif token.type == "container_tlp_close" and holders:
            holders.pop()
        elif token.type == "fence" and holders and token.map:
            holder = holders[-1]
            last = token.map[1] - 1
            closing = _line(text, starts, last).strip() if last < len(starts) else ""
            marker = token.markup[:1]
            closed = (
                last > token.map[0]
                and closing.startswith(token.markup)
                and not closing.strip(marker)
            )
            if holder.map and token.map[1] >= holder.map[1] and not closed:
                end = min(holder.map[1], len(starts) - 1)
                yield MarkupProblem(
                    "tlp",
                    "this ':::' line is inside a code block, yet it ends the marked block, "
                    "so what follows would be published at the level around it: close the "
                    f"code block ({token.markup}) before it",
                    starts[end],
                )


#: A ``:::`` fence the parser did not take as a marked block: one naming ``tlp`` anywhere
#: (a table cell), or a line of running text that opens with ``:::``.
_STRAY_MARKING_RE = re.compile(r":{3,}[^\n]*?\btlp\b|^[ \t]*:{3,}", re.IGNORECASE | re.MULTILINE)


def _stray_markings(text: str) -> Iterator[MarkupProblem]:
    """A marking written so the parser does not take it (``::: {.note tlp=AMBER}``, ``:::
    tlp=AMBER``, one inside a table cell, a closing ``:::`` the block it meant to close had
    already ended before, as at the end of a list item) prints as running text, and what it
    was meant to hold back is published at the level around it: refuse it. Code shows
    markings, so a marking in a code span or block is fine."""
    starts = _line_starts(text)
    for token in _block_tokens(text):
        if token.type != "inline" or not token.map:
            continue
        written = "".join(
            "\n" if c.type in ("softbreak", "hardbreak") else c.content
            for c in token.children or ()
            if c.type in ("text", "softbreak", "hardbreak")
        )
        if not _STRAY_MARKING_RE.search(written):
            continue
        start = starts[min(token.map[0], len(starts) - 1)]
        end = starts[token.map[1]] if token.map[1] < len(starts) else len(text)
        found = _STRAY_MARKING_RE.search(text, start, end)
        offset = found.start() if found else start
        yield MarkupProblem(
            "tlp",
            "this ':::' is not the fence of a marked block, so the text it meant to mark "
            "would be published at the level around it: open a block with ::: {tlp=LEVEL} "
            "alone on its line and close it with ':::' at the same indentation",
            offset,
        )
