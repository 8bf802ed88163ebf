"""The one pipeline: a loaded brief → its report in memory (:func:`render_brief`) → its files
(:func:`write_report`). ``osintkit render``, ``build``, ``preview``, the benchmarks and the
public API all go through these two functions, so each gets the same bytes.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from osintkit.errors import UsageError
from osintkit.output import FORMATS, PdfVariant, output_path, write_all_atomic
from osintkit.render.captures import DEFAULT_ATTACH_LIMIT_MIB
from osintkit.render.sandbox import DEFAULT_LIMITS, RenderLimits
from osintkit.templates import ReportTemplate, find_template
from osintkit.validation import LoadedBrief

if TYPE_CHECKING:
    from osintkit.fields import Tlp
    from osintkit.render.captures import EvidenceFile

#: The variants that carry attached captures as associated files (PDF/A-3's /AF with an
#: AFRelationship): PDF/A-2 and PDF/UA-1 cannot.
EVIDENCE_VARIANTS = frozenset({PdfVariant.pdf_a_3b, PdfVariant.pdf_a_3u})
EVIDENCE_VARIANT_NEEDED = (
    "--attach-evidence needs --pdf-variant pdf/a-3b (or pdf/a-3u): only PDF/A-3 carries "
    "attached files as the report's associated sources"
)

__all__ = [
    "FORMATS",
    "Rendered",
    "RenderedReport",
    "WrittenFile",
    "render_brief",
    "render_report",
    "template_for",
    "write_report",
]


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A file a render wrote: where, what kind, how large, and (for a PDF) how many pages."""

    path: Path
    kind: str
    size: int
    pages: int | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """One brief rendered in memory, in every format asked for; nothing written yet."""

    brief_path: Path
    template: ReportTemplate
    #: The self-contained HTML document (rendered for every format: the others are made
    #: from it), whether or not "html" was asked for.
    html: str
    #: Each format asked for (an extension of :data:`FORMATS`) → the file's bytes, in
    #: :data:`FORMATS` order: what :func:`write_report` writes.
    files: dict[str, bytes]
    #: The PDF's page count, or None when no PDF was asked for.
    pages: int | None
    seconds: float
    warnings: list[str] = field(default_factory=list)
    #: Local files read besides the brief and the template's HTML and CSS (figures, images,
    #: fonts): inputs of the output.
    files_read: list[Path] = field(default_factory=list)

    @property
    def pdf(self) -> bytes | None:
        """The PDF's bytes, or None when no PDF was asked for."""
        return self.files.get("pdf")


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """What :func:`render_report` rendered and wrote."""

    brief_path: Path
    template: ReportTemplate
    files: list[WrittenFile]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    files_read: list[Path] = field(default_factory=list)


def template_for(loaded: LoadedBrief, override: str | None = None) -> ReportTemplate:
    """Return the template named by ``override`` or else by the brief's series entry.

    Paths are taken relative to the registry's folder for the series entry, and to the
    current folder for an override. Raises TemplateError if it cannot be found.
    """
    if override is not None:
        return find_template(override, Path.cwd())
    return find_template(loaded.series.template, loaded.registry_path.parent)


def render_brief(
    loaded: LoadedBrief,
    *,
    formats: Collection[str] = FORMATS,
    template: ReportTemplate | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
    pdf_variant: PdfVariant | None = None,
    edition: Tlp | None = None,
    pdf_url: str | None = None,
    attach_evidence: bool = False,
    attach_limit_mib: int = DEFAULT_ATTACH_LIMIT_MIB,
) -> Rendered:
    """Render ``loaded`` in memory, in each of ``formats`` (of :data:`FORMATS`), and return it.

    ``template`` defaults to the series' (:func:`template_for`). The PDF gets the template's
    print CSS, the brief's date (or ``SOURCE_DATE_EPOCH``) and is rendered in the render
    child within ``limits`` (``RenderLimits(sandbox=False)``: in this process); a
    ``pdf_variant`` also embeds the brief for provenance. Raises TemplateError, RenderError
    or UsageError (a malformed ``SOURCE_DATE_EPOCH``); ValueError for a format not in
    :data:`FORMATS`.

    With ``edition``, the edition of the brief for that TLP level is rendered instead
    (:func:`osintkit.editions.edition_of`: its files are named ``<stem>.clear.pdf`` …, its
    PDF attaches the redacted brief), and its files are checked for removed text
    (:func:`osintkit.leaks.find_leak`). Raises BriefErrors for an edition the brief cannot
    have or whose kept text points at a removed portion, LeakError for a leak.

    ``pdf_url`` is the address the PDF will be published at (``osintkit build`` knows it);
    the HTML's head then names it (``citation_pdf_url``). None, the default, names none.

    ``attach_evidence`` attaches every capture of the sources (of the edition) to the PDF as
    its associated source files, read and hashed first, all of them within
    ``attach_limit_mib`` MiB (:func:`osintkit.render.captures.evidence_files`); it needs a
    PDF/A-3 ``pdf_variant`` (:data:`EVIDENCE_VARIANTS`), else UsageError. Raises RenderError
    for a capture that is missing or changed, or captures over the limit.
    """
    from osintkit.render.html import render_html

    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}: osintkit writes {FORMATS}")
    if attach_evidence and pdf_variant not in EVIDENCE_VARIANTS:
        raise UsageError(EVIDENCE_VARIANT_NEEDED)
    started = time.perf_counter()
    full = loaded
    if edition is not None:
        from osintkit.editions import edition_of

        loaded = edition_of(full, edition).loaded
    template = template or template_for(loaded)
    html = render_html(loaded, template, pdf_url=pdf_url)
    warnings = list(html.warnings)
    # The figures are inlined, so the PDF no longer reads them: they are inputs all the same.
    files_read: list[Path] = sorted({figure.path for figure in loaded.figures.values()})
    files: dict[str, bytes] = {}
    pages: int | None = None
    # One branch per format, in FORMATS order (the order they are written in).
    if "pdf" in formats:
        from osintkit.render.pdf import PdfOptions, render_pdf

        # The bytes that were validated, never a second read of the path: a brief swapped for
        # a symlink meanwhile must not put another file into a published PDF.
        attachment = (loaded.path.name, loaded.document.source.encode("utf-8"))
        evidence: tuple[EvidenceFile, ...] = ()
        if attach_evidence:
            from osintkit.render.captures import evidence_files

            taken = frozenset({attachment[0]})
            evidence = evidence_files(loaded.brief, loaded.path.parent, attach_limit_mib, taken)
        options = PdfOptions(
            variant=pdf_variant,
            attachments=(attachment,) if pdf_variant else (),
            evidence=evidence,
        )
        pdf = render_pdf(html, limits, options)
        files["pdf"], pages = pdf.data, pdf.pages
        files_read.extend(pdf.files_read)
        warnings.extend(pdf.warnings)
    if "html" in formats:
        files["html"] = html.text.encode()
    if edition is not None:
        from osintkit.leaks import LeakError, find_leak
        from osintkit.portions import marking

        mark = marking(full.brief, full.series)
        leak = find_leak(full.brief, mark, edition, html.text, files.get("pdf"))
        if leak is not None:
            raise LeakError(str(leak), leak)
    seconds = time.perf_counter() - started
    return Rendered(loaded.path, template, html.text, files, pages, seconds, warnings, files_read)


def write_report(
    rendered: Rendered, out_dir: Path, also: Sequence[tuple[str, str, bytes]] = ()
) -> list[WrittenFile]:
    """Write ``rendered``'s files into ``out_dir`` and return them, in :data:`FORMATS` order,
    then the files of ``also``, (kind, extension, bytes) each (a build's exports:
    ``("stix", "stix.json", …)``), named as the report's are.

    Every file is on disk before any is renamed into place: a full disk leaves the old PDF
    and HTML together, never a new PDF beside an old HTML. Raises OutputError.
    """
    pending = [
        (output_path(rendered.brief_path, out_dir, kind), kind, data)
        for kind, data in rendered.files.items()
    ] + [
        (output_path(rendered.brief_path, out_dir, extension), kind, data)
        for kind, extension, data in also
    ]
    write_all_atomic([(path, data) for path, _, data in pending])
    return [
        WrittenFile(path, kind, len(data), rendered.pages if kind == "pdf" else None)
        for path, kind, data in pending
    ]


def render_report(
    loaded: LoadedBrief,
    out_dir: Path,
    formats: Collection[str] = FORMATS,
    template: ReportTemplate | None = None,
    limits: RenderLimits = DEFAULT_LIMITS,
    pdf_variant: PdfVariant | None = None,
    edition: Tlp | None = None,
    attach_evidence: bool = False,
    attach_limit_mib: int = DEFAULT_ATTACH_LIMIT_MIB,
) -> RenderedReport:
    """:func:`render_brief` and :func:`write_report` in one call; returns what was written.

    Raises what they raise.
    """
    rendered = render_brief(
        loaded,
        formats=formats,
        template=template,
        limits=limits,
        pdf_variant=pdf_variant,
        edition=edition,
        attach_evidence=attach_evidence,
        attach_limit_mib=attach_limit_mib,
    )
    files = write_report(rendered, out_dir)
    return RenderedReport(
        loaded.path,
        rendered.template,
        files,
        rendered.seconds,
        rendered.warnings,
        rendered.files_read,
    )
