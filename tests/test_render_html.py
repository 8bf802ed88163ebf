"""The HTML report: one self-contained, semantic file, with every field escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from osintkit.render.html import render_html
from osintkit.report import template_for
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]


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
    assert not [t for t in tags if t[0] in ("link", "script", "iframe")]
    links = [v for _, a in tags for k, v in a.items() if k in ("src", "href")]
    assert all(v and v.startswith(("#", "mailto:", "https://", "http://")) for v in links), links
    assert "@page" in html  # the stylesheet is inlined
    assert [a["id"] for t, a in tags if t == "h2"] == [
        "h-executive-summary", "h-key-judgements", "h-background", "h-chronology",
        "h-geopolitical-context", "h-challenges", "h-sources",
    ]  # fmt: skip
    assert sum(1 for t, _ in tags if t == "h1") == 1
    excerpt = next(a for t, a in tags if t == "blockquote")
    assert excerpt == {"class": "excerpt", "lang": "fa", "dir": "rtl"}
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
    assert translation and re.search(link.format("cite-3", "tass", "2, p. 2"), translation.group())
    excerpt = re.search(r'<blockquote class="excerpt".*?</blockquote>', html, re.S)
    assert excerpt and re.search(link.format("cite-2", "mfa", "1"), excerpt.group())
    # The reference list links back to them like to any other citation.
    assert html.count('href="#cite-3"') == 1 and html.count('href="#cite-2"') == 1
