"""Page images of the sample briefs and their comparison with the committed baselines.

Not a test module: tests/test_visual.py and ``python -m tests.visual.refresh`` share it, so a
baseline is made exactly the way the test makes the image it compares with it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# PIL at module level (banned in src to keep the CLI quick to start): only the visual test and
# the refresh command import this module, and both need it at once.
from PIL import Image, ImageChops, ImageFilter  # noqa: TID253

import osintkit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BRIEFS = ROOT / "briefs"
#: Where a failing comparison writes its diff images (git-ignored).
DIFFS = HERE / "_diff"
REFRESH = "python -m tests.visual.refresh"

#: The reference brief, the Persian (right-to-left) sample and the longer sample with figures,
#: tables and footnotes: between them every part of the series template.
SAMPLES = ("persian-files-29-2", "persian-files-fa-sample", "persian-files-long-sample")

# 40 dpi: an A4 page is 331 x 468 pixels, a line of body text about 5 pixels high, so a block
# moved by one line shows while the baselines stay small (about 11 KB a page).
RESOLUTION = 40
# Measured on the three samples (December 2026, poppler 22.12), blur, threshold and tolerance
# chosen together. The same PDF through pdftocairo instead of pdftoppm (another rasteriser, so
# other antialiasing and hinting: more than two machines' poppler versions differ by) changes
# at most 0.19 % of a page's pixels, 0.05 % on most; one line added to the reference brief's
# background changes 12 % of its page, a left margin 1 mm wider 1.2 % of the first page.
# Without the blur the rasteriser noise alone is 9 %. One word changed within a line (0.03 %)
# passes: the text itself is the PDF-text tests' to guard, the look is this one's.
# Both images are blurred first, so a glyph edge antialiased or hinted one pixel over is a
# small grey change, not a black one.
BLUR_RADIUS = 1.0
# 16 grey levels: 4-bit baselines (see grey_levels).
LEVELS = 16
# A pixel counts as changed when its blurred grey level moves by more than this (of 255).
THRESHOLD = 48
# A page fails when more than this fraction of its pixels changed.
TOLERANCE = 0.005


def render(brief: Path, template: Path | None = None) -> bytes:
    """The PDF of ``brief`` as ``osintkit render`` makes it (``template``: an override folder).

    The page images do not depend on ``SOURCE_DATE_EPOCH`` (it dates the metadata only).
    """
    loaded = osintkit.load_brief(brief)
    found = osintkit.find_template(str(template), ROOT) if template else None
    rendered = osintkit.render_brief(loaded, formats=("pdf",), template=found)
    assert rendered.pdf is not None
    return rendered.pdf


def rasterise(pdf: bytes) -> list[Image.Image]:
    """Every page of ``pdf`` as a grey image at :data:`RESOLUTION`, by ``pdftoppm``."""
    with tempfile.TemporaryDirectory(prefix="osintkit-visual-") as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        # PGM, not pdftoppm's PNG (which is RGB even with -gray): raw grey pixels, which
        # png_bytes then writes the same way every time.
        subprocess.run(
            ["pdftoppm", "-r", str(RESOLUTION), "-gray", str(source), str(Path(folder) / "p")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        files = sorted(Path(folder).glob("p-*.pgm"), key=page_number)
        pages = []
        for file in files:
            with Image.open(file) as image:
                pages.append(grey_levels(image.convert("L")))
        return pages


def grey_levels(image: Image.Image) -> Image.Image:
    """``image`` in :data:`LEVELS` evenly spaced grey levels (0, 17, 34 … 255).

    A level moves by 8 at most, a sixth of :data:`THRESHOLD`, and a 4-bit PNG is half the size
    of an 8-bit one.
    """
    step = 255 // (LEVELS - 1)
    return image.point(lambda level: (level * (LEVELS - 1) + 127) // 255 * step)


def page_number(path: Path) -> int:
    """N of ``page-N.png`` or of pdftoppm's ``p-0N.pgm``."""
    match = re.search(r"-(\d+)\.\w+$", path.name)
    assert match, path
    return int(match[1])


def png_bytes(image: Image.Image) -> bytes:
    """``image`` (of :func:`grey_levels`) as a 4-bit grey PNG, byte for byte the same for the
    same pixels: Pillow writes no time or text chunks, and ``optimize`` always picks the same
    compression for the same data."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "PNG", optimize=True, bits=4)
    return buffer.getvalue()


def baselines(sample: str, folder: Path = HERE) -> list[Path]:
    """The committed page images of ``sample``, in page order."""
    found = (folder / sample).glob("page-*.png")
    return sorted(
        (path for path in found if re.fullmatch(r"page-\d+\.png", path.name)), key=page_number
    )


def write_baselines(sample: str, pages: list[Image.Image], folder: Path = HERE) -> list[Path]:
    """Replace ``sample``'s baselines with ``pages``; a page the sample no longer has goes."""
    target = folder / sample
    target.mkdir(parents=True, exist_ok=True)
    for old in baselines(sample, folder):
        old.unlink()
    written = []
    for number, page in enumerate(pages, 1):
        path = target / f"page-{number}.png"
        path.write_bytes(png_bytes(page))
        written.append(path)
    return written


def changed(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """A mask (255 where changed) of the pixels whose blurred grey levels differ by more
    than :data:`THRESHOLD`."""
    blur = ImageFilter.GaussianBlur(BLUR_RADIUS)
    difference = ImageChops.difference(
        expected.convert("L").filter(blur), actual.convert("L").filter(blur)
    )
    return difference.point(lambda level: 255 if level > THRESHOLD else 0)


def score(expected: Image.Image, actual: Image.Image) -> float:
    """The fraction of the page's pixels that changed (1.0 for pages of different sizes)."""
    if expected.size != actual.size:
        return 1.0
    mask = changed(expected, actual)
    return mask.histogram()[255] / (mask.width * mask.height)


def diff_image(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """Baseline, new render and the new render with its changed pixels in red, side by side."""
    width = max(expected.width, actual.width)
    height = max(expected.height, actual.height)
    canvas = Image.new("RGB", (3 * width + 2 * 4, height), "white")
    canvas.paste(expected.convert("RGB"), (0, 0))
    canvas.paste(actual.convert("RGB"), (width + 4, 0))
    # The new render faded, so the red of what changed stands out on it.
    faded = Image.new("L", (width, height), 255)
    faded.paste(actual.convert("L"), (0, 0))
    overlay = Image.merge("RGB", [faded.point(lambda v: 155 + v * 100 // 255)] * 3)
    mask = Image.new("L", (width, height), 0)
    if expected.size == actual.size:
        mask = changed(expected, actual)
    else:
        mask.paste(255, (0, 0, width, height))
    overlay.paste((220, 0, 0), (0, 0), mask)
    canvas.paste(overlay, (2 * (width + 4), 0))
    return canvas


@dataclass(frozen=True, slots=True)
class Comparison:
    """How a sample's new page images compare with its baselines."""

    sample: str
    #: Page number and score of every page compared, in page order.
    scores: list[tuple[int, float]]
    expected_pages: int
    actual_pages: int
    #: The folder the diff images of this comparison went to.
    diffs: Path
    #: Pages whose baseline PNG could not be read, with why (they fail, scored 1.0).
    unreadable: list[tuple[int, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[int, float]]:
        """The pages whose score is above :data:`TOLERANCE`."""
        return [(number, value) for number, value in self.scores if value > TOLERANCE]

    @property
    def passed(self) -> bool:
        """True when the page count is the baselines' and no page is above the tolerance."""
        return self.expected_pages == self.actual_pages and not self.failed

    def report(self) -> str:
        """What failed, one line a problem, and where the diff images are."""
        lines = []
        if self.expected_pages == 0:
            return f"{self.sample}: no baselines in {HERE / self.sample}: run `{REFRESH}`"
        if self.expected_pages != self.actual_pages:
            lines.append(
                f"{self.sample}: {self.actual_pages} pages rendered, {self.expected_pages} in "
                f"the baselines (pages past the shorter are not compared)"
            )
        broken = dict(self.unreadable)
        lines += [
            f"{self.sample} page {number}: baseline unreadable, {why}"
            for number, why in self.unreadable
        ]
        lines += [
            f"{self.sample} page {number}: {value:.2%} of its pixels changed "
            f"(tolerance {TOLERANCE:.2%})"
            for number, value in self.failed
            if number not in broken
        ]
        if len(self.failed) > len(broken):
            lines.append(f"diff images (baseline | new | changes in red): {self.diffs}")
        lines.append(f"if the change is intended, run `{REFRESH}` and commit tests/visual/")
        return "\n".join(lines)


def compare(
    sample: str, pages: list[Image.Image], folder: Path = HERE, diffs: Path = DIFFS
) -> Comparison:
    """Compare ``pages`` with ``sample``'s baselines in ``folder``; write a diff image of each
    page above the tolerance into ``diffs/<sample>/`` (emptied first)."""
    out = diffs / sample
    shutil.rmtree(out, ignore_errors=True)
    expected = baselines(sample, folder)
    scores = []
    unreadable = []
    for number, (path, actual) in enumerate(zip(expected, pages, strict=False), 1):
        try:
            with Image.open(path) as image:
                baseline = image.convert("L")
        except OSError as exc:  # not a PNG, or a truncated one (a bad merge, an LFS pointer)
            # A failed page with the reason, not a traceback out of PIL that names no sample.
            unreadable.append((number, f"{path}: {exc}"))
            scores.append((number, 1.0))
            continue
        value = score(baseline, actual)
        scores.append((number, value))
        if value > TOLERANCE:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"page-{number}.png").write_bytes(png_bytes_rgb(diff_image(baseline, actual)))
    return Comparison(sample, scores, len(expected), len(pages), out, unreadable)


def png_bytes_rgb(image: Image.Image) -> bytes:
    """``image`` as a colour PNG (a diff image; never committed)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def tools_missing() -> list[str]:
    """The tools the visual test needs that are not on PATH."""
    return [tool for tool in ("pdftoppm",) if shutil.which(tool) is None]
