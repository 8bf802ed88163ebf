"""Page breaks and layout (issue 14), read back from the rendered PDFs page by page: how full
each page is, that table rows, captions and headings stay with their content, that the TLP
label is in every page's header and footer on the header text's baseline, and that a
restricted report states what its label means on its first page."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from ruamel.yaml import YAML

from osintkit.report import render_brief
from osintkit.validation import load_brief

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ("persian-files-29-2", "persian-files-fa-sample", "persian-files-long-sample")
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
MM = 72 / 25.4
# A4 less report.css's @page margins (24 mm top, 22 mm bottom): the text block, in PDF points
# from the top of the page.
TEXT_TOP, TEXT_BOTTOM = 24 * MM, 297 * MM - 22 * MM

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/setup.sh"
)


@dataclass(frozen=True)
class Word:
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class Rendered:
    pdf: Path
    html: str
    #: Each page's words with their boxes (pdftotext -bbox).
    boxes: list[list[Word]]
    #: Each page's text in reading order, white space folded.
    texts: list[str]


def minimal(**changes: object) -> dict[str, object]:
    """The minimal fixture brief as data, with ``changes`` made."""
    brief: dict[str, object] = dict(YAML(typ="safe").load(FIXTURES / "minimal.yaml"))
    return {**brief, **changes}


def write(brief: dict[str, object], path: Path) -> Path:
    """``brief`` written to ``path`` beside the tests' series.yaml."""
    shutil.copy(FIXTURES / "series.yaml", path.parent / "series.yaml")
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.dump(brief, path)
    return path


def words(text: str) -> str:
    return " ".join(text.translate(BIDI_CONTROLS).split())


def render(path: Path) -> Rendered:
    report = render_brief(load_brief(path))
    pdf = path.with_suffix(".pdf")
    pdf.write_bytes(report.files["pdf"])
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    boxes = [
        [
            Word(float(top), float(bottom), html.unescape(text))
            for top, bottom, text in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
                page,
            )
        ]
        for page in re.findall(r"<page [^>]*>(.*?)</page>", bbox, re.S)
    ]
    count = len(PdfReader(pdf).pages)
    texts = [
        words(
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                check=True, capture_output=True, text=True,
            ).stdout
        )
        for n in range(1, count + 1)
    ]  # fmt: skip
    return Rendered(pdf, report.files["html"].decode(), boxes, texts)


def body(page: list[Word]) -> list[Word]:
    """The words inside the text block: not the running header or footer."""
    return [w for w in page if w.top > TEXT_TOP and w.bottom < TEXT_BOTTOM]


def fill(page: list[Word]) -> float:
    """How far down the text block the page's lowest line reaches, 0 to 1."""
    lowest = max((w.bottom for w in body(page)), default=TEXT_TOP)
    return (lowest - TEXT_TOP) / (TEXT_BOTTOM - TEXT_TOP)


def page_of(rendered: Rendered, phrase: str) -> int:
    """The one page (from 0) whose text holds ``phrase``."""
    found = [i for i, text in enumerate(rendered.texts) if phrase in text]
    assert len(found) == 1, (phrase, found)
    return found[0]


@pytest.fixture(scope="module", params=SAMPLES)
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    folder = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "briefs", folder, dirs_exist_ok=True)
    return render(folder / f"{request.param}.yaml")


# --- page fill ---


def test_no_page_of_a_sample_is_less_than_a_quarter_full(sample: Rendered) -> None:
    # The last page included: each sample's last page carries body text or a full quarter.
    fills = [round(fill(page), 2) for page in sample.boxes]
    assert all(f >= 0.25 for f in fills), fills


def test_the_reference_brief_keeps_its_back_matter_with_its_sources(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "briefs", tmp_path, dirs_exist_ok=True)
    reference = render(tmp_path / "persian-files-29-2.yaml")
    # Four pages before issue 14, the fourth holding the legend and the contact line alone;
    # three after it. The fourth is now the evidence register (issue 17), an annex, which
    # starts a page of its own, with the contact line after it.
    assert len(reference.boxes) == 4
    last_source = page_of(
        reference, "the Embassy of Iran in Minsk began its work in February 2001."
    )
    assert page_of(reference, "Source grades (Admiralty system)") == last_source == 2
    assert fill(reference.boxes[2]) > 0.8
    assert page_of(reference, "Annex A: Evidence register") == 3
    assert page_of(reference, "regarding Iran-Belarus relations.") == 3


def test_a_long_box_breaks_between_its_items_and_fills_the_page(tmp_path: Path) -> None:
    judgement = "Belarus and Iran will keep widening trade and industrial cooperation. " * 3
    brief = minimal(
        key_judgements=[
            {"text": f"Judgement {i}: {judgement}", "likelihood": "likely", "confidence": "low"}
            for i in range(10)
        ],
        executive_summary="\n\n".join(["Belarus and Iran keep building a partnership. " * 8] * 3),
    )
    rendered = render(write(brief, tmp_path / "box.yaml"))
    # Kept whole, the box would move to page 2 and leave a third of page 1 blank.
    assert page_of(rendered, "Judgement 0:") == 0
    assert page_of(rendered, "Judgement 9:") == 1
    assert fill(rendered.boxes[0]) > 0.85
    # At least two judgements on each side of the break.
    assert page_of(rendered, "Judgement 1:") == 0 and page_of(rendered, "Judgement 8:") == 1
    # The frame is repeated: closed at the foot of page 1, opened again atop page 2.
    first_on_2 = min(w.top for w in rendered.boxes[1] if w.text == "Judgement")
    last_on_1 = max(w.bottom for w in rendered.boxes[0] if w.text.startswith("cooperation"))
    assert any(TEXT_TOP - 2 < y < first_on_2 for y in _frame_lines(rendered.pdf, 2))
    assert any(last_on_1 < y < TEXT_BOTTOM + 2 for y in _frame_lines(rendered.pdf, 1))


def _frame_lines(pdf: Path, page: int) -> list[float]:
    """The heights (pt) of the page's navy lines across more than half the text width."""
    from PIL import Image

    prefix = pdf.with_name(f"frame-{page}")
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(prefix)],
        check=True,
    )  # fmt: skip
    image = Image.open(f"{prefix}.png").convert("RGB")
    navy = [
        y for y in range(image.height)
        if sum(_near((20, 40, 75), image.getpixel((x, y))) for x in range(image.width)) > 250
    ]  # fmt: skip
    return [float(y) for y in navy]


def _near(colour: tuple[int, int, int], pixel: object) -> bool:
    return all(abs(a - b) < 60 for a, b in zip(colour, pixel, strict=True))  # type: ignore[call-overload]


# --- headings ---


class _Headings(HTMLParser):
    """(heading, the first words after it) for every h2/h3 of the report's body."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._heading: list[str] | None = None
        self._after: tuple[str, list[str]] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._hidden or {"footnote-text", "cite", "footnote-call"} & set(classes):
            self._hidden += 1
        if tag in ("h2", "h3") and not self._hidden:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            self._hidden -= 1
        elif tag in ("h2", "h3") and self._heading is not None:
            self._after = (words("".join(self._heading)), [])
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._heading is not None:
            self._heading.append(data)
        elif self._after is not None and data.strip():
            heading, following = self._after
            following.extend(words(data).split())
            if len(following) >= 2:
                self.found.append((heading, " ".join(following[:2])))
                self._after = None


def test_no_heading_is_the_last_line_of_a_page(sample: Rendered) -> None:
    parser = _Headings()
    parser.feed(sample.html.split("<body>", 1)[1].split('<section class="notes"', 1)[0])
    # The contents list and the masthead's lines are not what the test is about.
    headings = [(h, after) for h, after in parser.found if "contents" not in h.lower()]
    assert len(headings) >= 5
    for heading, after in headings:
        # The heading and the words after it are on one page: pdftotext reads them together,
        # a list's number between them (in Persian read back as ".۱", glued to the words).
        together = re.compile(
            rf"{re.escape(heading)} ([^ ]{{0,3}}\.[^ ]{{0,3}}? ?)?{re.escape(after)}"
        )
        assert any(together.search(text) for text in sample.texts), (heading, after)


# --- tables ---


def _chronology_brief(rows: int) -> dict[str, object]:
    start = date(1990, 1, 3)
    return minimal(
        timeline=[
            {
                "date": (start + timedelta(days=97 * i)).isoformat(),
                "event": f"Event {i} opens here and runs long enough to wrap onto a second line of "
                f"the event column, where event {i} closes.",
            }
            for i in range(rows)
        ]
    )


def test_a_sixty_row_chronology_never_splits_a_row_or_strands_one(tmp_path: Path) -> None:
    rendered = render(write(_chronology_brief(60), tmp_path / "chronology.yaml"))
    assert len(rendered.texts) >= 3
    start = date(1990, 1, 3)
    rows_on: dict[int, int] = {}
    for i in range(60):
        day = start + timedelta(days=97 * i)
        when = f"{day.day} {day:%B} {day.year}"
        page = page_of(rendered, f"Event {i} opens here")
        # The date, the event's first line and its last line on one page.
        assert f"where event {i} closes." in rendered.texts[page]
        assert re.search(rf"(?<!\d){when}", rendered.texts[page]), (i, when, page)
        rows_on[page] = rows_on.get(page, 0) + 1
    # The table breaks (so the rule is exercised) and no page holds fewer than two rows of it.
    assert len(rows_on) >= 2
    assert min(rows_on.values()) >= 2, rows_on
    for page in rows_on:  # the header repeated on every page
        assert "Date" in [w.text for w in body(rendered.boxes[page])], page


def _tables_brief(count: int) -> dict[str, object]:
    """A brief of ``count`` captioned tables, each after a paragraph one sentence longer than
    the last, so the tables fall at every height of a page, some at its foot."""
    blocks = []
    for i in range(count):
        filler = " ".join(
            f"Paragraph {i} sentence {s} fills the page so the next table moves down."
            for s in range(2 + i % 7)
        )
        rows = "\n".join(f"| {i}-{r} first cell | {i}-{r} second cell |" for r in range(4))
        blocks.append(
            f"{filler}\n\n| Key {i} | Value {i} |\n|---|---|\n{rows}\n\n"
            f": Caption of table {i}, above its rows. {{#tbl-t{i}}}\n\n"
            f"As [@tbl-t{i}] shows."
        )
    return minimal(background="\n\n".join(blocks))


def test_a_caption_stays_with_its_table_and_a_table_with_its_first_two_rows(
    tmp_path: Path,
) -> None:
    count = 24
    rendered = render(write(_tables_brief(count), tmp_path / "tables.yaml"))
    moved = 0
    for i in range(count):
        caption = page_of(rendered, f"Caption of table {i}, above its rows.")
        rows = [page_of(rendered, f"{i}-{r} first cell {i}-{r} second cell") for r in range(4)]
        assert rows[0] == rows[1] == caption, (i, caption, rows)
        assert rows[3] == rows[2], (i, rows)  # the last row is never alone
        # A caption set first on its page means the table would have started at the page's foot.
        moved += (
            rendered.texts[caption]
            .split("TLP:CLEAR", 1)[-1]
            .lstrip()
            .startswith(f"Table {i + 1}: Caption of table {i}")
        )
    assert moved >= 1, "no table reached a page's foot: the fixture tests nothing"


# --- figures ---


def test_a_tall_figure_never_exceeds_the_text_block(tmp_path: Path, make_png: object) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "tall.png").write_bytes(make_png(20, 400))  # type: ignore[operator]
    background = (
        "A tall chart follows ([@fig-tall]).\n\n"
        '![A chart twenty times as tall as it is wide.](figures/tall.png){#fig-tall alt="A tall '
        'red bar" width=100%}'
    )
    rendered = render(write(minimal(background=background), tmp_path / "tall.yaml"))
    from PIL import Image

    for n in range(1, len(rendered.texts) + 1):
        prefix = tmp_path / f"page-{n}"
        subprocess.run(
            ["pdftoppm", "-r", "72", "-png", "-f", str(n), "-l", str(n), "-singlefile",
             str(rendered.pdf), str(prefix)],
            check=True,
        )  # fmt: skip
        image = Image.open(f"{prefix}.png").convert("RGB")
        red = [
            y for y in range(image.height)
            for x in range(0, image.width, 4) if image.getpixel((x, y)) == (200, 30, 30)
        ]  # fmt: skip
        if red:
            assert min(red) >= TEXT_TOP - 1 and max(red) <= TEXT_BOTTOM + 1, (n, min(red), max(red))
            break
    else:
        pytest.fail("the figure was not drawn")


def test_a_figure_with_no_room_left_moves_whole_to_the_next_page_with_its_caption(
    tmp_path: Path, make_png: object
) -> None:
    """Each figure a colour: drawn on one page only, the page of its caption."""
    (tmp_path / "figures").mkdir()
    colours = [(200, 30 + 8 * i, 30) for i in range(24)]
    blocks = []
    for i, colour in enumerate(colours):
        (tmp_path / "figures" / f"f{i}.png").write_bytes(make_png(10, 10, colour))  # type: ignore[operator]
        blocks.append(f"Paragraph before figure {i}. " * (20 + i))
        blocks.append(
            f'![Caption of figure {i}.](figures/f{i}.png){{#fig-f{i} alt="A square" width=60%}}'
        )
    mentions = " ".join(f"[@fig-f{i}]" for i in range(len(colours)))
    brief = minimal(background=f"{mentions}\n\n" + "\n\n".join(blocks))
    rendered = render(write(brief, tmp_path / "figures.yaml"))
    from PIL import Image

    seen: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
    for n in range(1, len(rendered.texts) + 1):
        prefix = tmp_path / f"page-{n}"
        subprocess.run(
            ["pdftoppm", "-r", "24", "-png", "-f", str(n), "-l", str(n), "-singlefile",
             str(rendered.pdf), str(prefix)],
            check=True,
        )  # fmt: skip
        image = Image.open(f"{prefix}.png").convert("RGB")
        for y in range(image.height):
            for colour in {image.getpixel((x, y)) for x in range(image.width)} & set(colours):
                seen.setdefault(colour, []).append((n - 1, y))  # type: ignore[arg-type]
    moved = 0
    for i, colour in enumerate(colours):
        pages = {page for page, _y in seen.get(colour, [])}
        assert pages == {page_of(rendered, f"Caption of figure {i}.")}, (i, pages)
        [page] = pages
        top = min(y for _p, y in seen[colour]) / 24 * 72
        # At the top of its page, the page before left part empty: it moved.
        if page and top < TEXT_TOP + 20 and fill(rendered.boxes[page - 1]) < 0.8:
            moved += 1
    assert moved >= 1, "no figure met a page's foot: the fixture tests nothing"


# --- TLP marking ---


def test_every_page_carries_the_tlp_label_in_its_header_and_its_footer(sample: Rendered) -> None:
    for n, page in enumerate(sample.boxes, 1):
        marks = [w for w in page if w.text == "TLP:CLEAR"]
        assert any(w.bottom < TEXT_TOP for w in marks), f"page {n}: no label in the header"
        assert any(w.top > TEXT_BOTTOM for w in marks), f"page {n}: no label in the footer"


def _baselines(pdf: Path) -> list[tuple[str, float]]:
    """The baseline (points from the page top) of each text run in page 1's margins."""
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        y = 297 * MM - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
        if text.strip() and (y < TEXT_TOP or y > TEXT_BOTTOM):
            found.append((words(text), round(y, 2)))

    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return found


def test_the_tlp_label_sits_on_the_baseline_of_the_header_and_footer_text(
    sample: Rendered,
) -> None:
    lines = _baselines(sample.pdf)
    header = [y for _, y in lines if y < TEXT_TOP]
    footer = [y for _, y in lines if y > TEXT_BOTTOM]
    (label_header,) = (y for text, y in lines if text == "TLP:CLEAR" and y < TEXT_TOP)
    (label_footer,) = (y for text, y in lines if text == "TLP:CLEAR" and y > TEXT_BOTTOM)
    (title,) = (y for text, y in lines if text == "Persian Files" and y < TEXT_TOP)
    # On the series title's baseline; the Persian numbering, set in Naskh, differs by 1.5 pt.
    assert abs(label_header - title) < 0.5, lines
    assert max(header) - min(header) < 2, lines
    # Before issue 14 the label stood 8 pt above the header text.
    assert abs(label_footer - min(footer)) < 0.5 and max(footer) - min(footer) < 0.5, lines


FIRST = {
    "RED": "For the eyes and ears of individual recipients only, no further disclosure.",
    "AMBER": "Limited disclosure, recipients can only spread this on a need-to-know basis "
    "within their organization and its clients.",
    "AMBER+STRICT": "Limited disclosure, recipients can only spread this on a need-to-know basis "
    "within their organization and its clients. Note that TLP:AMBER+STRICT restricts sharing to "
    "the organization only.",
}


@pytest.mark.parametrize("level", ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"])
def test_a_restricted_report_states_its_handling_on_page_one_only(
    level: str, tmp_path: Path
) -> None:
    # Long enough for a second page, which must not repeat the statement.
    background = "\n\n".join(
        f"Paragraph {i} of a background long enough to need a second page of the report."
        for i in range(60)
    )
    rendered = render(write(minimal(tlp=level, background=background), tmp_path / "brief.yaml"))
    assert len(rendered.texts) >= 2
    statement = f"TLP:{level} {FIRST[level]}" if level in FIRST else None
    for n, text in enumerate(rendered.texts):
        assert f"TLP:{level}" in text
        has = "Limited disclosure" in text or "eyes and ears" in text
        assert has == (statement is not None and n == 0), (n, text[:300])
    if statement:
        assert statement in rendered.texts[0]


def test_every_catalogue_has_the_handling_statements() -> None:
    labels = ROOT / "report_templates" / "series" / "labels"
    english = YAML(typ="safe").load(labels / "en.yaml")
    assert english["tlp_handling"] == FIRST
    for catalogue in ("fa", "it", "ru"):
        data = YAML(typ="safe").load(labels / f"{catalogue}.yaml")
        assert set(data["tlp_handling"]) == set(FIRST), catalogue
        assert "TLP:AMBER+STRICT" in data["tlp_handling"]["AMBER+STRICT"], catalogue
