"""Finding templates, their labels, and the filters that put text into CSS and HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from osintkit.errors import TemplateError
from osintkit.templates import css_string_filter as css_string
from osintkit.templates import fill, find_template, isolate, list_templates

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


def test_labels_fall_back_to_english_per_key_with_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(ROOT / "report_templates" / "series", folder)
    (folder / "labels" / "it.yaml").write_text("background: Contesto\n", encoding="utf-8")
    language = find_template(str(folder)).language("it-IT")
    assert language.labels["background"] == "Contesto"
    assert language.labels["executive_summary"] == "Executive Summary"
    assert language.warnings == [
        "labels/it.yaml has no 'executive_summary'; used the English label"
    ]


def test_a_language_without_a_catalogue_gets_english_and_one_warning() -> None:
    language = find_template("series").language("de")
    assert language.labels["page_of"] == "Page {page} of {pages}"
    assert language.warnings == [
        "the template has no labels for language 'de'; used English labels"
    ]


def test_the_most_specific_catalogue_wins(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(ROOT / "report_templates" / "series", folder)
    (folder / "labels" / "fa-AF.yaml").write_text("volume: جلد\n", encoding="utf-8")
    template = find_template(str(folder))
    assert template.language("fa-AF").labels["volume"] == "جلد"
    assert template.language("fa-IR").labels["volume"] == "دوره"
    assert template.languages()[:1] == ["en"]
    assert {"fa", "ru", "it", "fa-AF"} <= set(template.languages())


def test_every_shipped_catalogue_has_every_english_label() -> None:
    template = find_template("series")
    english = template.catalogue("en")
    assert english is not None
    for name in template.languages():
        catalogue = template.catalogue(name)
        assert catalogue is not None
        assert set(catalogue) == set(english), name
        assert len(catalogue["solar_hijri_months"]) == 12, name


def test_a_broken_catalogue_is_a_template_error(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(ROOT / "report_templates" / "series", folder)
    (folder / "labels" / "ru.yaml").write_text("- not a mapping\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"ru\.yaml: labels are a mapping"):
        find_template(str(folder)).language("ru")


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


def test_isolate_gives_each_run_its_own_direction() -> None:
    assert isolate("Andrei Dapkiunas") == '<bdi dir="ltr">Andrei Dapkiunas</bdi>'
    assert isolate("عباس عراقچی") == '<bdi dir="rtl">عباس عراقچی</bdi>'
    assert isolate("2025 <&>") == "<bdi>2025 &lt;&amp;&gt;</bdi>"
