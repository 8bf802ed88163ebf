"""load_brief: valid briefs load; every problem is reported at once as path:line:col: field: msg."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from osintkit.errors import MAX_PROBLEMS, BriefErrors
from osintkit.paths import find_registry
from osintkit.validation import load_brief
from support import at, problems

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"

MakeBrief = Callable[..., Path]


@pytest.fixture
def minimal(fixtures_dir: Path) -> str:
    return (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")


def replace(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced; fails if ``old`` is not there once."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --- valid briefs -----------------------------------------------------------------------------


def test_the_minimal_fixture_loads(make_brief: MakeBrief, minimal: str) -> None:
    loaded = load_brief(make_brief(minimal))
    assert loaded.brief.series == "persian-files"
    assert loaded.brief.volume == 29
    assert loaded.brief.date == dt.date(2025, 2, 10)
    assert [item.label for item in loaded.brief.challenges.items] == [
        "Sanctions",
        "Dependency on Russia",
    ]
    assert loaded.brief.sources[0].excerpt is not None
    assert loaded.brief.sources[0].excerpt.startswith("روابط سیاسی بین جمهوری بلاروس")
    assert loaded.series.issn == "2975-0598"
    assert loaded.registry_path.name == "series.yaml"
    assert loaded.registry_path.parent == loaded.path.parent.resolve()


def test_the_second_series_of_the_test_registry(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "series: persian-files", "series: caucasus-notes")
    loaded = load_brief(make_brief(text))
    assert loaded.series.title == "Caucasus Notes"
    assert loaded.series.issn == "2038-1603"


def test_the_reference_brief_loads() -> None:
    loaded = load_brief(REFERENCE)
    assert (loaded.brief.volume, loaded.brief.issue) == (29, 2)
    assert loaded.brief.title == "Belarus and Iran: A Partnership Against Geopolitical Isolation"
    assert len(loaded.brief.challenges.items) == 4
    assert [s.id for s in loaded.brief.sources] == ["mfa-belarus-iran"]
    assert loaded.series.title == "Persian Files"
    assert loaded.registry_path == (ROOT / "briefs" / "series.yaml").resolve()


def test_title_no_stays_a_title(make_brief: MakeBrief, minimal: str) -> None:
    text = re.sub(r"(?m)^title: .*$", "title: NO", minimal)
    assert load_brief(make_brief(text)).brief.title == "NO"


def test_an_explicit_registry_path_wins(
    make_brief: MakeBrief, minimal: str, tmp_path: Path, fixtures_dir: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    registry = elsewhere / "other.yaml"
    shutil.copy(fixtures_dir / "series.yaml", registry)
    text = (fixtures_dir / "series.yaml").read_text(encoding="utf-8")
    registry.write_text(text.replace("title: Persian Files", "title: Other Files"), "utf-8")
    loaded = load_brief(make_brief(minimal), registry)
    assert loaded.series.title == "Other Files"
    assert loaded.registry_path == registry


# --- one problem at a time --------------------------------------------------------------------


def test_missing_section(make_brief: MakeBrief, minimal: str) -> None:
    text = re.sub(r"(?m)^background: \|\n(  .*\n)+\n", "", minimal)
    assert "background" not in text
    path = make_brief(text)
    assert problems(path) == [f"{path}:1:1: background: field required"]


def test_missing_nested_field_is_located_at_its_item(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, '    - label: "Dependency on Russia"\n      text:', "    - text:")
    path = make_brief(text)
    where = at(text, "text: Closer")
    assert problems(path) == [f"{path}:{where}: challenges.items[1].label: field required"]


def test_volume_as_text(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "volume: 29", 'volume: "two"')
    path = make_brief(text)
    where = at(text, '"two"')
    assert problems(path) == [f"{path}:{where}: volume: input should be a valid integer"]


def test_an_enormous_volume(make_brief: MakeBrief, minimal: str) -> None:
    path = make_brief(replace(minimal, "volume: 29", f"volume: {10**400}"))
    assert problems(path) == [f"{path}:3:9: volume: input should be less than or equal to 9999"]


@pytest.mark.parametrize("volume", ["0", "10000", "2.0", "true", "'29'"])
def test_volume_out_of_range_or_not_an_integer(
    make_brief: MakeBrief, minimal: str, volume: str
) -> None:
    path = make_brief(replace(minimal, "volume: 29", f"volume: {volume}"))
    (message,) = problems(path)
    assert message.startswith(f"{path}:3:9: volume: input should be ")


def test_background_as_a_number(make_brief: MakeBrief, minimal: str) -> None:
    text = re.sub(r"(?m)^background: \|\n(  .*\n)+", "background: 12345\n", minimal)
    path = make_brief(text)
    where = at(text, "12345")
    assert problems(path) == [f"{path}:{where}: background: input should be a valid string"]


def test_blank_markdown_field(make_brief: MakeBrief, minimal: str) -> None:
    text = re.sub(r"(?m)^executive_summary: \|\n(  .*\n)+", 'executive_summary: " "\n', minimal)
    path = make_brief(text)
    where = at(text, '" "')
    assert problems(path) == [f"{path}:{where}: executive_summary: must not be empty"]


def test_a_one_megabyte_title(make_brief: MakeBrief, minimal: str) -> None:
    text = re.sub(r"(?m)^title: .*$", lambda _: "title: " + "x" * 1024 * 1024, minimal)
    path = make_brief(text)
    assert problems(path) == [f"{path}:5:8: title: string should have at most 500 characters"]


@pytest.mark.parametrize(
    ("escape", "named"),
    [
        ("\\x00", "the control character U+0000"),
        ("\\x1b", "the control character U+001B"),
        ("\\uD800", "a lone surrogate U+D800 (half of a pair, not a character)"),
    ],
    ids=["nul", "escape", "lone-surrogate"],
)
def test_title_with_an_escape_that_is_not_text(
    make_brief: MakeBrief, minimal: str, escape: str, named: str
) -> None:
    # A lone surrogate used to reach the report, whose UTF-8 writer then failed on it.
    text = re.sub(r"(?m)^title: .*$", lambda _: f'title: "Minsk {escape} Tehran"', minimal)
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, escape)}: title: contains {named}, which a brief cannot hold"
    ]


def test_markdown_with_a_lone_surrogate(make_brief: MakeBrief, minimal: str) -> None:
    old = "text: Both nations face extensive sanctions."
    text = replace(minimal, old, 'text: "Both nations face \\udc00 sanctions."')
    path = make_brief(text)
    where = at(text, "\\udc00")
    assert problems(path) == [
        f"{path}:{where}: challenges.items[0].text: contains a lone surrogate U+DC00 "
        "(half of a pair, not a character), which a brief cannot hold"
    ]


def test_a_key_with_a_line_break_is_reported_on_one_line(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = minimal + '"key\\nwith\\u2028breaks": 1\n'
    path = make_brief(text)
    where = at(text, '"key')
    assert problems(path) == [f"{path}:{where}: key\\x0awith\\u2028breaks: unknown field"]


def test_markdown_nested_deeper_than_the_report_can_show(
    make_brief: MakeBrief, minimal: str
) -> None:
    nested = "  " + "> " * 5000 + "lost\n"
    text = replace(minimal, "  Both countries look", nested + "\n  Both countries look")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, nested.strip())}: geopolitical_context: "
        "lists or quotes nested too deeply: the report would lose what they hold"
    ]


def test_huge_values_and_keys_are_cut_short_in_messages(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = replace(minimal, "series: persian-files", "series: " + "s" * 200_000)
    text += "? " + "k" * 1_000_000 + "\n: 1\n"
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:2:9: series: string should have at most 100 characters",
        f"{path}:2:9: series: unknown series {'s' * 60!r}… in {path.parent.resolve()}/series.yaml",
        f"{path}:{minimal.count(chr(10)) + 1}:3: {'k' * 60}…: unknown field",
    ]


def test_bad_issn_in_the_registry(make_brief: MakeBrief, minimal: str) -> None:
    path = make_brief(minimal)
    registry = path.parent / "series.yaml"
    registry_text = replace(registry.read_text(encoding="utf-8"), "2975-0598", "2975-0599")
    registry.write_text(registry_text, encoding="utf-8")
    assert problems(path) == [
        f"{registry}:{at(registry_text, '2975-0599')}: persian-files.issn: "
        "ISSN check digit is wrong: 2975-0599 should end in 8"
    ]


def test_unknown_citation_is_located_at_its_bracket(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "in 1993. [@mfa]", "in 1993. [@mfa] See also [@nope].")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '[@nope]')}: background: citation [@nope] names no source"
    ]


def test_unknown_citation_on_a_later_line_of_a_block(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(
        minimal, "in 1993. [@mfa]\n", "in 1993. [@mfa]\n\n  Later, [@mfa; @mfq, p. 2].\n"
    )
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '[@mfa; @mfq')}: background: "
        "citation [@mfq] names no source; did you mean 'mfa'?"
    ]


def test_unknown_citation_in_a_plain_challenge_text(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "extensive sanctions.", "extensive sanctions [@nope].")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '[@nope]')}: challenges.items[0].text: citation [@nope] names no source"
    ]


def test_unknown_citation_in_a_folded_challenge_text(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(
        minimal,
        "text: Both nations face extensive sanctions.",
        "text: >-\n        Both nations face extensive sanctions [@nope].",
    )
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '[@nope]')}: challenges.items[0].text: citation [@nope] names no source"
    ]


def test_unknown_top_level_key(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "keywords:", "keywrods:")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, 'keywrods')}: keywrods: unknown field; did you mean 'keywords'?"
    ]


def test_unknown_nested_key(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "    language: fa", "    langauge: fa")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, 'langauge')}: sources[0].langauge: unknown field; "
        "did you mean 'language'?"
    ]


def test_unknown_key_in_a_challenge_item(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(
        minimal, '    - label: "Sanctions"\n', '    - label: "Sanctions"\n      txet: x\n'
    )
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, 'txet')}: challenges.items[0].txet: unknown field; did you mean 'text'?"
    ]


def test_unknown_key_far_from_any_field(make_brief: MakeBrief, minimal: str) -> None:
    path = make_brief(minimal + "zzz: 1\n")
    (message,) = problems(path)
    assert message.endswith(": zzz: unknown field")


def test_impossible_date(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "date: 2025-02-10", "date: 2025-02-30")
    path = make_brief(text)
    (message,) = problems(path)
    assert message.startswith(
        f"{path}:{at(text, '2025-02-30')}: date: input should be a valid date"
    )
    assert "day value is outside expected range" in message


def test_date_as_an_integer(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "date: 2025-02-10", "date: 20250210")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '20250210')}: date: expected an ISO date, YYYY-MM-DD"
    ]


def test_bad_source_date(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "accessed: 2025-01-18", "accessed: 18/01/2025")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '18/01/2025')}: sources[0].accessed: expected an ISO date, YYYY-MM-DD"
    ]


@pytest.mark.parametrize("language", ["english", "e", "en_US", "fa-"])
def test_non_bcp47_language(make_brief: MakeBrief, minimal: str, language: str) -> None:
    text = replace(minimal, "language: en\n", f"language: {language}\n")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:7:11: language: expected a BCP 47 language tag such as en, fa or pt-BR"
    ]


@pytest.mark.parametrize("language", ["fa", "pt-BR", "az-Arab", "es-419", "sr-Latn-RS"])
def test_bcp47_languages_are_accepted(make_brief: MakeBrief, minimal: str, language: str) -> None:
    text = replace(minimal, "language: en\n", f"language: {language}\n")
    assert load_brief(make_brief(text)).brief.language == language


def test_duplicate_source_ids(make_brief: MakeBrief, minimal: str) -> None:
    text = minimal + "  - id: mfa\n    title: The same id again\n"
    path = make_brief(text)
    second_id_line = minimal.count("\n") + 1
    assert problems(path) == [
        f"{path}:{second_id_line}:9: sources[1].id: source id 'mfa' is used twice"
    ]


def test_unknown_series_with_did_you_mean(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "series: persian-files", "series: persian-file")
    path = make_brief(text)
    registry = (path.parent / "series.yaml").resolve()
    assert problems(path) == [
        f"{path}:2:9: series: unknown series 'persian-file' in {registry}; "
        "did you mean 'persian-files'?"
    ]


def test_unknown_series_without_a_near_miss(make_brief: MakeBrief, minimal: str) -> None:
    path = make_brief(replace(minimal, "series: persian-files", "series: baltic-review"))
    (message,) = problems(path)
    assert message.startswith(f"{path}:2:9: series: unknown series 'baltic-review' in ")
    assert "did you mean" not in message


def test_no_registry_anywhere(tmp_path: Path, minimal: str) -> None:
    if find_registry(tmp_path) is not None:
        pytest.skip("a series.yaml above the temporary folder would be found")
    path = tmp_path / "brief.yaml"
    path.write_text(minimal, encoding="utf-8")
    assert problems(path) == [
        f"{path}:2:9: series: no series.yaml found beside the brief or above it"
    ]


def test_a_brief_that_is_not_a_mapping(make_brief: MakeBrief) -> None:
    path = make_brief("- series: persian-files\n")
    assert problems(path) == [f"{path}:1:1: a brief is a mapping of fields (series:, title:, …)"]


def test_loader_errors_come_through(make_brief: MakeBrief, minimal: str) -> None:
    text = minimal + "volume: 30\n"
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, 'volume: 30')}: volume: duplicate key (first given at line 3)"
    ]


# --- everything at once -----------------------------------------------------------------------


def test_every_problem_is_reported_at_once_in_line_order(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = replace(minimal, "series: persian-files", "series: persian-file")
    text = replace(text, "volume: 29", 'volume: "two"')
    text = replace(text, "date: 2025-02-10", "date: 2025-13-01")
    text = replace(text, "keywords:", "keywrods:")
    text = replace(text, "[@mfa]", "[@mfaa]")
    text = replace(text, '    - label: "Dependency on Russia"\n      text:', "    - text:")
    text = replace(text, "    language: fa", "    language: farsi")
    text += "  - id: mfa\n    title: Again\n"
    path = make_brief(text)
    messages = problems(path)
    assert [m.split(": ", 2)[1] for m in messages] == [
        "series",
        "volume",
        "date",
        "keywrods",
        "background",
        "challenges.items[1].label",
        "sources[0].language",
        "sources[1].id",
    ]
    lines = [int(m[len(str(path)) + 1 :].split(":")[0]) for m in messages]
    assert lines == sorted(lines)
    assert lines[0] == 2
    assert (
        f"{path}:{at(text, '[@mfaa]')}: background: citation [@mfaa] names no source"
        in (messages[4])
    )


def test_a_markdown_field_is_capped_at_50_000_characters(make_brief) -> None:  # type: ignore[no-untyped-def]
    # The cap bounds the Markdown parser's time on hostile input ("[" * 200 000 took minutes).
    text = (Path(__file__).parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    path = make_brief(
        text.replace("Both countries look for partners outside the West.", "x" * 50_001)
    )
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    assert [e.message for e in caught.value.errors] == [
        "string should have at most 50000 characters"
    ]


def test_a_broken_registry_is_listed_with_the_brief_s_own_problems(make_brief) -> None:  # type: ignore[no-untyped-def]
    text = (Path(__file__).parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    path = make_brief(text.replace("volume: 29", "volume: x"))
    registry = path.parent / "series.yaml"
    registry.write_text(registry.read_text(encoding="utf-8").replace("2975-0598", "2975-0599"))
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    where = sorted({(e.path.name, e.field) for e in caught.value.errors})
    assert where == [("brief.yaml", "volume"), ("series.yaml", "persian-files.issn")]


# --- every Markdown field is checked -----------------------------------------------------------

TRANSLATION = "    translation: 'Relations were established on 18 March 1993.'\n"


def _with_every_markdown_field(minimal: str) -> str:
    """minimal.yaml with a key judgement, an event, a translation and a challenges intro."""
    text = replace(minimal, "    excerpt: |\n", TRANSLATION + "    excerpt: |\n")
    text = replace(text, "  items:\n", "  intro: Three problems stand out.\n  items:\n")
    return text + (
        "key_judgements:\n"
        "  - text: Minsk will buy more Iranian drones.\n"
        "    likelihood: likely\n"
        "    confidence: low\n"
        "timeline:\n"
        '  - {date: 1993, event: "Relations established."}\n'
    )


# --- dates every later stage can write --------------------------------------------------------


def _with_persian_series(path: Path) -> None:
    registry = path.parent / "series.yaml"
    text = replace(
        registry.read_text(encoding="utf-8"),
        "  template: series           #",
        "  calendar: persian\n  template: series  #",
    )
    registry.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("day", "bound"),
    [("0622-03-20", "starts on 0622-03-21"), ("0001-01-01", "starts on 0622-03-21"),
     ("9999-03-21", "ends on 9999-03-20"), ("9999-12-24", "ends on 9999-03-20")],
)  # fmt: skip
def test_a_persian_brief_dated_outside_the_solar_hijri_calendar(
    make_brief: MakeBrief, minimal: str, day: str, bound: str
) -> None:
    # It used to validate, then every render of it crashed in the converter.
    text = replace(minimal, "date: 2025-02-10", f"date: {day}\ncalendar: persian")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, day)}: date: the Solar Hijri calendar (calendar: persian) {bound}; "
        "it cannot write this date"
    ]


def test_the_calendar_the_series_sets_is_checked_too(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "date: 2025-02-10", "date: 0600-01-01")
    path = make_brief(text)
    _with_persian_series(path)
    assert problems(path) == [
        f"{path}:{at(text, '0600-01-01')}: date: the Solar Hijri calendar (calendar: persian of "
        "the series 'persian-files') starts on 0622-03-21; it cannot write this date"
    ]
    # The brief's own calendar wins over the series'.
    text = replace(text, "date: 0600-01-01", "date: 0600-01-01\ncalendar: gregorian")
    assert load_brief(make_brief(text)).brief.date == dt.date(600, 1, 1)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("more Iranian drones.", "more Iranian drones [@nope].", "key_judgements[0].text"),
        ("Relations established.", "Relations [@nope].", "timeline[0].event"),
        ("کرد.\n", "کرد. [@nope]\n", "sources[0].excerpt"),
        ("18 March 1993.'", "18 March 1993 [@nope].'", "sources[0].translation"),
        ("Three problems stand out.", "Three problems [@nope].", "challenges.intro"),
    ],
    ids=["key-judgement", "timeline-event", "excerpt", "translation", "challenges-intro"],
)
def test_an_unknown_citation_in_any_markdown_field_is_located(
    make_brief: MakeBrief, minimal: str, old: str, new: str, field: str
) -> None:
    text = replace(_with_every_markdown_field(minimal), old, new)
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '[@nope]')}: {field}: citation [@nope] names no source"
    ]


def test_every_markdown_field_of_the_model_is_checked(make_brief: MakeBrief, minimal: str) -> None:
    # Every Markdown field cites an unknown source: each is reported, none is forgotten.
    text = _with_every_markdown_field(minimal)
    for old in (
        "*durable* partnership.", "1993. [@mfa]", "outside the West.", "stand out.",
        "extensive sanctions.", "suit Moscow.", "Iranian drones.", 'established."',
        "18 March 1993.'", "کرد.\n",
    ):  # fmt: skip
        end = old[-1] if old[-1] in "\"'\n" else ""
        text = replace(text, old, old[: len(old) - len(end)] + " [@nope]" + end)
    path = make_brief(text)
    fields = [line.split(": ")[1] for line in problems(path)]
    assert sorted(fields) == sorted([
        "executive_summary", "background", "geopolitical_context", "challenges.intro",
        "challenges.items[0].text", "challenges.items[1].text", "key_judgements[0].text",
        "timeline[0].event", "sources[0].translation", "sources[0].excerpt",
    ])  # fmt: skip


def test_a_translation_nested_too_deeply_is_found(make_brief: MakeBrief, minimal: str) -> None:
    nested = "> " * 30 + "lost"
    text = replace(minimal, "    excerpt: |\n", f"    translation: '{nested}'\n    excerpt: |\n")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, nested)}: sources[0].translation: "
        "lists or quotes nested too deeply: the report would lose what they hold"
    ]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [("date: 2025-02-10", "date: 9999-12-25", "date"),
     ("accessed: 2025-01-18", "accessed: 9999-12-31", "sources[0].accessed"),
     ("accessed: 2025-01-18", "published: 9999-12-25", "sources[0].published")],
)  # fmt: skip
def test_a_day_past_the_last_one_a_report_can_write(
    make_brief: MakeBrief, minimal: str, old: str, new: str, field: str
) -> None:
    # A week-numbering date format ("w", "Y") puts the last days of 9999 in the year 10000.
    text = replace(minimal, old, new)
    path = make_brief(text)
    day = new.split(": ")[1]
    assert problems(path) == [
        f"{path}:{at(text, day)}: {field}: a report cannot write a date after 9999-12-24"
    ]


def test_a_timeline_day_past_the_last_one_a_report_can_write(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = minimal + "timeline:\n  - date: 9999-12-31\n    event: x\n"
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '9999-12-31')}: timeline[0].date: a report cannot write a date after "
        "9999-12-24"
    ]


# --- a short list of problems, whatever the brief ---------------------------------------------


def test_thousands_of_unknown_fields_give_a_screenful(make_brief: MakeBrief, minimal: str) -> None:
    # Each was worded with a "did you mean" once: 4 000 of them took seconds and a flood.
    text = minimal + "".join(f"backgrund{i}: 1\n" for i in range(4000))
    path = make_brief(text)
    messages = problems(path)
    assert len(messages) == MAX_PROBLEMS + 1
    assert messages[0] == (
        f"{path}:{at(text, 'backgrund0:')}: backgrund0: unknown field; did you mean 'background'?"
    )
    assert messages[-1] == f"{path}: … and {4000 - MAX_PROBLEMS} more problems"


def test_thousands_of_unknown_citations_give_a_screenful(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = replace(minimal, "in 1993. [@mfa]", "in 1993." + " [@mfx]" * 3000)
    path = make_brief(text)
    messages = problems(path)
    assert len(messages) == MAX_PROBLEMS + 1
    assert messages[0] == (
        f"{path}:{at(text, '[@mfx]')}: background: citation [@mfx] names no source; "
        "did you mean 'mfa'?"
    )
    # Located in one pass, each at its own bracket.
    assert messages[1].startswith(f"{path}:{at(text, '[@mfx]').split(':')[0]}:")
    assert len(set(messages[:-1])) == MAX_PROBLEMS
    assert messages[-1] == f"{path}: … and {3000 - MAX_PROBLEMS} more problems"


def test_a_markdown_field_over_the_cap_is_not_parsed(make_brief: MakeBrief, minimal: str) -> None:
    # The model refuses it; parsing 2 MB of "[@x]" for citations took minutes.
    text = replace(minimal, "in 1993. [@mfa]", "in 1993. [@mfa]" + " [@x]" * 400_000)
    path = make_brief(text)
    where = at(text, "|\n  Relations")
    assert problems(path) == [
        f"{path}:{where}: background: string should have at most 50000 characters"
    ]


def test_a_broken_registry_s_problems_are_capped_with_the_brief_s(
    make_brief: MakeBrief, minimal: str
) -> None:
    path = make_brief(minimal + "".join(f"x{i}: 1\n" for i in range(60)))
    registry = path.parent / "series.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8") + "".join(f"k{i}: 1\n" for i in range(70)),
        encoding="utf-8",
    )
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    tails = [e.located for e in caught.value.errors if not e.line]
    assert tails == [f"{path}: … and 10 more problems", f"{registry}: … and 20 more problems"]


@pytest.mark.parametrize("calendar", ["[]", "{}", "1", "julian"])
def test_a_calendar_that_is_not_one_is_reported_once(
    make_brief: MakeBrief, minimal: str, calendar: str
) -> None:
    # Found by fuzzing: a list as the calendar crashed the date check.
    path = make_brief(
        replace(minimal, "date: 2025-02-10", f"date: 0001-01-01\ncalendar: {calendar}")
    )
    (message,) = problems(path)
    assert ": calendar: " in message


def test_a_section_after_no_fixed_section_lists_the_four(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = minimal + (
        "sections:\n  - id: sec-method\n    title: Method\n    after: chronology\n    body: How.\n"
    )
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, 'chronology')}: sections[0].after: input should be "
        "'executive_summary', 'background', 'geopolitical_context' or 'challenges'"
    ]


def test_a_source_may_be_dated_by_year_or_month(make_brief: MakeBrief, minimal: str) -> None:
    text = replace(minimal, "    accessed: 2025-01-18\n", "    published: 1993\n")
    assert load_brief(make_brief(text)).brief.sources[0].published == "1993"
    text = replace(minimal, "    accessed: 2025-01-18\n", "    published: 1998-13\n")
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, '1998-13')}: sources[0].published: not a real date: month must be "
        "in 1..12"
    ]


@pytest.mark.parametrize(
    ("bluf", "needle"),
    [
        ("bluf: |\n  Moscow pays in grain.\n\n  And in debt relief.\n", "And in"),
        ("bluf: |\n  Moscow pays in:\n  - grain\n  - debt relief\n", "- grain"),
        ("bluf: |\n  ## Bottom line\n  Moscow pays in grain.\n", "## Bottom"),
    ],
    ids=["two-paragraphs", "list", "heading"],
)
def test_the_bottom_line_is_one_paragraph(
    make_brief: MakeBrief, minimal: str, bluf: str, needle: str
) -> None:
    text = minimal + bluf
    path = make_brief(text)
    assert problems(path) == [
        f"{path}:{at(text, needle)}: bluf: bluf is one short paragraph (no blank line, list, "
        "heading, quotation, table or code, so no footnote either: its definition needs a "
        "blank line); the rest belongs in the executive summary"
    ]


@pytest.mark.parametrize("written", ["[@mfa-2025]", "[^note]", "![x](y.png)", "[site](#x)"])
def test_markdown_in_a_challenge_label_is_a_located_error(
    make_brief: MakeBrief, minimal: str, written: str
) -> None:
    # The label is set in bold as plain text: the brackets would print, the citation count for
    # nothing.
    text = minimal.replace('- label: "Sanctions"', f'- label: "Sanctions {written}"', 1)
    assert text != minimal
    path = make_brief(text)
    where = at(text, written[:2], text.index("Sanctions "))
    assert problems(path) == [
        f"{path}:{where}: challenges.items[0].label: a challenge's label is plain text and "
        "prints as written: a citation, cross-reference, footnote, image or link belongs in "
        "its text"
    ]


def test_a_bottom_line_over_lines_with_a_number_is_one_paragraph(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = minimal + "bluf: |\n  Relations date from\n  1993. Trade grew.\n\n"
    assert load_brief(make_brief(text)).brief.bluf == "Relations date from\n1993. Trade grew."


# --- the document model: figures, tables, cross-references, footnotes ------------------------


def _located_rules(path: Path) -> list[tuple[str, str]]:
    """(path:line:col: field: message, rule) of each problem ``load_brief`` raises."""
    with pytest.raises(BriefErrors) as caught:
        load_brief(path)
    return [(e.located, e.rule) for e in caught.value.errors]


_CHART = "https://example.org/chart.png"


def _with_background(minimal: str, markdown: str) -> str:
    body = "".join(f"  {line}\n" if line else "\n" for line in markdown.split("\n"))
    return replace(minimal, "background: |\n", "background: |\n" + body + "\n")


@pytest.mark.parametrize("alt", ["", ' alt=""', ' alt="  "'])
def test_a_figure_without_a_text_alternative(make_brief: MakeBrief, minimal: str, alt: str) -> None:
    text = _with_background(minimal, f"![Launches.]({_CHART}){{#fig-launches{alt}}}")
    path = make_brief(text)
    assert _located_rules(path) == [
        (
            f"{path}:{at(text, '![Launches')}: background: a figure needs a text alternative "
            'for readers who cannot see it: alt="what it shows"',
            "figure",
        )
    ]


@pytest.mark.parametrize("width", ["150%", "0%", '"12px"', '"70%;background:url(x)"', "400mm"])
def test_a_figure_width_it_cannot_take(make_brief: MakeBrief, minimal: str, width: str) -> None:
    text = _with_background(minimal, f'![L.]({_CHART}){{#fig-l alt="x" width={width}}}')
    path = make_brief(text)
    ((message, rule),) = _located_rules(path)
    assert message.startswith(f"{path}:{at(text, '![L.')}: background: width ")
    assert "is not a width a figure can take" in message
    assert rule == "figure"


def test_figure_and_table_ids_take_their_prefixes(make_brief: MakeBrief, minimal: str) -> None:
    text = _with_background(
        minimal,
        f'![L.]({_CHART}){{#chart alt="x" widht=70%}}\n\n| a |\n|---|\n| 1 |\n\n: Cap. {{#fig-t}}',
    )
    path = make_brief(text)
    figure, table = at(text, "![L."), at(text, ": Cap.")
    assert _located_rules(path) == [
        (
            f"{path}:{figure}: background: a figure's id starts with fig- and goes on with "
            "letters, digits and . _ : - (got #chart)",
            "figure",
        ),
        (
            f"{path}:{figure}: background: a figure has no attribute 'widht' (it takes id, alt, "
            "width, credit, tlp); did you mean 'width'?",
            "figure",
        ),
        (
            f"{path}:{table}: background: a table's id starts with tbl- and goes on with "
            "letters, digits and . _ : - (got #fig-t)",
            "table",
        ),
    ]


def test_an_image_that_cannot_be_the_figure_it_asks_to_be(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = _with_background(
        minimal, f'See ![L.]({_CHART}){{#fig-l alt="x"}} inline.\n\n![M.]({_CHART}){{alt="y"}}'
    )
    path = make_brief(text)
    assert _located_rules(path) == [
        (
            f"{path}:{at(text, '![L.')}: background: the image #fig-l is a figure only alone "
            "in its paragraph: put a blank line before and after it",
            "figure",
        ),
        (
            f"{path}:{at(text, '![M.')}: background: an image with attributes is a figure only "
            "with an id: add #fig-…",
            "figure",
        ),
    ]


def test_a_cross_reference_to_nothing_says_what_was_meant(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = _with_background(
        minimal, f'As [@fig-lanches] shows.\n\n![L.]({_CHART}){{#fig-launches alt="x"}}'
    )
    text = replace(text, "  Both countries", "  See [@sec-nowhere].\n  Both countries")
    path = make_brief(text)
    assert _located_rules(path) == [
        (
            f"{path}:{at(text, '[@fig-lanches]')}: background: cross-reference [@fig-lanches] "
            "points at no figure ({#fig-…}), table ({#tbl-…}), section or annex (id: sec-…)"
            "; did you mean 'fig-launches'?",
            "crossref",
        ),
        (
            f"{path}:{at(text, '[@sec-nowhere]')}: geopolitical_context: cross-reference "
            "[@sec-nowhere] points at no figure ({#fig-…}), table ({#tbl-…}), section or annex "
            "(id: sec-…)",
            "crossref",
        ),
    ]


def test_ids_given_twice_across_sections_annexes_figures_and_tables(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = _with_background(
        minimal,
        f'![L.]({_CHART}){{#fig-a alt="x"}}\n\n| a |\n|---|\n| 1 |\n\n: T. {{#tbl-a}}\n\n'
        f'![M.]({_CHART}){{#fig-a alt="y"}}\n\nSee [@fig-a], [@tbl-a] and [@sec-a].',
    )
    text += (
        "sections:\n  - id: sec-a\n    title: Method\n    body: |\n      | b |\n      |---|\n"
        "      | 2 |\n\n      : U. {#tbl-a}\n"
        "appendices:\n  - id: sec-a\n    title: Data\n    body: Data.\n"
    )
    path = make_brief(text)
    first_figure = at(text, "![L.")
    first_table = at(text, ": T.")
    section = at(text, "sec-a\n    title: Method")
    assert _located_rules(path) == [
        (
            f"{path}:{at(text, '![M.')}: background: id 'fig-a' is used twice (first at line "
            f"{first_figure.replace(':', ', column ')})",
            "crossref",
        ),
        (
            f"{path}:{at(text, ': U.')}: sections[0].body: id 'tbl-a' is used twice (first at "
            f"line {first_table.replace(':', ', column ')})",
            "crossref",
        ),
        (
            f"{path}:{at(text, 'sec-a', text.index('appendices'))}: appendices[0].id: id 'sec-a' "
            f"is used twice (first at line {section.replace(':', ', column ')})",
            "crossref",
        ),
    ]


def test_footnotes_called_and_not_defined_or_defined_and_not_called(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = _with_background(
        minimal, "A claim.[^known] Another.[^missing]\n\n[^known]: Said.\n\n[^spare]: Unused."
    )
    path = make_brief(text)
    assert _located_rules(path) == [
        (
            f"{path}:{at(text, '[^missing]')}: background: footnote [^missing] is not defined: "
            "add a line [^missing]: …",
            "footnote",
        ),
        (
            f"{path}:{at(text, '[^spare]')}: background: footnote [^spare] is defined but never "
            "called, so the report would not print it: call it as [^spare] in the text",
            "footnote",
        ),
    ]


def test_a_cross_reference_among_citations_and_every_problem_at_once(
    make_brief: MakeBrief, minimal: str
) -> None:
    text = _with_background(minimal, "Both [@mfa; @fig-a] and [@nope].[^x]")
    path = make_brief(text)
    assert _located_rules(path) == [
        (
            f"{path}:{at(text, '[@mfa; @fig-a]')}: background: [@fig-a] is a cross-reference in "
            "a bracket of citations: give it a bracket of its own",
            "citation",
        ),
        (
            f"{path}:{at(text, '[@nope]')}: background: citation [@nope] names no source",
            "citation",
        ),
        (
            f"{path}:{at(text, '[^x]')}: background: footnote [^x] is not defined: add a line "
            "[^x]: …",
            "footnote",
        ),
    ]


def test_did_you_mean_answers_as_difflib_does_among_many_alike_ids() -> None:
    # The hint stops early among thousands of alike ids (5,000 unknown cross-references to
    # 5,000 tables took seconds of hints): the answer must stay difflib's, ties included.
    import difflib
    import random

    from osintkit.errors import did_you_mean

    ids = [f"tbl-t{a:03d}-{i:02d}" for a in range(20) for i in range(50)]
    assert did_you_mean("tbl-u007-13", ids) == "; did you mean 'tbl-t007-13'?"
    rng = random.Random(13)
    for _ in range(500):
        words = ["".join(rng.choices("fig-tbl0123", k=rng.randint(1, 7))) for _ in range(20)]
        word = "".join(rng.choices("fig-tbl0123", k=rng.randint(1, 7)))
        close = difflib.get_close_matches(word, words, n=1, cutoff=0.6)
        assert did_you_mean(word, words) == (f"; did you mean {close[0]!r}?" if close else "")


def test_an_author_mapping_gets_one_error_a_problem_at_its_value(
    make_brief: MakeBrief, minimal: str
) -> None:
    # Not also "input should be a valid string" for the other shape an author may take,
    # nor pydantic's names of the two shapes in the field.
    text = replace(
        minimal,
        'authors: ["SpecialEurasia OSINT Unit"]',
        "authors:\n  - name: A\n  - name: B\n    email: not-an-address\n  - 7\n",
    )
    with pytest.raises(BriefErrors) as caught:
        load_brief(make_brief(text))
    assert [(e.line, e.column, e.field, e.message) for e in caught.value.errors] == [
        (11, 12, "authors[1].email", "not an e-mail address"),
        (12, 5, "authors[2]", "input should be a valid string"),
    ]
