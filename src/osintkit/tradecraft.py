"""The analytic standards a brief can declare, as data: source grades (Admiralty / NATO),
probability yardsticks (UK PHIA, US ICD 203), confidence levels and the Traffic Light Protocol.

Public encodings of these scales are often wrong (bands shifted, terms swapped), so each is
written out here once, from its source, and tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Admiralty (NATO STANAG 2511 / AJP-2.1) source reliability.
RELIABILITY: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}

#: Admiralty (NATO STANAG 2511 / AJP-2.1) information credibility.
CREDIBILITY: dict[str, str] = {
    "1": "Confirmed by other sources",
    "2": "Probably true",
    "3": "Possibly true",
    "4": "Doubtful",
    "5": "Improbable",
    "6": "Truth cannot be judged",
}


@dataclass(frozen=True, slots=True)
class Likelihood:
    """One term of a probability yardstick, with its band in per cent."""

    term: str
    low: int
    high: int
    #: Other ways analysts write the same term ("probably" for "likely" in PHIA).
    aliases: tuple[str, ...] = ()

    @property
    def band(self) -> str:
        """The band as printed: "≤5 %", "55–75 %", "≥95 %"."""
        if self.low == 0:
            return f"≤{self.high} %"
        if self.high == 100:
            return f"≥{self.low} %"
        return f"{self.low}–{self.high} %"

    def names(self) -> tuple[str, ...]:
        """The term and its aliases."""
        return (self.term, *self.aliases)


#: UK Professional Head of Intelligence Assessment (PHIA) probability yardstick (2018/2023).
#: Its bands have deliberate gaps (e.g. nothing between 5 % and 10 %).
PHIA: tuple[Likelihood, ...] = (
    Likelihood("remote chance", 0, 5),
    Likelihood("highly unlikely", 10, 20),
    Likelihood("unlikely", 25, 35),
    Likelihood("realistic possibility", 40, 50),
    Likelihood("likely", 55, 75, ("probably", "probable")),
    Likelihood("highly likely", 80, 90),
    Likelihood("almost certain", 95, 100),
)

#: US Intelligence Community Directive 203 (2015), "Analytic Standards", section D.6.e(2)(a).
ICD203: tuple[Likelihood, ...] = (
    Likelihood("almost no chance", 1, 5, ("remote",)),
    Likelihood("very unlikely", 5, 20, ("highly improbable",)),
    Likelihood("unlikely", 20, 45, ("improbable",)),
    Likelihood("roughly even chance", 45, 55, ("roughly even odds",)),
    Likelihood("likely", 55, 80, ("probable",)),
    Likelihood("very likely", 80, 95, ("highly probable",)),
    Likelihood("almost certain", 95, 99, ("nearly certain",)),
)

SCALES: dict[str, tuple[Likelihood, ...]] = {"phia": PHIA, "icd203": ICD203}
SCALE_TITLES = {"phia": "UK PHIA probability yardstick", "icd203": "ICD 203 likelihood scale"}

#: FIRST Traffic Light Protocol 2.0 label colours (text on black).
TLP_COLOURS: dict[str, str] = {
    "RED": "#FF2B2B",
    "AMBER": "#FFC000",
    "AMBER+STRICT": "#FFC000",
    "GREEN": "#33FF00",
    "CLEAR": "#FFFFFF",
}
#: The TLP levels from the most open to the most restricted: an audience cleared for one level
#: may read every level before it.
TLP_ORDER: tuple[str, ...] = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")


def tlp_rank(level: str) -> int:
    """The place of ``level`` in :data:`TLP_ORDER` (CLEAR 0 … RED 4)."""
    return TLP_ORDER.index(level)


def tlp_above(level: str, ceiling: str) -> bool:
    """Whether ``level`` is more restricted than ``ceiling``."""
    return tlp_rank(level) > tlp_rank(ceiling)


#: What may appear in a public catalogue or feed.
PUBLIC_TLP = frozenset({"CLEAR", "GREEN"})


def is_public(tlp: str, status: str, drafts: bool) -> bool:
    """Whether a report may be written to the public site: marked TLP:CLEAR or GREEN, and
    final (or a draft, with ``drafts``)."""
    return tlp in PUBLIC_TLP and (status != "draft" or drafts)


def likelihood(scale: str, term: str) -> Likelihood | None:
    """Return the scale's entry for ``term`` (or one of its aliases), case-insensitive."""
    wanted = " ".join(term.lower().split())
    for entry in SCALES[scale]:
        if wanted in entry.names():
            return entry
    return None


def grade(reliability: str | None, credibility: str | None) -> str | None:
    """ "B2" for a source graded B and 2; "B" or "2" when only one is known; None if neither."""
    text = f"{reliability or ''}{credibility or ''}"
    return text or None
