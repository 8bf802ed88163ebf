"""The public API through ``import osintkit``: the pipeline a script follows gives the very
bytes ``osintkit render`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import osintkit
from osintkit.cli import app


@pytest.mark.parametrize("epoch", [None, "1700000000"])
def test_the_documented_api_gives_the_pdf_and_html_osintkit_render_writes(
    reference_brief: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str | None
) -> None:
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    out = tmp_path / "cli"
    result = CliRunner().invoke(app, ["render", str(reference_brief), "--out", str(out)])
    assert result.exit_code == 0, result.output
    pdf = (out / "persian-files-29-2.pdf").read_bytes()
    html = (out / "persian-files-29-2.html").read_bytes()

    loaded = osintkit.load_brief(reference_brief)
    rendered = osintkit.render_brief(loaded)
    assert rendered.pdf == pdf
    assert rendered.html.encode() == html
    # Three pages since issue 14 kept the back matter with the sources; the fourth is the
    # evidence register (issue 17), an annex, which starts a page of its own.
    assert rendered.pages == 4
    written = osintkit.write_report(rendered, tmp_path / "api")
    assert [(f.kind, f.path.read_bytes()) for f in written] == [("pdf", pdf), ("html", html)]

    # The two steps on their own: the HTML value carries the print CSS, folders and date.
    template = osintkit.find_template("series", reference_brief.parent)
    step = osintkit.render_pdf(osintkit.render_html(loaded, template))
    assert step.data == pdf
    in_process = osintkit.render_pdf(
        osintkit.render_html(loaded, template), osintkit.RenderLimits(sandbox=False)
    )
    assert in_process.data == pdf


def test_a_distribution_variant_through_the_api_is_the_one_render_writes(
    reference_brief: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = tmp_path / "cli"
    args = [
        "render",
        str(reference_brief),
        "-f",
        "pdf",
        "--pdf-variant",
        "pdf/a-3b",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    loaded = osintkit.load_brief(reference_brief)
    rendered = osintkit.render_brief(
        loaded, formats=("pdf",), pdf_variant=osintkit.PdfVariant.pdf_a_3b
    )
    assert rendered.pdf == (out / "persian-files-29-2.pdf").read_bytes()
    assert list(rendered.files) == ["pdf"]


def test_an_html_only_render_makes_no_pdf(reference_brief: Path) -> None:
    rendered = osintkit.render_brief(osintkit.load_brief(reference_brief), formats=("html",))
    assert rendered.pdf is None
    assert rendered.pages is None
    assert list(rendered.files) == ["html"]
    assert rendered.html.startswith("<!DOCTYPE html>")
