"""``osintkit new`` and ``osintkit schema``: the next issue's draft (numbered, never
overwriting, always loading; a value no brief can hold writes nothing) and the JSON Schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from typer.testing import CliRunner

from osintkit.cli import app
from osintkit.loader import load_yaml
from osintkit.output import TEMP_SUFFIX
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def new(folder: Path, *options: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["new", "--series", "persian-files", "--folder", str(folder), *options]
    )
    return result.exit_code, result.stdout, result.stderr


def briefs(folder: Path) -> list[str]:
    """Every file in ``folder`` but the registry, the schemas and the reference brief's
    evidence/ folder: briefs, and any leftover."""
    keep = {"series.yaml", "brief.schema.json", "series.schema.json", "evidence"}
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--title", "Iran\x1b]0;pwned\x07", "contains the control character U+001B"),
        ("--title", "Iran \uffff", "contains the non-character U+FFFF"),
        ("--title", "Iran \ud800", "contains a lone surrogate U+D800"),
        ("--title", "   ", "must not be empty"),
        ("--title", "x" * 501, "string should have at most 500 characters"),
        ("--language", "en\nevil: 1", "expected a BCP 47 language tag"),
        ("--language", "en\n", "expected a BCP 47 language tag"),
        ("--language", "en # x", "expected a BCP 47 language tag"),
        ("--volume", "10000", "input should be less than or equal to 9999"),
    ],
    ids=["escape", "non-character", "surrogate", "blank", "long", "injection", "newline",
         "comment", "volume"],
)  # fmt: skip
def test_a_value_no_brief_can_hold_is_a_usage_error_and_writes_nothing(
    series_dir: Path, option: str, value: str, reason: str
) -> None:
    # It used to write a draft the loader refused, which then held its number for good, or
    # (--language) YAML keys of the caller's choosing.
    code, _, stderr = new(series_dir, option, value)
    assert code == 2
    error = stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: Invalid value for '{option}': {reason}")
    assert "\x1b" not in stderr and "\uffff" not in stderr
    assert briefs(series_dir) == ["persian-files-29-2.yaml"]
    # Nothing was taken: the next draft is still issue 3.
    assert new(series_dir)[0] == 0
    assert briefs(series_dir) == ["persian-files-29-2.yaml", "persian-files-29-3.yaml"]


def test_the_draft_loads_with_the_values_given(series_dir: Path) -> None:
    title = 'Iran: "No" — [x], #1 & {y} \\ روابط'
    code, _, stderr = new(series_dir, "--title", title, "--language", "fa-IR")
    assert code == 0, stderr
    path = series_dir / "persian-files-29-3.yaml"
    loaded = load_brief(path)
    assert (loaded.brief.title, loaded.brief.language, loaded.brief.status) == (
        title,
        "fa-IR",
        "draft",
    )
    text = path.read_text(encoding="utf-8")
    # The template's look is kept: comments, plain keys, the title in double quotes.
    assert text.startswith("# yaml-language-server: $schema=brief.schema.json\n")
    assert "\nseries: persian-files\n" in text and "\nlanguage: fa-IR\n" in text
    assert '\ntitle: "Iran: \\"No\\" — [x], #1 & {y} \\\\ روابط"\n' in text
    # A second draft takes the next number.
    assert new(series_dir, "--title", "Next")[0] == 0
    assert load_brief(series_dir / "persian-files-29-4.yaml").brief.issue == 4


def test_registry_values_cannot_add_lines_to_the_draft(series_dir: Path) -> None:
    registry = series_dir / "series.yaml"
    text = registry.read_text(encoding="utf-8")
    text = text.replace("title: Persian Files", 'title: "Persian Files\\nevil: 1"', 1)
    text = text.replace("unit: SpecialEurasia OSINT Unit", "unit: 'Unit \"A\", ] B'", 1)
    registry.write_text(text, encoding="utf-8")
    code, _, stderr = new(series_dir)
    assert code == 0, stderr
    path = series_dir / "persian-files-29-3.yaml"
    assert "\nevil" not in path.read_text(encoding="utf-8")
    assert load_brief(path).brief.authors == ['Unit "A", ] B']


def test_a_draft_that_would_not_load_is_not_written(series_dir: Path) -> None:
    # The next issue after 9999 is past what a brief can number: the check catches it.
    last = series_dir / "persian-files-29-9999.yaml"
    reference = (series_dir / "persian-files-29-2.yaml").read_text(encoding="utf-8")
    last.write_text(reference.replace("issue: 2\n", "issue: 9999\n", 1), encoding="utf-8")
    code, _, stderr = new(series_dir)
    assert code == 1
    assert stderr.startswith(
        f"error: the draft would not load ({series_dir / 'persian-files-29-10000.yaml'}:7:8: "
        "issue: input should be less than or equal to 9999); nothing was written"
    )
    assert briefs(series_dir) == ["persian-files-29-2.yaml", "persian-files-29-9999.yaml"]
    assert not list(series_dir.glob(f".*{TEMP_SUFFIX}"))


def test_a_name_taken_by_a_dangling_symlink_is_left_alone(series_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    link = series_dir / "persian-files-29-3.yaml"
    link.symlink_to(target)
    code, _, stderr = new(series_dir)
    assert code == 1
    assert "already exists" in stderr
    assert link.is_symlink() and not target.exists()
    assert not list(series_dir.glob(f".*{TEMP_SUFFIX}"))


#: Titles the model holds: no control character but tab and line breaks, no non-character,
#: no lone surrogate, not blank.
titles = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=["Cc", "Cs"],
        exclude_characters="\ufffe\uffff",
        include_characters="\t\n",
    ),
    min_size=1,
    max_size=80,
).filter(
    lambda t: (
        t.strip() and not any(0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE for c in t)
    )
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=titles)
def test_any_title_a_brief_can_hold_comes_back_as_given(series_dir: Path, title: str) -> None:
    for path in series_dir.glob("persian-files-29-3.yaml"):
        path.unlink()
    code, _, stderr = new(series_dir, "--title", title)
    assert code == 0, stderr
    assert load_brief(series_dir / "persian-files-29-3.yaml").brief.title == title.strip()


# --- new ---------------------------------------------------------------------------------


def test_new_writes_the_next_issue_as_a_draft_that_validates(series_dir: Path) -> None:
    code, stdout, stderr = invoke(
        "new", "--series", "persian-files", "--title", "Iran and the SCO",
        "--folder", str(series_dir),
    )  # fmt: skip
    assert code == 0, stderr
    path = series_dir / "persian-files-29-3.yaml"
    assert f"wrote {path}" in " ".join(stdout.split())
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=brief.schema.json\n")
    assert "status: draft" in text and 'title: "Iran and the SCO"' in text
    assert (series_dir / "brief.schema.json").is_file()
    assert invoke("validate", str(series_dir))[0] == 0
    # The next one is issue 4; a new volume starts at issue 1.
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    assert (series_dir / "persian-files-29-4.yaml").is_file()
    invoke("new", "--series", "persian-files", "--volume", "30", "--folder", str(series_dir))
    assert (series_dir / "persian-files-30-1.yaml").is_file()


def test_new_never_overwrites(series_dir: Path) -> None:
    taken = series_dir / "persian-files-29-3.yaml"
    taken.write_text("# not a brief yet, but somebody's work\n", encoding="utf-8")
    code, _, stderr = invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    assert code == 1
    assert "already exists" in stderr
    assert taken.read_text(encoding="utf-8") == "# not a brief yet, but somebody's work\n"


def test_new_counts_invalid_briefs_and_names_unknown_series(series_dir: Path) -> None:
    broken = series_dir / "broken.yaml"
    broken.write_text("series: persian-files\nvolume: 29\nissue: 7\n", encoding="utf-8")
    assert invoke("new", "--series", "persian-files", "--folder", str(series_dir))[0] == 0
    assert (series_dir / "persian-files-29-8.yaml").is_file()
    code, _, stderr = invoke("new", "--series", "persian-file", "--folder", str(series_dir))
    assert code == 1
    assert "unknown series 'persian-file'" in stderr and "did you mean 'persian-files'" in stderr


def test_a_draft_renders_with_a_watermark(series_dir: Path, tmp_path: Path) -> None:
    invoke("new", "--series", "persian-files", "--folder", str(series_dir))
    draft = series_dir / "persian-files-29-3.yaml"
    code, _, stderr = invoke("render", str(draft), "-o", str(tmp_path / "out"), "-f", "pdf")
    assert code == 0, stderr
    text = "".join(
        p.extract_text() for p in PdfReader(tmp_path / "out" / draft.with_suffix(".pdf").name).pages
    )
    assert "DRAFT" in text


# --- schema ------------------------------------------------------------------------------


def test_schema_accepts_the_reference_briefs_and_rejects_a_typo(tmp_path: Path) -> None:

    code, _, stderr = invoke("schema", "--out", str(tmp_path))
    assert code == 0, stderr
    brief_schema = json.loads((tmp_path / "brief.schema.json").read_text(encoding="utf-8"))
    registry_schema = json.loads((tmp_path / "series.schema.json").read_text(encoding="utf-8"))
    for name in ("persian-files-29-2.yaml", "persian-files-fa-sample.yaml"):
        jsonschema.validate(load_yaml(ROOT / "briefs" / name).data, brief_schema)
    jsonschema.validate(load_yaml(ROOT / "briefs" / "series.yaml").data, registry_schema)
    data = load_yaml(ROOT / "briefs" / "persian-files-29-2.yaml").data
    data["backgruond"] = data.pop("background")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, brief_schema)


#: A commented-out line of YAML in the draft: a key, a list item or a block's continuation
#: after "# " (prose comments start otherwise: a capital, a backtick, a word and a space).
_COMMENTED_YAML = re.compile(r"^(\s*)# (?=[a-z_]+:|- |\s)", re.MULTILINE)


def test_every_optional_block_is_in_the_draft_and_validates_and_renders_uncommented(
    series_dir: Path, tmp_path: Path
) -> None:
    assert new(series_dir)[0] == 0
    draft = series_dir / "persian-files-29-3.yaml"
    full = series_dir / "full.yaml"
    full.write_text(
        _COMMENTED_YAML.sub(r"\1", draft.read_text(encoding="utf-8")).replace(
            "issue: 3", "issue: 9"
        ),
        encoding="utf-8",
    )
    brief = load_brief(full).brief
    assert brief.subtitle and brief.contact_topic and brief.calendar == "persian"
    assert brief.tlp == "AMBER" and brief.toc is True
    assert brief.bluf and brief.key_judgements and brief.timeline and brief.disclaimer
    assert [a if isinstance(a, str) else a.role for a in brief.authors] == [
        "SpecialEurasia OSINT Unit", "Lead analyst",
    ]  # fmt: skip
    assert brief.challenges.title
    (section,) = brief.sections
    assert (section.id, section.after) == ("sec-method", "background")
    (source,) = brief.sources
    assert (source.reliability, source.credibility) == ("B", "2")
    assert source.excerpt and source.translation and source.published
    assert [a.id for a in brief.appendices] == ["sec-annex-data"]
    code, _, stderr = invoke("render", str(full), "-o", str(tmp_path / "out"))
    assert code == 0, stderr
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "out" / "full.pdf").pages)
    assert "Annex A: Data tables" in text and "Method and sources" in text
