"""Untrusted briefs, fuzzed: whatever the bytes, the result is a report or located errors.

Every property here is the same promise seen from a different angle: ``load_brief`` returns a
LoadedBrief or raises BriefErrors (never another exception), every error is one printable line
with a line and column inside the file, and a brief that loads renders to HTML that can be
written as UTF-8. The Hypothesis profile is registered in conftest.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from osintkit.errors import BriefErrors, Diagnostic, MoreProblems, TemplateError
from osintkit.loader import parse_yaml
from osintkit.markdown import CitationIndex, find_citations, find_too_deep, render_markdown
from osintkit.render.html import render_html
from osintkit.report import template_for
from osintkit.templates import ReportTemplate, find_template
from osintkit.validation import load_brief

#: Selected by default (CI runs them); `-m "not fuzz"` leaves them out of a quick run.
pytestmark = pytest.mark.fuzz

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
REGISTRY = (FIXTURES / "series.yaml").read_text(encoding="utf-8")
MINIMAL_DATA: dict[str, Any] = parse_yaml(MINIMAL, Path("minimal.yaml")).data
REGISTRY_DATA: dict[str, Any] = parse_yaml(REGISTRY, Path("series.yaml")).data

MARKDOWN_PATHS: list[tuple[str | int, ...]] = [
    ("executive_summary",),
    ("background",),
    ("geopolitical_context",),
    ("challenges", "intro"),
    ("challenges", "items", 0, "text"),
    ("challenges", "items", 1, "text"),
    ("sources", 0, "excerpt"),
]
#: Fields whose values have a shape (dates, numbers, tags) and so a parser of their own.
SHAPED_PATHS: list[tuple[str | int, ...]] = [
    ("date",),
    ("volume",),
    ("issue",),
    ("language",),
    ("calendar",),
    ("series",),
    ("sources", 0, "accessed"),
    ("sources", 0, "published"),
    ("sources", 0, "language"),
    ("sources", 0, "url"),
    ("sources", 0, "id"),
]


def examples(share: float) -> settings:
    """Settings giving a test ``share`` of the profile's examples, so cheap tests run more."""
    return settings(max_examples=max(1, round(settings.default.max_examples * share)))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every example: each writes brief.yaml (and series.yaml) afresh."""
    path = tmp_path_factory.mktemp("fuzz")
    shutil.copy(FIXTURES / "series.yaml", path / "series.yaml")
    return path


# --- the property -----------------------------------------------------------------------------


def _lines(path: Path) -> list[str]:
    """The lines of ``path`` as an editor shows them: split at CRLF, LF or a lone CR."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    return re.split(r"\r\n|\r|\n", text)


def assert_well_formed(error: Diagnostic) -> None:
    """One printable line, located inside the file it names (the line that counts the problems
    past the cap names only the file)."""
    text = str(error)
    assert text.splitlines() == [text], text
    text.encode("utf-8")  # no lone surrogate that would crash a terminal or a log
    assert error.path.is_file(), text
    if isinstance(error, MoreProblems):
        assert error.count > 0 and error.line == 0, text
        return
    lines = _lines(error.path)
    assert 1 <= error.line <= len(lines), text
    assert 1 <= error.column <= len(lines[error.line - 1]) + 1, text


def check(brief: Path) -> None:
    """Load ``brief``; it must load and render, or fail with well-formed BriefErrors."""
    try:
        loaded = load_brief(brief)
    except BriefErrors as exc:
        assert exc.errors
        for error in exc.errors:
            assert_well_formed(error)
        event("refused")
        return
    event("loaded")
    try:
        template = template_for(loaded)
    except TemplateError:
        # A registry naming a template that does not exist: the CLI prints this one cleanly.
        return
    render_html(loaded, template).text.encode("utf-8")


# --- text and bytes ---------------------------------------------------------------------------

#: Pieces of YAML syntax, so random text reaches the parser's corners and not only its first
#: "cannot start any token".
YAML_PIECES = [
    ": ", "- ", "\n", "\r\n", "\r", "  ", "\t", "[", "]", "{", "}", ", ", "&a ", "*a", "!!str ",
    "!!binary ", "!x ", "<<: ", "? ", '"', "'", "\\", "\\u", "\\uD800", "\\U", "\\UFFFFFFFF",
    "\\U00110000", "\\x", "\\0", "\\e", "\\N", "\\L", "|", "|2-", ">+", "# c", "%YAML 1.3\n",
    "%YAML 1.1\n", "%TAG ! x:\n", "---\n", "...\n", "\x00", "\x1b", "\x85", "\u2028", "\ufeff",
    "\ufffe", "\ud800", "title", "series", "volume", "2025-02-30", "99999999999999999999", ".nan",
    "~", "NO", "é", "روابط", "😀",
]  # fmt: skip

any_character = st.characters(codec=None, categories=None)
yaml_like_text = st.lists(
    st.one_of(st.sampled_from(YAML_PIECES), st.text(any_character, max_size=8)), max_size=40
).map("".join)


@examples(4)
@given(text=st.one_of(yaml_like_text, st.text(any_character)))
def test_arbitrary_text(folder: Path, text: str) -> None:
    brief = folder / "brief.yaml"
    # surrogatepass: a lone surrogate in the text becomes bytes the loader must refuse itself.
    brief.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    check(brief)


@examples(2)
@given(
    data=st.one_of(
        st.binary(),
        st.tuples(
            st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""]), st.binary()
        ).map(b"".join),
        yaml_like_text.map(lambda t: t.encode("utf-16", errors="surrogatepass")),
    )
)
def test_arbitrary_bytes(folder: Path, data: bytes) -> None:
    brief = folder / "brief.yaml"
    brief.write_bytes(data)
    check(brief)


# --- Markdown ---------------------------------------------------------------------------------

MARKDOWN_PIECES = [
    "[@a]", "[@b, p. 4]", "[@a; @b]", "[@", "]", "[", "\\[@a]", "`", "``", "*", "_", "> ", "- ",
    "1. ", "#", "\n", "\n\n", "\r", "\r\n", "    ", "\t", "<b>", "&amp;", "[x](http://e.org)",
    "![", "|", "~~", "@a", "a", " ", "é", "روابط",
]  # fmt: skip
#: What a loaded brief's text can hold: the loader lets no control character (bar tab and line
#: breaks, which MARKDOWN_PIECES supply) and no lone surrogate through.
text_character = st.characters(codec="utf-8", exclude_categories=["Cc"])
markdown_text = st.lists(
    st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(text_character, max_size=4)), max_size=60
).map("".join)


@examples(2)
@given(
    text=st.one_of(
        markdown_text,
        st.builds(
            lambda piece, n, tail: piece * n + tail,
            st.sampled_from(["> ", "- ", "1. ", "*", "[", "  "]),
            st.integers(1, 50),
            markdown_text,
        ),
    )
)
def test_markdown_citations_point_at_their_brackets(text: str) -> None:
    # Validation locates an unknown citation by this offset, so it must be the bracket's.
    for citation in find_citations(text):
        assert text.startswith("[@", citation.offset), (text, citation)
    too_deep = find_too_deep(text)
    assert too_deep is None or 0 <= too_deep <= len(text)
    for inline in (False, True):
        html = render_markdown(text, CitationIndex({"a", "b"}), inline=inline)
        html.encode("utf-8")


# --- YAML documents ---------------------------------------------------------------------------


def _printable(text: str) -> bool:
    """Whether ``text`` can stand in a block or single-quoted scalar, unescaped."""
    return not re.search("[^\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", text)


def _styled(draw: st.DrawFn, text: str) -> str:
    """``text`` in a random scalar style the YAML emitter will honour where it can."""
    style = draw(st.sampled_from(["plain", "double", "single", "literal", "folded"]))
    if style == "double" or not _printable(text):
        return DoubleQuotedScalarString(text)
    wrapper: dict[str, Callable[[str], str]] = {
        "plain": str,
        "single": SingleQuotedScalarString,
        "literal": LiteralScalarString,
        "folded": FoldedScalarString,
    }
    return wrapper[style](text)


@st.composite
def styled_strings(draw: st.DrawFn, text: st.SearchStrategy[str]) -> str:
    """Strings from ``text``, each in a random scalar style."""
    return _styled(draw, draw(text))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 2**63, 2**64 + 1, 0, -1, 9999, 10000]),
    st.floats(allow_nan=True, allow_infinity=True),
    styled_strings(st.text(any_character)),
    styled_strings(st.text(st.sampled_from("ab \n\t*[]>@#`\\"), min_size=1000, max_size=5000)),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.text(any_character, max_size=12), st.integers(), st.booleans()),
            children,
            max_size=5,
        ),
    ),
    max_leaves=30,
)


def dump(data: Any) -> str:
    """``data`` as YAML text, keeping the scalar styles ``_styled`` chose."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_unicode = True
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@examples(1)
@given(data=documents)
def test_arbitrary_documents(folder: Path, data: Any) -> None:
    brief = folder / "brief.yaml"
    brief.write_text(dump(data), encoding="utf-8", errors="surrogatepass")
    check(brief)


@examples(1)
@given(
    data=st.dictionaries(
        st.sampled_from([*MINIMAL_DATA, "subtitle", "calendar", "extra"]), documents, max_size=12
    )
)
def test_arbitrary_documents_with_brief_keys(folder: Path, data: dict[str, Any]) -> None:
    brief = folder / "brief.yaml"
    brief.write_text(dump(data), encoding="utf-8", errors="surrogatepass")
    check(brief)


# --- dates -----------------------------------------------------------------------------------

#: The edges of the days some stage can write: Python's dates, the Solar Hijri converter's, and
#: Babel's week numbering (the last days of 9999 are in a week of the year 10000).
BOUNDARY_DAYS = [
    dt.date(1, 1, 1), dt.date(622, 3, 20), dt.date(622, 3, 21), dt.date(9999, 3, 20),
    dt.date(9999, 3, 21), dt.date(9999, 12, 1), dt.date(9999, 12, 24), dt.date(9999, 12, 25),
    dt.date(9999, 12, 31),
]  # fmt: skip
#: Every place a brief holds a date, each a stage writes out or sorts by in its own way.
DATE_FIELDS = ["date", "published", "accessed", "timeline day", "timeline month", "timeline year"]
#: Where the calendar comes from, and the language (Persian labels name the Solar Hijri months).
CALENDARS = {"gregorian": (None, None, "en"), "brief": ("persian", None, "fa"),
             "series": (None, "persian", "en")}  # fmt: skip


def dated_brief(folder: Path, dates: dict[str, dt.date], calendar: str) -> Path:
    """The minimal brief with ``dates`` in their fields, under a calendar of ``CALENDARS``."""
    own, series, language = CALENDARS[calendar]
    data = _copy(MINIMAL_DATA)
    data["language"] = language
    if own is not None:
        data["calendar"] = own
    source, timeline = data["sources"][0], []
    for field, day in dates.items():
        if field == "date":
            data["date"] = day.isoformat()
        elif field in ("published", "accessed"):
            source[field] = day.isoformat()
        else:
            written = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.year}
            timeline.append({"date": written[field.split()[1]], "event": "It happened."})
    data["timeline"] = timeline
    registry = _copy(REGISTRY_DATA)
    if series is not None:
        registry["persian-files"]["calendar"] = series
    (folder / "series.yaml").write_text(dump(registry), encoding="utf-8")
    brief = folder / "brief.yaml"
    brief.write_text(dump(data), encoding="utf-8")
    return brief


@pytest.fixture(scope="module")
def week_template(tmp_path_factory: pytest.TempPathFactory) -> ReportTemplate:
    """The series template writing dates with ISO week numbers, as CLDR patterns allow."""
    folder = tmp_path_factory.mktemp("template") / "weeks"
    shutil.copytree(FIXTURES.parents[1] / "report_templates" / "series", folder)
    for labels in (folder / "labels").glob("*.yaml"):
        text = re.sub(r"(?m)^date_format: .*$", "date_format: \"d MMMM y, 'week' w of Y\"",
                      labels.read_text(encoding="utf-8"))  # fmt: skip
        labels.write_text(text, encoding="utf-8")
    return find_template(str(folder))


@pytest.mark.parametrize("calendar", CALENDARS)
@pytest.mark.parametrize("field", DATE_FIELDS)
def test_every_date_validation_accepts_renders(
    folder: Path, week_template: ReportTemplate, field: str, calendar: str
) -> None:
    # A persian brief dated before 622 used to validate, then crash every render of it.
    accepted = []
    try:
        for day in BOUNDARY_DAYS:
            brief = dated_brief(folder, {field: day}, calendar)
            try:
                loaded = load_brief(brief)
            except BriefErrors as exc:
                for error in exc.errors:
                    assert_well_formed(error)
                continue
            accepted.append(day)
            html = render_html(loaded, template_for(loaded)).text
            assert f'datetime="{day.isoformat()}' in html or field != "date", day
            render_html(loaded, week_template)
    finally:
        (folder / "series.yaml").write_text(REGISTRY, encoding="utf-8")
    # The sweep means something only if both sides of the edges were seen.
    assert dt.date(9999, 3, 20) in accepted
    assert dt.date(9999, 12, 31) not in accepted or field in ("timeline month", "timeline year")


@examples(0.5)
@given(
    dates=st.dictionaries(st.sampled_from(DATE_FIELDS), st.dates(), min_size=1),
    calendar=st.sampled_from(sorted(CALENDARS)),
)
def test_any_dates_load_and_render_or_are_refused(
    folder: Path, dates: dict[str, dt.date], calendar: str
) -> None:
    try:
        check(dated_brief(folder, dates, calendar))
    finally:
        (folder / "series.yaml").write_text(REGISTRY, encoding="utf-8")


# --- mutations of a valid brief ---------------------------------------------------------------


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key path in ``value``, parents before children."""
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found.extend(_paths(child, (*prefix, i)))
    return found


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


citation_ids = st.one_of(
    st.sampled_from(["mfa", "nope", "mfa, p. 4", "mfa; @mfa", "mfa;", "", "@", "m\nfa"]),
    st.text(any_character, max_size=10),
)
nested_markdown = st.builds(
    lambda piece, n: piece * n,
    st.sampled_from([">", "*", "[", "_", "`", "![", "> ", "- ", "  - ", "1. ", "[@", "[@mfa]"]),
    st.integers(1, 5000),
)
SHAPED_SAMPLES = [
    "2025-02-30", "0000-01-01", "9999-12-31", "٢٠٢٥-٠٢-١٠", "2025-02-10\u00a0", "10" * 300,
    "2975-0599", "2975-059X", "fa-", "x" * 600, "https://\u0000", "javascript:x", "NO",
]  # fmt: skip
shaped_text = st.one_of(st.text(any_character, max_size=20), st.sampled_from(SHAPED_SAMPLES))
#: Names a registry may give its template: a folder name, or a path that find_template follows.
template_names = st.sampled_from(
    ["series", "nope", "0", "./nope", "../series", "/", "/etc", "~", "~no-such-user/x", "x" * 299,
     "a/" * 120, "[/]", "[red]x[/red]", "series/", "./series/../series"]
)  # fmt: skip


def _mapping_at(data: Any, path: tuple[str | int, ...]) -> dict[Any, Any] | None:
    """The mapping at ``path``, or None if an earlier mutation removed or replaced it."""
    for part in path:
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not in_list and not (isinstance(data, dict) and part in data):
            return None
        data = data[part]
    return data if isinstance(data, dict) else None


@st.composite
def structured_mutants(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """The minimal brief and the registry with a few structural changes each."""
    brief, registry = _copy(MINIMAL_DATA), _copy(REGISTRY_DATA)
    operations = ["delete", "replace", "unknown", "shaped", "cite", "nest", "registry"]
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(operations))
        if operation in ("delete", "replace", "unknown"):
            path = draw(st.sampled_from(_paths(brief)))
            parent = _get(brief, path[:-1])
            if operation == "delete":
                del parent[path[-1]]
            elif operation == "replace":
                parent[path[-1]] = draw(documents)
            else:
                target = parent if isinstance(parent, dict) else brief
                target[draw(st.text(any_character, max_size=12))] = draw(scalars)
        elif operation == "shaped":
            path = draw(st.sampled_from(SHAPED_PATHS))
            mapping = _mapping_at(brief, path[:-1])
            if mapping is not None:
                mapping[path[-1]] = draw(styled_strings(shaped_text))
        elif operation in ("cite", "nest"):
            path = draw(st.sampled_from(MARKDOWN_PATHS))
            mapping = _mapping_at(brief, path[:-1])
            if mapping is None:
                continue
            insert = f"[@{draw(citation_ids)}]" if operation == "cite" else draw(nested_markdown)
            old = mapping.get(path[-1])
            old = old if isinstance(old, str) else ""
            at = draw(st.integers(0, len(old)))
            mapping[path[-1]] = _styled(draw, old[:at] + insert + old[at:])
        else:
            entry = registry["persian-files"]
            key = draw(st.sampled_from([*entry, "calendar", "extra"]))
            entry[key] = draw(st.one_of(scalars, styled_strings(shaped_text), template_names))
    return brief, registry


@examples(2)
@given(mutant=structured_mutants())
def test_structured_mutations_of_a_valid_brief(
    folder: Path, mutant: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    brief_data, registry_data = mutant
    brief = folder / "brief.yaml"
    registry = folder / "series.yaml"
    brief.write_text(dump(brief_data), encoding="utf-8", errors="surrogatepass")
    registry.write_text(dump(registry_data), encoding="utf-8", errors="surrogatepass")
    try:
        check(brief)
    finally:
        registry.write_text(REGISTRY, encoding="utf-8")


@st.composite
def textual_mutants(draw: st.DrawFn) -> str:
    """The minimal brief's text with characters deleted, inserted or replaced at random."""
    text = MINIMAL
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 20)))
        insert = draw(st.one_of(st.just(""), st.sampled_from(YAML_PIECES), st.text(any_character)))
        text = text[:start] + insert + text[end:]
    return text


@examples(3)
@given(text=textual_mutants())
def test_textual_mutations_of_a_valid_brief(folder: Path, text: str) -> None:
    brief = folder / "brief.yaml"
    brief.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    check(brief)


def test_the_unmutated_brief_is_valid(folder: Path) -> None:
    # Mutations start from a valid brief written by the same emitter; it must load as is.
    brief = folder / "brief.yaml"
    brief.write_text(dump(_copy(MINIMAL_DATA)), encoding="utf-8")
    loaded = load_brief(brief)
    assert loaded.brief.title == MINIMAL_DATA["title"]
    render_html(loaded, template_for(loaded)).text.encode("utf-8")


@pytest.mark.parametrize("name", ["x" * 299, "~no-such-user/x"], ids=["long", "tilde-user"])
def test_a_registry_template_name_fails_as_an_osintkit_error(folder: Path, name: str) -> None:
    # Found by fuzzing the registry: the brief loads, then choosing its template crashes.
    brief, registry = folder / "brief.yaml", folder / "series.yaml"
    brief.write_text(MINIMAL, encoding="utf-8")
    registry.write_text(REGISTRY.replace("template: series", f"template: {name}", 1), "utf-8")
    try:
        loaded = load_brief(brief)
        with pytest.raises(TemplateError):
            template_for(loaded)
    finally:
        registry.write_text(REGISTRY, encoding="utf-8")
