"""Finding the series registry: the nearest series.yaml above a brief."""

from __future__ import annotations

from pathlib import Path

import pytest

from osintkit.paths import find_registry


def test_find_registry_walks_up_from_a_brief(tmp_path: Path) -> None:
    registry = tmp_path / "series.yaml"
    registry.write_text("{}\n", encoding="utf-8")
    deep = tmp_path / "2025" / "01"
    deep.mkdir(parents=True)
    brief = deep / "brief.yaml"
    brief.write_text("series: x\n", encoding="utf-8")
    assert find_registry(brief) == registry.resolve()
    assert find_registry(deep) == registry.resolve()


def test_the_nearest_registry_wins(tmp_path: Path) -> None:
    (tmp_path / "series.yaml").write_text("{}\n", encoding="utf-8")
    inner = tmp_path / "team"
    inner.mkdir()
    (inner / "series.yaml").write_text("{}\n", encoding="utf-8")
    assert find_registry(inner / "brief.yaml") == (inner / "series.yaml").resolve()


def test_a_folder_named_series_yaml_is_not_a_registry(tmp_path: Path) -> None:
    (tmp_path / "series.yaml").write_text("{}\n", encoding="utf-8")
    inner = tmp_path / "team"
    (inner / "series.yaml").mkdir(parents=True)
    assert find_registry(inner / "brief.yaml") == (tmp_path / "series.yaml").resolve()


def test_no_registry_anywhere(tmp_path: Path) -> None:
    if any((p / "series.yaml").is_file() for p in tmp_path.resolve().parents):
        pytest.skip("a series.yaml above the temporary folder would be found")
    assert find_registry(tmp_path / "brief.yaml") is None
