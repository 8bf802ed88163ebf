"""End to end: reports in Persian and Russian, read back from the PDF as a reader gets them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from conftest import MakeBrief
from osintkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PERSIAN_SAMPLE = ROOT / "briefs" / "persian-files-fa-sample.yaml"
PERSIAN_SEED = ROOT / "seeds" / "000_eb7cd7428725e614.txt"

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by scripts/setup.sh"
)


def render(brief: Path, out: Path, fmt: str = "pdf") -> Path:
    result = CliRunner().invoke(app, ["render", str(brief), "--out", str(out), "-f", fmt])
    assert result.exit_code == 0, result.output
    return out / f"{brief.stem}.{fmt}"


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def compact(text: str) -> str:
    """The letters and digits of ``text``, in order."""
    return "".join(ch for ch in text if ch.isalnum())


def letters(text: str) -> str:
    """The letters of ``text``, in order.

    In a right-to-left line, pdftotext regroups the numbers, brackets and stops around
    embedded left-to-right runs by its own rules ("2018- 2016" comes back as "2016 -2018")
    though the PDF draws them in place, as word_boxes() shows; so the reading order of a
    Persian line is checked on its letters, and its numbers separately.
    """
    return "".join(ch for ch in text if ch.isalpha())


def numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+", text))


def word_boxes(pdf: Path, page: int) -> list[tuple[str, float, float, float]]:
    """(word, x-min, y-min, x-max) of every word on a page, as poppler places them."""
    html = pdftotext(pdf, "-bbox", "-f", str(page), "-l", str(page))
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>'
    return [
        (m.group(4), float(m.group(1)), float(m.group(2)), float(m.group(3)))
        for m in re.finditer(pattern, html)
    ]


@pytest.fixture(scope="module")
def persian_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(PERSIAN_SAMPLE, tmp_path_factory.mktemp("fa"))


def test_persian_sample_has_persian_labels_digits_and_dates(persian_pdf: Path) -> None:
    text = compact(pdftotext(persian_pdf))
    for label in ("خلاصه مدیریتی", "پیشینه", "زمینه ژئوپلیتیکی", "زمینه‌های همکاری", "منابع"):
        assert compact(label) in text, label
    assert compact("شاپا 2975-0598 دوره ۲۹ شماره ۳") in text
    (date_line,) = [line for line in pdftotext(persian_pdf).splitlines() if "بهمن" in line]
    assert letters(date_line) == "بهمنژانویه"
    assert numbers(date_line) == numbers("۱ ۱۴۰۳ ۲۰ ۲۰۲۵")
    assert compact("(بازدید در ۱۸ ژانویه ۲۰۲۵)") in text


def test_persian_footer_reads_page_n_of_m_in_persian_digits(persian_pdf: Path) -> None:
    pages = len(PdfReader(persian_pdf).pages)
    digits = "۰۱۲۳۴۵۶۷۸۹"
    assert pages >= 2
    for number in range(1, pages + 1):
        page_text = compact(pdftotext(persian_pdf, "-f", str(number), "-l", str(number)))
        assert compact(f"صفحه {digits[number]} از {digits[pages]}") in page_text
        assert compact("دوره ۲۹ شماره ۳") in page_text
        assert "Page" not in page_text


def test_persian_seed_reads_through_in_logical_order(persian_pdf: Path) -> None:
    extracted = pdftotext(persian_pdf)
    # The running header and footer, the TLP label in both (issue 14), fall between pages.
    running = letters(extracted).replace("TLPCLEAR", "")
    text = re.sub(r"PersianFilesشاپا|صفحهاز|PersianFilesدورهشماره", "", running)
    position = 0
    seed = PERSIAN_SEED.read_text(encoding="utf-8")
    for line in seed.splitlines():
        found = text.find(letters(line), position)
        assert found >= 0, f"not found in reading order: {line[:50]!r}"
        position = found
    missing = Counter(numbers(seed)) - Counter(numbers(extracted))
    assert not missing, f"numbers of the seed not in the PDF: {missing}"


def test_persian_page_is_laid_out_right_to_left(persian_pdf: Path) -> None:
    boxes = word_boxes(persian_pdf, 1)
    first = next(b for b in boxes if b[0] == "Persian")  # the series title opens the line
    issn = next(b for b in boxes if b[0] == "2975-0598")
    assert first[1] > issn[1], "series title should stand right of the ISSN"
    headers = [b for b in boxes if b[2] < 80]
    assert any(w == "Persian" and x > 300 for w, x, _, _ in headers), "title in right header"
    footer = [b for b in boxes if b[2] > 760]
    assert any(w in "۱۲" and x < 150 for w, x, _, _ in footer), "page number bottom left"


def test_persian_html_is_marked_right_to_left(tmp_path: Path) -> None:
    html = render(PERSIAN_SAMPLE, tmp_path, "html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in html
    assert '<bdi dir="ltr">SpecialEurasia OSINT Unit</bdi>' in html
    assert "ol { list-style-type: persian; }" in html


def test_persian_pdf_metadata_and_fonts(persian_pdf: Path) -> None:
    reader = PdfReader(persian_pdf)
    assert reader.trailer["/Root"]["/Lang"] == "fa"
    assert reader.metadata is not None
    assert reader.metadata.title == "روابط بلاروس و ایران"
    fonts = subprocess.run(
        ["pdffonts", str(persian_pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert "Noto-Naskh-Arabic" in fonts
    assert "Noto-Naskh-Arabic-Bold" in fonts  # headings set in Naskh, not a lam-alef ligature


def test_latin_run_in_persian_prose_keeps_its_order(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    brief = shutil.copy(FIXTURES / "mixed-direction.yaml", tmp_path / "mixed.yaml")
    pdf = render(Path(brief), tmp_path / "out")
    boxes = word_boxes(pdf, 1)
    # poppler lists each word's glyphs left to right: Persian words come out reversed, and
    # the bracket that closes the run (logically) is drawn on its left.
    x = {w: left for w, left, _, _ in boxes}
    before, after = "هیاتها"[::-1], "موضوعات"[::-1]
    # Inside the brackets the names run left to right, and the bracketed run sits where
    # the Persian sentence puts it: left of the word before it, right of the word after it.
    assert x[after] < x[")Andrei"] < x["Dapkiunas,"] < x["Abbas"] < x["Araghchi("] < x[before]
    text = compact(pdftotext(pdf))
    assert letters("رؤسای هیاتها (Andrei Dapkiunas, Abbas Araghchi) موضوعات") in letters(text)
    assert compact("Belarus and Iran: A Partnership Against Geopolitical Isolation") in text


def test_a_zero_width_non_joiner_breaks_the_join(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    brief = shutil.copy(FIXTURES / "mixed-direction.yaml", tmp_path / "mixed.yaml")
    boxes = word_boxes(render(Path(brief), tmp_path / "out"), 1)
    # Both come out as the same letters; drawn, می‌کنند has a final ی and an initial ک,
    # which are wider than the joined medial forms of میکنند. The first (میکنند) stands right.
    without, with_zwnj = sorted((b for b in boxes if b[0] == "دننکیم"), key=lambda b: -b[1])
    assert with_zwnj[3] - with_zwnj[1] > 1.05 * (without[3] - without[1])


def test_russian_brief_gets_russian_labels(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    brief = shutil.copy(FIXTURES / "russian.yaml", tmp_path / "russian.yaml")
    text = compact(pdftotext(render(Path(brief), tmp_path / "out")))
    for label in ("Краткое изложение", "Справочная информация", "Геополитический контекст"):
        assert compact(label) in text
    assert compact("Persian Files ISSN 2975-0598 Том 29 Выпуск 4") in text
    assert compact("10 февраля 2025 г.") in text
    assert compact("Страница 1 из 1") in text
    assert compact("по теме «ирано-белорусские отношения».") in text
    assert "Page" not in text


# --- scripts and fonts (issue 14) ------------------------------------------------------------


def pdffonts(pdf: Path) -> list[str]:
    """The names of the fonts a PDF embeds, without their subset prefix."""
    listing = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    return [row.split()[0].split("+")[-1] for row in listing]


def test_a_russian_excerpt_is_set_in_the_body_face_not_in_naskh(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    brief = Path(shutil.copy(FIXTURES / "russian.yaml", tmp_path / "russian.yaml"))
    pdf = render(brief, tmp_path / "out")
    assert 'data-script="cyrl"' in render(brief, tmp_path / "out", "html").read_text("utf-8")
    assert compact("Дипломатические отношения установлены 18 марта 1993") in compact(pdftotext(pdf))
    # Nothing in the brief is in Arabic script: a Naskh face would be the excerpt's.
    fonts = pdffonts(pdf)
    assert "Noto-Serif" in fonts
    assert not [name for name in fonts if "Naskh" in name]


@pytest.fixture(scope="module")
def scripts_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scripts")
    shutil.copy(FIXTURES / "series.yaml", folder / "series.yaml")
    brief = Path(shutil.copy(FIXTURES / "scripts.yaml", folder / "scripts.yaml"))
    render(brief, folder, "html")
    return render(brief, folder)


def test_each_excerpt_gets_the_face_of_its_script(scripts_pdf: Path) -> None:
    html = scripts_pdf.with_suffix(".html").read_text("utf-8")
    for language, script in (("fa", "arab"), ("ru", "cyrl"), ("he", "hebr")):
        assert f'class="excerpt" lang="{language}" dir="' in html
        assert (
            f'lang="{language}" dir="{"ltr" if script == "cyrl" else "rtl"}" '
            f'data-script="{script}"' in html
        )
    fonts = pdffonts(scripts_pdf)
    assert {"Noto-Naskh-Arabic", "Noto-Serif-Hebrew", "Noto-Serif"} <= set(fonts)


@pytest.mark.parametrize("which", ["sample", "cite"])
def test_arabic_script_is_never_slanted(which: str, scripts_pdf: Path, tmp_path: Path) -> None:
    """The Persian sample (its <cite> titles), and a Persian title in an English brief's
    reference list: no Naskh face is italic or a synthesised oblique; Persian emphasis is
    set bold instead."""
    pdf = scripts_pdf if which == "cite" else render(PERSIAN_SAMPLE, tmp_path)
    arabic = [name for name in pdffonts(pdf) if "Arabic" in name]
    assert "Noto-Naskh-Arabic" in arabic
    assert not [name for name in arabic if "Oblique" in name or "Italic" in name]
    if which == "cite":
        assert "روابطسیاسیبلاروسوایران" in compact(pdftotext(scripts_pdf))
        assert "Noto-Naskh-Arabic-Bold" in arabic  # the excerpt's *سفارت*


def test_print_citations_are_bare_superscripts_and_locators_go_to_the_sources(
    scripts_pdf: Path,
) -> None:
    text = " ".join(pdftotext(scripts_pdf).split())
    # [@mfa; @tass] and [@mfa, p. 2; @tass, p. 12]: the same comma-separated superscripts.
    assert "Relations were established in 1993. 2,1 The embassy opened in 1998. 2,1 A" in text
    assert "p. 2;" not in text.split("Sources")[0] and "pp. 4" not in text.split("Sources")[0]
    # Each locator once under its source, in reading order.
    assert "ТАСС. Passages cited: pp. 4–9; p. 12." in text
    assert "Republic of Belarus. Passages cited: p. 2." in text
    # The screen keeps the brackets and locators, each locator linking back to its citation.
    html = scripts_pdf.with_suffix(".html").read_text("utf-8")
    assert (
        '>2<span class="cite-locator">, p. 2</span></a><span class="cite-sep">; </span>'
    ) in html
    assert '<bdi dir="ltr">pp. 4–9</bdi><a class="back" href="#cite-1"' in html


def test_persian_emphasis_in_an_english_field_is_bold_not_slanted(
    make_brief: MakeBrief, tmp_path: Path
) -> None:
    # :lang() cannot see it (the field is English); the script of the emphasised letters can.
    minimal = (FIXTURES / "minimal.yaml").read_text("utf-8")
    old = "Belarus and Iran keep building a *durable* partnership."
    assert old in minimal
    brief = make_brief(minimal.replace(old, "The crowd chanted *مرگ بر آمریکا* again, *twice*."))
    pdf = render(brief, tmp_path / "out")
    html = render(brief, tmp_path / "out", "html").read_text("utf-8")
    assert '<em data-script="arab">مرگ بر آمریکا</em>' in html and "<em>twice</em>" in html
    arabic = [name for name in pdffonts(pdf) if "Arabic" in name]
    assert "Noto-Naskh-Arabic-Bold" in arabic
    assert not [name for name in arabic if "Oblique" in name or "Italic" in name]
    assert "Noto-Serif-Italic" in pdffonts(pdf)  # Latin emphasis keeps its real italic


@pytest.mark.skipif(
    "Noto Serif CJK" not in subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False
    ).stdout if shutil.which("fc-list") else True,
    reason="Noto CJK is installed only by `bash scripts/setup.sh --cjk`",
)  # fmt: skip
def test_a_chinese_excerpt_is_set_in_noto_cjk_and_a_greek_one_in_the_body_face(
    tmp_path: Path,
) -> None:
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")
    text = (
        (FIXTURES / "scripts.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "  - id: haaretz\n",
            "  - id: xinhua\n    title: Xinhua\n    language: zh\n"
            "    excerpt: 伊朗和白俄罗斯签署合作路线图。\n"
            "  - id: kathimerini\n    title: Kathimerini\n    language: el\n"
            "    excerpt: Το Ιράν και η Λευκορωσία υπέγραψαν οδικό χάρτη.\n"
            "  - id: haaretz\n",
        )
    )
    brief = tmp_path / "scripts.yaml"
    brief.write_text(text, encoding="utf-8")
    pdf = render(brief, tmp_path)
    assert "Λευκορωσία" in pdftotext(pdf)
    assert "伊朗和白俄罗斯签署合作路线图" in compact(pdftotext(pdf))
    assert [name for name in pdffonts(pdf) if "CJK" in name]
