"""osintkit lint: each rule finds its planted problem at its place, and nothing in the
reference brief; rules switch off per brief and per series; --strict fails on findings."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.lint import RULES, lint_brief
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    shutil.copytree(FIXTURES / "evidence", tmp_path / "evidence")  # its captures
    return Path(shutil.copy(FIXTURES / "lint-planted.yaml", tmp_path / "planted.yaml"))


def found(path: Path) -> list[str]:
    return [f"{f.line}:{f.column} {f.rule}: {f.text}" for f in lint_brief(load_brief(path))]


def test_each_rule_finds_its_planted_problem_where_it_is(planted: Path) -> None:
    assert found(planted) == [
        "10:9 vague-hedge: executive_summary: “might” gives no probability; use a term of the "
        "yardstick (likely, highly unlikely, …) or state the fact",
        "16:11 vague-hedge: key_judgements[1].text: “It seems” gives no probability; use a term "
        "of the yardstick (likely, highly unlikely, …) or state the fact",
        "23:3 uncited-paragraph: background: no source cited in the paragraph “A paragraph "
        "with no citation at all.…”",
        # Not the figure, the table, its caption or the footnote's definition: none is prose.
        "31:3 figure-without-mention: background: table #tbl-counts is never cross-referenced; "
        "point the reader to it from the text as [@tbl-counts]",
        "38:9 likelihood-contradiction: geopolitical_context: says “unlikely” (25–35 %) but "
        "key judgement 1 is “highly likely” (80–90 %)",
        "40:36 future-date: geopolitical_context: “15 March 2026” is after the brief's date "
        "2025-02-10",
        "46:11 future-date: timeline[1].date: 2026-05 is after the brief's date 2025-02-10",
        "57:10 unpreserved-source: sources[0].url: source 'mfa' is a web page with neither a "
        "capture nor an archive_url: pages change and vanish; preserve it (osintkit evidence "
        "add) or give its web-archive copy",
        "60:9 uncited-source: sources[1].id: source 'unused' is never cited; cite it as "
        "[@unused] or drop it",
        "62:16 future-date: sources[1].published: 2025-03-01 is after the brief's date 2025-02-10",
        # The first capture, 00:30 on the 19th at +01:00, is the 18th in UTC: the day accessed.
        "70:19 capture-after-access: sources[1].captures[1].captured: captured on 2025-01-19 "
        "(UTC), after the source was accessed on 2025-01-18: it may not be the page the brief "
        "read; correct accessed or the capture's time",
        "76:7 empty-section: appendices[0].body: the annex “Data tables” has no text a reader "
        "would read (only headings, blank space or a placeholder such as TODO); write it or "
        "leave it out",
        "79:25 bidi-control: disclaimer: the bidi control U+202E (an embedding or override) "
        "reorders the text around it, so the report would not print what the brief says; "
        "delete it (use U+200F or U+200E marks where a direction is needed)",
    ]
    assert {line.split()[1].rstrip(":") for line in found(planted)} == set(RULES)


def test_the_reference_briefs_are_clean() -> None:
    result = runner.invoke(app, ["lint", "--strict", str(ROOT / "briefs")])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings in 3 files" in result.stdout


def test_strict_fails_and_each_finding_is_a_located_line(
    planted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(planted.parent)
    relaxed = runner.invoke(app, ["lint", str(planted)])
    assert relaxed.exit_code == 0
    assert relaxed.stdout.splitlines()[-1] == "0 errors, 13 warnings in 1 file (10 rules)"
    strict = runner.invoke(app, ["lint", "--strict", str(planted)])
    assert strict.exit_code == 1
    lines = strict.stdout.splitlines()
    # As compilers print: the path relative to the working folder, one line a finding, unwrapped.
    assert lines[0] == (
        "planted.yaml:10:9: warning: executive_summary: “might” gives no probability; use a "
        "term of the yardstick (likely, highly unlikely, …) or state the fact [vague-hedge]"
    )
    assert len(lines) == 14
    assert all(line.startswith("planted.yaml:") for line in lines[:13])


def test_rules_switch_off_per_brief_and_per_series(planted: Path) -> None:
    text = planted.read_text(encoding="utf-8")
    disable = "lint:\n  disable: [future-date, vague-hedge, empty-section]\n"
    planted.write_text(text + disable, encoding="utf-8")
    rules = {line.split()[1].rstrip(":") for line in found(planted)}
    assert rules == {
        "uncited-paragraph",
        "likelihood-contradiction",
        "uncited-source",
        "figure-without-mention",
        "bidi-control",
        "unpreserved-source",
        "capture-after-access",
    }
    registry = planted.parent / "series.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "  contact: info@specialeurasia.com\n",
            "  contact: info@specialeurasia.com\n  lint:\n    disable: [uncited-source]\n",
            1,
        ),
        encoding="utf-8",
    )
    rules = {line.split()[1].rstrip(":") for line in found(planted)}
    assert rules == {
        "uncited-paragraph",
        "likelihood-contradiction",
        "figure-without-mention",
        "bidi-control",
        "unpreserved-source",
        "capture-after-access",
    }


def test_an_unknown_rule_name_is_a_warning(planted: Path) -> None:
    planted.write_text(
        planted.read_text(encoding="utf-8") + "lint:\n  disable: [vague-hedges]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["lint", str(planted)])
    assert f"warning: {planted}: no lint rule 'vague-hedges' to switch off" in " ".join(
        result.stderr.split()
    )


def test_an_invalid_brief_is_an_error_not_a_finding(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("series: persian-files\n", encoding="utf-8")
    result = runner.invoke(app, ["lint", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:1:1: error: volume: field required [schema]" in result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    excerpt: |\n", "    translation: As TASS reported [@tass].\n    excerpt: |\n"),
        ("کرد.\n", "کرد. [@tass]\n"),
    ],
    ids=["translation", "excerpt"],
)
def test_a_citation_in_a_source_s_quotation_counts_as_citing(
    tmp_path: Path, old: str, new: str
) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    assert old in text
    brief = tmp_path / "brief.yaml"
    brief.write_text(
        text.replace(old, new) + "  - id: tass\n    title: TASS report\n", encoding="utf-8"
    )
    assert [f for f in found(brief) if "uncited-source" in f] == []


@pytest.mark.parametrize(
    ("body", "empty"),
    [
        ("## Method\n\n### Sources\n", True),
        ("&nbsp;\n\n&#8203;", True),
        ("<!-- to be written -->", True),
        ("TBD", True),
        ("TODO: the method, once the data is in.", True),
        ("TBC", True),
        ("FIXME: numbers", True),
        ("XXX", True),
        ("\u00a0\u200b\u200d", True),
        ("## Method\n\nWe read the customs data.", False),
        ("TODO lists are how we track work.\n\nThe second paragraph is prose.", False),
        ("Todo: a word in prose, not a marker.", False),
        ("[The customs data](https://example.org/customs)", False),
    ],
    ids=["headings", "entities", "comment", "tbd", "todo", "tbc", "fixme", "xxx", "zero-width",
         "prose", "todo-in-prose",
         "lower-case", "link"],
)  # fmt: skip
def test_an_empty_section_is_one_without_text_to_read(
    tmp_path: Path, body: str, empty: bool
) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    indented = "".join(f"      {line}\n" for line in body.splitlines())
    brief = tmp_path / "brief.yaml"
    brief.write_text(
        text + "sections:\n  - id: sec-method\n    title: Method\n    body: |\n" + indented,
        encoding="utf-8",
    )
    findings = [f for f in found(brief) if "empty-section" in f]
    assert findings == (
        [f"{text.count(chr(10)) + 5}:7 empty-section: sections[0].body: the section “Method” "
         "has no text a reader would read (only headings, blank space or a placeholder such "
         "as TODO); write it or leave it out"]
        if empty
        else []
    )  # fmt: skip


def test_an_empty_annex_is_found_too(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    brief = tmp_path / "brief.yaml"
    brief.write_text(
        text + "appendices:\n  - id: sec-annex-data\n    title: Data\n    body: TODO\n",
        encoding="utf-8",
    )
    assert [f for f in found(brief) if "empty-section" in f and "appendices[0].body" in f]


def test_an_empty_fixed_section_is_found_too(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    old = "geopolitical_context: |\n  Both countries look for partners outside the West.\n"
    assert old in text
    brief = tmp_path / "brief.yaml"
    brief.write_text(text.replace(old, "geopolitical_context: TBD\n"), encoding="utf-8")
    assert [f.split(" ", 2)[1] for f in found(brief) if "empty-section" in f] == ["empty-section:"]
    assert [f for f in found(brief) if "geopolitical_context: the geopolitical context" in f]


@pytest.mark.parametrize(
    ("title", "found"),
    [
        ("Minsk \\u2067\\u202bTehran\\u202c\\u2069 talks", "U+202B"),
        ("Minsk \\u2067Tehran talks", "opened and never closed"),
        ("Minsk Tehran\\u2069 talks", "closed (U+2069) that was never opened"),
        ("Minsk \\u2067Tehran\\u2069 and \\u200fRLM\\u200f talks", None),
    ],
    ids=["embedding-inside-isolate", "isolate-open", "stray-close", "balanced-and-marks"],
)
def test_bidi_controls_that_reorder_text_are_found_in_any_field(
    make_brief: Callable[..., Path], fixtures_dir: Path, title: str, found: str | None
) -> None:
    minimal = (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")
    text = minimal.replace('title: "', f'title: "{title} ', 1)
    assert text != minimal
    findings = [f for f in lint_brief(load_brief(make_brief(text))) if f.rule == "bidi-control"]
    if found is None:
        assert findings == []
    else:
        (finding,) = findings
        assert finding.field == "title" and found in finding.message


@pytest.mark.parametrize("preserved", ["", "archive", "capture"])
def test_a_cited_web_page_is_preserved_by_a_capture_or_an_archive_url(
    make_brief: Callable[..., Path], preserved: str
) -> None:
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    kept = "    url: https://mfa.gov.by/en/\n"
    if preserved == "archive":
        kept += "    archive_url: https://web.archive.org/web/2025/https://mfa.gov.by/en/\n"
    elif preserved == "capture":
        digest = hashlib.sha256(b"page").hexdigest()
        kept += (
            f"    captures:\n      - {{file: page.txt, sha256: {digest}, "
            "captured: 2025-01-18T23:59:59Z}\n"
        )
    path = make_brief(
        text.replace("    accessed: 2025-01-18\n", "    accessed: 2025-01-18\n" + kept)
    )
    (path.parent / "page.txt").write_bytes(b"page")
    rules = [line.split()[1].rstrip(":") for line in found(path)]
    assert ("unpreserved-source" in rules) == (not preserved)
