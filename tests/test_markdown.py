"""Markdown → safe HTML: inert raw HTML and links, shifted headings, numbered citations."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

import osintkit.markdown
from osintkit.markdown import (
    Citation,
    CitationIndex,
    find_citations,
    find_images,
    find_too_deep,
    plain_text,
    render_markdown,
    url_scheme,
)


class _Tags(HTMLParser):
    """Every start tag of an HTML fragment with its attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def hrefs(html: str) -> list[str | None]:
    return [attrs.get("href") for tag, attrs in tags(html) if tag == "a"]


def citations(html: str) -> list[str]:
    """The visible labels of the citation links and missing-citation markers, in order."""
    return re.findall(r'class="citation(?:-missing)?"[^>]*>([^<]*)<', html)


# --- raw HTML and links -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Before <script>alert(1)</script> after",
        '<img src="x.png" onerror="alert(1)">',
        'Text <img src=x onerror="alert(1)"> inline',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        '<div style="position:fixed">overlay</div>',
    ],
)
def test_raw_html_comes_out_as_text(text: str) -> None:
    html = render_markdown(text)
    assert [tag for tag, _ in tags(html)] == ["p"]
    assert "&lt;" in html


def test_script_text_is_escaped_exactly() -> None:
    assert render_markdown("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_dangerous_links_are_not_live(text: str) -> None:
    html = render_markdown(text)
    assert all(href is None or href.startswith(("http", "mailto:")) for href in hrefs(html))
    assert not re.search(r"""href=["']?\s*(javascript|data):""", html, re.IGNORECASE)


@pytest.mark.parametrize("kind", ["png", "svg+xml"])
def test_data_images_are_not_loaded(kind: str) -> None:
    html = render_markdown(f"![chart](data:image/{kind};base64,PHN2Zz4=)")
    assert all("src" not in attrs for tag, attrs in tags(html) if tag == "img")
    assert "data:" not in "".join(str(attrs) for _, attrs in tags(html))


def test_http_and_mailto_links_stay_and_are_marked_noopener() -> None:
    html = render_markdown("[site](https://example.org/a?b=1) and <analyst@example.org>")
    links = [attrs for tag, attrs in tags(html) if tag == "a"]
    assert [a["href"] for a in links] == ["https://example.org/a?b=1", "mailto:analyst@example.org"]
    assert all(a["rel"] == "noopener noreferrer" for a in links)


def test_the_sanitiser_holds_even_if_the_parser_lets_html_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Simulate a parser bug: raw HTML passes the parser, only nh3 stands in the way.
    leaky = MarkdownIt("commonmark", {"html": True}).enable("table")
    monkeypatch.setattr(osintkit.markdown, "_parser", lambda: leaky)
    html = render_markdown(
        '<script>alert(1)</script><img src="x.png" onerror="alert(1)">'
        '<a href="javascript:alert(1)" onclick="go()">j</a><a href="data:text/html,x">d</a>'
        '<iframe src="https://example.org"></iframe><p style="color:red" class="c">p</p>'
        '<img src="//host.example/pixel" srcset="//host.example/a 1x, b.png 2x">'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">'
        '<a href=" DATA:text/html,x">e</a><a href="&#100;ata:text/html,x">f</a>'
    )
    assert "script" not in html and "alert" not in html and "iframe" not in html
    # Not even a relative src: an image is only ever a figure the caller inlined.
    assert tags(html) == [
        ("img", {}),
        ("a", {"rel": "noopener noreferrer"}),
        ("a", {"rel": "noopener noreferrer"}),
        ("p", {}),
        ("img", {}),
        ("img", {}),
        ("a", {"rel": "noopener noreferrer"}),
        ("a", {"rel": "noopener noreferrer"}),
    ]


def test_only_text_align_survives_in_a_style(monkeypatch: pytest.MonkeyPatch) -> None:
    leaky = MarkdownIt("commonmark", {"html": True})
    monkeypatch.setattr(osintkit.markdown, "_parser", lambda: leaky)
    html = render_markdown(
        "<table><tr>"
        '<td style="color: red; text-align: right; background: url(https://x.org/t.png)">a</td>'
        '<th style="position: fixed">b</th>'
        """<td style='text-align: "x;background:url(//x.org/t.png)"'>c</td>"""
        "<td style=\"text-align:left;background-image:image-set('//x.org/t.png' 1x)\">d</td>"
        '<td style="TEXT-ALIGN: Center; b\\61ckground: url(//x.org/t.png)">e</td>'
        "</tr></table>"
    )
    cells = [attrs for tag, attrs in tags(html) if tag in ("td", "th")]
    assert cells[0] == {"style": "text-align:right"}
    assert cells[1].get("style", "") == ""
    assert cells[2].get("style", "") == ""
    assert cells[3:] == [{"style": "text-align:left"}, {"style": "text-align:center"}]
    assert "url" not in html and "x.org" not in html


# --- Markdown rendering -----------------------------------------------------------------------


def test_headings_sit_below_the_report_sections() -> None:
    html = render_markdown("# One\n\n## Two\n\n### Three\n\n#### Four\n\n###### Six")
    assert [tag for tag, _ in tags(html)] == ["h3", "h4", "h5", "h6", "h6"]
    assert "<h3>One</h3>" in html


def test_emphasis_and_lists() -> None:
    html = render_markdown("*em* **strong** ~~gone~~ `code`\n\n- a\n- b\n\n3. x\n4. y")
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<s>gone</s>" in html
    assert "<code>code</code>" in html
    assert [tag for tag, _ in tags(html)] == ["p", "em", "strong", "s", "code", "ul", "li", "li",
                                              "ol", "li", "li"]  # fmt: skip
    assert ("ol", {"start": "3"}) in tags(html)


def test_tables_keep_their_alignment() -> None:
    html = render_markdown("| Year | Visits |\n|:--|--:|\n| 2023 | 2 |\n")
    assert [t for t, _ in tags(html)] == [
        "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td",
    ]  # fmt: skip
    cells = [attrs for tag, attrs in tags(html) if tag in ("th", "td")]
    assert cells == [{"style": "text-align:left"}, {"style": "text-align:right"}] * 2


def test_inline_rendering_has_no_paragraph() -> None:
    assert render_markdown("*a* b", inline=True) == "<em>a</em> b"


def test_persian_text_passes_through_unchanged() -> None:
    text = "روابط سیاسی بین جمهوری بلاروس و جمهوری اسلامی ایران"
    assert render_markdown(text) == f"<p>{text}</p>\n"


@pytest.mark.parametrize(
    "piece", [">", "> ", "*", "_", "[", "![", "[@", "`", "- ", "  - ", "1. ", "> - "]
)
def test_deeply_nested_markdown_renders_without_recursion_errors(piece: str) -> None:
    # Five thousand levels of quotes, lists, emphasis or brackets, far past Python's recursion
    # limit if anything recursed once a level; the parser's nesting limits hold instead.
    text = piece * 5000 + " [@a] end"
    assert render_markdown(text, CitationIndex({"a"}))
    assert render_markdown(text, CitationIndex({"a"}), inline=True)
    assert [c.source_id for c in find_citations(text)] in ([], ["a"])


@pytest.mark.parametrize(
    "text",
    ["> " * 20 + "lost", "- " * 10 + "lost", "1. " * 10 + "lost", "> - " * 7 + "lost"],
    ids=["quotes", "bullets", "numbers", "mixed"],
)
def test_nesting_whose_content_the_parser_drops_is_found(text: str) -> None:
    assert "lost" not in render_markdown(text)
    assert find_too_deep("Intro.\n\n" + text) == len("Intro.\n\n")


@pytest.mark.parametrize(
    "text",
    ["> " * 19 + "kept", "- " * 9 + "kept", "> - " * 6 + "kept", "*" * 5000 + "kept"],
    ids=["quotes", "bullets", "mixed", "emphasis"],
)
def test_nesting_the_parser_keeps_is_fine(text: str) -> None:
    assert "kept" in render_markdown(text)
    assert find_too_deep(text) is None


# --- citations --------------------------------------------------------------------------------


def test_citations_are_numbered_in_first_citation_order_across_fields() -> None:
    index = CitationIndex(known={"a", "b", "c"})
    first = render_markdown("First [@b], then [@a, p. 4].", index)
    second = render_markdown("Both [@a; @b] and [@c] and [@b].", index)
    assert citations(first) == ["1", "2, p. 4"]
    assert citations(second) == ["2", "1", "3", "1"]
    assert index.numbers == {"b": 1, "a": 2, "c": 3}


def test_a_citation_links_to_its_source_with_a_unique_anchor() -> None:
    index = CitationIndex(known={"mfa"})
    html = render_markdown("One [@mfa]. Two [@mfa, p. 2].", index)
    links = [attrs for tag, attrs in tags(html) if tag == "a"]
    assert [(a["class"], a["href"], a["id"]) for a in links] == [
        ("citation", "#ref-mfa", "cite-1"),
        ("citation", "#ref-mfa", "cite-2"),
    ]
    # Brackets are spans of their own, so print CSS can set footnote-style superscripts.
    bracket = '<span class="cite-bracket">{}</span>'
    assert f'<span class="cite">{bracket.format("[")}<a ' in html
    assert f"</a>{bracket.format(']')}</span>" in html


def test_unknown_ids_render_as_a_question_mark() -> None:
    index = CitationIndex(known={"a"})
    html = render_markdown("See [@a; @nope] and [@gone, p. 3].", index)
    assert citations(html) == ["1", "?", "?, p. 3"]
    assert html.count('<span class="citation-missing">') == 2
    assert index.numbers == {"a": 1}


def test_without_an_index_every_citation_is_missing() -> None:
    html = render_markdown("x [@a] y")
    assert citations(html) == ["?"]
    assert '<span class="citation-missing">?</span>' in html and "<a" not in html


def test_headings_rank_below_the_section_and_never_skip() -> None:
    html = render_markdown("### A\n\ntext\n\n##### B\n\n#\n\n## C\n\n###### D\n")
    assert [tag for tag, _ in tags(html) if tag.startswith("h")] == ["h3", "h4", "h3", "h4"]
    assert "<h3></h3>" not in html  # the bare "#" is dropped


def test_a_locator_is_escaped() -> None:
    html = render_markdown("[@a, <b>p. 4</b>]", CitationIndex(known={"a"}))
    assert citations(html) == ["1, &lt;b&gt;p. 4&lt;/b&gt;"]
    assert "<b>" not in html


def test_brackets_that_are_not_citations_stay_text() -> None:
    html = render_markdown("[@] and [@ a b] and [note] and [@a; plain]", CitationIndex({"a"}))
    assert citations(html) == []
    assert "[@] and [@ a b] and [note] and [@a; plain]" in html


def test_find_citations_gives_ids_locators_and_bracket_offsets() -> None:
    text = "See [@a], [@b, p. 4] and [@c; @d, ch. 2]."
    assert list(find_citations(text)) == [
        Citation("a", None, text.index("[@a]")),
        Citation("b", "p. 4", text.index("[@b")),
        Citation("c", None, text.index("[@c")),
        Citation("d", "ch. 2", text.index("[@c")),
    ]


def test_find_citations_skips_non_citations() -> None:
    assert list(find_citations("[@] [@ a b] [x] [@a\nb] [@a; plain] a@b.org")) == []


def test_find_citations_agrees_with_the_renderer_about_code_spans() -> None:
    text = "Cite a source as `[@id]`, or write \\[@id] for the literal text."
    assert citations(render_markdown(text, CitationIndex(known=set()))) == []
    assert list(find_citations(text)) == []


def test_find_citations_points_past_literal_lookalikes_to_the_real_bracket() -> None:
    text = "Literal \\[@a] first.\n\nThen `code` and a real one [@a, p. 2]."
    (citation,) = find_citations(text)
    assert (citation.source_id, citation.locator) == ("a", "p. 2")
    assert text[citation.offset :].startswith("[@a, p. 2]")


@pytest.mark.parametrize("text", ["> \r[@a]\n", "One\r\rTwo\r\n\r\n> [@a]", "x\r\n- y\r- [@a]"])
def test_find_citations_counts_lines_as_the_parser_does(text: str) -> None:
    # The parser reads a lone "\r" and "\r\n" as line breaks, as YAML's "\r" escape allows.
    (citation,) = find_citations(text)
    assert citation.offset == text.index("[@a]")


@pytest.mark.parametrize(
    ("text", "offset"),
    [("\\\\[@a]", 2), ("\\\\\\[@a] and [@a]", 12), ("x \\\\\\\\[@a]", 6)],
    ids=["escaped-backslash", "escaped-bracket-then-real", "two-escaped-backslashes"],
)
def test_find_citations_after_an_escaped_backslash(text: str, offset: int) -> None:
    # "\\" is a backslash printed as text, so the bracket after it is a citation all the same.
    (citation,) = find_citations(text)
    assert citation.offset == offset
    assert text.startswith("[@a]", offset)


PIXEL = "data:image/png;base64,iVBORw0KGgo="


def test_a_remote_image_becomes_a_link_so_opening_the_report_fetches_nothing() -> None:
    html = render_markdown(
        '![a "chart"](https://example.org/x.png?a=1&b=2) ![local](map.png)',
        figures={"map.png": PIXEL},
    )
    assert '<a class="remote-image" href="https://example.org/x.png?a=1&amp;b=2"' in html
    assert '>a "chart"</a>' in html
    assert [attrs.get("src") for tag, attrs in tags(html) if tag == "img"] == [PIXEL]


@pytest.mark.parametrize(
    "url",
    [
        "//host.example/pixel",
        " //host.example/pixel",
        "<//host.example/a pixel>",
        "<\t//host.example/pixel>",
        "&#47;&#47;host.example/pixel",
        "&#x2F;/host.example/pixel",
        "&sol;&sol;host.example/pixel",
        "\\\\host.example/pixel",
        "/\\host.example/pixel",
        "%2F%2Fhost.example/pixel",
        "http:host.example/pixel",
        "HTTP://host.example/pixel",
        "hTTpS://host.example/pixel",
        "ftp://host.example/pixel",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/webp;base64,UklGRg==",
        "map.png",
    ],
)
@pytest.mark.parametrize("style", ["inline", "reference"])
def test_an_image_the_caller_did_not_inline_is_never_an_img(url: str, style: str) -> None:
    if style == "inline":
        text = f"![pixel]({url})"
        rendered = [render_markdown(text), render_markdown(text, inline=True)]
    else:  # a reference definition is a block: there is no inline form
        rendered = [render_markdown(f"![pixel][p]\n\n[p]: {url}")]
    for html in rendered:
        assert "<img" not in html, html
        (link,) = [attrs for tag, attrs in tags(html) if tag == "a"]
        assert link["class"] == "remote-image"
        # What survives as a link is one a reader may follow; data: never does.
        assert "data:" not in (link.get("href") or "").lower()


def test_only_the_inlined_url_itself_is_an_image() -> None:
    figures = {"map.png": PIXEL}
    html = render_markdown(
        "![a](map.png) ![b](./map.png) ![c](MAP.png) ![d](map.png)", None, False, str, figures
    )
    assert [attrs.get("src") for tag, attrs in tags(html) if tag == "img"] == [PIXEL, PIXEL]
    assert [attrs.get("href") for tag, attrs in tags(html) if tag == "a"] == [
        "./map.png",
        "MAP.png",
    ]


def test_find_images_gives_each_url_as_the_renderer_looks_it_up() -> None:
    text = (
        "A `![code](no.png)` span, \\![escaped](no.png), ![one](a%20b.png)\n\n"
        '> ![two](<c d.png> "title") and ![three][ref]\n\n[ref]: &#47;e.png\n'
    )
    assert [(i.src, text[i.offset : i.offset + 6]) for i in find_images(text)] == [
        ("a%20b.png", "![one]"),
        ("c%20d.png", "![two]"),
        ("/e.png", "![thre"),
    ]


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://x", "https"),
        (" JaVa\tScRiPt:alert(1)", "javascript"),
        ("\x01data:text/html,x", "data"),
        ("java\nscript:x", "javascript"),
        ("//host/x", ""),
        ("a/b:c", ""),
        ("#ref-a", ""),
        ("1http://x", ""),
    ],
)
def test_url_scheme_reads_a_url_as_a_browser_does(url: str, scheme: str) -> None:
    assert url_scheme(url) == scheme


def test_plain_text_drops_citations_and_markup() -> None:
    text = "Relations [@a], *since* 1993 [@b, p. 4]. Trade [@a; @nope] grew [@a].\n"
    assert plain_text(text) == "Relations, since 1993. Trade grew.\n"
    assert "?" not in plain_text("Unknown [@nope].") and "[" not in plain_text("x [@nope]")
    assert plain_text("Literal `[@a]` and \\[@a].") == "Literal [@a] and [@a].\n"
