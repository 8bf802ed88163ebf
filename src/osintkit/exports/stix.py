"""A brief as a STIX 2.1 bundle: a report by the series' unit, its key judgements as notes.

The bundle holds, in this order: the OASIS TLP 2.0 extension definition and the TLP 2.0
marking definitions the export uses (exactly as OASIS publishes them, with no marking of
their own); osintkit's extension definition for the key judgements' properties and the
osintkit identity that defines it (the same in every bundle, unmarked too); then the issue's
own objects, each marked: an ``identity`` for the series' unit, the ``report`` and one
``note`` per key judgement.

A key judgement is a ``note``, not an ``opinion``: STIX's opinion is one party's agreement
or disagreement with another's object (``strongly-disagree`` … ``strongly-agree``), while a
note "conveys informative text to provide further context and/or to provide additional
analysis", which is what an assessment of the report's own authors is. A note takes the
common ``confidence`` property (here the likelihood band's midpoint,
:func:`osintkit.exports.vocabulary.stix_confidence`) and MISP's STIX importer makes it a
MISP note on the event. The term as written, its scale and band, and the analytic confidence
are custom ``x_osintkit_`` properties, declared by a ``toplevel-property-extension`` (STIX
2.1's way to add properties, so stix2-validator has nothing to warn about).
"""

from __future__ import annotations

import json
from typing import Any

from osintkit.exports.identifiers import issue_uuid, midnight
from osintkit.exports.sources import source_description
from osintkit.exports.vocabulary import (
    STIX_TLP_MARKINGS,
    TLP_2_0_EXTENSION,
    stix_confidence,
    stix_tlp_marking,
)
from osintkit.markdown import plain_text
from osintkit.models import Source
from osintkit.portions import marking, portion_level
from osintkit.tradecraft import Likelihood, likelihood, tlp_rank
from osintkit.validation import LoadedBrief

#: osintkit's extension for the key judgements' properties: fixed, the same in every bundle
#: (uuid5 of "extension/key-judgement" in :data:`~osintkit.exports.identifiers.NAMESPACE`).
JUDGEMENT_EXTENSION_ID = "extension-definition--4b746f87-e6f8-51ed-ab95-e71b6f9d1c8b"
#: The identity that defines it (uuid5 of "identity/osintkit").
OSINTKIT_IDENTITY_ID = "identity--52a9919b-e652-57a2-b2c0-bc58d954cb72"
_DEFINED = "2026-12-01T00:00:00.000Z"
_JUDGEMENT_SCHEMA = (
    "Top-level properties of a note that is an osintkit key judgement: "
    "x_osintkit_likelihood, the probability term as the brief writes it; "
    "x_osintkit_likelihood_scale, its yardstick, phia (UK PHIA) or icd203 (US ICD 203); "
    "x_osintkit_likelihood_range, the term's band in per cent, [low, high]; "
    "x_osintkit_confidence, the analytic confidence, low, moderate or high. "
    "The note's confidence is the band's midpoint, rounded down."
)


def stix_bundle(loaded: LoadedBrief) -> bytes:
    """The brief as a STIX 2.1 bundle, UTF-8 JSON (indented, non-ASCII kept as written)."""
    import stix2

    brief, series = loaded.brief, loaded.series
    mark = marking(brief, series)
    when = midnight(loaded)

    def sid(kind: str, role: str) -> str:
        return f"{kind}--{issue_uuid(loaded, role)}"

    unit = stix2.Identity(
        id=sid("identity", "unit"),
        created=when,
        modified=when,
        name=series.unit,
        identity_class="organization",
        contact_information=series.contact,
        object_marking_refs=[STIX_TLP_MARKINGS[mark.full]],
    )
    report_id = sid("report", "report")
    notes = []
    levels = {mark.full}
    scale = series.likelihood_scale
    for n, judgement in enumerate(brief.key_judgements, 1):
        level = portion_level(brief, mark, ("key_judgements", n - 1))
        levels.add(level)
        entry = likelihood(scale, judgement.likelihood)
        properties: dict[str, Any] = {
            "x_osintkit_likelihood": judgement.likelihood,
            "x_osintkit_likelihood_scale": scale,
            "x_osintkit_confidence": judgement.confidence,
        }
        if entry is not None:  # validation refuses a term outside the scale
            properties["confidence"] = stix_confidence(entry)
            properties["x_osintkit_likelihood_range"] = [entry.low, entry.high]
        notes.append(
            stix2.Note(
                id=sid("note", f"key-judgement/{n}"),
                created=when,
                modified=when,
                created_by_ref=unit.id,
                abstract=_abstract(n, judgement.likelihood, entry, judgement.confidence),
                content=plain_text(judgement.text).strip(),
                authors=brief.author_names(),
                object_refs=[report_id],
                lang=brief.language,
                object_marking_refs=[STIX_TLP_MARKINGS[level]],
                extensions={
                    JUDGEMENT_EXTENSION_ID: {"extension_type": "toplevel-property-extension"}
                },
                allow_custom=True,
                **properties,
            )
        )
    optional: dict[str, Any] = {}
    if brief.keywords:
        optional["labels"] = list(brief.keywords)
    report = stix2.Report(
        id=report_id,
        created=when,
        modified=when,
        created_by_ref=unit.id,
        name=brief.title,
        description=plain_text(brief.executive_summary).strip(),
        published=when,
        lang=brief.language,
        report_types=["threat-report"],
        # A report must refer to something: its key judgements and its authoring unit.
        object_refs=[*(note.id for note in notes), unit.id],
        external_references=[_series_reference(loaded), *_source_references(brief.sources)],
        object_marking_refs=[STIX_TLP_MARKINGS[mark.full]],
        **optional,
    )
    fixed: list[Any] = [
        dict(TLP_2_0_EXTENSION),
        *(stix_tlp_marking(level) for level in sorted(levels, key=tlp_rank)),
        _osintkit_identity(stix2),
        _judgement_extension(stix2),
    ]
    bundle = stix2.Bundle(
        *fixed, unit, report, *notes, id=sid("bundle", "bundle"), allow_custom=True
    )
    # stix2 orders an object's custom properties as a set iterates (by the hash seed), and
    # its "pretty" order costs a search of the whole bundle per key: its own order, custom
    # properties last and sorted, gives the same bytes every time.
    data = _stable(json.loads(bundle.serialize()))
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _stable(value: Any) -> Any:
    """``value`` with the ``x_`` properties of every object last, in sorted order."""
    if isinstance(value, dict):
        own = [k for k in value if not k.startswith("x_")]
        custom = sorted(k for k in value if k.startswith("x_"))
        return {k: _stable(value[k]) for k in [*own, *custom]}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _abstract(n: int, term: str, entry: Likelihood | None, confidence: str) -> str:
    band = f" ({entry.band})" if entry is not None else ""
    return f"Key judgement {n}: {term}{band}, {confidence} confidence"


def _series_reference(loaded: LoadedBrief) -> dict[str, Any]:
    """The printed issue: the series' title, ISSN, volume and issue, so a platform's report
    can be traced to it."""
    brief, series = loaded.brief, loaded.series
    issn = f", ISSN {series.issn}" if series.issn else ""
    reference: dict[str, Any] = {
        "source_name": series.title,
        "description": f"{series.title}{issn}, Volume {brief.volume}, Issue {brief.issue}",
    }
    if series.issn:
        reference["external_id"] = f"ISSN {series.issn}"
    # No url: the series' home page is not the issue, and stix2-validator asks a reference
    # with a URL for the hash of what it points to.
    return reference


def _source_references(sources: list[Source]) -> list[dict[str, Any]]:
    """One external reference per source, with the SHA-256 of its first capture; a source
    captured more than once has one more reference per further capture (a reference holds
    one hash per algorithm)."""
    references = []
    for source in sources:
        reference: dict[str, Any] = {
            "source_name": source.title,
            "description": source_description(source),
            "external_id": source.id,
        }
        if source.url:
            reference["url"] = source.url
        if source.captures:
            reference["hashes"] = {"SHA-256": source.captures[0].sha256}
        references.append(reference)
        for n, capture in enumerate(source.captures[1:], 2):
            references.append(
                {
                    "source_name": source.title,
                    "description": f"capture {n} of {source.id}: {capture.file}",
                    "external_id": source.id,
                    "hashes": {"SHA-256": capture.sha256},
                }
            )
    return references


def _osintkit_identity(stix2: Any) -> Any:
    return stix2.Identity(
        id=OSINTKIT_IDENTITY_ID,
        created=_DEFINED,
        modified=_DEFINED,
        name="osintkit",
        identity_class="system",
        description="The report generator that defines the x_osintkit_ properties.",
    )


def _judgement_extension(stix2: Any) -> Any:
    return stix2.ExtensionDefinition(
        id=JUDGEMENT_EXTENSION_ID,
        created=_DEFINED,
        modified=_DEFINED,
        created_by_ref=OSINTKIT_IDENTITY_ID,
        name="osintkit key judgement",
        description="The likelihood and confidence of an osintkit key judgement.",
        schema=_JUDGEMENT_SCHEMA,
        version="1.0.0",
        extension_types=["toplevel-property-extension"],
    )
