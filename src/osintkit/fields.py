"""Field types shared by the brief and registry models, with messages a person can act on."""

from __future__ import annotations

import datetime as dt
import re
from calendar import monthrange
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

_ISSN_RE = re.compile(r"^(\d{4})-?(\d{3})([\dXx])$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def issn_check_digit(first_seven: str) -> str:
    """Return the ISSN check digit ("0"–"9" or "X") for seven digits (ISO 3297, mod 11)."""
    total = sum(int(d) * w for d, w in zip(first_seven, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _valid_issn(value: str) -> str:
    match = _ISSN_RE.match(value.strip())
    if not match:
        raise ValueError("an ISSN is eight characters, NNNN-NNNC, e.g. 2975-0598")
    digits, tail, check = match.group(1), match.group(2), match.group(3).upper()
    expected = issn_check_digit(digits + tail)
    if check != expected:
        raise ValueError(
            f"ISSN check digit is wrong: {digits}-{tail}{check} should end in {expected}"
        )
    return f"{digits}-{tail}{check}"


def _valid_email(value: str) -> str:
    if not _EMAIL_RE.fullmatch(value):
        raise ValueError("not an e-mail address")
    return value


Issn = Annotated[str, AfterValidator(_valid_issn)]
Email = Annotated[str, AfterValidator(_valid_email)]


_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# BCP 47 in the shape briefs use: language, optional script, region and variants.
_BCP47_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|\d{3}))?(-[a-zA-Z\d]{5,8})*$")
SOURCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
_HTTP_URL_RE = re.compile(r"^https?://[^\s<>\"]+$")


#: The last day a report can write out. A template's date format may number weeks ("w", "Y"),
#: and CLDR puts the last days of 9999 in a week of the year 10000, which Python cannot hold.
LAST_DAY = dt.date(9999, 12, 24)


def _iso_date(value: Any) -> Any:
    # Pydantic's lax mode would read 20250120 as seconds since 1970; a brief means a calendar day.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE_RE.match(value.strip()):
        raise ValueError("expected an ISO date, YYYY-MM-DD")
    return value.strip()


def iso_day(value: Any) -> dt.date | None:
    """The day an ISO date field of raw brief data names, or None if it names none."""
    if not isinstance(value, str) or not _ISO_DATE_RE.match(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _writable_day(value: dt.date) -> dt.date:
    if value > LAST_DAY:
        raise ValueError(f"a report cannot write a date after {LAST_DAY.isoformat()}")
    return value


def _language_tag(value: str) -> str:
    # fullmatch: "$" alone would let a final line break through ("en\n", where YAML could follow).
    if not _BCP47_RE.fullmatch(value):
        raise ValueError("expected a BCP 47 language tag such as en, fa or pt-BR")
    return value


def _http_url(value: str) -> str:
    if not _HTTP_URL_RE.fullmatch(value):
        raise ValueError("expected an http:// or https:// URL")
    return value


def _source_id(value: str) -> str:
    if not re.fullmatch(SOURCE_ID_PATTERN, value):
        raise ValueError(
            "a source id is letters, digits and . _ : - (starting with a letter or digit)"
        )
    if value.startswith(tuple(TARGET_PREFIXES)):
        raise ValueError(
            f"a source id may not start with {value[:4]}: that prefix marks a cross-reference"
        )
    return value


def _no_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_writable_day)]
LanguageTag = Annotated[str, AfterValidator(_language_tag)]
#: Markdown prose; may cite sources as [@id] or [@id, p. 4].
#: 50 000 characters is some twenty pages of prose in one section; the cap bounds the Markdown
#: parser's time on hostile input (about 1.3 s per 100 000 "[" characters, per parse).
MARKDOWN_MAX_LENGTH = 50_000
Markdown = Annotated[str, Field(max_length=MARKDOWN_MAX_LENGTH), AfterValidator(_no_blank)]
Line = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_no_blank)]
HttpUrl = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]
SourceId = Annotated[str, Field(max_length=100), AfterValidator(_source_id)]
#: Ids of sections, figures and tables: their prefix says which, so ``[@sec-method]`` is a
#: cross-reference and never a citation.
TARGET_PREFIXES = {"sec-": "section", "fig-": "figure", "tbl-": "table"}
TARGET_ID_PATTERN = r"^(sec|fig|tbl)-[A-Za-z0-9][A-Za-z0-9_.:-]*$"


def _section_id(value: str) -> str:
    if not re.fullmatch(TARGET_ID_PATTERN, value) or not value.startswith("sec-"):
        raise ValueError(
            "a section id starts with sec- and goes on with letters, digits and . _ : -"
        )
    return value


SectionId = Annotated[str, Field(max_length=100), AfterValidator(_section_id)]
#: The four sections every brief has, in order; an extra section is placed after one of them.
FixedSection = Literal["executive_summary", "background", "geopolitical_context", "challenges"]
SERIES_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SeriesKey = Annotated[str, Field(pattern=SERIES_KEY_PATTERN, max_length=100)]
Volume = Annotated[int, Field(ge=1, le=9999, strict=True)]
#: "persian" shows the Solar Hijri date beside the Gregorian one.
Calendar = Literal["gregorian", "persian"]
#: The days each calendar can write: the Solar Hijri converter (jdatetime) knows the years 1 to
#: 9377 SH, 1 Farvardin 1 (21 March 622) to 30 Esfand 9377 (20 March 9999).
CALENDAR_DAYS: dict[Calendar, tuple[dt.date, dt.date]] = {
    "gregorian": (dt.date.min, LAST_DAY),
    "persian": (dt.date(622, 3, 21), dt.date(9999, 3, 20)),
}


_PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value: Any) -> Any:
    # A bare year in YAML is an integer: 1993 means the year 1993.
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        return f"{value:04d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and (match := _PARTIAL_DATE_RE.match(value.strip())):
        year, month, day = match.groups()
        try:
            first = dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError as exc:
            raise ValueError(f"not a real date: {exc}") from None
        if day is not None:  # only a whole date is written out with the template's format
            _writable_day(first)
        return value.strip()
    raise ValueError("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")


def partial_date_range(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day a partial date ("1998", "1998-03", "1998-03-08") stands for."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        last = monthrange(parts[0], parts[1])[1]
        return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last)
    day = dt.date(parts[0], parts[1], parts[2])
    return day, day


def _credibility(value: Any) -> Any:
    # Written as a number in YAML (credibility: 2); the scale's names are the digits.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


#: A date that may be only a year or a month: 1993, 1998-03, 2025-01-15.
PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date),
    # As written in YAML: a bare year is a number.
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 9999},
                {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
            ],
            "description": "A date, or only a year or a month: 1993, 1998-03, 2025-01-15",
        }
    ),
]
#: Admiralty source reliability, A (completely reliable) to F (cannot be judged).
Reliability = Literal["A", "B", "C", "D", "E", "F"]
#: Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged).
Credibility = Annotated[
    Literal["1", "2", "3", "4", "5", "6"],
    BeforeValidator(_credibility),
    WithJsonSchema({"enum": [1, 2, 3, 4, 5, 6, "1", "2", "3", "4", "5", "6"]}),
]
Confidence = Literal["low", "moderate", "high"]
#: Traffic Light Protocol 2.0 label.
Tlp = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
#: Which probability yardstick key judgements use.
LikelihoodScale = Literal["phia", "icd203"]
_SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
# An instant as RFC 3339 writes it: a date, a time, and Z or an offset (never a local time).
# Any number of digits of a second, as RFC 3339 allows (.NET tools write seven); an offset's
# hours below 24 and minutes below 60; ASCII digits only (``\d`` takes full-width ones too).
_INSTANT_RE = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)"
    r"(?:(?<=:[0-9]{2}:[0-9]{2})\.([0-9]+))?([Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])$"
)


def _sha256(value: str) -> str:
    if not _SHA256_RE.fullmatch(value):
        raise ValueError("a SHA-256 is 64 hexadecimal digits")
    return value.lower()


def _instant(value: Any) -> Any:
    # A capture's time must name one instant: "09:14" alone differs by the offset of wherever
    # it was read, so a time without Z or an offset is refused rather than guessed.
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("a time needs Z or an offset (2025-03-01T09:14:00Z)")
        return value
    match = _INSTANT_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError("expected a UTC instant such as 2025-03-01T09:14:00Z (Z or an offset)")
    time, fraction, offset = match.groups()
    # A datetime holds microseconds: finer digits say nothing a capture's time needs.
    fraction = f".{fraction[:6]}" if fraction else ""
    try:
        parsed = dt.datetime.fromisoformat(
            time + fraction + ("+00:00" if offset in "Zz" else offset)
        )
    except ValueError as exc:
        raise ValueError(f"not a real time: {exc}") from None
    return parsed


def _in_utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is in the year 0 in UTC
        raise ValueError("not a real time: outside the years 1 to 9999 in UTC") from None


def instant_text(value: dt.datetime, timespec: str = "seconds") -> str:
    """``value`` as RFC 3339 writes it in UTC with ``Z``: to the second, or whole with
    ``timespec="auto"`` (``strftime``'s ``%Y`` would write the year 1 as "1")."""
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _relative_file(value: str) -> str:
    # Confinement (the resolved path under the brief's folder, no symlink out) is checked where
    # the file is read; here only what can never be right: an absolute path, a parent step.
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(
            "a file path uses / between folders, and no backslash or control character"
        )
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        raise ValueError("give the file's path relative to the brief's folder")
    if ".." in value.split("/"):
        raise ValueError("a capture file must lie under the brief's folder: no '..'")
    return value


#: A SHA-256 digest, 64 hexadecimal digits, kept lower-case.
Sha256 = Annotated[str, AfterValidator(_sha256)]
#: How many leading hex digits of a SHA-256 a printed report shows (the evidence register's
#: PDF column; the HTML shows all 64): 64 bits, which no second file is found to match.
SHA256_PRINTED = 16
#: A moment in time with its offset (``2025-03-01T09:14:00Z``), kept in UTC.
Instant = Annotated[
    dt.datetime,
    BeforeValidator(_instant),
    AfterValidator(_in_utc),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": "An instant: Z or an offset"}
    ),
]
#: A file under the brief's folder, written relative to it with ``/``.
RelativeFile = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_relative_file)]
#: Names of lint rules a brief or a series switches off.
LintRule = Annotated[str, Field(pattern=r"^[a-z][a-z-]*$", max_length=50)]


class LintSettings(BaseModel):
    """Which ``osintkit lint`` rules are switched off."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    disable: list[LintRule] = []
