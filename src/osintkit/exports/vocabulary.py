"""The tables that turn a brief's analytic vocabulary into the platforms' own, written out once.

Each table is public data from its owner, checked against it by a test:

- TLP 2.0 as STIX markings: the OASIS cti-stix-common-objects marking definitions and the
  extension definition they use (``extension-definition-specifications/tlp-2.0``); the
  ``stix2`` library ships only TLP 1.0 (``TLP_WHITE`` …), whose ids must never stand for 2.0.
- TLP as MISP event distribution and tags (MISP's ``tlp`` taxonomy, ``tlp:amber+strict``).
- A likelihood term as STIX ``confidence`` (0–100): the midpoint of the term's band.
- Admiralty grades as MISP's ``admiralty-scale`` taxonomy tags.
- PHIA and ICD 203 terms as MISP's ``estimative-language`` taxonomy (ICD 203's vocabulary).
"""

from __future__ import annotations

from typing import Any

from osintkit.tradecraft import Likelihood

#: The STIX extension definition TLP 2.0 markings declare, as OASIS publishes it.
TLP_2_0_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_2_0_EXTENSION: dict[str, Any] = {
    "id": TLP_2_0_EXTENSION_ID,
    "type": "extension-definition",
    "spec_version": "2.1",
    "name": "TLP 2.0",
    "description": "This defines TLP 2.0 as a STIX extension",
    "created": "2022-10-01T00:00:00.000Z",
    "modified": "2022-10-01T00:00:00.000Z",
    "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",
    "schema": "https://github.com/oasis-open/cti-stix-common-objects/tree/master/"
    "extension-definition-specifications/tlp-2.0",
    "version": "1.0.0",
    "extension_types": ["property-extension"],
}

#: TLP 2.0 level → the OASIS marking-definition id (fixed and public).
STIX_TLP_MARKINGS: dict[str, str] = {
    "CLEAR": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "GREEN": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "AMBER": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "AMBER+STRICT": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "RED": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

#: The TLP 1.0 ids of the ``stix2`` library (TLP_WHITE, GREEN, AMBER, RED): never in an export.
STIX_TLP_1_0_MARKINGS: frozenset[str] = frozenset(
    {
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
    }
)


def stix_tlp_marking(level: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object of ``level``, exactly as published (no
    ``definition_type`` nor ``definition``: those are TLP 1.0's)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": STIX_TLP_MARKINGS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level}",
        "extensions": {
            TLP_2_0_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": level.lower(),
            }
        },
    }


#: TLP level → MISP event distribution: 3 all communities, 2 connected communities, 1 this
#: community only, 0 your organisation only. AMBER may be shared with the recipients'
#: organisations (the organisations of this MISP community); AMBER+STRICT with the
#: recipient's own organisation only; RED with the named recipients only, which no MISP
#: distribution level is narrower than "your organisation".
MISP_DISTRIBUTION: dict[str, int] = {
    "CLEAR": 3,
    "GREEN": 2,
    "AMBER": 1,
    "AMBER+STRICT": 0,
    "RED": 0,
}

#: TLP level → the tag of MISP's ``tlp`` taxonomy.
MISP_TLP_TAGS: dict[str, str] = {
    "CLEAR": "tlp:clear",
    "GREEN": "tlp:green",
    "AMBER": "tlp:amber",
    "AMBER+STRICT": "tlp:amber+strict",
    "RED": "tlp:red",
}

#: A brief's status → MISP event analysis: 0 initial, 1 ongoing, 2 completed.
MISP_ANALYSIS: dict[str, int] = {"draft": 0, "final": 2}

#: MISP threat level 4, "undefined": a brief assesses a situation, not a threat's severity.
MISP_THREAT_LEVEL_UNDEFINED = 4


def stix_confidence(entry: Likelihood) -> int:
    """The STIX ``confidence`` (0–100) of a likelihood term: its band's midpoint, rounded
    down (PHIA "likely", 55–75 %, is 65; ICD 203 "likely", 55–80 %, is 67)."""
    return (entry.low + entry.high) // 2


#: PHIA term → the ICD 203 term of MISP's ``estimative-language`` taxonomy whose band is
#: nearest. PHIA's bands have gaps and are narrower; "realistic possibility" (40–50 %) lies
#: across ICD 203's "unlikely" (20–45 %) and "roughly even chance" (45–55 %) and is read as
#: the latter, as PHIA's own guidance describes it (a realistic prospect, not improbable).
PHIA_TO_ICD203: dict[str, str] = {
    "remote chance": "almost no chance",
    "highly unlikely": "very unlikely",
    "unlikely": "unlikely",
    "realistic possibility": "roughly even chance",
    "likely": "likely",
    "highly likely": "very likely",
    "almost certain": "almost certain",
}


def estimative_likelihood_tag(scale: str, entry: Likelihood) -> str:
    """The ``estimative-language:likelihood-probability`` tag of a term of ``scale``."""
    term = PHIA_TO_ICD203[entry.term] if scale == "phia" else entry.term
    return f'estimative-language:likelihood-probability="{term.replace(" ", "-")}"'


def estimative_confidence_tag(confidence: str) -> str:
    """The ``estimative-language:confidence-in-analytic-judgment`` tag of low, moderate or
    high (the taxonomy's own three values)."""
    return f'estimative-language:confidence-in-analytic-judgment="{confidence}"'


def admiralty_tags(reliability: str | None, credibility: str | None) -> list[str]:
    """The ``admiralty-scale`` tags of a source's grades: a lower-case letter, a digit."""
    tags = []
    if reliability:
        tags.append(f'admiralty-scale:source-reliability="{reliability.lower()}"')
    if credibility:
        tags.append(f'admiralty-scale:information-credibility="{credibility}"')
    return tags
