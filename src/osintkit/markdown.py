"""Markdown → safe HTML fragments, with ``[@id]`` citations turned into numbered references.

Raw HTML is switched off in the parser (it comes out as text) and the result goes through an
allow-list sanitiser as well, so neither a parser bug nor a later plugin can let markup through.
An image is an ``<img>`` only when the caller hands over its bytes as a ``data:`` URI (a
figure read from the brief's folder); every other image becomes a link, so the report loads
nothing from anywhere when it is opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

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
    "span",
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
    "span": {"class"},
}


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

    def tokens(self, kind: str) -> Iterator[Token]:
        """Yield the inline tokens of ``kind``, moving the cursor to each one's block."""
        for block in _parser().parse(self.text):
            if block.type != "inline" or not block.children:
                continue
            if block.map:
                start = self.line_starts[min(block.map[0], len(self.line_starts) - 1)]
                self.at = max(self.at, start)
            yield from (token for token in block.children if token.type == kind)

    def find(self, needle: str) -> int:
        """The offset of ``needle`` from the cursor on, not escaped by a backslash; -1 if none."""
        return _find_unescaped(self.text, needle, self.at)


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

    def record(self, source_id: str, anchor: str) -> None:
        """Note that the citation with id ``anchor`` cites ``source_id``.

        Apart from :meth:`next_anchor` because reading order and numbering order can differ:
        a chronology row numbers its source column first but reads its event text first.
        """
        self.cited_at.setdefault(source_id, []).append(anchor)


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
        token = state.push("citation", "", 0)
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
        label = escape(write_number(number) if number is not None else "?")
        if locator:
            label = escape(f"{label}, {locator}")
        if number is None:
            rendered.append(f'<span class="citation-missing">{label}</span>')
            continue
        anchor = ""
        if index is not None:
            anchor = index.next_anchor()
            index.record(source_id, anchor)
        rendered.append(
            f'<a class="citation" id="{anchor}" href="#ref-{escape(source_id)}">{label}</a>'
        )
    return wrap_citation("; ".join(rendered))


def wrap_citation(inner: str) -> str:
    """Return the HTML of one citation bracket around ``inner`` (its linked numbers).

    The brackets are spans of their own, so print CSS can set citations as footnote-style
    superscripts without them while the screen keeps "[1]".
    """
    bracket = '<span class="cite-bracket">{}</span>'
    return f'<span class="cite">{bracket.format("[")}{inner}{bracket.format("]")}</span>'


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
    md.core.ruler.push("rank_headings", _rank_headings)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("image", _render_image)
    return md


def render_markdown(
    text: str,
    citations: CitationIndex | None = None,
    inline: bool = False,
    number: Callable[[int], str] = str,
    figures: Mapping[str, str] | None = None,
) -> Markup:
    """Return ``text`` as sanitised HTML, numbering its citations through ``citations``.

    With ``inline``, the text is one paragraph's content (no ``<p>`` around it). ``number``
    writes a citation number in the report's digits. ``figures`` maps an image's URL (as
    :func:`find_images` gives it) to the ``data:`` URI it is shown as; every other image is
    written as a link.
    """
    figures = figures or {}
    env: dict[str, Any] = {"citations": citations, "number": number, "figures": figures}
    md = _parser()
    html = md.renderInline(text, env) if inline else md.render(text, env)
    return Markup(
        nh3.clean(
            html,
            tags=_ALLOWED_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto", "data"},
            attribute_filter=_attribute_filter(frozenset(figures.values())),
            link_rel="noopener noreferrer",
            # Table alignment is the one inline style Markdown makes; url() is never needed.
            filter_style_properties={"text-align"},
        )
    )


def plain_text(text: str) -> str:
    """Return ``text`` as a reader reads it, without markup and without its citations.

    For summaries (feeds, the catalogue), where a citation's number would point nowhere:
    the bracket goes, with the space before it. Line breaks stay as they are.
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
            if token.type == "citation":
                if kept and kept[-1].type == "text":
                    kept[-1].content = kept[-1].content.rstrip()
                continue
            kept.append(token)
        block.children = kept
    rendered = md.renderer.render(tokens, md.options, env)
    return html.unescape(nh3.clean(rendered, tags=set()))
