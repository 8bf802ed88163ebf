"""Finding templates, their labels, and the filters that put text into CSS and HTML."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from osintkit.errors import TemplateError
from osintkit.render.html import POLICY_META, render_html
from osintkit.templates import css_string_filter as css_string
from osintkit.templates import fill, find_template, isolate, list_templates
from osintkit.validation import LoadedBrief, load_brief

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


# --- a template someone sent: confined to its folder, its labels filled by name only ----------

SECRET = "SECRET-7f3a9c"


@pytest.fixture
def look(tmp_path: Path) -> Path:
    """A copy of the series template, with a secret file beside (outside) it."""
    folder = tmp_path / "look"
    shutil.copytree(ROOT / "report_templates" / "series", folder)
    # Valid YAML, CSS and Jinja2 at once, so a template that reads it would render it.
    (tmp_path / "secret.txt").write_text(f"executive_summary: {SECRET}\n", encoding="utf-8")
    return folder


@pytest.fixture
def loaded(fixtures_dir: Path) -> LoadedBrief:
    return load_brief(fixtures_dir / "minimal.yaml")


def _page(folder: Path) -> Path:
    return folder / "report.html.j2"


def _add_to_body(folder: Path, code: str) -> None:
    page = _page(folder)
    page.write_text(
        page.read_text(encoding="utf-8").replace("</body>", f"{code}\n</body>"), encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("linked", "uses_it"),
    [
        ("report.css", ""),
        ("labels/en.yaml", ""),
        ("print.css.j2", ""),
        ("part.html", '{% include "part.html" %}'),
        ("base.html", '{% import "base.html" as base %}'),
        ("labels/it.yaml", ""),
    ],
)
def test_a_template_file_linked_out_of_the_folder_is_refused(
    look: Path, loaded: LoadedBrief, linked: str, uses_it: str
) -> None:
    target = look / linked
    target.unlink(missing_ok=True)
    target.symlink_to(look.parent / "secret.txt")
    _add_to_body(look, uses_it)
    if linked == "labels/it.yaml":
        loaded = dataclasses.replace(
            loaded, brief=loaded.brief.model_copy(update={"language": "it"})
        )
    with pytest.raises(TemplateError, match="leads out of the template folder") as caught:
        render_html(loaded, find_template(str(look)))
    assert str(target) in str(caught.value)
    assert SECRET not in str(caught.value)


def test_an_extended_template_linked_out_of_the_folder_is_refused(
    look: Path, loaded: LoadedBrief
) -> None:
    (look / "base.html").symlink_to(look.parent / "secret.txt")
    _page(look).write_text('{% extends "base.html" %}', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"base\.html leads out of the template folder"):
        render_html(loaded, find_template(str(look)))


def test_a_description_linked_out_of_the_folder_is_refused(look: Path) -> None:
    meta = look / "template.yaml"
    meta.unlink()
    meta.symlink_to(look.parent / "secret.txt")
    with pytest.raises(TemplateError, match=r"template\.yaml leads out of the template folder"):
        _ = find_template(str(look)).description


def test_links_inside_the_folder_are_followed(look: Path, loaded: LoadedBrief) -> None:
    (look / "styles").mkdir()
    (look / "report.css").rename(look / "styles" / "report.css")
    (look / "report.css").symlink_to(Path("styles") / "report.css")
    (look / "part.html").write_text("<p>from a part</p>", encoding="utf-8")
    (look / "alias.html").symlink_to("part.html")
    _add_to_body(look, '{% include "alias.html" %}')
    text = render_html(loaded, find_template(str(look))).text
    assert "<p>from a part</p>" in text and "--navy" in text


def test_an_include_cannot_climb_out_of_the_folder(look: Path, loaded: LoadedBrief) -> None:
    _add_to_body(look, '{% include "../secret.txt" %}')
    with pytest.raises(TemplateError, match=r"\.\./secret\.txt"):
        render_html(loaded, find_template(str(look)))


def _set_label(folder: Path, key: str, text: str) -> tuple[Path, str]:
    """Write ``key: "text"`` into labels/en.yaml; return the file and the line written."""
    labels = folder / "labels" / "en.yaml"
    lines = labels.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[number] = f'{key}: "{text}"'
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return labels, f"{number + 1}:{lines[number].index(text)}"


@pytest.mark.parametrize(
    ("key", "text", "bad", "message"),
    [
        ("contact_topic", "Ask {topic.__class__.__init__.__globals__}", "{topic", "attributes"),
        ("contact", "Ask {contact.join.__globals__[t].sys.modules}", "{contact", "attributes"),
        ("dual_date", "{gregorian.__class__}", "{gregorian", "without attributes or indexes"),
        ("solar_hijri_date", "{day} {month[0]} {year}", "{month", "without attributes"),
        ("accessed", "accessed {date:>999999999}", "{date", "no format spec"),
        ("accessed", "accessed {date!r}", "{date", "no format spec or conversion"),
        ("page_of", "Page {page} of {total}", "{total", r"no slot \{total\}; it takes \{page\}, "),
        ("page_of", "Page {0}", "{0", "not a slot"),
        ("accessed", "accessed { date", "{ date", "a { on its own; write {{"),
    ],
)
def test_a_label_that_is_not_filled_by_name_is_a_located_error(
    look: Path, loaded: LoadedBrief, key: str, text: str, bad: str, message: str
) -> None:
    labels, where = _set_label(look, key, text)
    line, start = where.split(":")
    column = int(start) + text.index(bad) + 1
    with pytest.raises(TemplateError, match=message) as caught:
        render_html(loaded, find_template(str(look)))
    assert str(caught.value).startswith(f"{labels}:{line}:{column}: {key}: ")


def test_a_label_never_reaches_the_environment(
    look: Path, loaded: LoadedBrief, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSINTKIT_TEST_TOKEN", SECRET)
    reach = "{contact.join.__globals__[t].sys.modules[os].environ[OSINTKIT_TEST_TOKEN]}"
    _set_label(look, "contact_topic", f"Ask {reach} about {{topic}}")
    with pytest.raises(TemplateError) as caught:
        render_html(loaded, find_template(str(look)))
    assert SECRET not in str(caught.value)


def test_a_label_of_the_wrong_shape_is_a_located_error(look: Path, loaded: LoadedBrief) -> None:
    labels = look / "labels" / "en.yaml"
    text = labels.read_text(encoding="utf-8")
    labels.write_text(text.replace("Bahman, Esfand]", "Bahman]"), encoding="utf-8")
    line = text[: text.index("solar_hijri_months:")].count("\n") + 1
    with pytest.raises(TemplateError, match=f"en.yaml:{line}:21: solar_hijri_months: is a list"):
        render_html(loaded, find_template(str(look)))


def test_double_braces_write_braces_and_slots_fill_by_name() -> None:
    assert fill("{{literal}} {date}", date="20 January") == "{literal} 20 January"
    with pytest.raises(TemplateError, match=r"no slot \{date\}; it takes none"):
        fill("accessed {date}")
    with pytest.raises(TemplateError, match="without attributes"):
        fill("{date.__class__}", date="x")


@pytest.mark.parametrize(
    "code",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__.os.environ }}",
        "{{ brief.__class__.__init__ }}",
        "{{ '{0.__class__}'.format(brief) }}",
        "{{ brief.sources.append(1) }}",
    ],
)
def test_template_code_runs_in_a_sandbox(
    look: Path, loaded: LoadedBrief, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    monkeypatch.setenv("OSINTKIT_TEST_TOKEN", SECRET)
    _add_to_body(look, code)
    with pytest.raises(TemplateError, match=r"template look: .*unsafe") as caught:
        render_html(loaded, find_template(str(look)))
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ range(10**9) }}", "OverflowError: Range too big"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "RecursionError"),
    ],
)
def test_template_code_that_raises_fails_the_render_cleanly(
    look: Path, loaded: LoadedBrief, code: str, message: str
) -> None:
    _add_to_body(look, code)
    with pytest.raises(TemplateError, match=f"template look: {message}"):
        render_html(loaded, find_template(str(look)))


def _variant(tmp_path: Path, extends: str, name: str = "variant") -> Path:
    folder = tmp_path / name
    (folder / "labels").mkdir(parents=True)
    (folder / "template.yaml").write_text(f"description: A variant\nextends: {extends}\n")
    return folder


def test_a_variant_overrides_only_its_stylesheet_and_one_label(
    tmp_path: Path, loaded: LoadedBrief
) -> None:
    variant = _variant(tmp_path, "series")
    (variant / "report.css").write_text(".title { color: rebeccapurple; }\n")
    (variant / "labels" / "en.yaml").write_text("sources: Bibliography\n")
    template = find_template(str(variant))
    assert template.folders == (variant, (ROOT / "report_templates" / "series").resolve())
    assert template.description == "A variant"
    assert template.languages() == ["en", "fa", "it", "ru"]  # the parent's catalogues
    html = render_html(loaded, template).text
    series_css = (ROOT / "report_templates" / "series" / "report.css").read_text()
    # The parent's stylesheet, then the variant's: its rules come last and win.
    assert html.index(series_css[:200]) < html.index(".title { color: rebeccapurple; }")
    assert '<h2 id="h-sources">Bibliography</h2>' in html
    assert '<h2 id="h-executive-summary">Executive Summary</h2>' in html  # the parent's label
    assert "@top-" in render_html(loaded, template).print_css  # the parent's print.css.j2


def test_a_variant_template_file_wins_and_is_confined_to_its_folder(
    tmp_path: Path, look: Path, loaded: LoadedBrief
) -> None:
    variant = _variant(tmp_path, "../look")
    (variant / "report.html.j2").write_text('{% include "part.html" %}{{ labels.sources }}')
    (look / "part.html").write_text("<p>the parent's part</p>")
    # After the policy osintkit puts first into every report.
    assert render_html(loaded, find_template(str(variant))).text == (
        f"\n{POLICY_META}<p>the parent's part</p>Sources"
    )
    (variant / "part.html").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(TemplateError, match="leads out of the template folder") as caught:
        render_html(loaded, find_template(str(variant)))
    assert SECRET not in str(caught.value)


def test_a_cycle_of_extends_is_an_error_naming_the_template_yaml(tmp_path: Path) -> None:
    first = _variant(tmp_path, "second", "first")
    _variant(tmp_path, "first", "second")
    (first / "report.html.j2").write_text("")
    with pytest.raises(TemplateError) as caught:
        find_template(str(first))
    assert str(caught.value) == (
        f"{tmp_path / 'second' / 'template.yaml'}:2:10: extends: 'first' leads back to itself "
        "(first → second → first)"
    )
    itself = _variant(tmp_path, "itself", "itself")
    with pytest.raises(TemplateError, match=r"itself/template\.yaml:2:10: .*\(itself → itself\)"):
        find_template(str(itself))


@pytest.mark.parametrize(
    ("extends", "message"),
    [
        ("nowhere", r"extends: no template named 'nowhere' \(known: series\)"),
        ("./nowhere", r"extends: template folder .*nowhere does not exist"),
        ("..", r"extends: .* is not a template folder"),
        ("[series]", r"extends: is the name or folder of another template"),
    ],
)
def test_a_missing_parent_is_an_error_naming_the_template_yaml(
    tmp_path: Path, extends: str, message: str
) -> None:
    variant = _variant(tmp_path, extends)
    with pytest.raises(TemplateError, match=f"^{variant / 'template.yaml'}:2:10: {message}"):
        find_template(str(variant))


def test_a_variant_without_a_file_its_chain_lacks_is_refused(tmp_path: Path) -> None:
    parent = _variant(tmp_path, "", "parent")
    (parent / "template.yaml").write_text("description: no files\n")
    variant = _variant(tmp_path, "parent")
    with pytest.raises(TemplateError, match=r"lacks report\.html\.j2, report\.css, .* extends\)"):
        find_template(str(variant))


def test_reports_in_other_languages_print_their_grades_and_yardstick_in_that_language(
    make_brief: Callable[..., Path],
) -> None:
    reference = (ROOT / "briefs" / "persian-files-29-2.yaml").read_text(encoding="utf-8")
    expected = {
        "en": ("Usually reliable; probably true", "UK PHIA probability yardstick", "Likely"),
        "fa": ("معمولاً موثق؛ احتمالاً درست", "معیار سنجش احتمال PHIA بریتانیا", "محتمل"),
        "ru": (
            "Обычно надёжный; вероятно, достоверно",
            "Шкала вероятностей PHIA (Великобритания)",
            "Вероятно",
        ),
        "it": (
            "Solitamente affidabile; probabilmente vera",
            "Scala di probabilità PHIA del Regno Unito",
            "Probabile",
        ),
    }
    for language, (grade_title, scale_title, judgement) in expected.items():
        text = reference.replace("language: en\n", f"language: {language}\n")
        brief = make_brief(text, f"{language}.yaml")
        shutil.copy(ROOT / "briefs" / "series.yaml", brief.parent / "series.yaml")
        evidence = ROOT / "briefs" / "evidence"
        shutil.copytree(evidence, brief.parent / "evidence", dirs_exist_ok=True)
        loaded = load_brief(brief)
        html = render_html(loaded, find_template("series")).text
        assert f'title="{grade_title}">B2</abbr>' in html, language
        band = "(۵۵–۷۵ %)" if language == "fa" else "(55–75 %)"
        assert f'<span class="likelihood" title="{scale_title}">{judgement} {band}</span>' in html
        assert "usually reliable" not in html.lower() or language == "en"


def test_the_english_grade_meanings_are_the_standard_s() -> None:
    from osintkit.loader import load_yaml
    from osintkit.tradecraft import CREDIBILITY, RELIABILITY, SCALES

    english = load_yaml(ROOT / "report_templates" / "series" / "labels" / "en.yaml").data
    assert english["reliability"] == RELIABILITY
    assert english["credibility"] == CREDIBILITY
    for scale, entries in SCALES.items():
        assert english["likelihood_terms"][scale] == {e.term: e.term for e in entries}


def test_a_grade_meaning_missing_from_a_catalogue_is_a_located_error(
    look: Path, loaded: LoadedBrief
) -> None:
    labels = look / "labels" / "en.yaml"
    text = labels.read_text(encoding="utf-8")
    labels.write_text(text.replace("  F: Reliability cannot be judged\n", ""), encoding="utf-8")
    line = text[: text.index("reliability:")].count("\n") + 1
    with pytest.raises(
        TemplateError, match=f"en.yaml:{line + 1}:3: reliability: is a mapping of A, B"
    ):
        render_html(loaded, find_template(str(look)))
