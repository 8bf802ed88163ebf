"""A report's language: direction, digits, dates in two calendars, page counters."""

from __future__ import annotations

import datetime as dt

import pytest

from osintkit.errors import TemplateError
from osintkit.fields import CALENDAR_DAYS
from osintkit.localization import (
    ReportLanguage,
    first_strong_direction,
    load_language,
    text_direction,
    writing_script,
)
from osintkit.templates import find_template

JANUARY_20 = dt.date(2025, 1, 20)


def language(tag: str, calendar: str = "gregorian") -> ReportLanguage:
    return find_template("series").language(tag, calendar)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tag", "direction"),
    [("fa", "rtl"), ("fa-IR", "rtl"), ("ar-EG", "rtl"), ("he", "rtl"), ("en", "ltr"),
     ("ru", "ltr"), ("az-Arab", "rtl"), ("ku-Latn", "ltr"), ("fa-Latn", "ltr")],
)  # fmt: skip
def test_text_direction(tag: str, direction: str) -> None:
    assert text_direction(tag) == direction


@pytest.mark.parametrize(
    ("tag", "script"),
    [("fa", "arab"), ("fa-IR", "arab"), ("ur", "arab"), ("ps", "arab"), ("ku", "arab"),
     ("he", "hebr"), ("yi", "hebr"), ("zh", "hani"), ("zh-Hant-TW", "hant"), ("ja", "jpan"),
     ("ko", "kore"), ("ru", "cyrl"), ("uk", "cyrl"), ("sr", "cyrl"), ("sr-Latn", "latn"),
     ("tg", "cyrl"), ("tg-Arab", "arab"), ("kk", "cyrl"), ("kk-Latn", "latn"),
     ("el", "grek"), ("en", "latn"), ("de-CH", "latn"), ("xx", "latn"), ("fa-Latn", "latn"),
     ("RU", "cyrl"), ("az-Arab", "arab")],
)  # fmt: skip
def test_writing_script_follows_the_script_subtag_or_the_languages_usual_one(
    tag: str, script: str
) -> None:
    assert writing_script(tag) == script


def test_first_strong_direction_is_htmls_dir_auto() -> None:
    assert first_strong_direction("(2025) Belarus") == "ltr"
    assert first_strong_direction("«۲۰۲۵» ایران") == "rtl"
    assert first_strong_direction("2025 — ") is None


@pytest.mark.parametrize(
    ("tag", "digits", "counter"),
    [("en", "29", "decimal"), ("fa", "۲۹", "persian"), ("fa-IR", "۲۹", "persian"),
     ("ar-EG", "٢٩", "arabic-indic"), ("ar", "29", "decimal"), ("ru", "29", "decimal")],
)  # fmt: skip
def test_numbers_use_the_languages_own_digits(tag: str, digits: str, counter: str) -> None:
    report = language(tag)
    assert report.number(29) == digits
    assert report.page_counter("pages") == f"counter(pages, {counter})"


@pytest.mark.parametrize(
    ("tag", "text"),
    [("en", "20 January 2025"), ("fa", "۲۰ ژانویه ۲۰۲۵"), ("ru", "20 января 2025 г."),
     ("it", "20 gennaio 2025")],
)  # fmt: skip
def test_gregorian_dates_per_language(tag: str, text: str) -> None:
    assert language(tag).date(JANUARY_20) == text


@pytest.mark.parametrize(
    ("tag", "text"),
    [("en", "20 January 2025 (1 Bahman 1403 SH)"), ("fa", "۱ بهمن ۱۴۰۳ (۲۰ ژانویه ۲۰۲۵)")],
)
def test_the_persian_calendar_stands_beside_the_gregorian_date(tag: str, text: str) -> None:
    assert language(tag, "persian").date(JANUARY_20) == text


def test_nowruz_starts_the_solar_hijri_year() -> None:
    fa = language("fa", "persian")
    assert fa.solar_hijri_date(dt.date(2025, 3, 20)) == "۳۰ اسفند ۱۴۰۳"
    assert fa.solar_hijri_date(dt.date(2025, 3, 21)) == "۱ فروردین ۱۴۰۴"


def test_the_solar_hijri_days_validation_allows_are_the_converters() -> None:
    import jdatetime

    first, last = CALENDAR_DAYS["persian"]
    assert (first, last) == (jdatetime.date.min.togregorian(), jdatetime.date.max.togregorian())
    fa = language("fa", "persian")
    assert fa.solar_hijri_date(first) == "۱ فروردین ۱"
    assert fa.solar_hijri_date(last) == "۳۰ اسفند ۹۳۷۷"
    # Beyond them a template gets an error it can report, not the converter's ValueError.
    for day in (first - dt.timedelta(days=1), last + dt.timedelta(days=1)):
        with pytest.raises(TemplateError, match="in the Solar Hijri calendar"):
            fa.solar_hijri_date(day)


def test_a_date_can_be_asked_for_in_the_gregorian_calendar_alone() -> None:
    assert language("en", "persian").date(JANUARY_20, "gregorian") == "20 January 2025"


def test_page_footer_as_css_content() -> None:
    fa = language("fa")
    content = fa.css_content("page_of", page="counter(page, persian)", pages="counter(pages)")
    assert content == '"صفحه " counter(page, persian) " از " counter(pages)'
    assert language("en").css_content("issue") == '"Issue"'


def test_a_language_babel_does_not_know_falls_back_to_english_formats() -> None:
    report = language("tlh")
    assert report.date(JANUARY_20) == "20 January 2025"
    assert (
        report.warnings[0] == "the template has no labels for language 'tlh'; used English labels"
    )
    assert report.warnings[1].startswith("no CLDR data for language 'tlh'")


def test_labels_are_filled_by_name_even_from_a_catalogue_nobody_checked() -> None:
    # load_language takes any catalogue: the substitution itself refuses what is not a slot.
    english = dict(find_template("series").catalogue("en") or {})
    english["dual_date"] = "{gregorian.__class__}"
    english["page_of"] = "{page.__class__.__mro__}"
    report = load_language("en", lambda name: english if name == "en" else None, "persian")
    with pytest.raises(TemplateError, match="without attributes"):
        report.date(JANUARY_20)
    with pytest.raises(TemplateError, match="without attributes"):
        report.css_content("page_of", page="counter(page)")


def test_double_braces_in_a_label_are_braces() -> None:
    english = dict(find_template("series").catalogue("en") or {})
    english["page_of"] = "{{{page}}} of {{all}}"
    report = load_language("en", lambda name: english if name == "en" else None, "gregorian")
    assert report.css_content("page_of", page="counter(page)") == (
        '"\\7b " counter(page) "\\7d  of \\7b all\\7d "'
    )
