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
    NoteIndex,
    find_anchors,
    find_citations,
    find_images,
    find_markup_problems,
    find_too_deep,
    find_xrefs,
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
    """The visible labels of the citation links and missing-citation markers, in order, as
    the screen shows them (a locator's span is the screen's text too)."""
    html = re.sub(r'<span class="cite-locator">([^<]*)</span>', r"\1", str(html))
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


def test_locators_and_separators_are_spans_print_css_can_hide() -> None:
    index = CitationIndex(known={"a", "b"})
    html = render_markdown("Both [@a, pp. 4–9; @b].", index)
    assert (
        '>1<span class="cite-locator">, pp. 4–9</span></a><span class="cite-sep">; </span>'
        '<a class="citation" id="cite-2"'
    ) in html
    assert index.locators == {"a": [("cite-1", "pp. 4–9")]}
    assert index.cited_at == {"a": ["cite-1"], "b": ["cite-2"]}


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


# The document model: figures, table captions, cross-references, footnotes (issue 13).

_SVG = "data:image/svg+xml;base64,PHN2Zy8+"


class _Target:
    def __init__(self, label: str, href: str) -> None:
        self.label = label
        self.href = href


_TARGETS = {
    "fig-launches": _Target("Figure 1", "#fig-launches"),
    "tbl-launches": _Target("Table 1", "#tbl-launches"),
    "sec-method": _Target("Method and sources", "#sec-method"),
}


def test_an_image_alone_with_an_id_is_a_numbered_captioned_figure() -> None:
    text = (
        "![Launches per *month*.](figures/l.svg)"
        '{#fig-launches alt="Bars rise from 300 to 6,300" width=70% credit="Source: MoD"}\n'
    )
    html = render_markdown(text, figures={"figures/l.svg": _SVG}, targets=_TARGETS)
    assert html == (
        '<figure id="fig-launches" class="figure" style="width:70%">\n'
        f'<img src="{_SVG}" alt="Bars rise from 300 to 6,300"><figcaption>'
        '<span class="figure-label">Figure 1:</span> Launches per <em>month</em>.'
        '<span class="figure-credit">Source: MoD</span></figcaption>\n</figure>\n'
    )


@pytest.mark.parametrize(
    ("written", "style"),
    [('width="70%"', "70%"), ("width=70%", "70%"), ("width=120mm", "120mm"), ("", None)],
)
def test_a_figure_width_quoted_or_not(written: str, style: str | None) -> None:
    text = f'![Cap.](f.svg){{#fig-a alt="x" {written}}}'
    (figure, *_) = tags(render_markdown(text, figures={"f.svg": _SVG}))
    assert figure == (
        "figure",
        {"id": "fig-a", "class": "figure", **({"style": f"width:{style}"} if style else {})},
    )


def test_an_image_in_running_text_or_without_an_id_stays_an_image() -> None:
    plain = render_markdown(
        "See ![a chart](f.svg) here.\n\n![alone](f.svg)\n", figures={"f.svg": _SVG}
    )
    with_attributes = render_markdown(
        'See ![a chart](f.svg){#fig-a alt="x"} here.\n\n![alone](f.svg){alt="y"}\n',
        figures={"f.svg": _SVG},
    )
    assert plain == with_attributes
    assert "<figure" not in plain
    assert plain.count("<img") == 2


def test_a_table_caption_goes_above_the_table_with_its_number() -> None:
    text = "| Quarter | Launches |\n|:--|--:|\n| Q1 | 300 |\n\n"
    text += ": Launches by quarter. {#tbl-launches}\n"
    html = render_markdown(text, targets=_TARGETS)
    assert html.startswith(
        '<table id="tbl-launches">\n<caption><span class="table-label">Table 1:</span> '
        "Launches by quarter.</caption><thead>"
    )
    assert '<td style="text-align:right">300</td>' in html
    assert "<p>" not in html


def test_a_caption_line_without_a_blank_line_is_a_row_as_pandoc_says() -> None:
    html = render_markdown("| a |\n|---|\n| 1 |\n: not a caption {#tbl-x}\n")
    assert "<caption>" not in html


def test_cross_references_print_their_labels_and_link() -> None:
    html = render_markdown(
        "As [@fig-launches] and [@tbl-launches; @sec-method] show.", targets=_TARGETS
    )
    assert html == (
        '<p>As <a class="xref" href="#fig-launches" rel="noopener noreferrer">Figure 1</a> and '
        '<a class="xref" href="#tbl-launches" rel="noopener noreferrer">Table 1</a>; '
        '<a class="xref" href="#sec-method" rel="noopener noreferrer">Method and sources</a>'
        " show.</p>\n"
    )


def test_a_cross_reference_is_not_a_citation() -> None:
    text = "See [@fig-launches] [@src]."
    assert [c.source_id for c in find_citations(text)] == ["src"]
    assert [(x.target_id, x.offset) for x in find_xrefs(text)] == [("fig-launches", 4)]
    index = CitationIndex({"src"})
    render_markdown(text, index, targets=_TARGETS)
    assert index.numbers == {"src": 1}


def test_footnotes_are_numbered_across_fields_with_links_both_ways() -> None:
    notes = NoteIndex()
    first = render_markdown(
        "One.[^a] Two.[^b]\n\n[^a]: First *note*.\n[^b]: Second.\n", notes=notes
    )
    second = render_markdown("Three.[^a] Again.[^a]\n\n[^a]: Third.\n", notes=notes)
    assert [(n.number, n.anchor, n.html, n.calls) for n in notes.notes] == [
        (1, "fn-1", "<p>First <em>note</em>.</p>\n", ["fnref-1"]),
        (2, "fn-2", "<p>Second.</p>\n", ["fnref-2"]),
        (3, "fn-3", "<p>Third.</p>\n", ["fnref-3", "fnref-3-2"]),
    ]
    assert first == (
        '<p>One.<sup class="footnote-call"><a class="footnote-ref" id="fnref-1" href="#fn-1" '
        'rel="noopener noreferrer">1</a></sup><span class="footnote-text" data-number="1">'
        'First <em>note</em>.</span> Two.<sup class="footnote-call"><a class="footnote-ref" '
        'id="fnref-2" href="#fn-2" rel="noopener noreferrer">2</a></sup>'
        '<span class="footnote-text" data-number="2">Second.</span></p>\n'
    )
    # The note's text once, at its first call; the second call is a number only.
    assert second.count("Third.") == 1
    assert 'id="fnref-3-2" href="#fn-3"' in second


def test_a_footnote_in_an_inline_field_and_in_the_report_digits() -> None:
    notes = NoteIndex()
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    html = render_markdown(
        "A judgement.[^n]\n\n[^n]: Why.", inline=True, notes=notes,
        number=lambda n: str(n).translate(persian),
    )  # fmt: skip
    assert html.startswith('A judgement.<sup class="footnote-call">')
    assert ">۱</a></sup>" in html
    assert 'data-number="۱">Why.</span>' in html


def test_a_note_is_sanitised_like_the_text() -> None:
    notes = NoteIndex()
    text = "x[^n]\n\n[^n]: <script>alert(1)</script> [a](javascript:alert(1)) [b](https://e.org)\n"
    render_markdown(text, notes=notes)
    assert [tag for tag, _ in tags(notes.notes[0].html)] == ["p", "a"]
    assert tags(notes.notes[0].html)[1][1]["href"] == "https://e.org"


@pytest.mark.parametrize(
    "attributes",
    [
        'width="100%;background:url(x)"',
        'width="70%" style="color:red"',
        'width="70%" onclick="alert(1)"',
        'width="70%" class="evil"',
        'alt="x\\" onload=\\"alert(1)"',
    ],
)
def test_a_figure_cannot_inject_markup_or_css(attributes: str) -> None:
    html = render_markdown(
        f'![Cap.](f.svg){{#fig-a alt="x" {attributes}}}', figures={"f.svg": _SVG}
    )
    found = tags(html)
    assert [tag for tag, _ in found] in (
        ["figure", "img", "figcaption", "span"],
        ["figure", "img", "figcaption"],
        ["p"],
        ["p", "img"],
    )
    for tag, attrs in found:
        assert not {"onclick", "onload"} & attrs.keys()
        if tag == "figure":
            assert attrs.get("class") == "figure"
            assert attrs.get("style") in (None, "width:70%")
    assert "url(" not in html


@pytest.mark.parametrize("target", ['fig-a"onmouseover="x', "fig-a'><b>x"])
def test_an_id_with_quotes_does_not_reach_an_attribute(target: str) -> None:
    for text in (
        f'![Cap.](f.svg){{#{target} alt="x"}}',
        f"| a |\n|---|\n| 1 |\n\n: Cap. {{#{target}}}",
    ):
        html = render_markdown(text, figures={"f.svg": _SVG})
        for _tag, attrs in tags(html):
            assert set(attrs) <= {"id", "class", "src", "alt", "style"}
            assert '"' not in (attrs.get("id") or "")
            assert "'" not in (attrs.get("id") or "")
        assert "<b>" not in html


def test_a_cross_reference_to_no_target_links_nowhere() -> None:
    html = render_markdown("[@fig-javascript:alert]", targets={})
    assert html == '<p><span class="xref-missing">?</span></p>\n'


@pytest.mark.parametrize("href", ["javascript:alert(1)", "data:text/html,x"])
def test_a_cross_reference_never_links_to_a_script(href: str) -> None:
    html = render_markdown("See [@fig-a].", targets={"fig-a": _Target("Figure 1", href)})
    assert tags(html)[1] == ("a", {"class": "xref", "rel": "noopener noreferrer"})


def test_plain_text_drops_cross_references_and_footnotes() -> None:
    assert plain_text("As [@fig-a] shows.[^n]\n\n[^n]: An aside.") == "As shows.\n"


def test_plain_text_with_targets_prints_a_cross_reference_as_the_report_does() -> None:
    targets = {"fig-a": _Target("Figure 1", "#fig-a"), "tbl-b": _Target("Table 2", "#tbl-b")}
    text = "As [@fig-a, panel b; @tbl-b] show, and [@fig-gone] not. [@src]"
    assert plain_text(text, targets) == "As Figure 1, panel b; Table 2 show, and not.\n"


def test_attribute_blocks_after_one_image_merge() -> None:
    merged = render_markdown('![C.](f.svg){#fig-a}{alt="x"}', figures={"f.svg": _SVG})
    assert merged == render_markdown('![C.](f.svg){#fig-a alt="x"}', figures={"f.svg": _SVG})
    assert merged.startswith('<figure id="fig-a"')


def test_a_footnote_inside_a_footnote_is_numbered_after_it_and_reported() -> None:
    text = "a[^1]\n\n[^1]: b[^2]\n\n[^2]: c\n"
    notes = NoteIndex()
    render_markdown(text, notes=notes)
    assert [(n.number, n.anchor) for n in notes.notes] == [(1, "fn-1"), (2, "fn-2")]
    assert [(p.rule, p.offset) for p in find_markup_problems(text)] == [("footnote", 7)]


def test_an_inline_field_holding_a_figure_prints_it_as_one() -> None:
    text = 'Challenge text.\n\n![C.](f.svg){#fig-a alt="x"}'
    html = render_markdown(text, inline=True, figures={"f.svg": _SVG}, targets=_TARGETS)
    assert html.startswith('<p>Challenge text.</p>\n<figure id="fig-a" class="figure">')
    assert render_markdown("Plain *text*.", inline=True) == "Plain <em>text</em>."


def test_a_citation_in_a_footnote_is_linked_back_to_once() -> None:
    # The note's text is printed twice (at its call for the PDF, in the list of notes for
    # the screen): its citation is one citation, with one back-link, to the visible copy.
    index = CitationIndex({"src"})
    notes = NoteIndex()
    html = render_markdown("Call.[^n]\n\n[^n]: See [@src].\n", index, notes=notes)
    assert index.cited_at == {"src": ["cite-1"]}
    assert 'id="cite-1"' in notes.notes[0].html
    assert 'id="cite-1"' not in html
    assert html.count('href="#ref-src"') == 1
    # The copy's citation has no id, not an empty one (invalid HTML).
    assert 'id=""' not in html


def test_a_second_caption_or_one_under_no_table_is_reported_not_attached() -> None:
    table = "| a |\n|---|\n| 1 |\n"
    text = f"{table}\n: One. {{#tbl-one}}\n\n: Two. {{#tbl-two}}\n\nText.\n\n"
    text += ": Three. {#tbl-three}\n"
    html = render_markdown(text)
    assert html.count("<caption>") == 1
    assert '<table id="tbl-one">' in html
    assert [a.id for a in find_anchors(text)] == ["tbl-one"]
    problems = [(p.rule, p.offset, p.message) for p in find_markup_problems(text)]
    assert [(rule, offset) for rule, offset, _ in problems] == [
        ("table", text.index(": Two")),
        ("table", text.index(": Three")),
    ]
    assert "{#tbl-two} is not under a table" in problems[0][2]


@pytest.mark.parametrize("width", ["width=-5%", "width=1e9%", 'alt="x'])
def test_attributes_that_cannot_be_read_are_reported_not_printed_silently(width: str) -> None:
    text = f'Intro.\n\n![Cap.](a.svg){{#fig-a alt="x" {width}}}\n'
    problems = [(p.rule, p.offset, p.message) for p in find_markup_problems(text)]
    assert [(rule, offset) for rule, offset, _ in problems] == [("figure", text.index("!["))]
    assert "cannot be read" in problems[0][2]


def test_a_width_in_other_digits_is_not_a_css_width() -> None:
    text = '![Cap.](a.svg){#fig-a alt="x" width="٧٠%"}\n'
    assert [p.rule for p in find_markup_problems(text)] == ["figure"]


@pytest.mark.parametrize(
    "note", ['![Cap.](a.svg){#fig-a alt="x"}', "| a |\n    |---|\n    | 1 |\n\n    : Cap. {#tbl-a}"]
)
def test_a_figure_or_captioned_table_in_a_footnote_is_reported(note: str) -> None:
    text = f"Call.[^n]\n\n[^n]: Aside.\n\n    {note}\n"
    problems = [p for p in find_markup_problems(text) if "holds no figure" in p.message]
    assert [p.rule for p in problems] == ["footnote"]
    assert problems[0].offset >= text.index("    " + note[:2])  # on the note's own lines
    assert not list(find_anchors(text))


@pytest.mark.parametrize("attributes", ['{#fig-a #fig-b alt="x"}', '{#fig-a alt="x"}{#fig-b}'])
def test_a_figure_with_two_ids_is_reported_not_silently_renamed(attributes: str) -> None:
    text = f"![Cap.](a.svg){attributes}\n"
    assert [p.message for p in find_markup_problems(text)] == [
        "a figure takes one id, not 2: #fig-a, #fig-b"
    ]
    assert not [p for p in find_markup_problems('![C](a.svg){#fig-a alt="a #b c"}\n')]


def test_emphasis_in_arabic_script_is_marked_for_an_upright_face() -> None:
    html = render_markdown("*مرگ بر آمریکا* _فقط_ *English* *mixed ایران* **قوی** *a *ب* c*")
    assert html == (
        '<p><em data-script="arab">مرگ بر آمریکا</em> <em data-script="arab">فقط</em> '
        "<em>English</em> <em>mixed ایران</em> <strong>قوی</strong> "
        '<em>a <em data-script="arab">ب</em> c</em></p>\n'
    )
