"""The HTML report: one self-contained, semantic file, with every field escaped."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.render.html import render_html
from osintkit.report import template_for
from osintkit.tradecraft import TLP_COLOURS
from osintkit.validation import load_brief
from support import require

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tests" / "validity"
FIXTURES = ROOT / "tests" / "fixtures"
#: make_brief(text, name="brief.yaml") -> path of the brief written beside tests' series.yaml.
MakeBrief = Callable[..., Path]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _render(path: Path) -> str:
    loaded = load_brief(path)
    return render_html(loaded, template_for(loaded)).text


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collect()
    parser.feed(html)
    return parser.tags


def test_reference_html_is_self_contained_and_semantic() -> None:
    html = _render(ROOT / "briefs" / "persian-files-29-2.yaml")
    tags = _tags(html)
    assert tags[0] == ("html", {"lang": "en", "dir": "ltr"})
    # Nothing that loads or runs: the only links declare Dublin Core's prefixes (a browser
    # fetches no `schema.*` link) and the only script is the JSON-LD record, data never run.
    assert [t for t in tags if t[0] in ("link", "script", "iframe")] == [
        ("link", {"rel": "schema.DC", "href": "http://purl.org/dc/elements/1.1/"}),
        ("link", {"rel": "schema.DCTERMS", "href": "http://purl.org/dc/terms/"}),
        ("script", {"type": "application/ld+json"}),
    ]
    links = [v for _, a in tags for k, v in a.items() if k in ("src", "href")]
    assert all(v and v.startswith(("#", "mailto:", "https://", "http://")) for v in links), links
    assert "@page" in html  # the stylesheet is inlined
    assert [a["id"] for t, a in tags if t == "h2"] == [
        "h-executive-summary", "h-key-judgements", "h-background", "h-chronology",
        "h-geopolitical-context", "h-challenges", "h-sources", "h-sec-evidence-register",
    ]  # fmt: skip
    assert sum(1 for t, _ in tags if t == "h1") == 1
    excerpt = next(a for t, a in tags if t == "blockquote")
    assert excerpt == {"class": "excerpt", "lang": "fa", "dir": "rtl", "data-script": "arab"}
    assert '<a class="citation" id="cite-1" href="#ref-mfa-belarus-iran"' in html
    assert 'id="ref-mfa-belarus-iran"' in html
    ids = [a["id"] for _, a in tags if a.get("id")]
    assert len(ids) == len(set(ids))


def test_every_field_is_escaped(make_brief, fixtures_dir: Path) -> None:  # type: ignore[no-untyped-def]
    text = (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")
    hostile = "<script>alert(1)</script>"
    text = re.sub(r"(?m)^title: .*$", f'title: "{hostile}"', text)
    text = text.replace("authors: [", f'authors: ["{hostile}", ')
    html = _render(make_brief(text))
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- figures: inlined, so the file alone shows them --------------------------------------------

SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<script>alert(1)</script><rect width="40" height="20" fill="#c33" onload="alert(2)"/></svg>'
)


def _image(kind: str) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), (40, 90, 160)).save(buffer, format=kind)
    return buffer.getvalue()


@pytest.fixture
def with_figures(make_brief, fixtures_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    """minimal.yaml showing a figure of every kind, in every kind of Markdown field."""
    text = (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("background: |\n", "background: |\n  ![A PNG chart](figures/chart.png)\n\n")
    text = text.replace(
        "    excerpt: |\n",
        "    translation: '![A GIF](figures/a.gif) and ![a pixel](//127.0.0.1:9/pixel.png)'\n"
        "    excerpt: |\n      ![A WebP](figures/a.webp)\n\n",
    )
    text += (
        "key_judgements:\n"
        "  - {text: '![A JPEG](figures/photo.jpg) Minsk will buy more drones.',"
        " likelihood: likely, confidence: low}\n"
        "timeline:\n  - {date: 1993, event: '![An SVG](figures/map.svg) Relations.'}\n"
    )
    path: Path = make_brief(text)
    figures = path.parent / "figures"
    figures.mkdir()
    (figures / "chart.png").write_bytes(_image("PNG"))
    (figures / "a.gif").write_bytes(_image("GIF"))
    (figures / "a.webp").write_bytes(_image("WEBP"))
    (figures / "photo.jpg").write_bytes(_image("JPEG"))
    (figures / "map.svg").write_bytes(SVG)
    return path


def test_every_image_is_an_inlined_figure_or_a_link(with_figures: Path) -> None:
    html = _render(with_figures)
    images = [a for t, a in _tags(html) if t == "img"]
    assert sorted(a["alt"] or "" for a in images) == [
        "A GIF",
        "A JPEG",
        "A PNG chart",
        "A WebP",
        "An SVG",
    ]
    kinds = sorted((a["src"] or "").split(";")[0] for a in images)
    assert kinds == [f"data:image/{k}" for k in ("gif", "jpeg", "png", "svg+xml", "webp")]
    assert '<a class="remote-image" href="//127.0.0.1:9/pixel.png"' in html
    svg = next(a["src"] or "" for a in images if a["alt"] == "An SVG")
    decoded = base64.b64decode(svg.split(",", 1)[1])
    assert b"<rect" in decoded and b"script" not in decoded and b"onload" not in decoded


@pytest.mark.validity
def test_the_html_file_alone_shows_every_figure_in_chromium(
    with_figures: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(with_figures), "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    alone = tmp_path / "elsewhere" / "report.html"  # moved where no figure is beside it
    alone.parent.mkdir()
    shutil.copy(out / "brief.html", alone)
    node, chromium = shutil.which("node"), shutil.which("chromium")
    playwright = TOOLS / "node_modules" / "playwright-core" / "package.json"
    require(
        [n for n, ok in (("node", node), ("chromium", chromium)) if not ok]
        + ([] if playwright.is_file() else [str(playwright)])
    )
    assert node and chromium
    run = subprocess.run(
        [node, str(TOOLS / "images.mjs"), chromium, str(alone)],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)[str(alone.resolve())]
    assert len(seen["images"]) == 5
    for image in seen["images"]:
        assert image["scheme"] == "data" and image["decoded"], image
        assert image["naturalWidth"] > 0 and image["naturalHeight"] > 0, image
    assert seen["requests"] == []


# --- citations in excerpts and translations ---------------------------------------------------


def test_excerpts_and_translations_cite_by_number(make_brief, fixtures_dir: Path) -> None:  # type: ignore[no-untyped-def]
    text = (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    excerpt: |\n",
        "    translation: 'As the ministry reported [@tass, p. 2].'\n"
        "    excerpt: |\n      [@mfa]\n",
    )
    text += "  - id: tass\n    title: TASS report\n"
    html = _render(make_brief(text))
    assert 'class="citation-missing"' not in html and ">?<" not in html
    translation = re.search(r'<blockquote class="translation".*?</blockquote>', html, re.S)
    link = '<a class="citation" id="{}" href="#ref-{}"[^>]*>{}</a>'
    located = '2<span class="cite-locator">, p. 2</span>'
    assert translation and re.search(link.format("cite-3", "tass", located), translation.group())
    excerpt = re.search(r'<blockquote class="excerpt".*?</blockquote>', html, re.S)
    assert excerpt and re.search(link.format("cite-2", "mfa", "1"), excerpt.group())
    # The reference list links back to them like to any other citation (cite-3 twice: among
    # the source's back-links, and after its locator under "Passages cited").
    assert html.count('href="#cite-3"') == 2 and html.count('href="#cite-2"') == 1
    assert 'Passages cited: <bdi dir="ltr">p. 2</bdi><a class="back" href="#cite-3"' in html


_CITING = """\
series: persian-files
volume: 29
issue: 3
title: Citations in reading order
date: 2025-02-10
language: en
authors: ["SpecialEurasia OSINT Unit"]
executive_summary: First [@a].
background: Then [@b; @a].
timeline:
  - date: 1993-03-18
    event: A row that cites [@b] in its text.
    source: a
geopolitical_context: Last.
challenges:
  items:
    - label: "A label with <a class=\\"citation\\" id=\\"cite-9\\" href=\\"#ref-b\\"> in it"
      text: Cites nothing.
sources:
  - id: a
    title: Source A
    excerpt: Quoting B [@b].
  - id: b
    title: Source B
    translation: And A [@a].
"""


def _back_links(html: str, source_id: str) -> list[str]:
    item = re.search(rf'<li id="ref-{source_id}">(.*?)</li>', html, re.S)
    assert item is not None
    return re.findall(r'<a class="back" href="#(cite-\d+)"', item.group(1))


def test_back_links_follow_the_citations_in_reading_order(make_brief: MakeBrief) -> None:
    html = _render(make_brief(_CITING))
    ids = re.findall(r'<a class="citation" id="(cite-\d+)" href="#ref-(\w+)"', html)
    # The chronology's source column is numbered before its event's text, read after it.
    assert ids[:5] == [
        ("cite-1", "a"), ("cite-2", "b"), ("cite-3", "a"), ("cite-5", "b"), ("cite-4", "a"),
    ]  # fmt: skip
    assert _back_links(html, "a") == ["cite-1", "cite-3", "cite-4", "cite-7"]
    assert _back_links(html, "b") == ["cite-2", "cite-5", "cite-6"]


# --- the report's structure ----------------------------------------------------------------

STRUCTURE = ROOT / "tests" / "fixtures" / "structure.yaml"


def _structure(make_brief: MakeBrief, old: str = "", new: str = "") -> str:
    text = STRUCTURE.read_text(encoding="utf-8")
    assert old in text
    return _render(make_brief(text.replace(old, new, 1) if old else text))


def _section(html: str, anchor: str) -> str:
    match = re.search(rf'<section [^>]*id="{anchor}".*?</section>', html, re.DOTALL)
    assert match, anchor
    return match.group(0)


def test_extra_sections_follow_their_fixed_one_and_annexes_the_sources(
    make_brief: MakeBrief,
) -> None:
    html = _structure(make_brief)
    # Directly after the section each names, before what the template sets after that one.
    assert re.findall(r'<h2 id="h-([\w-]+)"', html) == [
        "contents", "executive-summary", "sec-scope", "key-judgements", "background",
        "sec-method", "chronology", "geopolitical-context", "challenges", "sec-outlook",
        "sources", "sec-annex-data", "sec-annex-glossary", "disclaimer",
    ]  # fmt: skip
    method = _section(html, "sec-method")
    assert '<h2 id="h-sec-method">Method and sources</h2>' in method
    assert 'href="#ref-customs"' in method  # its citation is numbered in reading order
    annex = _section(html, "sec-annex-data")
    # The title isolated: a Latin one keeps its place after a Persian "پیوست A".
    assert '<h2 id="h-sec-annex-data">Annex A: <bdi dir="ltr">Data tables</bdi></h2>' in annex
    assert "<table>" in annex
    assert '<h2 id="h-sec-annex-glossary">Annex B: <bdi dir="ltr">Glossary</bdi></h2>' in html


def test_the_bottom_line_comes_first_in_the_summary_box(make_brief: MakeBrief) -> None:
    summary = _section(_structure(make_brief), "executive-summary")
    body = summary.split("</h2>", 1)[1].strip()
    assert body.startswith(
        '<p class="bluf"><strong class="bluf-label">Bottom line up front:</strong> Moscow pays'
        " for Iranian drones in <em>grain and debt relief</em>, not cash."
    )
    assert body.index("bluf") < body.index("Iran and Russia trade drones")


def test_the_contents_list_links_every_heading(make_brief: MakeBrief) -> None:
    html = _structure(make_brief)
    nav = re.search(r'<nav class="contents".*?</nav>', html, re.DOTALL)
    assert nav and html.index("</header>") < nav.start() < html.index('id="executive-summary"')
    entries = [
        (anchor, re.sub(r"<[^>]+>", "", title))
        for anchor, title in re.findall(r'<li><a href="#([\w-]+)">(.+?)</a></li>', nav.group(0))
    ]
    ids = set(re.findall(r'<section [^>]*id="([\w-]+)"', html))
    assert [anchor for anchor, _ in entries if anchor not in ids] == []
    assert ("sec-annex-data", "Annex A: Data tables") in entries
    assert ("challenges", "Challenges to the Partnership") in entries
    assert entries[-1] == ("disclaimer", "Disclaimer")


def test_toc_defaults_to_the_series_and_the_brief_decides(make_brief: MakeBrief) -> None:
    assert 'class="contents"' not in _structure(make_brief, "toc: true\n", "toc: false\n")
    path = make_brief(STRUCTURE.read_text(encoding="utf-8").replace("toc: true\n", ""))
    assert 'class="contents"' not in _render(path)
    registry = path.parent / "series.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  template: series           # a folder", "  toc: true\n  template: series  # a", 1
        ),
        encoding="utf-8",
    )
    assert 'class="contents"' in _render(path)


def test_authors_with_roles_affiliations_and_addresses(make_brief: MakeBrief) -> None:
    html = _structure(make_brief)
    assert re.findall(r'<meta name="author" content="([^"]+)">', html) == [
        "A. Karimova", "B. Tehrani", "SpecialEurasia OSINT Unit",
    ]  # fmt: skip
    authors = re.search(r'<ul class="authors">.*?</ul>', html, re.DOTALL)
    assert authors
    text = re.sub(r"<[^>]+>", "", authors.group(0))
    assert "A. Karimova, Lead analyst, Caspian Desk, a.karimova@example.org" in text
    assert "B. Tehrani, Reviewer\n" in text
    assert '<a href="mailto:a.karimova@example.org" dir="ltr">' in authors.group(0)


def test_string_authors_stay_in_the_byline(make_brief: MakeBrief) -> None:
    html = _structure(
        make_brief,
        STRUCTURE.read_text(encoding="utf-8").split("authors:\n", 1)[1].split("bluf:", 1)[0],
        '  - "A. Karimova"\n  - "B. Tehrani"\n',
    )
    assert '<ul class="authors">' not in html
    assert ' · <bdi dir="ltr">A. Karimova</bdi>, <bdi dir="ltr">B. Tehrani</bdi>' in html


def test_the_disclaimer_ends_the_report_before_the_contact_line(make_brief: MakeBrief) -> None:
    html = _structure(make_brief)
    disclaimer = _section(html, "disclaimer")
    assert '<h2 id="h-disclaimer">Disclaimer</h2>' in disclaimer
    assert "<em>legal advice</em>" in disclaimer
    assert html.index('id="sec-annex-glossary"') < html.index('id="disclaimer"')
    assert html.index('id="disclaimer"') < html.index('<footer class="contact">')


def test_the_series_disclaimer_is_the_default(make_brief: MakeBrief) -> None:
    text = STRUCTURE.read_text(encoding="utf-8")
    own = "disclaimer: |\n  The views are the authors' own. Nothing here is *legal advice*.\n"
    path = make_brief(text.replace(own, ""))
    assert 'id="disclaimer"' not in _render(path)
    registry = path.parent / "series.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  template: series           # a folder",
            "  disclaimer: Not **advice**.\n  template: series  # a",
            1,
        ),
        encoding="utf-8",
    )
    assert "<p>Not <strong>advice</strong>.</p>" in _section(_render(path), "disclaimer")
    path.write_text(text, encoding="utf-8")
    assert "Not <strong>advice</strong>" not in _render(path)


def test_references_print_their_url_and_a_partial_date(make_brief: MakeBrief) -> None:
    sources = _section(_structure(make_brief), "sources")
    full = (
        "https://mfa.gov.by/en/bilateral/iran/political-relations-between-the-two-countries-"
        "since-1993/?lang=en"
    )
    assert (
        f'<a class="url" href="{full}" dir="ltr">'
        "mfa.gov.by/en/bilateral/iran/political-relations-between-th…</a>"
    ) in sources
    assert '<a class="url" href="https://example.org/stats" dir="ltr">example.org/stats</a>' in (
        sources
    )
    text = re.sub(r"<[^>]+>", "", sources)
    assert "Ministry of Foreign Affairs, May 2024 (accessed 18 January 2025)." in text
    assert "Customs statistics, 2023. example.org/stats" in text


def test_a_series_without_issn_prints_none(make_brief: MakeBrief) -> None:
    path = make_brief(STRUCTURE.read_text(encoding="utf-8"))
    registry = path.parent / "series.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("  issn: 2975-0598", "  #", 1),
        encoding="utf-8",
    )
    html = _render(path)
    assert "ISSN" not in html.replace("ISSN's", "")
    assert '<meta name="description" content="Persian Files Volume 29 Issue 4">' in html
    assert '"Persian Files";' in html  # the running footer: the title alone


@pytest.mark.parametrize(
    ("topic", "printed"),
    [("contact_topic: drones\n", "about drones."), ("", "about Persian Files.")],
    ids=["brief-topic", "series-title"],
)
def test_a_series_contact_text_replaces_the_contact_sentence(
    make_brief: MakeBrief, topic: str, printed: str
) -> None:
    path = make_brief(STRUCTURE.read_text(encoding="utf-8") + topic)
    registry = path.parent / "series.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  template: series           # a folder",
            '  contact_text: "Write to {contact} {{sic}} about {topic}."\n  template: series  # a',
            1,
        ),
        encoding="utf-8",
    )
    footer = re.search(r'<footer class="contact">.*?</footer>', _render(path), re.DOTALL)
    assert footer
    text = re.sub(r"<[^>]+>", "", footer.group(0))
    assert f"Write to info@specialeurasia.com {{sic}} {printed}" in text
    assert "consulting" not in text


# --- snippets: a tiny brief, its HTML, one thing asserted ----------------------------------


def _snippet(make_brief: MakeBrief, change: Callable[[str], str] = lambda text: text) -> Any:
    """The HTML of minimal.yaml as ``change`` edits it, parsed as a browser would, for CSS
    selectors (``.query``, ``.query_all``)."""
    import cssselect2
    import tinyhtml5

    text = change((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    root = tinyhtml5.parse(_render(make_brief(text)))
    return cssselect2.ElementWrapper.from_html_root(root)


def _text(wrapper: Any) -> str:
    """The text of an element, whitespace runs as one space."""
    return " ".join("".join(wrapper.etree_element.itertext()).split())


def _set(key: str, value: str) -> Callable[[str], str]:
    """A change that sets a top-level key (before contact_topic, which every brief here has)."""
    return lambda text: text.replace("contact_topic:", f"{key}: {value}\ncontact_topic:", 1)


def _also(yaml: str) -> Callable[[str], str]:
    """A change that appends top-level YAML."""
    return lambda text: text + yaml


_GRADED = "    reliability: B\n    credibility: 2\n"
_TIMELINE = (
    "timeline:\n  - {date: 2001-02, event: An embassy opens.}\n"
    "  - {date: 1993, event: Relations.}\n  - {date: 1998-03-08, event: Another embassy.}\n"
)
_TWO_SOURCES = """\
sources:
  - id: a
    title: Source A
  - id: b
    title: Source B
"""


def _two_sources(text: str) -> str:
    """minimal.yaml citing b, then a, then b again, from two sources of its own."""
    text = re.sub(r"(?m)^executive_summary: \|\n  .*$", "executive_summary: First B [@b].", text)
    text = re.sub(r"(?m)^background: \|\n  .*$", "background: Then A [@a], B [@b].", text)
    return text[: text.index("sources:")] + _TWO_SOURCES


def test_an_english_brief_is_left_to_right(make_brief: MakeBrief) -> None:
    html = _snippet(make_brief).etree_element
    assert (html.get("lang"), html.get("dir")) == ("en", "ltr")


def test_a_persian_brief_is_right_to_left(make_brief: MakeBrief) -> None:
    html = _snippet(make_brief, lambda t: t.replace("language: en", "language: fa")).etree_element
    assert (html.get("lang"), html.get("dir")) == ("fa", "rtl")


@pytest.mark.parametrize("tlp", sorted(TLP_COLOURS))
def test_the_tlp_label_shows_its_name_in_its_colour(make_brief: MakeBrief, tlp: str) -> None:
    label = _snippet(make_brief, _set("tlp", tlp)).query("p.tlp")
    assert (_text(label), label.etree_element.get("style")) == (
        f"TLP:{tlp}",
        f"color: {TLP_COLOURS[tlp]}",
    )


def test_a_brief_without_a_tlp_is_marked_as_its_series_is(make_brief: MakeBrief) -> None:
    assert _text(_snippet(make_brief).query("p.tlp")) == "TLP:CLEAR"


def test_a_draft_has_a_watermark(make_brief: MakeBrief) -> None:
    (mark,) = _snippet(make_brief, _set("status", "draft")).query_all(".watermark")
    assert _text(mark) == "DRAFT"


def test_a_final_brief_has_no_watermark(make_brief: MakeBrief) -> None:
    assert _snippet(make_brief).query(".watermark") is None


def test_a_key_judgement_shows_its_band_and_confidence(make_brief: MakeBrief) -> None:
    judgement = "key_judgements:\n  - {text: Minsk buys.,likelihood: likely, confidence: low}\n"
    page = _snippet(make_brief, _also(judgement))
    assert _text(page.query(".key-judgements .assessment")) == "Likely (55–75 %) · low confidence"


def test_no_key_judgements_no_section(make_brief: MakeBrief) -> None:
    assert _snippet(make_brief).query("#key-judgements") is None


def test_the_chronology_is_in_date_order(make_brief: MakeBrief) -> None:
    times = _snippet(make_brief, _also(_TIMELINE)).query_all(".chronology time")
    assert [t.etree_element.get("datetime") for t in times] == ["1993", "1998-03-08", "2001-02"]


def test_partial_dates_are_written_as_far_as_they_go(make_brief: MakeBrief) -> None:
    times = _snippet(make_brief, _also(_TIMELINE)).query_all(".chronology time")
    assert [_text(t) for t in times] == ["1993", "8 March 1998", "February 2001"]


def test_citations_are_numbered_by_their_source_in_reading_order(make_brief: MakeBrief) -> None:
    page = _snippet(make_brief, _two_sources)
    links = [(_text(a), a.etree_element.get("href")) for a in page.query_all("a.citation")]
    assert links == [("1", "#ref-b"), ("2", "#ref-a"), ("1", "#ref-b")]


def test_the_sources_are_listed_in_the_order_first_cited(make_brief: MakeBrief) -> None:
    page = _snippet(make_brief, _two_sources)
    ids = [li.etree_element.get("id") for li in page.query_all("ol.references > li")]
    assert ids == ["ref-b", "ref-a"]


def test_a_source_links_back_to_each_of_its_citations(make_brief: MakeBrief) -> None:
    page = _snippet(make_brief, _two_sources)
    cited = [a.etree_element.get("id") for a in page.query_all("a.citation[href='#ref-b']")]
    back = [a.etree_element.get("href") for a in page.query_all("#ref-b a.back")]
    assert back == [f"#{anchor}" for anchor in cited] and len(back) == 2


def test_a_graded_source_shows_its_grade_in_words(make_brief: MakeBrief) -> None:
    grade = _snippet(make_brief, _also(_GRADED)).query("#ref-mfa abbr.grade")
    assert (_text(grade), grade.etree_element.get("title")) == (
        "B2",
        "Usually reliable; probably true",
    )


def test_the_grades_legend_explains_the_grades_used(make_brief: MakeBrief) -> None:
    legend = _snippet(make_brief, _also(_GRADED)).query("p.grades")
    assert _text(legend) == "Source grades (Admiralty system): B usually reliable; 2 probably true."


def test_no_grade_no_grades_legend(make_brief: MakeBrief) -> None:
    assert _snippet(make_brief).query("p.grades") is None


def test_the_contact_line_names_the_brief_s_topic(make_brief: MakeBrief) -> None:
    footer = _text(_snippet(make_brief).query("footer.contact"))
    assert footer.endswith("monitoring services regarding Iran-Belarus relations.")


def test_without_a_topic_the_contact_line_names_none(make_brief: MakeBrief) -> None:
    page = _snippet(make_brief, lambda t: re.sub(r"(?m)^contact_topic: .*\n", "", t))
    assert _text(page.query("footer.contact")).endswith("monitoring services.")


def test_a_title_with_markup_characters_is_text(make_brief: MakeBrief) -> None:
    title = "A < B & <i>C</i> > D"
    page = _snippet(make_brief, lambda t: re.sub(r"(?m)^title: .*$", f'title: "{title}"', t))
    heading = page.query("h1").etree_element
    assert (heading.text, list(heading)) == (title, [])


@pytest.mark.parametrize(
    ("brief", "comma"), [("persian-files-29-2", ","), ("persian-files-fa-sample", "،")]
)
def test_print_separates_two_citations_by_the_languages_comma(brief: str, comma: str) -> None:
    """[@a; @b] prints as two superscripts joined by the language's list comma: 1,2 or ۱،۲."""
    root = Path(__file__).resolve().parents[1]
    loaded = load_brief(root / "briefs" / f"{brief}.yaml")
    css = render_html(loaded, template_for(loaded)).print_css
    assert f'.cite-sep + ::before {{ content: "{comma}"; }}' in css
    assert ".cite-bracket, .cite-locator, .cite-sep { display: none; }" in css
