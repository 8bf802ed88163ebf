"""The render child takes osintkit's own fontconfig configuration when setup made it, and the
system's otherwise; the calling process's environment is left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from osintkit.render import fonts

ROOT = Path(__file__).resolve().parents[1]


def _config(cache_home: Path) -> Path:
    return cache_home / "osintkit" / "fontconfig" / "fonts.conf"


def test_without_setup_the_child_keeps_the_systems_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    assert fonts.private_config() is None
    assert fonts.render_environment() == {}


def test_with_setup_the_child_takes_osintkits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    _config(tmp_path).parent.mkdir(parents=True)
    _config(tmp_path).write_text("<fontconfig/>", encoding="utf-8")
    assert fonts.render_environment() == {"FONTCONFIG_FILE": str(_config(tmp_path))}
    # A configuration the user chose is theirs.
    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    assert fonts.render_environment() == {}


# Renders the reference brief in a fresh process and prints the faces its PDF embeds, then
# whether this process's own environment names a fontconfig file.
_RENDER = """
import io, os, sys
from pathlib import Path
import pikepdf
import osintkit
pdf = osintkit.render_brief(osintkit.load_brief(Path(sys.argv[1])), formats=("pdf",)).pdf
with pikepdf.open(io.BytesIO(pdf)) as doc:
    fonts = {f.BaseFont for page in doc.pages for f in page.Resources.Font.values()}
print(*sorted(str(name).split("+")[-1] for name in fonts))
print("FONTCONFIG_FILE" in os.environ)
"""


@pytest.mark.skipif(shutil.which("fc-cache") is None, reason="fontconfig's tools are not installed")
def test_the_render_child_reads_fonts_only_where_osintkits_configuration_says(
    tmp_path: Path,
) -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not (dejavu / "DejaVuSerif.ttf").is_file():
        pytest.skip("DejaVu Serif is not installed")
    # A configuration that lists DejaVu alone: the report's Noto faces are then not found
    # and every text falls back to DejaVu, which shows the child took this file.
    config, cache = _config(tmp_path), tmp_path / "osintkit" / "fontconfig" / "cache"
    config.parent.mkdir(parents=True)
    config.write_text(
        f"<fontconfig><dir>{dejavu}</dir><cachedir>{cache}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    subprocess.run(
        ["fc-cache", "-f"], env={**env, "FONTCONFIG_FILE": str(config)}, check=True,
        capture_output=True, timeout=120,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, str(ROOT / "briefs" / "persian-files-29-2.yaml")],
        env={**env, "XDG_CACHE_HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    faces, in_parent = done.stdout.splitlines()
    assert faces.split() and all(face.startswith("DejaVu") for face in faces.split()), faces
    assert in_parent == "False"
