"""The report's bibliographic record in its HTML head, read back the way its consumers read it:
Highwire Press tags as Google Scholar and Zotero do (every ``<meta name="citation_…">``),
Dublin Core and schema.org JSON-LD with extruct; the PDF's own metadata agrees."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import extruct
import pytest
import tinyhtml5
from pypdf import PdfReader

from osintkit.build import BuildOptions, build
from osintkit.render.html import POLICY_META
from osintkit.render.metadata import script_json
from osintkit.render.sandbox import RenderLimits
from osintkit.report import render_brief
from osintkit.validation import LoadedBrief, load_brief
from support import require

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"
PERSIAN = ROOT / "briefs" / "persian-files-fa-sample.yaml"
TOOLS = ROOT / "tests" / "validity"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"

#: A title that tries to end the JSON-LD's <script>, open a comment, break its quotes and lines.
HOSTILE_TITLE = (
    "</script><script>alert(1);document.documentElement.dataset.pwned='title'</script>"
    " <!-- \"quoted\" & 'single' \u2028 <b>bold</b> روابط ایران"
)


class _Meta(HTMLParser):
    """Every ``<meta name content>`` of a page in order, as a Highwire reader collects them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") and values.get("content") is not None:
            self.tags.append((values["name"] or "", values["content"] or ""))


def highwire(html: str) -> list[tuple[str, str]]:
    parser = _Meta()
    parser.feed(html)
    return [(name, content) for name, content in parser.tags if name.startswith("citation_")]


def dublin_core(html: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(namespaces, (URI, content) of each element, then of each term) as extruct reads them:
    only ours (``DC.``, ``DCTERMS.``; extruct also takes the WHATWG ``dcterms.created`` and
    any name ending in ``description``)."""
    [found] = extruct.extract(html, syntaxes=["dublincore"])["dublincore"]
    items = found["elements"] + found["terms"]
    return found["namespaces"], [
        (i["URI"], i["content"]) for i in items if i["name"].startswith(("DC.", "DCTERMS."))
    ]


def json_ld(html: str) -> dict[str, Any]:
    [item] = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert isinstance(item, dict)
    return item


def _html(loaded: LoadedBrief, pdf_url: str | None = None) -> str:
    return render_brief(loaded, formats=("html",), pdf_url=pdf_url).html


@pytest.mark.parametrize("brief", [REFERENCE, PERSIAN], ids=["reference", "persian"])
def test_each_vocabulary_reads_back_the_brief_and_its_series(brief: Path) -> None:
    loaded = load_brief(brief)
    b, series = loaded.brief, loaded.series
    assert series.issn and b.keywords and series.url  # the shape this test expects
    html = _html(loaded)

    assert highwire(html) == [
        ("citation_title", b.title),
        *(("citation_author", name) for name in b.author_names()),
        ("citation_publication_date", f"{b.date.year}/{b.date.month:02}/{b.date.day:02}"),
        ("citation_journal_title", series.title),
        ("citation_issn", series.issn),
        ("citation_volume", str(b.volume)),
        ("citation_issue", str(b.issue)),
        ("citation_language", b.language),
        *(("citation_keywords", keyword) for keyword in b.keywords),
        ("citation_publisher", series.publisher),
    ]  # no citation_pdf_url: a plain render does not know where the PDF will be

    namespaces, dc = dublin_core(html)
    assert namespaces == {"DC": DC, "DCTERMS": DCTERMS}
    assert dc == [
        (DC + "title", b.title),
        *((DC + "creator", name) for name in b.author_names()),
        (DC + "date", b.date.isoformat()),
        (DC + "language", b.language),
        (DC + "publisher", series.publisher),
        *((DC + "subject", keyword) for keyword in b.keywords),
        (DC + "type", "Text"),
        (DCTERMS + "isPartOf", f"urn:issn:{series.issn}"),
        (DCTERMS + "accessRights", f"TLP:{b.tlp or series.tlp}"),
    ]

    report = json_ld(html)
    assert report["@context"] == "https://schema.org" and report["@type"] == "Report"
    assert report["headline"] == report["name"] == b.title
    assert report.get("alternativeHeadline") == b.subtitle
    assert report["author"] == [{"@type": "Person", "name": n} for n in b.author_names()]
    assert report["datePublished"] == b.date.isoformat()
    assert report["inLanguage"] == b.language
    assert report["keywords"] == b.keywords
    assert report["publisher"] == {"@type": "Organization", "name": series.publisher}
    assert report["sourceOrganization"] == {"@type": "Organization", "name": series.unit}
    issue = report["isPartOf"]
    assert (issue["@type"], issue["issueNumber"]) == ("PublicationIssue", str(b.issue))
    volume = issue["isPartOf"]
    assert (volume["@type"], volume["volumeNumber"]) == ("PublicationVolume", str(b.volume))
    periodical = volume["isPartOf"]
    assert periodical["@type"] == "Periodical"
    assert (periodical["name"], periodical["issn"]) == (series.title, series.issn)
    assert periodical["@id"] == f"urn:issn:{series.issn}"
    assert "encoding" not in report


def test_the_persian_record_keeps_its_script_as_written() -> None:
    html = _html(load_brief(PERSIAN))
    assert '"headline": "روابط بلاروس و ایران"' in html  # not \u escapes: readable source
    assert ("citation_title", "روابط بلاروس و ایران") in highwire(html)
    assert json_ld(html)["keywords"][:3] == ["بلاروس", "ایران", "روابط دوجانبه"]


@pytest.mark.parametrize("brief", [REFERENCE, PERSIAN], ids=["reference", "persian"])
def test_the_pdf_s_metadata_agrees_with_the_html_s(brief: Path) -> None:
    rendered = render_brief(load_brief(brief), limits=RenderLimits(sandbox=False))
    assert rendered.pdf is not None
    reader = PdfReader(io.BytesIO(rendered.pdf))
    info = reader.metadata
    assert info is not None
    tags = highwire(rendered.html)

    def values(name: str) -> list[str]:
        return [content for key, content in tags if key == name]

    assert info["/Title"] == values("citation_title")[0]
    # WeasyPrint joins the authors and the keywords with ", ".
    assert info["/Author"] == ", ".join(values("citation_author"))
    assert info["/Keywords"] == ", ".join(values("citation_keywords"))
    assert reader.trailer["/Root"]["/Lang"] == values("citation_language")[0]
    # The subject is the series line: the periodical, its ISSN, volume and issue.
    for name in ("citation_journal_title", "citation_issn"):
        assert values(name)[0] in info["/Subject"]


#: A series without an ISSN (nor a url), added to the tests' registry.
NO_ISSN = """
field-notes:
  title: Field Notes
  publisher: SpecialEurasia
  unit: SpecialEurasia OSINT Unit
  contact: info@specialeurasia.com
"""


def _hostile(make_brief: Any) -> LoadedBrief:
    """minimal.yaml in a series without an ISSN, a hostile title, 30 authors and no keywords."""
    text = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    authors = "".join(
        f'\n  - {{name: "Analyst {n} \\"the {n}th\\"", affiliation: "Unit {n} <Minsk>"}}'
        for n in range(1, 31)
    )
    text = re.sub(r"(?m)^title: .*$", lambda _: f"title: {json.dumps(HOSTILE_TITLE)}", text)
    text = text.replace("series: persian-files", "series: field-notes")
    text = text.replace('authors: ["SpecialEurasia OSINT Unit"]', f"authors:{authors}")
    text = text.replace("keywords: [Belarus, Iran]\n", "")
    brief = make_brief(text)
    with (brief.parent / "series.yaml").open("a", encoding="utf-8") as registry:
        registry.write(NO_ISSN)
    return load_brief(brief)


def test_a_hostile_title_30_authors_no_keywords_and_no_issn(make_brief: Any) -> None:
    loaded = _hostile(make_brief)
    assert loaded.brief.title == HOSTILE_TITLE and not loaded.brief.keywords
    assert loaded.series.issn is None
    html = _html(loaded)
    # One line of text: the line separator reads as the space it stands for.
    title = HOSTILE_TITLE.replace(" \u2028 ", " ")

    # As a browser parses the page: the title ended no element and opened none.
    root = tinyhtml5.parse(html, namespace_html_elements=False)
    scripts = list(root.iter("script"))
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0].text or "")["headline"] == title
    assert [e.tag for e in root.iter() if e.tag == "b"] == []
    raw = html[html.index('<script type="application/ld+json">') :]
    raw = raw[raw.index(">") + 1 : raw.index("</script>")]
    assert not set("<>&\u2028\u2029") & set(raw)
    assert "\\u003c/script\\u003e" in raw

    tags = highwire(html)
    assert tags[0] == ("citation_title", title)
    names = [f'Analyst {i} "the {i}th"' for i in range(1, 31)]
    pairs = [(tags[i][1], tags[i + 1][1]) for i in range(1, 61, 2)]
    assert pairs == [(n, f"Unit {i} <Minsk>") for i, n in enumerate(names, 1)]
    assert {t[0] for t in tags[1:61]} == {"citation_author", "citation_author_institution"}
    assert not {"citation_issn", "citation_keywords"} & {name for name, _ in tags}

    _, dc = dublin_core(html)
    assert [c for uri, c in dc if uri == DC + "creator"] == names
    assert DCTERMS + "isPartOf" not in {uri for uri, _ in dc}
    assert DC + "subject" not in {uri for uri, _ in dc}

    report = json_ld(html)
    assert report["headline"] == title and "keywords" not in report
    assert len(report["author"]) == 30
    assert report["author"][29] == {
        "@type": "Person",
        "name": names[29],
        "affiliation": {"@type": "Organization", "name": "Unit 30 <Minsk>"},
    }
    periodical = report["isPartOf"]["isPartOf"]["isPartOf"]
    assert periodical == {
        "@type": "Periodical",
        "name": "Field Notes",
        "publisher": {"@type": "Organization", "name": "SpecialEurasia"},
    }


def test_line_breaks_in_a_title_are_spaces_in_the_record(make_brief: Any) -> None:
    text = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    title = 'title: "Minsk\\nand\\r\\n  Tehran\\u00a0today "'
    text = re.sub(r"(?m)^title: .*$", lambda _: title, text)
    html = _html(load_brief(make_brief(text)))
    assert highwire(html)[0] == ("citation_title", "Minsk and Tehran\u00a0today")
    assert json_ld(html)["headline"] == "Minsk and Tehran\u00a0today"


def test_script_json_escapes_what_could_end_or_break_a_script() -> None:
    value = {"t": "</script><!--\u2028\u2029&>"}
    text = str(script_json(value))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == value


def test_a_given_pdf_url_is_named_in_highwire_and_json_ld() -> None:
    url = "https://example.org/persian-files/persian-files-29-2.pdf"
    html = _html(load_brief(REFERENCE), pdf_url=url)
    assert highwire(html)[-1] == ("citation_pdf_url", url)
    assert json_ld(html)["encoding"] == {
        "@type": "MediaObject",
        "contentUrl": url,
        "encodingFormat": "application/pdf",
    }


def test_a_build_names_the_published_pdf_when_the_series_has_a_site_url(tmp_path: Path) -> None:
    folder = tmp_path / "briefs"
    folder.mkdir()
    fixtures = ROOT / "tests" / "fixtures"
    registry = (fixtures / "series.yaml").read_text(encoding="utf-8")
    # The folder the series' reports are published in, trailing slash and all.
    registry = registry.replace(
        "url: https://www.specialeurasia.com",
        "url: https://www.specialeurasia.com\n  site_url: https://x.org/pf/",
    )
    (folder / "series.yaml").write_text(registry, encoding="utf-8")
    minimal = (fixtures / "minimal.yaml").read_text(encoding="utf-8")
    (folder / "Минск 1.yaml").write_text(minimal, encoding="utf-8")
    no_url = minimal.replace("series: persian-files", "series: caucasus-notes")
    (folder / "notes.yaml").write_text(no_url, encoding="utf-8")
    amber = minimal.replace("issue: 3", "issue: 4") + "tlp: AMBER\n"
    (folder / "amber.yaml").write_text(amber, encoding="utf-8")
    site = tmp_path / "site"
    result = build([folder], BuildOptions(site, limits=RenderLimits(sandbox=False)))
    assert not result.failed, result.failed

    html = (site / "persian-files" / "Минск 1.html").read_text(encoding="utf-8")
    url = "https://x.org/pf/%D0%9C%D0%B8%D0%BD%D1%81%D0%BA%201.pdf"
    assert ("citation_pdf_url", url) in highwire(html)
    assert json_ld(html)["encoding"]["contentUrl"] == url
    # A series without a site_url, and a report the public site does not get: no PDF address.
    for page in (site / "caucasus-notes" / "notes.html", tmp_path / "site-restricted" /
                 "persian-files" / "amber.html"):  # fmt: skip
        text = page.read_text(encoding="utf-8")
        assert "citation_pdf_url" not in text and "contentUrl" not in text
        assert highwire(text)[0] == ("citation_title", "Minsk and Tehran: A Test Brief")


@pytest.mark.validity
def test_a_title_that_closes_the_script_runs_nothing_in_chromium(
    make_brief: Any, tmp_path: Path
) -> None:
    """The JSON-LD is data, with the report's policy or without it: Chromium runs no script,
    reports no policy violation (the policy needs no exception for it) and reads the data."""
    node, chromium = shutil.which("node"), shutil.which("chromium")
    playwright = TOOLS / "node_modules" / "playwright-core" / "package.json"
    require(
        [n for n, ok in (("node", node), ("chromium", chromium)) if not ok]
        + ([] if playwright.is_file() else [str(playwright)])
    )
    assert node and chromium
    html = _html(_hostile(make_brief))
    with_policy = tmp_path / "with-policy.html"
    with_policy.write_text(html, encoding="utf-8")
    # Without the policy, only the escaping stands between the title and a running script.
    without = tmp_path / "without-policy.html"
    assert POLICY_META in html
    without.write_text(html.replace(POLICY_META, ""), encoding="utf-8")
    run = subprocess.run(
        [node, str(TOOLS / "scripts.mjs"), chromium, str(with_policy), str(without)],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    title = HOSTILE_TITLE.replace(" \u2028 ", " ")
    for page in (with_policy, without):
        result = seen[str(page.resolve())]
        assert result["loaded"], result
        assert result["dialogs"] == [] and result["errors"] == [], result
        assert result["pwned"] is None, result
        assert result["violations"] == [], result
        assert [s["type"] for s in result["scripts"]] == ["application/ld+json"]
        assert json.loads(result["scripts"][0]["text"])["headline"] == title
