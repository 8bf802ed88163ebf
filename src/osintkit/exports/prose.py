"""The words an export prints for the brief's cross-references, as the report prints them.

``[@fig-launches]`` is "Figure 1" in the report and "شکل ۱" in a Persian one: the exports
take the same words from the same template (:func:`osintkit.crossrefs.targets`), so that a
STIX description reads "as Figure 1 shows", not "as shows", and a MISP event report does not
print a raw id.
"""

from __future__ import annotations

from osintkit.crossrefs import Target, targets
from osintkit.localization import ReportLanguage
from osintkit.templates import find_template
from osintkit.validation import LoadedBrief


def report_language(loaded: LoadedBrief) -> ReportLanguage:
    """How the brief's template writes a report in its language: labels and digits.

    Raises TemplateError if the series' template cannot be read."""
    brief, series = loaded.brief, loaded.series
    template = find_template(series.template, loaded.registry_path.parent)
    return template.language(brief.language, brief.calendar or series.calendar)


def crossref_targets(loaded: LoadedBrief) -> dict[str, Target]:
    """Every cross-reference target of the brief, labelled as its report labels it."""
    language = report_language(loaded)
    return targets(loaded.brief, language.labels, language.number)
