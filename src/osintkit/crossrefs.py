"""What each cross-reference target prints and links to: "Figure 1", "Table 2", "Annex A".

Figures and tables are numbered before any Markdown is rendered, in the order the report
prints them (:func:`osintkit.outline.markdown_in_reading_order`), so a reference may come
before its figure, and one "Table N" sequence runs through the body and the annexes. Sections
and annexes come from :func:`osintkit.outline.parts`: a section prints its title, an annex its
label ("Annex A"). The words are the template's labels, the digits the report language's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from osintkit.localization import Labels, substitute
from osintkit.markdown import find_anchors
from osintkit.models import Brief
from osintkit.outline import markdown_in_reading_order, parts

TargetKind = Literal["figure", "table", "section", "annex"]


@dataclass(frozen=True, slots=True)
class Target:
    """One thing a cross-reference can point at, as the reference prints it."""

    kind: TargetKind
    #: What ``[@id]`` prints: "Figure 1", "شکل ۱", a section's title, "Annex A".
    label: str
    #: Where it links: "#fig-launches".
    href: str


def targets(brief: Brief, labels: Labels, number: Callable[[int], str]) -> dict[str, Target]:
    """Return every target of ``brief`` by its id, labelled and numbered as the report prints it.

    An id given twice keeps its first target; validation reports the second.
    """
    found: dict[str, Target] = {}
    for part in parts(brief):
        if part.kind == "section" and part.title is not None:
            found.setdefault(part.anchor, Target("section", part.title, f"#{part.anchor}"))
        elif part.kind == "annex" and part.letter is not None:
            label = substitute(str(labels["annex"]), {"letter": part.letter})
            found.setdefault(part.anchor, Target("annex", label, f"#{part.anchor}"))
    counts = {"figure": 0, "table": 0}
    for _key_path, text in markdown_in_reading_order(brief):
        for anchor in find_anchors(text):
            if anchor.id in found:
                continue
            counts[anchor.kind] += 1
            label = substitute(str(labels[anchor.kind]), {"number": number(counts[anchor.kind])})
            found[anchor.id] = Target(anchor.kind, label, f"#{anchor.id}")
    return found
