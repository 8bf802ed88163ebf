"""The look of the three samples, page by page, against the committed baselines (tests/visual/).

Each page is rasterised at 40 dpi in grey and scored by the fraction of its pixels that changed
(tests/visual/pages.py has the numbers and their measurements). A failure names the pages and
their scores and writes diff images to tests/visual/_diff/; after an intended change to the
look, `python -m tests.visual.refresh` makes new baselines.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

# PIL at module level: every test here needs it, and it is what the module is about.
from PIL import Image, ImageDraw  # noqa: TID253

from support import require
from visual.pages import (
    BRIEFS,
    ROOT,
    SAMPLES,
    TOLERANCE,
    compare,
    grey_levels,
    png_bytes,
    rasterise,
    render,
    score,
    tools_missing,
    write_baselines,
)

pytestmark = pytest.mark.visual

REFERENCE = SAMPLES[0]


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """Each sample's PDF, rendered once for the module."""
    require(tools_missing())
    return {sample: render(BRIEFS / f"{sample}.yaml") for sample in SAMPLES}


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_page_of_a_sample_looks_as_its_baseline(
    rendered: dict[str, bytes], sample: str
) -> None:
    comparison = compare(sample, rasterise(rendered[sample]))
    if not comparison.passed:
        # The report alone: pytest's traceback would print the PDFs' bytes.
        pytest.fail(comparison.report(), pytrace=False)


def test_a_line_added_fails_on_its_page_only(rendered: dict[str, bytes], tmp_path: Path) -> None:
    folder = tmp_path / "briefs"
    shutil.copytree(BRIEFS, folder)
    brief = folder / f"{REFERENCE}.yaml"
    text = brief.read_text(encoding="utf-8")
    anchor = "  Both countries have pursued"
    assert anchor in text
    brief.write_text(
        text.replace(anchor, "  One more paragraph of a single line.\n\n" + anchor, 1),
        encoding="utf-8",
    )
    comparison = compare(REFERENCE, rasterise(render(brief)), diffs=tmp_path / "diffs")
    scores = dict(comparison.scores)
    # The background's second page: everything under the new line moved down by one.
    assert scores[2] > 10 * TOLERANCE
    assert [number for number, _ in comparison.failed] == [2]
    assert "page 2:" in comparison.report() and "python -m tests.visual.refresh" in (
        comparison.report()
    )
    with Image.open(tmp_path / "diffs" / REFERENCE / "page-2.png") as diff:
        # Baseline, new render and changes, side by side; the changes in red.
        assert diff.width > 3 * 331 and diff.mode == "RGB"
        assert (220, 0, 0) in {colour for _, colour in diff.getcolors(1 << 16) or []}


def test_a_margin_two_millimetres_wider_fails(tmp_path: Path) -> None:
    require(tools_missing())
    variant = tmp_path / "wider"
    variant.mkdir()
    series = (ROOT / "report_templates" / "series").as_posix()
    (variant / "template.yaml").write_text(f"extends: {series}\n", encoding="utf-8")
    (variant / "report.css").write_text("@page { margin-left: 22mm; }\n", encoding="utf-8")
    pages = rasterise(render(BRIEFS / f"{REFERENCE}.yaml", variant))
    comparison = compare(REFERENCE, pages, diffs=tmp_path / "diffs")
    assert comparison.failed and max(value for _, value in comparison.scores) > 2 * TOLERANCE


def test_another_rasteriser_passes(rendered: dict[str, bytes], tmp_path: Path) -> None:
    # pdftocairo antialiases and hints glyphs otherwise than pdftoppm: more noise than two
    # machines' poppler versions make, and still within the tolerance.
    require([tool for tool in ("pdftocairo",) if shutil.which(tool) is None])
    for sample in SAMPLES:
        pdf = tmp_path / f"{sample}.pdf"
        pdf.write_bytes(rendered[sample])
        out = tmp_path / sample
        subprocess.run(
            ["pdftocairo", "-r", "40", "-gray", "-png", str(pdf), str(out)],
            check=True,
            capture_output=True,
        )
        files = sorted(tmp_path.glob(f"{sample}-*.png"), key=lambda p: int(p.stem.rsplit("-")[-1]))
        pages = [grey_levels(Image.open(file).convert("L")) for file in files]
        comparison = compare(sample, pages, diffs=tmp_path / "diffs")
        assert comparison.passed, comparison.report()
        assert max(value for _, value in comparison.scores) < TOLERANCE / 2


def page(offset: int = 0) -> Image.Image:
    """A synthetic page: three blocks of 'text', the middle one ``offset`` pixels down."""
    image = Image.new("L", (331, 468), 255)
    draw = ImageDraw.Draw(image)
    for top in (40, 200 + offset, 360):
        for line in range(8):
            draw.rectangle((30, top + 7 * line, 300, top + 7 * line + 3), fill=40)
    return grey_levels(image)


def test_a_page_count_change_fails_with_the_counts(tmp_path: Path) -> None:
    write_baselines("sample", [page(), page()], tmp_path)
    comparison = compare("sample", [page(), page(), page()], tmp_path, tmp_path / "diffs")
    assert not comparison.passed
    assert comparison.report().splitlines()[0] == (
        "sample: 3 pages rendered, 2 in the baselines (pages past the shorter are not compared)"
    )
    fewer = compare("sample", [page()], tmp_path, tmp_path / "diffs")
    assert "1 pages rendered, 2 in the baselines" in fewer.report()


def test_a_sample_without_baselines_says_how_to_make_them(tmp_path: Path) -> None:
    comparison = compare("new-sample", [page()], tmp_path, tmp_path / "diffs")
    assert not comparison.passed
    assert "no baselines in" in comparison.report()
    assert "python -m tests.visual.refresh" in comparison.report()


def test_a_block_moved_by_a_line_scores_above_the_tolerance() -> None:
    assert score(page(), page()) == 0
    # One pixel (0.6 mm at 40 dpi) already; a whole line pitch (7 px) only at the block's first
    # and last lines, the others then lie where their neighbours were.
    assert score(page(), page(1)) > 10 * TOLERANCE
    assert score(page(), page(7)) > 4 * TOLERANCE
    # Different page sizes (A4 against Letter) are a change of the whole page.
    assert score(page(), Image.new("L", (331, 428), 255)) == 1.0


def test_baselines_are_the_same_bytes_each_time(tmp_path: Path) -> None:
    first = write_baselines("sample", [page(), page(3)], tmp_path / "one")
    second = write_baselines("sample", [page(), page(3)], tmp_path / "two")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert png_bytes(page()) == first[0].read_bytes()
    # A refresh to fewer pages removes the pages the sample no longer has.
    write_baselines("sample", [page()], tmp_path / "one")
    assert [p.name for p in (tmp_path / "one" / "sample").iterdir()] == ["page-1.png"]
    with Image.open(first[0]) as image:
        assert image.mode == "L" and image.size == (331, 468)


def test_a_corrupt_or_truncated_baseline_fails_that_page_with_why(tmp_path: Path) -> None:
    first, second, _third = write_baselines("sample", [page(), page(), page()], tmp_path)
    first.write_bytes(b"version https://git-lfs.github.com/spec/v1\n")  # an LFS pointer
    second.write_bytes(second.read_bytes()[:40])  # cut short
    comparison = compare("sample", [page(), page(), page()], tmp_path, tmp_path / "diffs")
    assert not comparison.passed
    assert [number for number, _ in comparison.failed] == [1, 2]
    lines = comparison.report().splitlines()
    assert lines[0].startswith(f"sample page 1: baseline unreadable, {first}: ")
    assert lines[1].startswith(f"sample page 2: baseline unreadable, {second}: ")
    # No "pixels changed" line or diff folder for a page that was never compared.
    assert "changed" not in comparison.report() and "diff images" not in comparison.report()
