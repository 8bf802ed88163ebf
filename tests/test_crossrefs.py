"""Cross-reference targets: figures and tables numbered in the order the report prints them,
sections by their titles, annexes by their letters, in the report language's words and digits."""

from __future__ import annotations

from osintkit.crossrefs import Target, targets
from osintkit.models import Brief
from osintkit.templates import find_template
from support import tiny_brief

_FIGURE = '![{caption}](f.svg){{#{id} alt="A chart"}}'
_TABLE = "| a |\n|---|\n| 1 |\n\n: {caption} {{#{id}}}"


def _targets(brief: Brief, language: str = "en") -> dict[str, Target]:
    report = find_template("series").language(language)
    return targets(brief, report.labels, report.number)


def test_figures_and_tables_are_numbered_in_reading_order_not_file_order() -> None:
    brief = tiny_brief(
        # Written last in the file, printed first: the annex comes after everything.
        appendices=[
            {
                "id": "sec-annex-data",
                "title": "Data",
                "body": _TABLE.format(caption="Annexed.", id="tbl-annex"),
            }
        ],
        geopolitical_context=_FIGURE.format(caption="Second.", id="fig-second")
        + "\n\n"
        + _TABLE.format(caption="Body table.", id="tbl-body"),
        # Placed after the background: before the geopolitical context in print.
        sections=[
            {
                "id": "sec-method",
                "title": "Method and sources",
                "after": "background",
                "body": _FIGURE.format(caption="First.", id="fig-first"),
            }
        ],
    )
    assert _targets(brief) == {
        "sec-method": Target("section", "Method and sources", "#sec-method"),
        "sec-annex-data": Target("annex", "Annex A", "#sec-annex-data"),
        "fig-first": Target("figure", "Figure 1", "#fig-first"),
        "fig-second": Target("figure", "Figure 2", "#fig-second"),
        "tbl-body": Target("table", "Table 1", "#tbl-body"),
        "tbl-annex": Target("table", "Table 2", "#tbl-annex"),
    }


def test_labels_and_digits_are_the_report_languages() -> None:
    brief = tiny_brief(
        language="fa",
        background=_FIGURE.format(caption="نمودار", id="fig-a"),
        appendices=[{"id": "sec-b", "title": "داده‌ها", "body": "متن."}],
    )
    found = _targets(brief, "fa")
    assert found["fig-a"].label == "شکل ۱"
    assert found["sec-b"].label.endswith("A")


def test_an_image_without_an_id_or_in_running_text_is_not_numbered() -> None:
    brief = tiny_brief(
        background="![x](f.svg)\n\nText ![y](f.svg){#fig-inline alt=y} more.\n\n"
        + _FIGURE.format(caption="Counted.", id="fig-counted")
    )
    assert _targets(brief) == {"fig-counted": Target("figure", "Figure 1", "#fig-counted")}
