"""The series registry: ISSN check digits and located registry errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from osintkit.errors import BriefErrors
from osintkit.fields import issn_check_digit
from osintkit.series import Series
from osintkit.validation import load_registry

SERIES = {
    "title": "Persian Files",
    "publisher": "SpecialEurasia",
    "unit": "SpecialEurasia OSINT Unit",
    "contact": "info@specialeurasia.com",
}


def issn_error(issn: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Series(issn=issn, **SERIES)
    (error,) = caught.value.errors()
    assert error["loc"] == ("issn",)
    return str(error["msg"])


def registry_problems(path: Path) -> list[str]:
    with pytest.raises(BriefErrors) as caught:
        load_registry(path)
    return [e.located for e in caught.value.errors]


# --- check digits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_seven", "check"),
    [
        ("2975059", "8"),  # Persian Files
        ("0317847", "1"),  # 0317-8471, the usual worked example
        ("2434561", "X"),  # 2434-561X, a published ISSN ending in X
        ("0000210", "0"),  # weighted sum 11: the check digit is 0, not 11
        ("2038160", "3"),  # Caucasus Notes in tests/fixtures/series.yaml
    ],
)
def test_issn_check_digit(first_seven: str, check: str) -> None:
    assert issn_check_digit(first_seven) == check


def test_check_digit_x_stands_for_ten() -> None:
    first = next(f"{n:07d}" for n in range(10_000_000) if issn_check_digit(f"{n:07d}") == "X")
    # Worked by hand: the weighted sum plus ten is a multiple of eleven.
    weighted = sum(int(d) * w for d, w in zip(first, range(8, 1, -1), strict=True))
    assert (weighted + 10) % 11 == 0
    assert Series(issn=f"{first[:4]}-{first[4:]}x", **SERIES).issn == f"{first[:4]}-{first[4:]}X"


# --- the Series model -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issn", "normalised"),
    [("2975-0598", "2975-0598"), ("29750598", "2975-0598"), (" 2975-0598 ", "2975-0598")],
)
def test_valid_issn_is_normalised(issn: str, normalised: str) -> None:
    assert Series(issn=issn, **SERIES).issn == normalised


def test_wrong_check_digit_says_what_it_should_be() -> None:
    assert issn_error("2975-0597") == (
        "Value error, ISSN check digit is wrong: 2975-0597 should end in 8"
    )


@pytest.mark.parametrize("issn", ["2975-598", "2975-059A", "ISSN 2975-0598", "2975-05988"])
def test_malformed_issn_shows_the_shape(issn: str) -> None:
    assert issn_error(issn) == (
        "Value error, an ISSN is eight characters, NNNN-NNNC, e.g. 2975-0598"
    )


def test_an_issn_written_as_a_number_is_refused() -> None:
    assert issn_error(29750598) == "Input should be a valid string"


def test_unknown_series_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"Extra inputs are not permitted"):
        Series(issn="2975-0598", colour="red", **SERIES)


# --- load_registry ----------------------------------------------------------------------------


def test_the_test_registry_loads(fixtures_dir: Path) -> None:
    registry = load_registry(fixtures_dir / "series.yaml")
    assert sorted(registry) == ["caucasus-notes", "persian-files"]
    assert registry["persian-files"].issn == "2975-0598"
    assert registry["caucasus-notes"].title == "Caucasus Notes"
    assert registry["caucasus-notes"].template == "series"


def test_the_shipped_registry_loads() -> None:
    root = Path(__file__).resolve().parents[1]
    assert load_registry(root / "briefs" / "series.yaml")["persian-files"].title == "Persian Files"


@pytest.fixture
def registry(tmp_path: Path, fixtures_dir: Path) -> Path:
    path = tmp_path / "series.yaml"
    shutil.copy(fixtures_dir / "series.yaml", path)
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bad_issn_is_located_on_its_line(registry: Path) -> None:
    edit(registry, "2038-1603", "2038-1604")
    assert registry_problems(registry) == [
        f"{registry}:13:9: caucasus-notes.issn: "
        "ISSN check digit is wrong: 2038-1604 should end in 3"
    ]


def test_every_registry_problem_is_listed_in_file_order(registry: Path) -> None:
    edit(registry, "2975-0598", "2975-598")
    edit(
        registry, "  contact: info@specialeurasia.com\n  template: series\n", "  template: series\n"
    )
    edit(registry, "https://www.specialeurasia.com", "ftp://specialeurasia.com")
    assert registry_problems(registry) == [
        f"{registry}:4:9: persian-files.issn: "
        "an ISSN is eight characters, NNNN-NNNC, e.g. 2975-0598",
        f"{registry}:8:8: persian-files.url: expected an http:// or https:// URL",
        f"{registry}:11:1: caucasus-notes.contact: field required",
    ]


def test_unknown_field_in_a_registry(registry: Path) -> None:
    edit(registry, "  unit: SpecialEurasia OSINT Unit", "  unti: SpecialEurasia OSINT Unit")
    missing, unknown = registry_problems(registry)
    assert missing == f"{registry}:2:1: persian-files.unit: field required"
    assert unknown.startswith(f"{registry}:6:3: persian-files.unti: unknown field")


def test_unknown_field_in_a_registry_suggests_the_near_miss(registry: Path) -> None:
    edit(registry, "  unit: SpecialEurasia OSINT Unit", "  unti: SpecialEurasia OSINT Unit")
    assert (
        f"{registry}:6:3: persian-files.unti: unknown field; did you mean 'unit'?"
        in registry_problems(registry)
    )


def test_a_registry_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "series.yaml"
    path.write_text("- persian-files\n", encoding="utf-8")
    assert registry_problems(path) == [f"{path}:1:1: a series registry is a mapping of series keys"]


def test_a_duplicate_series_in_a_registry(registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + "\npersian-files:\n  title: Again\n", encoding="utf-8")
    (message,) = registry_problems(registry)
    assert message == f"{registry}:19:1: persian-files: duplicate key (first given at line 2)"


def test_an_invalid_series_key_is_located_at_the_key(registry: Path) -> None:
    edit(registry, "caucasus-notes:", "Caucasus_Notes:")
    (message,) = registry_problems(registry)
    assert message.startswith(f"{registry}:11:1: Caucasus_Notes: string should match pattern")


def test_a_series_may_have_no_issn(registry: Path) -> None:
    edit(registry, "  issn: 2038-1603            # 3 is the check digit of 2038160\n", "")
    assert load_registry(registry)["caucasus-notes"].issn is None
    assert load_registry(registry)["persian-files"].issn == "2975-0598"


def test_contact_text_takes_the_contact_and_topic_slots(registry: Path) -> None:
    with registry.open("a", encoding="utf-8") as file:
        file.write('  contact_text: "Mail {contact} about {topic}; {{braces}} stay."\n')
    series = load_registry(registry)["caucasus-notes"]
    assert series.contact_text == "Mail {contact} about {topic}; {{braces}} stay."


@pytest.mark.parametrize(
    ("text", "needle", "message"),
    [
        ("Mail {contact} about {topics}.", "{topics}",
         "no slot {topics}; it takes {contact}, {topic}"),
        ("Mail {contact.name}.", "{contact.name}",
         "{contact.name}: a slot is a name alone, without attributes or indexes"),
        ("Mail us at {contact", "{contact", "a { on its own; write {{ for a brace"),
    ],
    ids=["unknown-slot", "attribute", "lone-brace"],
)  # fmt: skip
def test_a_brace_in_contact_text_that_is_no_slot_is_located(
    registry: Path, text: str, needle: str, message: str
) -> None:
    with registry.open("a", encoding="utf-8") as file:
        file.write(f"  contact_text: >-\n    {text}\n")
    written = registry.read_text(encoding="utf-8")
    line = written[: written.index(needle)].count("\n") + 1
    assert registry_problems(registry) == [
        f"{registry}:{line}:{5 + text.index(needle)}: caucasus-notes.contact_text: {message}"
    ]
