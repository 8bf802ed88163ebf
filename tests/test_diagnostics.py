"""Diagnostics as each reader wants them: compiler lines, JSON lines, SARIF 2.1.0, GitHub
workflow commands; and the commands that print them with --format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.diagnostics import (
    FORMATTERS,
    RULES,
    format_github,
    format_json,
    format_sarif,
    shown_path,
    summary,
    text_line,
)
from osintkit.errors import BriefErrors, Diagnostic, MoreProblems

runner = CliRunner()

CWD = Path("/work/here")
CITATION = Diagnostic(
    CWD / "briefs" / "a.yaml", 12, 5, "background", "citation", "citation [@x] names no source"
)
HEDGE = Diagnostic(Path("b.yaml"), 3, 1, "", "vague-hedge", "“might” gives none", "warning")


def test_a_text_line_is_what_compilers_print_with_the_path_made_relative() -> None:
    assert text_line(CITATION, CWD) == (
        "briefs/a.yaml:12:5: error: background: citation [@x] names no source [citation]"
    )
    assert text_line(HEDGE, CWD) == "b.yaml:3:1: warning: “might” gives none [vague-hedge]"
    outside = Diagnostic(Path("/etc/series.yaml"), 0, 0, "", "file", "no such file")
    assert text_line(outside, CWD) == "/etc/series.yaml: error: no such file [file]"
    assert shown_path(CWD, CWD) == "."


def test_str_of_a_diagnostic_is_its_line_and_cannot_be_broken() -> None:
    hostile = Diagnostic(Path("a.yaml"), 1, 2, "title", "schema", "bad \x1b]0;x\x07 \u202e\n")
    assert str(hostile) == "a.yaml:1:2: error: title: bad \\x1b]0;x\\x07 \\u202e\\x0a [schema]"
    assert hostile.located == "a.yaml:1:2: title: bad \\x1b]0;x\\x07 \\u202e\\x0a"


def test_the_summary_counts_errors_and_warnings_and_what_the_cap_left_out() -> None:
    capped = BriefErrors([CITATION] * 60).errors
    assert isinstance(capped[-1], MoreProblems)
    assert summary([*capped, HEDGE], 3) == "60 errors, 1 warning in 3 files"
    assert summary([], 1) == "0 errors, 0 warnings in 1 file"


def test_json_lines_hold_every_field_in_ascii() -> None:
    lines = list(format_json([CITATION, HEDGE], RULES, CWD))
    assert all(line.isascii() for line in lines)
    records = [json.loads(line) for line in lines]
    assert records[0] == {
        "path": "briefs/a.yaml",
        "line": 12,
        "column": 5,
        "field": "background",
        "rule": "citation",
        "severity": "error",
        "message": "citation [@x] names no source",
    }
    assert records[1]["message"] == "“might” gives none"
    assert records[1]["severity"] == "warning"


def test_sarif_is_one_2_1_0_document_with_rules_results_and_relative_locations() -> None:
    unlocated = Diagnostic(CWD / "c d.yaml", 0, 0, "", "file", "no such file")
    lines = format_sarif([CITATION, HEDGE, unlocated], {**RULES, "vague-hedge": "a hedge"}, CWD)
    document = json.loads("\n".join(lines))
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "osintkit"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["citation", "file", "vague-hedge"]
    assert rules[2]["shortDescription"] == {"text": "a hedge"}
    first, second, third = run["results"]
    assert first["ruleId"] == "citation" and rules[first["ruleIndex"]]["id"] == "citation"
    assert first["level"] == "error" and second["level"] == "warning"
    assert first["message"] == {"text": "background: citation [@x] names no source"}
    (location,) = first["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "briefs/a.yaml"},
        "region": {"startLine": 12, "startColumn": 5},
    }
    # A file-level problem has no region (SARIF lines start at 1); a URI is percent-encoded.
    assert third["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "c%20d.yaml"}}
    # SARIF's required properties, as its schema requires them of each object.
    for result in run["results"]:
        assert {"message", "locations", "level"} <= result.keys()
        assert "text" in result["message"]


def test_github_workflow_commands_escape_what_the_runner_unescapes() -> None:
    tricky = Diagnostic(Path("a,b:c.yaml"), 4, 2, "x", "schema", "100% wrong\r\nnext")
    assert list(format_github([tricky, HEDGE], RULES, CWD)) == [
        "::error file=a%2Cb%3Ac.yaml,line=4,col=2,title=schema::x: 100%25 wrong%0D%0Anext",
        "::warning file=b.yaml,line=3,col=1,title=vague-hedge::“might” gives none",
    ]


# --- the commands ---------------------------------------------------------------------------


@pytest.fixture
def briefs(tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding series.yaml, a valid brief and a broken one."""
    shutil.copy(fixtures_dir / "series.yaml", tmp_path / "series.yaml")
    shutil.copy(fixtures_dir / "minimal.yaml", tmp_path / "minimal.yaml")
    (tmp_path / "broken.yaml").write_text("series: persian-files\nvolume: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_prints_relative_paths_one_line_each_then_a_summary(briefs: Path) -> None:
    result = runner.invoke(app, ["validate", str(briefs / "broken.yaml"), "minimal.yaml"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "broken.yaml:2:9: error: volume: input should be a valid integer [schema]" in lines
    assert all(line.startswith("broken.yaml:") for line in lines[:-1]), lines
    assert all(line.endswith("[schema]") for line in lines[:-1]), lines
    assert lines[-1] == f"{len(lines) - 1} errors, 0 warnings in 2 files (1 valid)"


def test_validate_names_the_registry_relative_to_the_working_folder(briefs: Path) -> None:
    registry = briefs / "series.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "oops: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "minimal.yaml"])
    assert result.exit_code == 1
    assert any(line.startswith("series.yaml:") for line in result.stderr.splitlines())
    assert str(briefs) not in result.stderr.split("(")[0]


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_json_lines_on_standard_output_for_scripts(briefs: Path, command: str) -> None:
    result = runner.invoke(app, [command, "--format", "json", "broken.yaml", "minimal.yaml"])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["severity"] for r in records if r["path"] == "broken.yaml"} == {"error"}
    assert {"path": "broken.yaml", "line": 2, "column": 9, "field": "volume"}.items() <= (
        next(r for r in records if r["field"] == "volume").items()
    )
    assert "✓" not in result.stdout


def test_sarif_for_lint_holds_its_findings_and_rules(briefs: Path, fixtures_dir: Path) -> None:
    shutil.copy(fixtures_dir / "lint-planted.yaml", briefs / "planted.yaml")
    shutil.copytree(fixtures_dir / "evidence", briefs / "evidence")
    result = runner.invoke(app, ["lint", "--format", "sarif", "planted.yaml"])
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)["runs"]
    assert len(run["results"]) == 13
    assert {r["level"] for r in run["results"]} == {"warning"}
    rules = {r["id"]: r["shortDescription"]["text"] for r in run["tool"]["driver"]["rules"]}
    assert rules["vague-hedge"] == "a vague hedge in a key judgement or the executive summary"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {"planted.yaml"}


def test_sarif_of_a_valid_brief_is_a_run_without_results(briefs: Path) -> None:
    result = runner.invoke(app, ["validate", "--format", "sarif", "minimal.yaml"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["runs"][0]["results"] == []


def test_github_annotations_for_ci(briefs: Path) -> None:
    result = runner.invoke(app, ["validate", "--format", "github", "broken.yaml"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "::error file=broken.yaml,line=2,col=9,title=schema::volume: input should be" in (
        "\n".join(lines)
    )
    assert all(line.startswith("::error file=broken.yaml,") for line in lines)


def test_an_unknown_format_is_a_usage_error(briefs: Path) -> None:
    result = runner.invoke(app, ["validate", "--format", "xml", "minimal.yaml"])
    assert result.exit_code == 2
    assert all(name in result.output for name in FORMATTERS)
