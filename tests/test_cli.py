"""The command line as an analyst uses it: exit codes, messages, files written or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from osintkit import __version__
from osintkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"

runner = CliRunner()


@pytest.fixture
def brief_dir(tmp_path: Path, fixtures_dir: Path) -> Path:
    folder = tmp_path / "briefs"
    folder.mkdir()
    shutil.copy(fixtures_dir / "series.yaml", folder / "series.yaml")
    shutil.copy(fixtures_dir / "minimal.yaml", folder / "minimal.yaml")
    return folder


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_validate_accepts_the_reference_brief() -> None:
    result = runner.invoke(app, ["validate", str(REFERENCE)])
    assert result.exit_code == 0, result.output
    assert "Persian Files, Volume 29, Issue 2" in result.output


def test_validate_lists_every_problem_with_its_location(brief_dir: Path) -> None:
    broken = brief_dir / "broken.yaml"
    text = (brief_dir / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("volume: 29", "volume: two").replace("background:", "backgruond:")
    broken.write_text(text + "\nexecutive_summary_extra: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(broken))]
    assert any(": volume: input should be a valid integer" in line for line in lines)
    assert any("backgruond: unknown field; did you mean 'background'?" in line for line in lines)
    assert any("background: field required" in line for line in lines)
    assert "Traceback" not in result.output
    for line in lines:
        assert line.split(":")[1].isdigit() and line.split(":")[2].isdigit(), line


def test_validate_a_folder_and_a_missing_file(brief_dir: Path) -> None:
    result = runner.invoke(app, ["validate", str(brief_dir), str(brief_dir / "nope.yaml")])
    assert result.exit_code == 1
    assert "minimal.yaml" in result.stdout
    assert f"{brief_dir / 'nope.yaml'}: error: no such file [file]" in result.stderr


def test_validate_prints_a_screenful_for_a_brief_of_duplicate_keys(brief_dir: Path) -> None:
    # It printed a line for each of a third of a million, and took a minute and a half.
    broken = brief_dir / "broken.yaml"
    broken.write_text("{" + "a: 1, " * 4_000 + "}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 52, lines[-3:]
    assert lines[0] == f"{broken}:1:8: error: a: duplicate key (first given at line 1) [yaml]"
    assert lines[-2:] == [
        f"{broken}: error: … and 3949 more problems",
        "3999 errors, 0 warnings in 1 file (0 valid)",
    ]


def test_render_writes_pdf_and_html_and_reports_them(brief_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(brief_dir / "minimal.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    pdf, html = out / "minimal.pdf", out / "minimal.html"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "<!DOCTYPE html>" in html.read_text(encoding="utf-8")
    assert "(1 page, " in result.stdout and str(pdf) in result.stdout and str(html) in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["minimal.html", "minimal.pdf"]


def test_render_html_only(brief_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["render", str(brief_dir / "minimal.yaml"), "-o", str(out), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["minimal.html"]


def test_render_of_an_invalid_brief_writes_nothing(brief_dir: Path, tmp_path: Path) -> None:
    broken = brief_dir / "broken.yaml"
    broken.write_text("series: persian-files\nvolume: 1\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["render", str(brief_dir / "minimal.yaml"), str(broken), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_render_keeps_the_previous_output_when_the_brief_breaks(
    brief_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    brief = brief_dir / "minimal.yaml"
    assert runner.invoke(app, ["render", str(brief), "-o", str(out)]).exit_code == 0
    before = (out / "minimal.pdf").read_bytes()
    brief.write_text(brief.read_text(encoding="utf-8").replace("issue:", "isue:"), "utf-8")
    assert runner.invoke(app, ["render", str(brief), "-o", str(out)]).exit_code == 1
    assert (out / "minimal.pdf").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["minimal.html", "minimal.pdf"]


def test_render_without_a_brief_renders_the_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no briefs/ here: the installed reference brief is used
    result = runner.invoke(app, ["render", "-f", "html"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "persian-files-29-2.html").read_text(encoding="utf-8")
    assert "Belarus and Iran" in html


def test_two_briefs_with_one_output_name_are_refused(brief_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(brief_dir, other)
    out = tmp_path / "out"
    args = ["render", str(brief_dir / "minimal.yaml"), str(other / "minimal.yaml"), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "would write the same output files" in result.stderr
    assert not out.exists()


def test_an_output_folder_that_cannot_be_made_is_a_clean_error(
    brief_dir: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    result = runner.invoke(app, ["render", str(brief_dir / "minimal.yaml"), "-o", str(blocker)])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(brief_dir: Path) -> None:
    result = runner.invoke(app, ["render", str(brief_dir / "minimal.yaml"), "--format", "docx"])
    assert result.exit_code == 2
    assert runner.invoke(app, ["frobnicate"]).exit_code == 2


def test_open_launches_the_browser_on_the_html(
    brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    out = tmp_path / "out"
    args = ["render", str(brief_dir / "minimal.yaml"), "-o", str(out), "-f", "html", "--open"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert opened == [(out / "minimal.html").resolve().as_uri()]


def test_templates_lists_the_builtin_series_template() -> None:
    result = runner.invoke(app, ["templates"])
    assert result.exit_code == 0
    assert "series" in result.stdout
    assert "Persian Files" in result.stdout


def test_template_option_takes_a_folder(brief_dir: Path, tmp_path: Path) -> None:
    custom = tmp_path / "my-look"
    shutil.copytree(ROOT / "report_templates" / "series", custom)
    css = custom / "report.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.title { color: #123456; }\n", "utf-8")
    out = tmp_path / "out"
    args = ["render", str(brief_dir / "minimal.yaml"), "-o", str(out), "-f", "html"]
    result = runner.invoke(app, [*args, "--template", str(custom)])
    assert result.exit_code == 0, result.output
    assert "#123456" in (out / "minimal.html").read_text(encoding="utf-8")


def test_an_unknown_template_is_a_clean_error(brief_dir: Path, tmp_path: Path) -> None:
    args = ["render", str(brief_dir / "minimal.yaml"), "-o", str(tmp_path / "o"), "-t", "nope"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "no template named 'nope'" in result.stderr


def test_a_missing_label_renders_in_english_with_a_warning(brief_dir: Path, tmp_path: Path) -> None:
    template = tmp_path / "look"
    shutil.copytree(ROOT / "report_templates" / "series", template)
    (template / "labels" / "it.yaml").write_text("background: Contesto\n", encoding="utf-8")
    brief = brief_dir / "minimal.yaml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("language: en", "language: it"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["render", str(brief), "-f", "html", "-t", str(template), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {brief}: labels/it.yaml has no 'sources'; used the English label" in (
        result.stderr
    )
    html = (out / "minimal.html").read_text(encoding="utf-8")
    assert ">Contesto</h2>" in html and ">Sources</h2>" in html
    assert "10 febbraio 2025" in html  # dates still come from CLDR in Italian


def test_rich_markup_in_names_and_messages_is_printed_as_text(tmp_path: Path) -> None:
    # A template name, a folder or a warning may hold "[/]" or "[red]": it must reach the
    # terminal as written, not be read as Rich markup (or crash it).
    folder = tmp_path / "[bold]briefs"
    folder.mkdir()
    registry = (ROOT / "tests" / "fixtures" / "series.yaml").read_text(encoding="utf-8")
    (folder / "series.yaml").write_text(
        registry.replace("template: series", "template: '[/]'", 1), encoding="utf-8"
    )
    shutil.copy(ROOT / "tests" / "fixtures" / "minimal.yaml", folder / "minimal.yaml")
    result = runner.invoke(app, ["render", str(folder / "minimal.yaml"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = f"error: {folder / 'minimal.yaml'}: template folder {folder}/[/] does not exist"
    assert message in " ".join(result.stderr.split())
    ok = runner.invoke(app, ["validate", str(folder / "minimal.yaml")])
    assert f"✓ {folder / 'minimal.yaml'}" in ok.stdout


@pytest.mark.parametrize("command", ["render", "build", "preview"])
@pytest.mark.parametrize("value", ["99999999999999", "253402300800", "yesterday"])
def test_an_unusable_source_date_epoch_is_a_one_line_usage_error(
    command: str, value: str, brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    target = str(brief_dir / "minimal.yaml") if command != "build" else str(brief_dir)
    args = [command, target] + (["--out", str(tmp_path / "o")] if command != "preview" else [])
    result = runner.invoke(app, [*args, *(["--no-open"] if command == "preview" else [])])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SOURCE_DATE_EPOCH must be a whole number" in lines[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["render", "build"])
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--time-limit", "1e308"),
        ("--time-limit", "1e10"),
        ("--time-limit", "inf"),
        ("--time-limit", "nan"),
        ("--memory-limit", str(10**30)),
        ("--memory-limit", "9999999999"),
    ],
)
def test_limits_out_of_range_are_usage_errors(
    command: str, option: str, value: str, brief_dir: Path, tmp_path: Path
) -> None:
    target = str(brief_dir / "minimal.yaml") if command == "render" else str(brief_dir)
    result = runner.invoke(app, [command, target, "--out", str(tmp_path / "o"), option, value])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert option in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


# --- nothing raw reaches the terminal ----------------------------------------------------------

#: A file name that retitles the terminal (OSC 0) and reverses what follows it (U+202E).
HOSTILE = "pwn\x1b]0;pwn\x07\u202e"


def assert_printable(result: Result) -> None:
    """No raw escape sequence or bidi override in what the command printed; their escapes are."""
    for stream in (result.stdout, result.stderr):
        assert "\x1b]" not in stream and "\x07" not in stream, stream
        assert "\u202e" not in stream, stream
    assert "Traceback" not in result.output
    assert "\\x1b]0;pwn" in result.output, result.output


@pytest.fixture
def hostile(tmp_path: Path, fixtures_dir: Path) -> Path:
    """A folder and a brief named HOSTILE; the brief's text holds U+202E (lint quotes it)."""
    folder = tmp_path / HOSTILE
    folder.mkdir()
    shutil.copy(fixtures_dir / "series.yaml", folder / "series.yaml")
    text = (fixtures_dir / "minimal.yaml").read_text(encoding="utf-8")
    text = text.replace("language: en", "language: de")  # no German labels: a warning
    text = text.replace(  # YAML refuses ESC in a file, not a bidi override
        "geopolitical_context: |\n", "geopolitical_context: |\n  Uncited \u202e text.\n\n"
    )
    (folder / f"{HOSTILE}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["validate", "{brief}"], 0),
        (["validate", "{brief}", "{folder}/{name}-broken.yaml"], 1),
        (["render", "{brief}", "-f", "html", "-o", "{folder}/out"], 0),
        (["render", "{brief}", "-f", "html", "-t", "{folder}/nope"], 1),
        (["lint", "{brief}"], 0),
        (["build", "{folder}", "-o", "{folder}/site"], 0),
        (["new", "--series", "persian-files", "--folder", "{folder}"], 0),
        (["schema", "--out", "{folder}/schemas"], 0),
    ],
    ids=["validate", "validate-broken", "render", "render-error", "lint", "build", "new", "schema"],
)
def test_every_command_prints_hostile_names_and_text_escaped(
    hostile: Path, command: list[str], code: int
) -> None:
    brief = hostile / f"{HOSTILE}.yaml"
    if any("-broken" in a for a in command):
        (hostile / f"{HOSTILE}-broken.yaml").write_text("series: nope\n", encoding="utf-8")
    args = [a.format(brief=brief, folder=hostile, name=HOSTILE) for a in command]
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert_printable(result)


def test_the_templates_listing_prints_names_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "report_templates" / "series", tmp_path / HOSTILE)
    (tmp_path / HOSTILE / "labels" / f"{HOSTILE}.yaml").write_text("x: y\n", encoding="utf-8")
    monkeypatch.setattr("osintkit.templates.builtin_template_dirs", lambda: [tmp_path])
    result = runner.invoke(app, ["templates"])
    assert result.exit_code == 0, result.output
    assert_printable(result)


def test_the_preview_prints_names_escaped(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def stop(session: object, report: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C as soon as the first build is reported

    monkeypatch.setattr("osintkit.preview.rebuild_on_change", stop)
    result = runner.invoke(app, ["preview", str(hostile / f"{HOSTILE}.yaml"), "--no-open"])
    assert result.exit_code == 0, result.output
    assert "preview stopped" in result.stdout
    assert_printable(result)


@pytest.mark.parametrize("argument", ["--x" + HOSTILE, HOSTILE])
def test_usage_errors_print_the_command_line_escaped(argument: str) -> None:
    result = runner.invoke(app, ["templates", argument])
    assert result.exit_code == 2
    assert "\u202e" not in result.output and "\\u202e" in result.output


BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_every_bidi_control_in_a_brief_is_printed_escaped(hostile: Path) -> None:
    brief = hostile / f"{HOSTILE}.yaml"
    text = brief.read_text(encoding="utf-8").replace("\u202e", " ".join(BIDI_CONTROLS))
    brief.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["lint", str(brief)])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())  # the table may wrap the finding
    assert not set(BIDI_CONTROLS) & set(result.output)
    assert " ".join(f"\\u{ord(c):04x}" for c in BIDI_CONTROLS) in shown


def test_the_edition_levels_the_cli_accepts_are_the_tlp_order() -> None:
    # The command line keeps its own copy so that --help does not import the models.
    from osintkit.cli import _EDITIONS
    from osintkit.tradecraft import TLP_ORDER

    assert tuple(_EDITIONS) == tuple(TLP_ORDER)


# --- evidence ------------------------------------------------------------------------------------


def _evidence_add(brief: Path, *files: Path, extra: tuple[str, ...] = ()) -> Result:
    args = ["evidence", "add", str(brief), "mfa", *map(str, files)]
    return runner.invoke(app, [*args, "--captured", "2025-01-18T09:14:00+03:30", *extra])


def test_evidence_add_then_verify_then_a_changed_capture(brief_dir: Path, tmp_path: Path) -> None:
    capture = tmp_path / "page.html"
    capture.write_bytes(b"<p>the ministry's page</p>")
    brief = brief_dir / "minimal.yaml"
    result = _evidence_add(brief, capture, extra=("--tool", "SingleFile 1.22"))
    assert result.exit_code == 0, result.output
    assert f"copied {capture} → evidence/page.html" in " ".join(result.stdout.split())
    assert "added evidence/page.html to mfa" in result.stdout
    assert "captured 2025-01-18T05:44:00Z" in result.stdout  # +03:30 kept in UTC
    result = runner.invoke(app, ["evidence", "verify", str(brief_dir)])
    assert result.exit_code == 0, result.output
    assert "1 captures, 1 ok, 0 not" in result.stdout
    # The capture changes: verify says so, validate locates it, render writes nothing.
    (brief_dir / "evidence" / "page.html").write_bytes(b"<p>edited</p>")
    result = runner.invoke(app, ["evidence", "verify", str(brief)])
    assert result.exit_code == 1 and "changed" in result.stdout
    result = runner.invoke(app, ["validate", str(brief)])
    assert result.exit_code == 1
    assert "sources[0].captures[0].sha256: the file's SHA-256 is" in result.stderr
    assert "was the capture changed? [evidence]" in result.stderr
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(brief), "-o", str(out)])
    assert result.exit_code == 1 and "was the capture changed?" in result.stderr
    assert not out.exists()


def test_evidence_add_refuses_a_bad_time_and_a_late_one(brief_dir: Path, tmp_path: Path) -> None:
    capture = tmp_path / "page.html"
    capture.write_bytes(b"page")
    brief = brief_dir / "minimal.yaml"
    before = brief.read_bytes()
    result = runner.invoke(
        app, ["evidence", "add", str(brief), "mfa", str(capture), "--captured", "2025-01-18 09:14"]
    )
    assert result.exit_code == 2 and "Invalid value for '--captured'" in result.stderr
    result = runner.invoke(
        app, ["evidence", "add", str(brief), "mfa", str(capture), "--captured", "2025-03-01T00:00Z"]
    )
    assert result.exit_code == 1
    assert "is after the brief's date 2025-02-10" in result.stderr
    assert brief.read_bytes() == before and not (brief_dir / "evidence").exists()


def test_evidence_verify_of_a_brief_without_captures_and_of_broken_yaml(brief_dir: Path) -> None:
    result = runner.invoke(app, ["evidence", "verify", str(brief_dir / "minimal.yaml")])
    assert result.exit_code == 0 and "0 captures" in result.stdout
    (brief_dir / "broken.yaml").write_text("series: [\n", encoding="utf-8")
    result = runner.invoke(app, ["evidence", "verify", str(brief_dir)])
    assert result.exit_code == 1 and "broken.yaml:" in result.stderr


EDITIONS_BRIEF = Path(__file__).resolve().parent / "fixtures" / "editions" / "editions.yaml"


def test_export_writes_the_three_exports_of_each_brief(tmp_path: Path) -> None:
    persian = ROOT / "briefs" / "persian-files-fa-sample.yaml"
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(REFERENCE), str(persian), "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    # The reference brief keeps a capture of its Persian source: it has an evidence register.
    assert names == [
        *(f"persian-files-29-2.{kind}.json" for kind in ("csl", "evidence", "misp", "stix")),
        *(f"persian-files-fa-sample.{kind}.json" for kind in ("csl", "misp", "stix")),
    ]
    assert f"wrote {out / 'persian-files-29-2.stix.json'}" in " ".join(result.stdout.split())


def test_export_to_one_format_and_an_edition(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["export", str(EDITIONS_BRIEF), "--to", "stix", "--edition", "tlp:clear", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    (written,) = out.iterdir()
    assert written.name == "editions.clear.stix.json"
    assert "Astrakhan" not in written.read_text(encoding="utf-8")


def test_export_writes_nothing_unless_every_brief_exports(tmp_path: Path, brief_dir: Path) -> None:
    out = tmp_path / "out"
    broken = brief_dir / "broken.yaml"
    broken.write_text((brief_dir / "minimal.yaml").read_text().replace("volume: 29", "volume: x"))
    result = runner.invoke(
        app, ["export", str(brief_dir / "minimal.yaml"), str(broken), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "broken.yaml:3:9: error: volume:" in " ".join(result.stderr.split())
    assert "nothing was written" in result.stderr
    assert not out.exists()
    # An edition the reference brief cannot have: located, nothing written.
    result = runner.invoke(app, ["export", str(REFERENCE), "--edition", "AMBER", "-o", str(out)])
    assert result.exit_code == 1
    assert "no TLP:AMBER edition" in result.stderr and "[tlp]" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", [["export"], ["render", "-f", "html"]])
def test_an_edition_named_as_another_brief_is_refused(
    command: list[str], tmp_path: Path, fixtures_dir: Path
) -> None:
    # editions.yaml's TLP:CLEAR edition is written as editions.clear.*, which is also the name
    # of the CLEAR brief editions.clear.yaml's files: one would overwrite the other.
    folder = tmp_path / "briefs"
    shutil.copytree(EDITIONS_BRIEF.parent, folder)
    shutil.copy(fixtures_dir / "series.yaml", folder / "series.yaml")
    shutil.copy(fixtures_dir / "minimal.yaml", folder / "editions.clear.yaml")
    out = tmp_path / "out"
    briefs = [str(folder / "editions.yaml"), str(folder / "editions.clear.yaml")]
    result = runner.invoke(app, [*command, *briefs, "--edition", "CLEAR", "-o", str(out)])
    assert result.exit_code == 1
    assert "would write the same output files" in result.stderr
    assert not out.exists()


def test_export_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(REFERENCE), "--to", "pdf"])
    assert result.exit_code == 2
    assert "must be one of stix, misp, csl, evidence or all, not 'pdf'" in result.stderr


def test_export_of_a_leaking_edition_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import osintkit.exports.misp as misp

    def leaking(loaded: object) -> bytes:
        return json.dumps(
            {
                "Event": {
                    "info": "Three dock workers and one customs clerk report to "
                    "the liaison every Friday evening."
                }
            }
        ).encode()

    monkeypatch.setattr(misp, "misp_event", leaking)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["export", str(REFERENCE), str(EDITIONS_BRIEF), "--edition", "CLEAR", "-o", str(out)]
    )
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "editions.yaml: leak check: removed text" in text and "misp export" in text
    assert "nothing was written" in text
    assert not out.exists()  # not even the reference brief's, which did not leak


def test_export_says_what_a_brief_has_nothing_for(tmp_path: Path, brief_dir: Path) -> None:
    brief = brief_dir / "minimal.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text[: text.index("sources:")].replace(" [@mfa]", ""), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", str(brief), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "minimal.yaml: nothing to export as csl" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["minimal.misp.json", "minimal.stix.json"]


def test_export_into_a_file_is_one_line_of_error(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = runner.invoke(app, ["export", str(REFERENCE), "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write to")
    assert target.read_text() == "x"


def test_evidence_verify_keeps_each_status_whole_in_a_narrow_terminal(
    brief_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import osintkit.cli

    capture = tmp_path / "page.html"
    capture.write_bytes(b"page")
    assert _evidence_add(brief_dir / "minimal.yaml", capture).exit_code == 0
    (brief_dir / "evidence" / "page.html").unlink()
    (brief_dir / "odd.yaml").write_text(
        "sources:\n  - id: x\n    captures: [7, {file: a.txt, captured: 2025-01-18T09:00:00Z}]\n",
        encoding="utf-8",
    )
    # A 40-column terminal (Rich's own attribute: monkeypatch restores "not set").
    monkeypatch.setattr(osintkit.cli.out, "_width", 40)
    result = runner.invoke(app, ["evidence", "verify", str(brief_dir)])
    assert result.exit_code == 1
    rows = [line for line in result.stdout.splitlines() if line[:6].strip()][1:-1]
    statuses = [row.split()[3] for row in rows]
    assert statuses == ["missing", "invalid", "invalid"]
    monkeypatch.setattr(osintkit.cli.out, "_width", 200)
    result = runner.invoke(app, ["evidence", "verify", str(brief_dir)])
    assert "a capture is a mapping of file, sha256 and captured (and tool, note)" in result.stdout
    assert "sha256: field required" in result.stdout
