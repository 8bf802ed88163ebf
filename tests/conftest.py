"""Shared fixtures: the test fixtures folder and a factory for briefs beside a registry.

Also the Hypothesis profiles of the fuzz tests: "ci" (the default, a few thousand examples in
all, under a minute on two cores) and "deep" for a long local run
(``pytest tests/test_fuzz.py --hypothesis-profile=deep``).
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# No example database: CI must not depend on what an earlier run left in .hypothesis/, and a
# failure prints the blob that reproduces it instead. No deadline: the first example of a
# test pays for imports and template loading, which says nothing about the input.
settings.register_profile(
    "ci",
    max_examples=300,  # each fuzz test runs a share of this: 4,500 examples in all
    deadline=None,
    database=None,
    print_blob=True,
    # Strings of thousands of characters (deeply nested Markdown, 10**400) are the point of
    # some strategies, so generating them is allowed to be slow.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("deep", parent=settings.get_profile("ci"), max_examples=3_000)
settings.load_profile("ci")

# A shell without job control starts a background command with SIGINT ignored, and an ignored
# signal stays ignored in every child: the tests that press Ctrl-C on an osintkit process
# would then wait for an exit that never comes. Run from such a shell (a CI runner, `cmd &`),
# the suite restores the default, as a terminal would have it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = FIXTURES.parents[1]

#: make_brief(text, name="brief.yaml") -> path of the brief written beside tests' series.yaml.
MakeBrief = Callable[..., Path]
#: make_png(width=2, height=1, colour=(200, 30, 30)) -> the bytes of a valid PNG.
MakePng = Callable[..., bytes]


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder holding series.yaml and minimal.yaml."""
    return FIXTURES


@pytest.fixture
def series_dir(tmp_path: Path) -> Path:
    """A folder with the registry and issue 2 of volume 29 (the reference brief, with its
    evidence/ folder)."""
    folder = tmp_path / "briefs"
    folder.mkdir()
    shutil.copy(ROOT / "briefs" / "series.yaml", folder / "series.yaml")
    shutil.copy(ROOT / "briefs" / "persian-files-29-2.yaml", folder / "persian-files-29-2.yaml")
    # Its capture of the Persian source (issue 17), which validation reads.
    shutil.copytree(ROOT / "briefs" / "evidence", folder / "evidence")
    return folder


@pytest.fixture
def reference_brief(series_dir: Path) -> Path:
    """The copy of the bundled reference brief in :func:`series_dir`."""
    return series_dir / "persian-files-29-2.yaml"


@pytest.fixture
def make_brief(tmp_path: Path) -> MakeBrief:
    """Return a factory writing a brief from YAML text into tmp_path, next to series.yaml."""
    shutil.copy(FIXTURES / "series.yaml", tmp_path / "series.yaml")

    def make(text: str, name: str = "brief.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture
def make_png() -> MakePng:
    """Return a factory of small valid PNGs (a figure must decode to be shown)."""
    import io

    from PIL import Image

    def make(
        width: int = 2, height: int = 1, colour: tuple[int, int, int] = (200, 30, 30)
    ) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
        return buffer.getvalue()

    return make
