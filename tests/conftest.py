"""Shared fixtures: the test fixtures folder and a factory for briefs beside a registry."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: make_brief(text, name="brief.yaml") -> path of the brief written beside tests' series.yaml.
MakeBrief = Callable[..., Path]


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder holding series.yaml and minimal.yaml."""
    return FIXTURES


@pytest.fixture
def make_brief(tmp_path: Path) -> MakeBrief:
    """Return a factory writing a brief from YAML text into tmp_path, next to series.yaml."""
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")

    def make(text: str, name: str = "brief.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make
