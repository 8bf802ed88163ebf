"""The mapping tables of the exports, each checked against the public source it copies."""

from __future__ import annotations

import uuid

import pytest

from osintkit.exports import vocabulary
from osintkit.exports.identifiers import NAMESPACE
from osintkit.exports.stix import JUDGEMENT_EXTENSION_ID, OSINTKIT_IDENTITY_ID
from osintkit.tradecraft import CREDIBILITY, ICD203, PHIA, RELIABILITY, TLP_ORDER

# From OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0 and
# objects/marking-definition: the five TLP 2.0 marking definitions.
OASIS_TLP_2_0 = {
    "CLEAR": ("94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"),
    "GREEN": ("bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"),
    "AMBER": ("55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"),
    "AMBER+STRICT": ("939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"),
    "RED": ("e828b379-4e03-4974-9ac4-e53a884c97c1", "red"),
}


@pytest.mark.parametrize("level", TLP_ORDER)
def test_each_tlp_level_is_the_oasis_marking_definition_exactly(level: str) -> None:
    ident, value = OASIS_TLP_2_0[level]
    assert vocabulary.stix_tlp_marking(level) == {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{ident}",
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level}",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": value,
            }
        },
    }


def test_no_tlp_2_0_id_is_a_tlp_1_0_id_of_the_stix2_library() -> None:
    import stix2

    library = {m.id for m in (stix2.TLP_WHITE, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED)}
    assert library == vocabulary.STIX_TLP_1_0_MARKINGS
    assert not library & set(vocabulary.STIX_TLP_MARKINGS.values())


def test_the_tlp_2_0_extension_definition_is_oasis_own() -> None:
    assert vocabulary.TLP_2_0_EXTENSION == {
        "id": "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d",
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


def test_misp_stix_knows_the_same_tlp_2_0_ids() -> None:
    from misp_stix_converter.misp_stix_mapping import TLP2MarkingDefinitions

    for level, ident in vocabulary.STIX_TLP_MARKINGS.items():
        known = TLP2MarkingDefinitions.by_uuid(ident)
        assert known is not None and known.name == f"TLP:{level}"


def test_tlp_to_misp_distribution_and_tags() -> None:
    # 3 all communities, 2 connected communities, 1 this community, 0 your organisation.
    assert vocabulary.MISP_DISTRIBUTION == {
        "CLEAR": 3,
        "GREEN": 2,
        "AMBER": 1,
        "AMBER+STRICT": 0,
        "RED": 0,
    }
    # Never wider for a more restricted level.
    ranked = [vocabulary.MISP_DISTRIBUTION[level] for level in TLP_ORDER]
    assert ranked == sorted(ranked, reverse=True)
    assert [vocabulary.MISP_TLP_TAGS[level] for level in TLP_ORDER] == [
        "tlp:clear",
        "tlp:green",
        "tlp:amber",
        "tlp:amber+strict",
        "tlp:red",
    ]
    assert vocabulary.MISP_ANALYSIS == {"draft": 0, "final": 2}


@pytest.mark.parametrize(
    ("scale", "term", "confidence"),
    [
        (PHIA, "remote chance", 2),
        (PHIA, "highly unlikely", 15),
        (PHIA, "unlikely", 30),
        (PHIA, "realistic possibility", 45),
        (PHIA, "likely", 65),
        (PHIA, "highly likely", 85),
        (PHIA, "almost certain", 97),
        (ICD203, "almost no chance", 3),
        (ICD203, "very unlikely", 12),
        (ICD203, "unlikely", 32),
        (ICD203, "roughly even chance", 50),
        (ICD203, "likely", 67),
        (ICD203, "very likely", 87),
        (ICD203, "almost certain", 97),
    ],
)
def test_likelihood_to_stix_confidence_is_the_bands_midpoint(
    scale: tuple[object, ...], term: str, confidence: int
) -> None:
    (entry,) = [e for e in scale if getattr(e, "term", None) == term]
    value = vocabulary.stix_confidence(entry)  # type: ignore[arg-type]
    assert value == confidence
    assert entry.low <= value <= entry.high  # type: ignore[attr-defined]


#: MISP taxonomies, estimative-language/machinetag.json (version 5): likelihood-probability.
ESTIMATIVE_VALUES = (
    "almost-no-chance",
    "very-unlikely",
    "unlikely",
    "roughly-even-chance",
    "likely",
    "very-likely",
    "almost-certain",
)


def test_every_term_of_both_scales_is_a_value_of_the_estimative_language_taxonomy() -> None:
    icd = [vocabulary.estimative_likelihood_tag("icd203", e) for e in ICD203]
    phia = [vocabulary.estimative_likelihood_tag("phia", e) for e in PHIA]
    expected = [f'estimative-language:likelihood-probability="{v}"' for v in ESTIMATIVE_VALUES]
    assert icd == expected
    assert phia == expected  # one ICD 203 term for each PHIA term, in the same order


def test_each_phia_term_maps_to_an_icd203_term_whose_band_meets_its_own() -> None:
    icd = {e.term: e for e in ICD203}
    for entry in PHIA:
        target = icd[vocabulary.PHIA_TO_ICD203[entry.term]]
        assert target.low <= entry.high and entry.low <= target.high, entry.term


def test_confidence_tags_are_the_taxonomys_three_values() -> None:
    assert [vocabulary.estimative_confidence_tag(c) for c in ("low", "moderate", "high")] == [
        'estimative-language:confidence-in-analytic-judgment="low"',
        'estimative-language:confidence-in-analytic-judgment="moderate"',
        'estimative-language:confidence-in-analytic-judgment="high"',
    ]


def test_admiralty_grades_to_misp_tags() -> None:
    # MISP taxonomies, admiralty-scale/machinetag.json: a lower-case letter, a digit.
    for letter in RELIABILITY:
        assert vocabulary.admiralty_tags(letter, None) == [
            f'admiralty-scale:source-reliability="{letter.lower()}"'
        ]
    for digit in CREDIBILITY:
        assert vocabulary.admiralty_tags(None, digit) == [
            f'admiralty-scale:information-credibility="{digit}"'
        ]
    assert vocabulary.admiralty_tags("B", "2") == [
        'admiralty-scale:source-reliability="b"',
        'admiralty-scale:information-credibility="2"',
    ]
    assert vocabulary.admiralty_tags(None, None) == []


def test_osintkits_own_ids_are_uuid5_of_their_names() -> None:
    assert (
        f"extension-definition--{uuid.uuid5(NAMESPACE, 'extension/key-judgement')}"
    ) == JUDGEMENT_EXTENSION_ID
    assert f"identity--{uuid.uuid5(NAMESPACE, 'identity/osintkit')}" == OSINTKIT_IDENTITY_ID
    assert uuid.uuid5(uuid.NAMESPACE_URL, "https://osintkit.invalid/exports") == NAMESPACE
