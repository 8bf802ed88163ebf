"""What a report says about itself to machines: its bibliographic record in the HTML head.

Three vocabularies, because each has readers the others lack: Highwire Press tags
(``citation_*``: Google Scholar, Zotero and most reference managers), Dublin Core (``DC.*`` and
``DCTERMS.*`` as DCMI's DC-HTML writes them: library harvesters and catalogues) and schema.org
JSON-LD (search engines and linked-data tools: the report as part of its issue, volume and
periodical). Every value is made here from the brief and its series; the template only writes
them out (``metadata.html.j2``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from osintkit.models import Author, Brief
from osintkit.series import Series

#: A name and its value, as one ``<meta name="…" content="…">``.
MetaTag = tuple[str, str]

#: Line breaks and runs of spaces in a value: a meta element's value is one line to every
#: reader (a title's line break is not part of the title). A no-break space is kept.
_BREAKS_RE = re.compile(r"[ \t\n\r\f\v\x85\u2028\u2029]+")

#: What a ``<script>`` element's text must not hold raw: "</script" or "<!--" would end or
#: change the element, and U+2028/2029 end a line in JavaScript, so JSON read as a script
#: would break. Each is written as a JSON escape, which every JSON reader decodes back.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Metadata:
    """The report's bibliographic record, in each vocabulary the HTML head carries."""

    #: The Highwire Press tags, in the order Google Scholar documents them.
    highwire: tuple[MetaTag, ...]
    #: The Dublin Core elements (``DC.title``) and terms (``DCTERMS.isPartOf``).
    dublin_core: tuple[MetaTag, ...]
    #: The schema.org ``Report`` as JSON, safe as the text of a ``<script>`` element.
    json_ld: Markup


def report_metadata(brief: Brief, series: Series, tlp: str, pdf_url: str | None) -> Metadata:
    """Return the record of ``brief``, an issue of ``series`` marked ``tlp`` ("TLP:CLEAR"),
    whose PDF is published at ``pdf_url`` (None: not known, as in a plain render)."""
    title = one_line(brief.title)
    authors = [_author(author) for author in brief.authors]
    keywords = [one_line(k) for k in brief.keywords]
    language = brief.language
    publisher = one_line(series.publisher)
    volume, issue = str(brief.volume), str(brief.issue)

    highwire: list[MetaTag] = [("citation_title", title)]
    for name, affiliation in authors:
        highwire.append(("citation_author", name))
        if affiliation:
            # Highwire's affiliation follows the author it belongs to.
            highwire.append(("citation_author_institution", affiliation))
    highwire += [
        # Google Scholar asks for slashes: "2025/01/20".
        ("citation_publication_date", brief.date.strftime("%Y/%m/%d")),
        ("citation_journal_title", one_line(series.title)),
    ]
    if series.issn:
        highwire.append(("citation_issn", series.issn))
    highwire += [
        ("citation_volume", volume),
        ("citation_issue", issue),
        ("citation_language", language),
        # One tag a keyword, so that a keyword holding a comma or a semicolon stays whole.
        *(("citation_keywords", keyword) for keyword in keywords),
        ("citation_publisher", publisher),
    ]
    if pdf_url:
        highwire.append(("citation_pdf_url", pdf_url))

    dublin_core: list[MetaTag] = [
        ("DC.title", title),
        *(("DC.creator", name) for name, _ in authors),
        ("DC.date", brief.date.isoformat()),
        ("DC.language", language),
        ("DC.publisher", publisher),
        *(("DC.subject", keyword) for keyword in keywords),
        ("DC.type", "Text"),
    ]
    if series.issn:
        # The ISSN names the periodical, not this issue of it: the report is part of it.
        dublin_core.append(("DCTERMS.isPartOf", f"urn:issn:{series.issn}"))
    # A TLP marking says who may see the report: DCMI's "security status" term.
    dublin_core.append(("DCTERMS.accessRights", tlp))

    periodical: dict[str, Any] = {"@type": "Periodical", "name": one_line(series.title)}
    if series.issn:
        periodical = {"@id": f"urn:issn:{series.issn}", **periodical, "issn": series.issn}
    periodical["publisher"] = {"@type": "Organization", "name": publisher}
    report: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Report",
        "headline": title,
        "name": title,
    }
    if brief.subtitle:
        report["alternativeHeadline"] = one_line(brief.subtitle)
    report["author"] = [_person(name, affiliation) for name, affiliation in authors]
    report["datePublished"] = brief.date.isoformat()
    report["inLanguage"] = language
    if keywords:
        report["keywords"] = keywords
    report["publisher"] = {"@type": "Organization", "name": publisher}
    report["sourceOrganization"] = {"@type": "Organization", "name": one_line(series.unit)}
    report["conditionsOfAccess"] = tlp
    report["isPartOf"] = {
        "@type": "PublicationIssue",
        "issueNumber": issue,
        "datePublished": brief.date.isoformat(),
        "isPartOf": {"@type": "PublicationVolume", "volumeNumber": volume, "isPartOf": periodical},
    }
    if pdf_url:
        report["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": pdf_url,
            "encodingFormat": "application/pdf",
        }
    return Metadata(tuple(highwire), tuple(dublin_core), script_json(report))


def one_line(text: str) -> str:
    """``text`` with each run of spaces and line breaks one space, and none at either end."""
    return _BREAKS_RE.sub(" ", text).strip(" ")


def script_json(data: Any) -> Markup:
    """``data`` as JSON that can stand as the text of a ``<script>`` element, whatever its
    strings hold: ``</script>`` in a title cannot end the element.

    Non-ASCII text is kept as it is (a Persian title stays readable in the page's source);
    ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\uXXXX`` escapes, which can only
    occur inside JSON strings and decode back to the same characters.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return Markup(_SCRIPT_ESCAPE_RE.sub(lambda m: _SCRIPT_ESCAPES[m.group()], text))


def _author(author: str | Author) -> tuple[str, str]:
    """(name, affiliation) of an author; "" for none (an author written as a string)."""
    if isinstance(author, str):
        return one_line(author), ""
    return one_line(author.name), one_line(author.affiliation or "")


def _person(name: str, affiliation: str) -> dict[str, Any]:
    person: dict[str, Any] = {"@type": "Person", "name": name}
    if affiliation:
        person["affiliation"] = {"@type": "Organization", "name": affiliation}
    return person
