"""The benchmark's inputs stay valid: its briefs validate and its Markdown keeps every section.

Runs only the bench's generator and exporter (bench/inputs.py, bench/export.py), never a
timing, so that a schema change that would break ``bench/run.py`` fails here instead.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from osintkit.validation import LoadedBrief, load_brief

ROOT = Path(__file__).resolve().parents[1]


def _bench_module(name: str) -> ModuleType:
    """Import ``bench.<name>`` from the checkout (bench/ is not an installed package)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"bench.{name}")


@pytest.fixture(scope="module")
def loaded_briefs(tmp_path_factory: pytest.TempPathFactory) -> list[LoadedBrief]:
    """The briefs the bench generates, loaded: reference, sized, and the ten to build.

    The ten are the first ten of the forty, byte for byte, and hold every length the forty
    cycle through; the other thirty differ from them only in which seed paragraphs they start
    from, so their numbers are checked here and their validation is left to the bench.
    """
    inputs = _bench_module("inputs").generate(tmp_path_factory.mktemp("bench"))
    assert set(inputs.sized) == {2, 5, 20, 100}
    ten, forty = (sorted(inputs.build_sets[n].glob("persian-files-*.yaml")) for n in (10, 40))
    assert len(ten) == 10 and len(forty) == 40
    texts = {path.name: path.read_text(encoding="utf-8") for path in forty}
    assert all(texts[path.name] == path.read_text(encoding="utf-8") for path in ten)
    numbers = {re.search(r"^issue: (\d+)$", text, re.MULTILINE) for text in texts.values()}
    assert len({int(m.group(1)) for m in numbers if m}) == 40  # no issue number twice
    return [load_brief(path) for path in [inputs.reference, *inputs.sized.values(), *ten]]


def test_generated_briefs_validate(loaded_briefs: list[LoadedBrief]) -> None:
    # load_brief raises BriefErrors for an invalid brief; here, every one of them loaded.
    assert len(loaded_briefs) == 1 + 4 + 10
    assert {b.series.title for b in loaded_briefs} == {"Persian Files"}


def test_generation_is_deterministic(tmp_path: Path) -> None:
    inputs = _bench_module("inputs")
    seeds = inputs.read_seeds()
    first = inputs.synthetic_brief(seeds, 5, volume=90, issue=2, variant=5)
    assert first == inputs.synthetic_brief(seeds, 5, volume=90, issue=2, variant=5)
    assert first != inputs.synthetic_brief(seeds, 5, volume=90, issue=3, variant=6)


def test_briefs_grow_with_pages(loaded_briefs: list[LoadedBrief]) -> None:
    sized = {b.path.stem: b.brief for b in loaded_briefs if b.path.stem.startswith("pages-")}
    lengths = [len(sized[f"pages-{n}"].geopolitical_context) for n in (2, 5, 20, 100)]
    assert lengths == sorted(lengths) and lengths[-1] > 20 * lengths[0]
    assert len(sized["pages-100"].sources) > len(sized["pages-2"].sources)


def test_markdown_export_has_every_section(loaded_briefs: list[LoadedBrief]) -> None:
    export = _bench_module("export")
    for loaded in loaded_briefs:
        brief = loaded.brief
        text = export.brief_to_markdown(loaded)
        headings = {line[3:] for line in text.splitlines() if line.startswith("## ")}
        challenges = export.plain(brief.challenges.title or "Challenges")
        expected = {"Executive Summary", "Background Information", "Geopolitical Context"}
        assert expected | {challenges, "Sources"} <= headings, loaded.path
        assert f'title: "{brief.title}"' in text
        assert "[@" not in text  # every citation became its number
        for item in brief.challenges.items:
            assert f"- **{export.plain(item.label)}:**" in text


def test_the_preview_case_sees_each_save_served(tmp_path: Path) -> None:
    # bench/preview.py drives a real `osintkit preview` (HTML here: the PDF mode differs only
    # in the URL it fetches); one save must come back as one new report, however long it took.
    osintkit = Path(sys.executable).with_name("osintkit")
    if not osintkit.is_file():
        pytest.skip("the osintkit command is not installed beside this Python")
    brief = tmp_path / "persian-files-29-2.yaml"
    brief.write_bytes((ROOT / "briefs" / brief.name).read_bytes())
    (tmp_path / "series.yaml").write_bytes((ROOT / "briefs" / "series.yaml").read_bytes())
    original = brief.read_bytes()
    seconds = _bench_module("preview").save_to_served(osintkit, brief, rounds=1, pdf=False)
    assert len(seconds) == 1 and seconds[0] > 0
    assert brief.read_bytes() == original  # the brief it changed is put back
