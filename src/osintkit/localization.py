"""The language of a report: its labels, writing direction, digits, dates and calendar.

Wording lives in the template's ``labels/<language>.yaml`` catalogues (English fills gaps,
with a warning); how numbers and Gregorian dates are written comes from CLDR through Babel;
Solar Hijri dates are converted with jdatetime and named from the catalogues.

A label's slots (``"Page {page} of {pages}"``) are filled by name only, by one substitution
(:func:`label_pieces`) that every caller uses: a catalogue is data from whoever sent the
template, so it must not reach attributes or indexes the way ``str.format`` would let it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup

from osintkit.errors import KeyPath, TemplateError
from osintkit.fields import CALENDAR_DAYS, Calendar
from osintkit.tradecraft import CREDIBILITY, RELIABILITY, SCALES

DEFAULT_LANGUAGE = "en"

#: The slots of each label that has any, as osintkit and the shipped template fill them. Every
#: other label is text shown as written; a template's own label is filled with the names its
#: ``fill`` call gives.
LABEL_SLOTS: dict[str, frozenset[str]] = {
    "page_of": frozenset({"page", "pages"}),
    "accessed": frozenset({"date"}),
    "contact": frozenset({"contact"}),
    "contact_topic": frozenset({"contact", "topic"}),
    "dual_date": frozenset({"gregorian", "solar_hijri"}),
    "solar_hijri_date": frozenset({"day", "month", "year"}),
    "series_line": frozenset({"title", "issn", "volume", "issue"}),
    "series_line_no_issn": frozenset({"title", "volume", "issue"}),
    "grade_title": frozenset({"reliability", "credibility"}),
    "figure": frozenset({"number"}),
    "table": frozenset({"number"}),
    "annex": frozenset({"letter"}),
    "annex_heading": frozenset({"annex", "title"}),
}
#: Labels that are not one text: how many Solar Hijri months a year has.
_MONTHS = 12
#: Labels that are a mapping with a text for each of these keys. The keys are the standards'
#: own (tradecraft.py validates briefs against them); only their wording is the template's.
LABEL_MAPPINGS: dict[str, tuple[str, ...]] = {
    "confidence": ("low", "moderate", "high"),
    "reliability": tuple(RELIABILITY),
    "credibility": tuple(CREDIBILITY),
    "likelihood_scales": tuple(SCALES),
}
#: The likelihood terms as a report prints them: a mapping per scale of each of its terms.
LIKELIHOOD_TERMS = "likelihood_terms"


class LabelError(TemplateError):
    """A label's text cannot be filled: a brace that is not a slot of it."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        #: Where in the label's text the problem starts.
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Slot:
    """A ``{name}`` slot in a label's text."""

    name: str


#: "{{", "}}", one "{…}" slot, or a brace on its own.
_BRACES_RE = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def label_pieces(text: str, slots: Collection[str]) -> list[str | Slot]:
    """Return a label's text as runs of literal text and :class:`Slot` s, in order.

    ``{name}`` is a slot if ``name`` is one of ``slots``; ``{{`` and ``}}`` are literal
    braces. Anything else in braces (an unknown name, ``{x.y}``, ``{x[0]}``, ``{x:>9}``,
    ``{x!r}``, ``{}``) or a brace on its own raises :class:`LabelError` with its offset.
    """
    pieces: list[str | Slot] = []
    literal = ""
    position = 0
    for match in _BRACES_RE.finditer(text):
        literal += text[position : match.start()]
        position = match.end()
        token = match.group()
        if token in ("{{", "}}"):
            literal += token[0]
            continue
        name = token[1:-1]
        if token in ("{", "}"):
            problem = f"a {token} on its own; write {token * 2} for a brace"
        elif _NAME_RE.fullmatch(name) is None:
            problem = _bad_slot(token)
        elif name not in slots:
            known = ", ".join(f"{{{s}}}" for s in sorted(slots))
            takes = f"it takes {known}" if known else "it takes none"
            problem = f"no slot {token}; {takes}"
        else:
            if literal:
                pieces.append(literal)
                literal = ""
            pieces.append(Slot(name))
            continue
        raise LabelError(problem, match.start())
    literal += text[position:]
    if literal:
        pieces.append(literal)
    return pieces


def _bad_slot(token: str) -> str:
    shown = token if len(token) <= 40 else token[:37] + "...}"
    head = _NAME_RE.match(token, 1)
    after = token[head.end()] if head else ""
    if after in (".", "["):
        return f"{shown}: a slot is a name alone, without attributes or indexes"
    if after in (":", "!"):
        return f"{shown}: a slot takes no format spec or conversion"
    return f"{shown} is not a slot; a slot is a name such as {{date}}, and {{{{ }}}} write braces"


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Return label ``text`` with each slot replaced by its value; the names are the slots."""
    return "".join(
        piece if isinstance(piece, str) else values[piece.name]
        for piece in label_pieces(text, values.keys())
    )


def check_labels(labels: Mapping[str, Any]) -> list[tuple[KeyPath, int | None, str]]:
    """Return what is wrong with a catalogue's labels: (key path, offset in its text, message).

    Labels with slots must fill (see LABEL_SLOTS), the Solar Hijri months be twelve texts, and
    the confidence levels, grades, scales and likelihood terms a text each (LABEL_MAPPINGS),
    so that a broken catalogue fails where it is loaded, with its location, and never halfway
    through a render.
    """
    problems: list[tuple[KeyPath, int | None, str]] = []
    for key, value in labels.items():
        if key in LABEL_SLOTS:
            if not isinstance(value, str):
                problems.append(((key,), None, "is a text with slots in braces"))
                continue
            try:
                label_pieces(value, LABEL_SLOTS[key])
            except LabelError as exc:
                problems.append(((key,), exc.offset, str(exc)))
        elif key == "solar_hijri_months" and not (
            isinstance(value, list)
            and len(value) == _MONTHS
            and all(isinstance(month, str) for month in value)
        ):
            problems.append(((key,), None, f"is a list of the {_MONTHS} month names"))
        elif key in LABEL_MAPPINGS:
            problems.extend(_check_mapping((key,), value, LABEL_MAPPINGS[key]))
        elif key == LIKELIHOOD_TERMS:
            if not isinstance(value, dict):
                problems.append(((key,), None, f"is a mapping of {', '.join(SCALES)} to terms"))
                continue
            for scale, entries in SCALES.items():
                terms = tuple(entry.term for entry in entries)
                problems.extend(_check_mapping((key, scale), value.get(scale), terms))
    return problems


def _check_mapping(
    key_path: KeyPath, value: object, keys: tuple[str, ...]
) -> list[tuple[KeyPath, int | None, str]]:
    if isinstance(value, dict) and all(isinstance(value.get(k), str) for k in keys):
        return []
    return [(key_path, None, f"is a mapping of {', '.join(keys)} to text")]


#: The script (ISO 15924, lower case) a language is written in when its tag names none: the
#: languages a series meets. Anything else is taken to be Latin. Tajik and Kazakh are also
#: written in Arabic script (tg-Arab, kk-Arab) and Kazakh in Latin (kk-Latn), Serbian in Latin
#: (sr-Latn): a script subtag says so. Kurdish is here the Arabic-script Sorani of Iran and
#: Iraq, as elsewhere in osintkit (written right to left); Kurmanji is ku-Latn.
DEFAULT_SCRIPTS: Mapping[str, str] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ku", "ckb", "sd", "ug"), "arab"),
    **dict.fromkeys(("he", "yi"), "hebr"),
    "dv": "thaa",
    "zh": "hani",
    "ja": "jpan",
    "ko": "kore",
    **dict.fromkeys(("ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"), "cyrl"),
    "el": "grek",
}
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm"})
#: Primary language subtags written right to left.
RTL_LANGUAGES = frozenset(lang for lang, code in DEFAULT_SCRIPTS.items() if code in _RTL_SCRIPTS)

#: CLDR numbering systems → their digits and the CSS counter style that writes them.
_DIGITS = {
    "latn": ("0123456789", "decimal"),
    "arab": ("٠١٢٣٤٥٦٧٨٩", "arabic-indic"),
    "arabext": ("۰۱۲۳۴۵۶۷۸۹", "persian"),
    "deva": ("०१२३४५६७८९", "devanagari"),
    "beng": ("০১২৩৪৫৬৭৮৯", "bengali"),
    "thai": ("๐๑๒๓๔๕๖๗๘๙", "thai"),
}


def text_direction(language: str) -> Literal["ltr", "rtl"]:
    """Return "rtl" or "ltr" for a BCP 47 tag; a script subtag (fa-Latn, az-Arab) wins."""
    return "rtl" if writing_script(language) in _RTL_SCRIPTS else "ltr"


def writing_script(language: str) -> str:
    """Return the script of a BCP 47 tag, as a lower-case ISO 15924 code ("arab", "cyrl").

    A script subtag wins (``tg-Arab``, ``sr-Latn``, ``zh-Hant``); otherwise the language's
    usual script from :data:`DEFAULT_SCRIPTS`, and "latn" for a language not listed there.
    """
    parts = language.lower().split("-")
    if len(parts) > 1 and len(parts[1]) == 4 and parts[1].isalpha():
        return parts[1]
    return DEFAULT_SCRIPTS.get(parts[0], "latn")


def first_strong_direction(text: str) -> Literal["ltr", "rtl"] | None:
    """Return the direction of the first strong character of ``text`` (HTML's dir="auto")."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def _catalogue_candidates(language: str) -> list[str]:
    """ "fa-Arab-IR" → ["fa-Arab-IR", "fa-Arab", "fa"]: the most specific catalogue first."""
    parts = language.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


class Labels:
    """A template's wording for one language, falling back to English key by key.

    Every English key a catalogue lacks is recorded once, so the caller can warn about it.
    Jinja2 reads a label as ``labels.sources`` (attribute access falls through to
    ``__getitem__``); a key no catalogue has raises ``KeyError``, which StrictUndefined
    turns into a template error that names it.
    """

    def __init__(
        self, own: Mapping[str, Any], fallback: Mapping[str, Any], source: str | None
    ) -> None:
        self._own = own
        self._fallback = fallback
        self._source = source  # the catalogue file's name, None when there is none
        self._missing: list[str] = []

    def __getitem__(self, key: str) -> Any:
        if key in self._own:
            return self._own[key]
        value = self._fallback[key]
        if self._source is not None and key not in self._missing:
            self._missing.append(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._own or key in self._fallback

    def get(self, key: str, default: Any = None) -> Any:
        """Return the label ``key``, or ``default`` if no catalogue has it."""
        try:
            return self[key]
        except KeyError:
            return default

    @property
    def warnings(self) -> list[str]:
        """One message per English label this language's catalogue lacks, in order of use."""
        return [f"{self._source} has no {key!r}; used the English label" for key in self._missing]


@dataclass
class ReportLanguage:
    """How a report in one language writes its wording, numbers and dates."""

    tag: str
    labels: Labels
    calendar: Calendar = "gregorian"
    setup_warnings: list[str] = field(default_factory=list)
    _locale: Locale = field(init=False)
    _digits: str = field(init=False)
    counter_style: str = field(init=False)

    def __post_init__(self) -> None:
        try:
            self._locale = Locale.parse(self.tag, sep="-")
        except (UnknownLocaleError, ValueError):
            self.setup_warnings.append(
                f"no CLDR data for language {self.tag!r}; dates and digits are written in English"
            )
            self._locale = Locale.parse(DEFAULT_LANGUAGE)
        system = getattr(self._locale, "default_numbering_system", "latn")
        self._digits, self.counter_style = _DIGITS.get(system, _DIGITS["latn"])

    @property
    def direction(self) -> Literal["ltr", "rtl"]:
        """The writing direction of the report's text and page layout."""
        return text_direction(self.tag)

    def number(self, value: int) -> str:
        """Return ``value`` in the language's own digits (۲۹ in Persian)."""
        return self.digits(str(value))

    def digits(self, text: str) -> str:
        """Return ``text`` with its ASCII digits in the language's own digits."""
        if self._digits == _DIGITS["latn"][0]:
            return text
        return text.translate(str.maketrans("0123456789", self._digits))

    def page_counter(self, name: str = "page") -> str:
        """Return the CSS ``counter()`` that prints page numbers in the language's digits."""
        return f"counter({name}, {self.counter_style})"

    def date(self, value: dt.date, calendar: Calendar | None = None) -> str:
        """Return ``value`` written out ("20 January 2025", "۲۰ ژانویهٔ ۲۰۲۵").

        With the Persian calendar, the Solar Hijri date stands beside the Gregorian one, in the
        order and wording of the ``dual_date`` label.
        """
        gregorian = self.digits(
            format_date(value, format=self.labels.get("date_format", "long"), locale=self._locale)
        )
        if (calendar or self.calendar) != "persian":
            return gregorian
        return substitute(
            str(self.labels["dual_date"]),
            {"gregorian": gregorian, "solar_hijri": self.solar_hijri_date(value)},
        )

    def partial_date(self, value: str) -> str:
        """Return a date that may be a year or a month ("1993", "March 1998") written out."""
        parts = value.split("-")
        if len(parts) == 1:
            return self.digits(parts[0])
        day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) > 2 else 1)
        if len(parts) == 3:
            return self.date(day, "gregorian")
        pattern = self.labels.get("month_format", "LLLL y")
        return self.digits(format_date(day, format=pattern, locale=self._locale))

    def solar_hijri_date(self, value: dt.date) -> str:
        """Return ``value`` in the Solar Hijri calendar ("1 Bahman 1403 SH", "۱ بهمن ۱۴۰۳").

        Raises :class:`TemplateError` for a day the converter does not know (before 622).
        """
        import jdatetime  # only reports that ask for the Persian calendar need it

        first, last = CALENDAR_DAYS["persian"]
        if not first <= value <= last:
            # Validation keeps a brief's own date in range; this is a template converting another.
            raise TemplateError(
                f"the template writes {value.isoformat()} in the Solar Hijri calendar, "
                f"which has only the days from {first.isoformat()} to {last.isoformat()}"
            )
        jalali = jdatetime.date.fromgregorian(date=value)
        months = self.labels["solar_hijri_months"]
        text = substitute(
            str(self.labels["solar_hijri_date"]),
            {
                "day": str(jalali.day),
                "month": str(months[jalali.month - 1]),
                "year": str(jalali.year),
            },
        )
        return self.digits(text)

    def css_content(self, key: str, **slots: str) -> Markup:
        """Return the label ``key`` as a CSS ``content`` value, its slots given as CSS.

        ``css_content("page_of", page=…, pages=…)`` turns "Page {page} of {pages}" into
        ``"Page " counter(page) " of " counter(pages)``.
        """
        pieces = label_pieces(str(self.labels[key]), slots.keys())
        return Markup(
            " ".join(
                css_string(piece) if isinstance(piece, str) else slots[piece.name]
                for piece in pieces
            )
        )

    @property
    def warnings(self) -> list[str]:
        """What this language lacked: CLDR data, a catalogue, labels used so far."""
        return [*self.setup_warnings, *self.labels.warnings]


def css_string(value: str) -> str:
    """Return ``value`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;!?()-_'’/" or ord(ch) > 127 else f"\\{ord(ch):x} "
        for ch in str(value)
    )
    return f'"{escaped}"'


def load_language(
    tag: str, catalogue: Callable[[str], Mapping[str, Any] | None], calendar: Calendar
) -> ReportLanguage:
    """Return the report language for BCP 47 ``tag``.

    ``catalogue(name)`` returns the labels of ``labels/<name>.yaml`` or None if the template
    has none; the most specific one wins ("fa-IR" → fa-IR.yaml, then fa.yaml) and English
    fills its gaps.
    """
    english = catalogue(DEFAULT_LANGUAGE) or {}
    warnings: list[str] = []
    for name in _catalogue_candidates(tag):
        own = catalogue(name)
        if own is not None:
            source = None if name == DEFAULT_LANGUAGE else f"labels/{name}.yaml"
            return ReportLanguage(tag, Labels(own, english, source), calendar, warnings)
    if tag.split("-")[0].lower() != DEFAULT_LANGUAGE:
        warnings.append(f"the template has no labels for language {tag!r}; used English labels")
    return ReportLanguage(tag, Labels(english, english, None), calendar, warnings)
