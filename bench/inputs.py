"""The briefs the benchmark measures, made from the seed texts in ``seeds/``.

Everything is deterministic: the same call writes the same bytes, so two runs of the bench
(and the smoke test, tests/test_bench.py) measure the same documents. The synthetic briefs
reuse the reference report's English prose (``seeds/004_…``) and the Belarusian foreign
ministry's Persian page (``seeds/000_…``), varied so that no two paragraphs in a row repeat:
sentences rotated, sub-headings, a bullet list now and then, emphasis, citations to a
growing list of sources with Persian excerpts. Their length is aimed at a number of pages of
the series template; ``run.py`` records the pages each one actually rendered to.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ENGLISH_SEED = "004_98082e07971dfb09.txt"
PERSIAN_SEED = "000_eb7cd7428725e614.txt"
REFERENCE = ROOT / "briefs" / "persian-files-29-2.yaml"
REGISTRY = ROOT / "briefs" / "series.yaml"

#: Pages the sized briefs aim at.
SIZES = (2, 5, 20, 100)
#: Briefs in each build folder (the first ten of the forty are the ten).
BUILD_COUNTS = (10, 40)
#: Pages of the briefs in a build folder, in turn: around the reference report's three.
BUILD_PAGES = (2, 3, 4, 5, 3)
#: Characters of brief text (Markdown, sources included) per page of the series template,
#: and what the masthead, headings and contact line take; calibrated on renders by run.py.
CHARS_PER_PAGE = 2950
FIXED_CHARS = 4400
#: The longest challenge item written; a long brief has more of them, not longer ones.
ITEM_CHARS = 3000

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PERSIAN_SENTENCE_END = re.compile(r"(?<=\.)\s+")


@dataclass(frozen=True, slots=True)
class Seeds:
    """The seed texts cut into the pieces a brief is made of."""

    #: English paragraphs of the reference report, in order.
    paragraphs: tuple[str, ...]
    #: Its section headings (Executive Summary, …), for sub-headings.
    headings: tuple[str, ...]
    #: Its challenges: (label, text).
    items: tuple[tuple[str, str], ...]
    #: Persian paragraphs of the ministry page, and its headings.
    persian: tuple[str, ...]
    persian_headings: tuple[str, ...]


def read_seeds(folder: Path = SEEDS) -> Seeds:
    """Return the seed texts of ``folder`` cut into paragraphs, headings and items."""
    english = (folder / ENGLISH_SEED).read_text(encoding="utf-8").splitlines()
    persian = (folder / PERSIAN_SEED).read_text(encoding="utf-8").splitlines()
    paragraphs, headings, items = [], [], []
    # The first two lines are the series line and the unit; the last one the contact line.
    for line in (line.strip() for line in english[2:]):
        if not line or line.startswith("Contact "):
            continue
        if line.startswith("- ") and ": " in line:
            label, text = line[2:].split(": ", 1)
            items.append((label.strip(), text.strip()))
        elif len(line) < 80:
            headings.append(line)
        else:
            paragraphs.append(line)
    persian_paragraphs = tuple(line.strip() for line in persian if len(line.strip()) >= 80)
    persian_headings = tuple(line.strip() for line in persian if 0 < len(line.strip()) < 80)
    return Seeds(
        tuple(paragraphs), tuple(headings), tuple(items), persian_paragraphs, persian_headings
    )


@dataclass(frozen=True, slots=True)
class BenchInputs:
    """Where :func:`generate` put the briefs."""

    folder: Path
    registry: Path
    reference: Path
    #: Pages aimed at → the brief.
    sized: dict[int, Path]
    #: Number of briefs → a folder holding that many briefs and a copy of series.yaml.
    build_sets: dict[int, Path]

    def all_briefs(self) -> list[Path]:
        """Every brief written, the reference first."""
        built = [p for folder in self.build_sets.values() for p in sorted(folder.glob("*.yaml"))]
        return [
            self.reference,
            *self.sized.values(),
            *(p for p in built if p.name != "series.yaml"),
        ]


def generate(
    folder: Path,
    sizes: tuple[int, ...] = SIZES,
    build_counts: tuple[int, ...] = BUILD_COUNTS,
) -> BenchInputs:
    """Write the reference brief, the sized briefs and the build folders into ``folder``.

    ``folder`` gets a copy of ``briefs/series.yaml`` and of the reference brief, and one brief
    per size (``pages-<n>.yaml``); each build folder (``build-<count>/``) gets its own copy of
    the registry and ``count`` briefs numbered 30/1, 30/2, … Returns where everything is.
    """
    seeds = read_seeds()
    folder.mkdir(parents=True, exist_ok=True)
    registry = folder / "series.yaml"
    shutil.copyfile(REGISTRY, registry)
    reference = folder / REFERENCE.name
    shutil.copyfile(REFERENCE, reference)
    # Its capture of the Persian source, which loading the brief checks.
    shutil.copytree(REFERENCE.parent / "evidence", folder / "evidence", dirs_exist_ok=True)
    sized = {}
    for position, pages in enumerate(sizes, start=1):
        path = folder / f"pages-{pages}.yaml"
        text = synthetic_brief(seeds, pages, volume=90, issue=position, variant=pages)
        path.write_text(text, encoding="utf-8")
        sized[pages] = path
    build_sets = {}
    for count in build_counts:
        target = folder / f"build-{count}"
        target.mkdir(exist_ok=True)
        shutil.copyfile(REGISTRY, target / "series.yaml")
        for issue in range(1, count + 1):
            pages = BUILD_PAGES[(issue - 1) % len(BUILD_PAGES)]
            text = synthetic_brief(seeds, pages, volume=30, issue=issue, variant=issue)
            (target / f"persian-files-30-{issue}.yaml").write_text(text, encoding="utf-8")
        build_sets[count] = target
    return BenchInputs(folder, registry, reference, sized, build_sets)


def markdown_limit() -> int:
    """The most characters the schema allows in one Markdown field (osintkit's, as installed)."""
    from osintkit.models import Brief

    for constraint in Brief.model_fields["background"].metadata:
        limit = getattr(constraint, "max_length", None)
        if isinstance(limit, int):
            return limit
    return 1_000_000


def synthetic_brief(seeds: Seeds, pages: int, *, volume: int, issue: int, variant: int) -> str:
    """Return the YAML text of a valid brief of about ``pages`` pages.

    ``variant`` shifts where in the seed text each section starts, so briefs of one length
    still differ. No Markdown field is longer than the schema allows: what a long brief's
    sections cannot hold goes into more challenge items.
    """
    cap = int(markdown_limit() * 0.9)  # _prose may overshoot its aim by a paragraph
    budget = max(pages * CHARS_PER_PAGE - FIXED_CHARS, 1200)
    source_count = min(max(3, pages // 2 + 2), 40)
    ids = [f"src-{j:02d}" for j in range(1, source_count + 1)]
    sources = [_source(seeds, j, sid) for j, sid in enumerate(ids, start=1)]
    budget -= sum(len(s["excerpt"]) for s in sources)
    cites = _Citations(ids)
    start = variant * 3
    shares = [min(int(budget * share), cap) for share in (0.10, 0.30, 0.45, 0.05)]
    summary = _prose(seeds, shares[0], start, cites, headings=False)
    background = _prose(seeds, shares[1], start + 3, cites, headings=pages >= 5)
    context = _prose(seeds, shares[2], start + 7, cites, headings=pages >= 5)
    intro = _prose(seeds, shares[3], start + 11, cites, headings=False)
    items_budget = budget - sum(shares)
    item_count = max(min(4 + pages // 5, 24), -(-items_budget // min(ITEM_CHARS, cap)))
    item_chars = max(items_budget // item_count, 120)
    items = [_item(seeds, start + k, item_chars, cites) for k in range(item_count)]
    date = dt.date(2025, 1, 1) + dt.timedelta(days=(volume * 7 + issue) % 360)
    topic = seeds.headings[variant % len(seeds.headings)]

    out = [
        f"# Synthetic brief for the osintkit benchmark: about {pages} pages, from seeds/.",
        "series: persian-files",
        f"volume: {volume}",
        f"issue: {issue}",
        f"title: {_quoted(f'Belarus and Iran, {topic}: dossier {volume}-{issue}')}",
        f"subtitle: {_quoted(f'A synthetic report of about {pages} pages')}",
        f"date: {date.isoformat()}",
        "language: en",
        'authors: ["SpecialEurasia OSINT Unit"]',
        "keywords: [Belarus, Iran, sanctions, Eurasia, SCO, EAEU]",
        "contact_topic: Iran-Belarus relations",
        *_block("executive_summary", summary),
        *_block("background", background),
        *_block("geopolitical_context", context),
        "challenges:",
        f"  title: {_quoted(f'Challenges to the partnership, dossier {volume}-{issue}')}",
        *_block("intro", intro, indent=2),
        "  items:",
    ]
    for label, text in items:
        out.append(f"    - label: {_quoted(label)}")
        out.append(f"      text: {_quoted(text)}")
    out.append("sources:")
    for source in sources:
        out.append(f"  - id: {source['id']}")
        out.append(f"    title: {_quoted(source['title'])}")
        out.append(f"    publisher: {_quoted(source['publisher'])}")
        if source["url"]:
            out.append(f"    url: {source['url']}")
        out.append(f"    language: {source['language']}")
        out.append(f"    accessed: {source['accessed']}")
        if source["excerpt"]:
            out.extend(_block("excerpt", source["excerpt"], indent=4))
    return "\n".join(out) + "\n"


class _Citations:
    """Hands out source ids in turn, so every source is cited and in a varied order."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.count = 0

    def next(self) -> str:
        source_id = self.ids[(self.count * 7) % len(self.ids)]
        self.count += 1
        if self.count % 4 == 0:
            return f"[@{source_id}, p. {self.count % 40 + 1}]"
        return f"[@{source_id}]"


def _varied(seeds: Seeds, k: int) -> str:
    """Paragraph ``k`` of an endless text: the seed paragraphs with their sentences rotated."""
    paragraph = seeds.paragraphs[k % len(seeds.paragraphs)]
    sentences = _SENTENCE_END.split(paragraph)
    turn = (k // len(seeds.paragraphs)) % len(sentences)
    return " ".join(sentences[turn:] + sentences[:turn])


def _prose(seeds: Seeds, chars: int, start: int, cites: _Citations, headings: bool) -> str:
    """Markdown paragraphs of about ``chars`` characters from paragraph ``start`` on."""
    blocks: list[str] = []
    written = 0
    k = start
    while written < chars or not blocks:
        before = len(blocks)
        text = _varied(seeds, k)
        if k % 3 == 0:
            text = re.sub(r"\b(Iran|Belarus|Minsk|Tehran)\b", r"*\1*", text, count=1)
        if k % 2 == 0:
            # After the first sentence: a citation closes a claim, not the paragraph.
            first, _, rest = text.partition(". ")
            text = f"{first} {cites.next()}. {rest}" if rest else f"{text} {cites.next()}"
        if headings and k % 7 == 0 and blocks:
            heading = seeds.headings[k % len(seeds.headings)]
            blocks.append(f"# {heading}, part {k // 7}")
        blocks.append(text)
        if k % 11 == 5:
            items = [seeds.items[(k + i) % len(seeds.items)] for i in range(3)]
            blocks.append("\n".join(f"- **{label}:** {text}" for label, text in items))
        written += sum(len(b) for b in blocks[before:])
        k += 1
    return "\n\n".join(blocks)


def _item(seeds: Seeds, k: int, chars: int, cites: _Citations) -> tuple[str, str]:
    label, text = seeds.items[k % len(seeds.items)]
    round_ = k // len(seeds.items)
    if round_:
        label = f"{label} ({round_ + 1})"
    parts = [text]
    j = k
    while sum(len(p) for p in parts) < chars:
        parts.append(_SENTENCE_END.split(_varied(seeds, j))[0])
        j += 5
    parts[0] = f"{parts[0]} {cites.next()}"
    return label, " ".join(parts)


def _source(seeds: Seeds, j: int, source_id: str) -> dict[str, str]:
    """Source ``j``: every third one quotes the Persian seed and is marked ``language: fa``."""
    persian = j % 3 == 1
    heading = seeds.headings[j % len(seeds.headings)]
    excerpt = ""
    if persian:
        paragraph = seeds.persian[j % len(seeds.persian)]
        sentences = _PERSIAN_SENTENCE_END.split(paragraph)
        excerpt = " ".join(sentences[:2]).strip()
    return {
        "id": source_id,
        "title": (
            f"{seeds.persian_headings[j % len(seeds.persian_headings)]} ({j})"
            if persian
            else f"{heading}: notes on Belarus and Iran, {j}"
        ),
        "publisher": (
            "Ministry of Foreign Affairs of the Republic of Belarus"
            if persian
            else "SpecialEurasia"
        ),
        "url": "" if persian else f"https://www.specialeurasia.com/sources/{j}",
        "language": "fa" if persian else "en",
        "accessed": (dt.date(2025, 1, 1) + dt.timedelta(days=j % 28)).isoformat(),
        "excerpt": excerpt,
    }


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(value, ensure_ascii=False)


def _block(key: str, text: str, indent: int = 0) -> Iterator[str]:
    """``key: |`` and ``text`` as a literal block scalar, indented under it."""
    yield f"{' ' * indent}{key}: |"
    pad = " " * (indent + 2)
    for line in text.splitlines():
        yield f"{pad}{line}" if line else ""
