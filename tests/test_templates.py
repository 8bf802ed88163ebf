"""Finding templates, their labels, and the filters that put text into CSS and HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from osintkit.errors import TemplateError
from osintkit.templates import css_string, fill, find_template, list_templates, long_date

ROOT = Path(__file__).resolve().parents[1]


def test_builtin_series_template_is_found_by_name_from_anywhere(tmp_path: Path) -> None:
    template = find_template("series", tmp_path)
    assert template.folder == (ROOT / "report_templates" / "series").resolve()
    assert "series" in [t.name for t in list_templates()]
    assert template.description


def test_a_project_template_beside_the_registry_wins(tmp_path: Path) -> None:
    local = tmp_path / "report_templates" / "series"
    shutil.copytree(ROOT / "report_templates" / "series", local)
    assert find_template("series", tmp_path).folder == local.resolve()


def test_a_relative_path_is_taken_from_the_registry_folder(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "report_templates" / "series", tmp_path / "looks" / "mine")
    assert find_template("./looks/mine", tmp_path).name == "mine"


def test_missing_templates_and_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"no template named 'nope'.*series"):
        find_template("nope", tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.html.j2").write_text("x", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"lacks report\.css, labels/en\.yaml"):
        find_template(str(broken), tmp_path)


def test_labels_fall_back_to_english_per_key(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(ROOT / "report_templates" / "series", folder)
    (folder / "labels" / "it.yaml").write_text("background: Contesto\n", encoding="utf-8")
    labels = find_template(str(folder)).labels("it-IT")
    assert labels["background"] == "Contesto"
    assert labels["executive_summary"] == "Executive Summary"
    assert find_template(str(folder)).labels("xx")["page"] == "Page"


def test_css_string_cannot_break_out_of_a_style_element() -> None:
    value = css_string('Page"; } </style><script>alert(1)</script>')
    assert value.startswith('"') and value.endswith('"')
    assert "</style>" not in value and "<" not in value
    assert value.count('"') == 2
    assert css_string("صفحه") == '"صفحه"'


def test_fill_escapes_text_and_keeps_markup() -> None:
    from markupsafe import Markup

    out = fill("Contact {contact} about {topic}", contact=Markup("<a>x</a>"), topic="<b>")
    assert out == "Contact <a>x</a> about &lt;b&gt;"


def test_long_date() -> None:
    import datetime as dt

    assert long_date(dt.date(2025, 1, 20)) == "20 January 2025"
