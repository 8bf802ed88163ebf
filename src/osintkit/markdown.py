"""Markdown → safe HTML fragments, with ``[@id]`` citations turned into numbered references.

Raw HTML is switched off in the parser (it comes out as text) and the result goes through an
allow-list sanitiser as well, so neither a parser bug nor a later plugin can let markup through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

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
    line_starts = _line_starts(text)
    cursor = 0
    for block in _parser().parse(text):
        if block.type != "inline" or not block.children:
            continue
        if block.map:
            cursor = max(cursor, line_starts[min(block.map[0], len(line_starts) - 1)])
        for token in block.children:
            if token.type != "citation":
                continue
            offset = text.find(token.content, cursor)
            while offset > 0 and _escaped(text, offset):
                offset = text.find(token.content, offset + 1)
            if offset < 0:  # cannot happen for text the parser saw; keep the block start
                offset = cursor
            else:
                cursor = offset + len(token.content)
            for source_id, locator in token.meta["cites"]:
                yield Citation(source_id, locator, offset)


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
        anchor = index.next_anchor() if index else ""
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
    """Local images as images; a remote one as a link to it.

    A report that loads an image from the web when opened tells that server who read it and
    when: for an intelligence product that is a leak, so the reader decides by following
    the link. (The PDF renderer refuses remote URLs anyway.)
    """
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if urlsplit(src.strip()).scheme.lower() in ("http", "https"):
        alt = self.renderInlineAsText(token.children or [], options, env) or src
        return f'<a class="remote-image" href="{escape(src)}">{escape(alt)}</a>'
    return str(self.image(tokens, idx, options, env))


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
) -> Markup:
    """Return ``text`` as sanitised HTML, numbering its citations through ``citations``.

    With ``inline``, the text is one paragraph's content (no ``<p>`` around it). ``number``
    writes a citation number in the report's digits.
    """
    env: dict[str, Any] = {"citations": citations, "number": number}
    md = _parser()
    html = md.renderInline(text, env) if inline else md.render(text, env)
    return Markup(
        nh3.clean(
            html,
            tags=_ALLOWED_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
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
