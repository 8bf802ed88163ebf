"""The published side of a build: the catalogue page, its JSON (with a schema), an Atom feed per
series and SHA256SUMS over every published file, for the public site and, apart from it, for
the restricted folder.

Everything here is a function of the build manifest's records and the registry: no clock, no
randomness, sorted output, so two builds of the same briefs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from osintkit import __version__
from osintkit.errors import OutputError
from osintkit.output import CHECKSUMS, write_atomic
from osintkit.records import IssueRecord, OutputFile
from osintkit.series import Series
from osintkit.tradecraft import TLP_ORDER, is_public, tlp_rank

CATALOGUE_JSON = "catalogue.json"
CATALOGUE_SCHEMA = "catalogue.schema.json"
INDEX_HTML = "index.html"
FEED_FILE = "feed.xml"
_ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class PublishedFile(BaseModel):
    """One output file of an issue, relative to the site folder."""

    model_config = ConfigDict(extra="forbid")

    path: str
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pages: int | None = Field(default=None, ge=1)


class PublishedExport(PublishedFile):
    """One machine-readable export of an issue (``osintkit.exports``), with its media type."""

    media_type: str = Field(
        description="application/stix+json;version=2.1, application/json (a MISP event), "
        "application/vnd.citationstyles.csl+json."
    )


class PublicEdition(BaseModel):
    """The public edition of an issue whose full edition is restricted, as the restricted
    catalogue links it: its marking and its files, relative to the public site."""

    model_config = ConfigDict(extra="forbid")

    tlp: str = Field(description="The public edition's marking (CLEAR or GREEN).")
    html: PublishedFile | None = None
    pdf: PublishedFile | None = None
    exports: dict[str, PublishedExport] | None = None


class CatalogueIssue(BaseModel):
    """One issue of a series as the catalogue lists it."""

    model_config = ConfigDict(extra="forbid")

    volume: int = Field(ge=1)
    issue: int = Field(ge=1)
    title: str
    subtitle: str | None = None
    date: str = Field(description="Publication date, ISO 8601 (YYYY-MM-DD).")
    language: str = Field(description="BCP 47 language tag of the report.")
    status: str = Field(pattern=r"^(draft|final)$")
    tlp: str = Field(
        description="Traffic Light Protocol 2.0 marking (CLEAR or GREEN in a public site)."
    )
    authors: list[str]
    keywords: list[str]
    summary: str = Field(description="The executive summary's first paragraph, plain text.")
    brief: str = Field(description="File name of the brief the issue was rendered from.")
    html: PublishedFile | None = None
    pdf: PublishedFile | None = None
    exports: dict[str, PublishedExport] | None = Field(
        default=None,
        description="The issue's exports by name: stix (a STIX 2.1 bundle), misp (a MISP "
        "event), csl (CSL-JSON of its sources; absent for an issue without sources), each "
        "made from this edition's content only. Absent when it has none.",
    )
    public_edition: PublicEdition | None = Field(
        default=None,
        description="In a restricted catalogue only: the issue's edition in the public site, "
        "its paths relative to the public site's folder. Absent when it has none.",
    )


class CatalogueSeries(BaseModel):
    """A series and its issues, newest first."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    issn: str | None
    publisher: str
    unit: str
    url: str | None = None
    feed: str = Field(description="Path of the series' Atom feed, relative to the site.")
    issues: list[CatalogueIssue]


class CatalogueDocument(BaseModel):
    """``catalogue.json``: every published series and issue of a site."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: str = Field(alias="$schema", default=CATALOGUE_SCHEMA)
    generator: str
    series: list[CatalogueSeries]


@dataclass(frozen=True, slots=True)
class Published:
    """The files a publish step wrote, relative to the site folder."""

    files: list[str]


def publish(
    out_dir: Path,
    records: Sequence[IssueRecord],
    registry: dict[str, Series],
    drafts: bool = False,
    restricted: bool = False,
    public_editions: Mapping[tuple[str, int, int], IssueRecord] | None = None,
) -> Published:
    """Write the catalogue, feeds and checksums for the built ``records`` into ``out_dir``.

    A public site (the default) leaves out drafts unless ``drafts``, and always reports marked
    TLP:AMBER, AMBER+STRICT or RED: a public catalogue and feed are TLP:CLEAR material
    (GREEN: community). A ``restricted`` folder lists every record it is given, each with its
    edition in the public site from ``public_editions`` (by number), if it has one.
    Raises :class:`OutputError` if a file cannot be written.
    """
    by_series: dict[str, list[CatalogueIssue]] = defaultdict(list)
    shown = [r for r in records if restricted or is_public(r.tlp, r.status, drafts)]
    for record in one_per_number(shown):
        files = record.files
        by_series[record.series].append(
            CatalogueIssue(
                volume=record.volume,
                issue=record.issue,
                title=record.title,
                subtitle=record.subtitle,
                date=record.date,
                language=record.language,
                status=record.status,
                tlp=record.tlp,
                authors=list(record.authors),
                keywords=list(record.keywords),
                summary=record.summary,
                brief=record.brief,
                html=_published(files.get("html")),
                pdf=_published(files.get("pdf")),
                exports=_exports(files),
                public_edition=_public_edition(
                    (public_editions or {}).get((record.series, record.volume, record.issue))
                ),
            )
        )
    catalogue = CatalogueDocument(
        generator=f"osintkit {__version__}",
        series=[
            _series(key, registry[key], issues)
            for key, issues in sorted(by_series.items())
            if key in registry
        ],
    )
    written: dict[str, bytes] = {
        CATALOGUE_JSON: _json(catalogue.model_dump(by_alias=True, exclude_none=True)),
        CATALOGUE_SCHEMA: _json(catalogue_schema()),
        INDEX_HTML: render_index(catalogue, restricted).encode(),
    }
    for series in catalogue.series:
        written[series.feed] = atom_feed(series, registry[series.key])
    for path, data in written.items():
        write_atomic(out_dir / path, data)
    _remove_stale_feeds(out_dir, written)
    published = sorted(
        {
            *written,
            *(
                f.path
                for series in catalogue.series
                for issue in series.issues
                for f in (issue.html, issue.pdf, *(issue.exports or {}).values())
                if f is not None
            ),
            # An issue's other editions in this folder (CLEAR beside GREEN) are published too.
            *(
                f.path
                for record in shown
                if record.series in {series.key for series in catalogue.series}
                for f in record.files.values()
            ),
        }
    )
    sums = "".join(f"{_sha256(out_dir / p)}  {p}\n" for p in published)
    write_atomic(out_dir / CHECKSUMS, sums.encode())
    return Published([*published, CHECKSUMS])


def one_per_number(records: Sequence[IssueRecord]) -> list[IssueRecord]:
    """``records`` with each issue number once: of an issue's editions, the one of the highest
    TLP level (a folder's catalogue lists an issue once); order kept."""
    best: dict[tuple[str, int, int], IssueRecord] = {}
    for record in records:
        number = (record.series, record.volume, record.issue)
        held = best.get(number)
        if held is None or _rank(record.tlp) > _rank(held.tlp):
            best[number] = record
    chosen = {id(record) for record in best.values()}
    return [record for record in records if id(record) in chosen]


def _rank(level: str) -> int:
    """A level's rank; a manifest edited by hand may hold any string."""
    return tlp_rank(level) if level in TLP_ORDER else -1


def _public_edition(record: IssueRecord | None) -> PublicEdition | None:
    if record is None:
        return None
    files = record.files
    return PublicEdition(
        tlp=record.tlp,
        html=_published(files.get("html")),
        pdf=_published(files.get("pdf")),
        exports=_exports(files),
    )


def _exports(files: Mapping[str, OutputFile]) -> dict[str, PublishedExport] | None:
    """The exports among an issue's files, in ``EXPORTERS`` order; None if it has none."""
    from osintkit.exports import EXPORTERS

    found = {
        name: PublishedExport(
            path=file.path, size=file.size, sha256=file.sha256, media_type=exporter.media_type
        )
        for name, exporter in EXPORTERS.items()
        if (file := files.get(name)) is not None
    }
    return found or None


def _published(file: OutputFile | None) -> PublishedFile | None:
    if file is None:
        return None
    return PublishedFile(path=file.path, size=file.size, sha256=file.sha256, pages=file.pages)


def _remove_stale_feeds(out_dir: Path, written: dict[str, bytes]) -> None:
    """A series with no issue left here (its last one was reclassified) keeps no feed: the
    old one would still list that issue. Raises :class:`OutputError` if one cannot go."""
    for feed in out_dir.glob(f"*/{FEED_FILE}"):
        if feed.relative_to(out_dir).as_posix() not in written:
            try:
                feed.unlink()
            except OSError as exc:
                raise OutputError(f"cannot remove {feed}: {exc.strerror or exc}") from None


def catalogue_schema() -> dict[str, Any]:
    """The JSON Schema of ``catalogue.json``."""
    schema = CatalogueDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "osintkit catalogue"
    return schema


def _series(key: str, series: Series, issues: list[CatalogueIssue]) -> CatalogueSeries:
    newest_first = sorted(issues, key=lambda i: (i.volume, i.issue), reverse=True)
    return CatalogueSeries(
        key=key,
        title=series.title,
        issn=series.issn,
        publisher=series.publisher,
        unit=series.unit,
        url=series.url,
        feed=f"{key}/{FEED_FILE}",
        issues=newest_first,
    )


def atom_feed(series: CatalogueSeries, entry: Series) -> bytes:
    """An Atom (RFC 4287) feed of a series' issues, newest first.

    Ids are stable and need no web address: the feed is ``urn:issn:<ISSN>`` and each issue a
    ``tag:`` URI (RFC 4151) on the publisher's domain and the issue's date. A series without an
    ISSN is a ``tag:`` URI too, on the year of its oldest issue (which an issue added later
    does not change, unless it is older still). Links are relative to the feed's own location,
    as RFC 4287 allows.
    """
    ET.register_namespace("", _ATOM)

    def element(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> None:
        child = ET.SubElement(parent, f"{{{_ATOM}}}{name}", attrs)
        child.text = text

    feed = ET.Element(f"{{{_ATOM}}}feed")
    domain = _domain(entry)
    if series.issn:
        element(feed, "id", f"urn:issn:{series.issn}")
    else:
        oldest = min((i.date for i in series.issues), default="1970-01-01")
        element(feed, "id", f"tag:{domain},{oldest[:4]}:{series.key}")
    element(feed, "title", series.title)
    element(feed, "subtitle", f"{series.unit}, ISSN {series.issn}" if series.issn else series.unit)
    newest = max((i.date for i in series.issues), default="1970-01-01")
    element(feed, "updated", _timestamp(newest))
    author = ET.SubElement(feed, f"{{{_ATOM}}}author")
    element(author, "name", series.publisher)
    element(author, "email", entry.contact)
    element(feed, "link", rel="self", href=FEED_FILE, type="application/atom+xml")
    if series.url:
        element(feed, "link", rel="alternate", href=series.url, type="text/html")
    element(feed, "generator", "osintkit", version=__version__)
    for issue in series.issues:
        item = ET.SubElement(feed, f"{{{_ATOM}}}entry", {_XML_LANG: issue.language})
        element(
            item,
            "id",
            f"tag:{domain},{issue.date}:{series.key}/{issue.volume}/{issue.issue}",
        )
        element(item, "title", issue.title)
        element(item, "updated", _timestamp(issue.date))
        element(item, "published", _timestamp(issue.date))
        for name in issue.authors:
            person = ET.SubElement(item, f"{{{_ATOM}}}author")
            element(person, "name", name)
        if issue.html is not None:
            href = Path(issue.html.path).name
            element(item, "link", rel="alternate", href=href, type="text/html")
        if issue.pdf is not None:
            href = Path(issue.pdf.path).name
            element(
                item,
                "link",
                rel="enclosure",
                href=href,
                type="application/pdf",
                length=str(issue.pdf.size),
            )
        element(item, "summary", issue.summary)
        for keyword in issue.keywords:
            element(item, "category", term=keyword)
    ET.indent(feed)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True)) + b"\n"


def render_index(catalogue: CatalogueDocument, restricted: bool = False) -> str:
    """The catalogue page: every series, newest issue first, with links and sizes; a
    ``restricted`` folder's page says so and shows each issue's TLP marking."""
    from osintkit.templates import site_environment

    template = site_environment().get_template(INDEX_HTML + ".j2")
    return template.render(catalogue=catalogue, restricted=restricted)


def _domain(entry: Series) -> str:
    if entry.url:
        host = urlsplit(entry.url).hostname
        if host:
            return host.removeprefix("www.")
    return entry.contact.rsplit("@", 1)[-1].lower()


def _timestamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
