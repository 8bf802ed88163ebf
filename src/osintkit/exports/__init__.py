"""Machine-readable exports of a brief: STIX 2.1, a MISP event, CSL-JSON of its sources, and
its evidence register as data.

Each is a projection of the validated brief (``Exporter.export``: a LoadedBrief → bytes, or
None when the brief has nothing to export in it), deterministic, and made from the LoadedBrief
of the edition it is for (``editions.edition_of(...).loaded``), so an edition's export holds
that edition's content only. :func:`export_brief` does that for a brief and an edition, and
checks every export's strings for the text the edition removed, as the report's files are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from osintkit.fields import Tlp
    from osintkit.validation import LoadedBrief


@dataclass(frozen=True, slots=True)
class Exporter:
    """One export format: its name (``--to``), file suffix, media type and the function."""

    name: str
    suffix: str
    media_type: str
    export: Callable[[LoadedBrief], bytes | None]


# Each exporter's module is imported when it runs: a no-op build, which fingerprints the list
# of exports, and `osintkit --help` load none of them.
def _stix(loaded: LoadedBrief) -> bytes | None:
    from osintkit.exports.stix import stix_bundle

    return stix_bundle(loaded)


def _misp(loaded: LoadedBrief) -> bytes | None:
    from osintkit.exports.misp import misp_event

    return misp_event(loaded)


def _csl(loaded: LoadedBrief) -> bytes | None:
    from osintkit.exports.csl import csl_json

    return csl_json(loaded)


def _evidence(loaded: LoadedBrief) -> bytes | None:
    from osintkit.exports.evidence import evidence_json

    return evidence_json(loaded)


#: Every export, by name, in the order they are written.
EXPORTERS: dict[str, Exporter] = {
    "stix": Exporter("stix", ".stix.json", "application/stix+json;version=2.1", _stix),
    "misp": Exporter("misp", ".misp.json", "application/json", _misp),
    "csl": Exporter("csl", ".csl.json", "application/vnd.citationstyles.csl+json", _csl),
    # Only a brief with captures, archive links or a chain of custody has one.
    "evidence": Exporter("evidence", ".evidence.json", "application/json", _evidence),
}


@dataclass(frozen=True, slots=True)
class Exported:
    """One export of a brief (or of one of its editions), in memory."""

    exporter: Exporter
    data: bytes
    #: The brief it was made from: the edition's (``brief.clear.yaml``) for an edition, so
    #: that ``output.output_path`` names it as the edition's report is named.
    brief_path: Path


def export_brief(
    loaded: LoadedBrief, edition: Tlp | None = None, names: Collection[str] | None = None
) -> list[Exported]:
    """Every export of ``names`` (default: all of :data:`EXPORTERS`) that ``loaded`` has, in
    :data:`EXPORTERS` order; with ``edition``, of that edition of it, each checked for text
    the edition removed. Raises BriefErrors for an edition the brief cannot have (as
    :func:`osintkit.editions.edition_of`), LeakError for an export holding removed text.
    """
    from osintkit.editions import edition_of

    if edition is None:
        return export_edition(loaded, loaded, None, names)
    return export_edition(loaded, edition_of(loaded, edition).loaded, edition, names)


def export_edition(
    full: LoadedBrief,
    source: LoadedBrief,
    edition: Tlp | None,
    names: Collection[str] | None = None,
) -> list[Exported]:
    """:func:`export_brief` of an edition already derived: ``source`` is the edition of
    ``full`` for ``edition`` (``full`` itself for None), as ``editions.edition_of`` gives it."""
    from osintkit.leaks import LeakError, find_leak_in
    from osintkit.portions import marking

    chosen = [e for name, e in EXPORTERS.items() if names is None or name in names]
    exported = []
    for exporter in chosen:
        data = exporter.export(source)
        if data is not None:
            exported.append(Exported(exporter, data, source.path))
    if edition is not None:
        places = [
            (f"{e.exporter.name} export", "\n".join(json_strings(json.loads(e.data))))
            for e in exported
        ]
        leak = find_leak_in(full.brief, marking(full.brief, full.series), edition, places)
        if leak is not None:
            raise LeakError(str(leak), leak)
    return exported


def json_strings(value: Any) -> Iterator[str]:
    """Every string of decoded JSON, keys included, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
