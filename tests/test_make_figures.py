"""scripts/make_figures.py: the longer sample's figures are what its data draws, and its data is
what the brief says.

The SVGs are committed so that rendering the sample needs no script; these tests keep them, the
data file, the brief's chronology and its two count tables from drifting apart.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from osintkit.loader import load_yaml
from osintkit.svg import sanitise_svg

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_figures.py"
BRIEF = ROOT / "briefs" / "persian-files-long-sample.yaml"
FIGURES = ROOT / "briefs" / "figures"
DATA = ROOT / "briefs" / "data" / "chronology.csv"


def _script() -> ModuleType:
    """Import scripts/make_figures.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_figures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_figures", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


make_figures = _script()
NAMES = [make_figures.CHANNELS_FILE, make_figures.VENUES_FILE]


def _run(out: Path, seed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_the_committed_figures_are_what_the_script_draws_from_the_committed_data(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path, "0")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (FIGURES / name).read_bytes(), (
            f"briefs/figures/{name} is stale: run `python scripts/make_figures.py`"
        )


def test_the_output_is_the_same_bytes_on_every_run(tmp_path: Path) -> None:
    # Two processes with different hash seeds: no set or dict order leaks into the output.
    first, second = tmp_path / "a", tmp_path / "b"
    assert _run(first, "1").returncode == 0
    assert _run(second, "2").returncode == 0
    in_process = make_figures.make_figures(DATA, tmp_path / "c")
    for name, path in zip(NAMES, in_process, strict=True):
        assert path.name == name
        assert (first / name).read_bytes() == (second / name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_each_figure_passes_the_svg_allow_list_with_all_its_text(name: str) -> None:
    data = (FIGURES / name).read_bytes()
    kept = sanitise_svg(data).decode("utf-8")
    text = data.decode("utf-8")
    # Nothing is dropped: every element and every label survives the allow-list.
    assert re.findall(r"<(\w+)", kept) == re.findall(r"<(\w+)", text)
    assert re.findall(r">([^<>]+)</text>", kept) == re.findall(r">([^<>]+)</text>", text)
    assert "<title>" in kept and "<desc>" in kept  # a text alternative inside the image too
    assert 'viewBox="0 0 640 ' in kept
    assert "Noto Sans" in kept  # the template's sans-serif face, as the report's text


def test_the_charts_say_what_the_data_holds() -> None:
    events = make_figures.read_events(DATA)
    channels = (FIGURES / make_figures.CHANNELS_FILE).read_text(encoding="utf-8")
    assert channels.count("<circle") == len(events) + 2  # a dot an event, two in the legend
    assert "No event recorded, 2008–2014" in channels
    assert "Recorded Belarus–Iran events by channel, 1993–2025" in channels
    venues = (FIGURES / make_figures.VENUES_FILE).read_text(encoding="utf-8")
    assert "In Iran: 10, In Belarus: 5, In a third country: 3, Not stated: 3." in venues
    assert "Number of recorded events" in venues


def _timeline(brief: dict[str, Any]) -> list[tuple[str, str, str]]:
    timeline = brief["timeline"]
    assert isinstance(timeline, list)
    return [(str(e["date"]), str(e["source"]), str(e["event"]).strip()) for e in timeline]


def test_the_data_is_the_brief_chronology_row_for_row() -> None:
    brief = load_yaml(BRIEF).data
    events = make_figures.read_events(DATA)
    assert [(e.date, e.source, e.event) for e in events] == _timeline(brief)
    source_ids = {s["id"] for s in brief["sources"]}
    assert {e.source for e in events} <= source_ids


def _table(markdown: str, table_id: str) -> dict[str, list[int]]:
    """The rows of the pipe table captioned ``{#table_id}``: label -> its numbers."""
    block = markdown[: markdown.index(f"{{#{table_id}}}")].rsplit("\n\n", 2)[-2]
    rows: dict[str, list[int]] = {}
    for line in block.strip().splitlines()[2:]:  # past the header and the delimiter row
        label, *cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[label] = [int(c) for c in cells]
    return rows


def _markdown(brief: dict[str, Any]) -> str:
    parts = [*brief["sections"], *brief["appendices"]]
    return "\n\n".join(part["body"] for part in parts)


def test_the_brief_tables_count_the_data() -> None:
    brief = load_yaml(BRIEF).data
    markdown = _markdown(brief)
    events = make_figures.read_events(DATA)
    periods = [(1993, 2000), (2001, 2007), (2015, 2019), (2023, 2025)]
    by_period = _table(markdown, "tbl-periods")
    by_venue = _table(markdown, "tbl-venues")
    assert list(by_period) == list(by_venue) == [*make_figures.CHANNELS, "All channels"]
    assert all(any(a <= e.year <= b for a, b in periods) for e in events)
    for channel in make_figures.CHANNELS:
        mine = [e for e in events if e.channel == channel]
        per_period = [sum(a <= e.year <= b for e in mine) for a, b in periods]
        assert by_period[channel] == [*per_period, len(mine)], channel
        venues = Counter(e.venue for e in mine)
        assert by_venue[channel] == [*(venues[v] for v in make_figures.VENUES), len(mine)]
    for table in (by_period, by_venue):
        columns = zip(*(table[c] for c in make_figures.CHANNELS), strict=True)
        assert table["All channels"] == [sum(column) for column in columns]


def test_bad_data_is_one_located_line_and_exit_1(tmp_path: Path) -> None:
    data = tmp_path / "chronology.csv"
    text = DATA.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("Diplomatic missions", "Embassies")
    data.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(data), "--out", str(out)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"make_figures: {data}:3: unknown channel 'Embassies'\n"
    assert not out.exists()  # nothing written from data that does not read
    data.write_text("date,channel,venue,source,event\n2019-7-x,Parliaments,Iran,s,e\n")
    with pytest.raises(make_figures.DataError, match=r":2: date '2019-7-x' is not YYYY"):
        make_figures.read_events(data)
    data.write_text("date,channel,place,source,event\n2019,Parliaments,Iran,s,e\n")
    with pytest.raises(make_figures.DataError, match="columns are date, channel, place"):
        make_figures.read_events(data)
