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
