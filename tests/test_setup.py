"""scripts/setup.sh installs what README says, run against stand-ins for apt and the venv (no
package is installed, nothing outside a temporary folder is touched)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="setup.sh is a bash script")


def _stub(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def _setup(
    tmp_path: Path, *args: str, stubs_too: dict[str, str] | None = None
) -> tuple[int, list[str], str]:
    """Run a copy of setup.sh where no Debian package is installed (and each of ``stubs_too``,
    name → shell script, stands in for that program); return its exit code, the packages it
    asked apt-get to install and its standard error."""
    checkout, stubs = tmp_path / "checkout", tmp_path / "bin"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup.sh", checkout / "scripts" / "setup.sh")
    (checkout / "requirements").mkdir()
    (checkout / ".venv" / "bin").mkdir(parents=True)
    _stub(checkout / ".venv" / "bin" / "python", "exit 0")
    stubs.mkdir()
    log = tmp_path / "apt.log"
    _stub(stubs / "dpkg-query", "exit 1")  # nothing installed
    _stub(stubs / "id", "echo 0")  # root: no sudo
    _stub(stubs / "python3", "exit 0")
    _stub(stubs / "apt-get", f'[ "$1" = install ] && echo "$@" >> {log}; exit 0')
    for name, body in (stubs_too or {}).items():
        _stub(stubs / name, body)
    env = {
        **os.environ,
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}",
        # The renders' font configuration is written here, not into the user's cache.
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        ["bash", str(checkout / "scripts" / "setup.sh"), *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    installed = log.read_text(encoding="utf-8").split() if log.exists() else []
    return done.returncode, installed, done.stderr


def test_the_fonts_for_latin_cyrillic_greek_arabic_and_hebrew_without_cjk(tmp_path: Path) -> None:
    code, installed, _ = _setup(tmp_path)
    assert code == 0
    assert {"fonts-noto-core", "poppler-utils", "libharfbuzz-subset0"} <= set(installed)
    assert "fonts-noto-cjk" not in installed


def test_cjk_adds_noto_cjk(tmp_path: Path) -> None:
    code, installed, _ = _setup(tmp_path, "--cjk")
    assert code == 0
    assert {"fonts-noto-core", "fonts-noto-cjk"} <= set(installed)


def test_an_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    code, installed, err = _setup(tmp_path, "--cjkk")
    assert (code, installed) == (2, [])
    assert "unknown option --cjkk" in err


# Renders each sample in a fresh process (its render child starts with this environment) and
# prints, per sample, the fonts its PDF embeds, without the subset prefix.
_FONTS_OF_SAMPLES = """
import sys
from pathlib import Path
import pikepdf
import osintkit
for path in sys.argv[1:]:
    pdf = osintkit.render_brief(osintkit.load_brief(Path(path)), formats=("pdf",)).pdf
    with pikepdf.open(__import__("io").BytesIO(pdf)) as doc:
        names = sorted({str(font.BaseFont).split("+")[-1] for page in doc.pages
                        for font in page.Resources.Font.values()})
    print(Path(path).stem, *names)
"""


def _fonts_of_samples(cache_home: Path) -> list[str]:
    samples = [
        ROOT / "briefs" / f"persian-files-{name}.yaml"
        for name in ("29-2", "fa-sample", "long-sample")
    ]
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    done = subprocess.run(
        [sys.executable, "-c", _FONTS_OF_SAMPLES, *map(str, samples)],
        env={**env, "XDG_CACHE_HOME": str(cache_home)},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()


@pytest.mark.skipif(shutil.which("fc-cache") is None, reason="fontconfig's tools are not installed")
def test_the_renders_font_configuration_finds_every_face_the_samples_use(tmp_path: Path) -> None:
    code, _, _ = _setup(tmp_path)
    assert code == 0
    config = tmp_path / "cache" / "osintkit" / "fontconfig" / "fonts.conf"
    if not config.is_file():
        pytest.skip("no Noto Serif on this machine: setup leaves renders the system's fonts")
    text = config.read_text(encoding="utf-8")
    assert (
        f"<cachedir>{tmp_path / 'cache' / 'osintkit' / 'fontconfig' / 'cache'}</cachedir>" in text
    )
    assert list((tmp_path / "cache" / "osintkit" / "fontconfig" / "cache").glob("*.cache-*"))
    # The same faces through osintkit's configuration as through the system's (an empty
    # cache folder: no configuration of osintkit's), Persian and code included.
    through_setup = _fonts_of_samples(tmp_path / "cache")
    assert through_setup == _fonts_of_samples(tmp_path / "empty")
    assert any("Noto-Naskh-Arabic" in line for line in through_setup)


def test_without_noto_serif_setup_leaves_renders_the_systems_font_configuration(
    tmp_path: Path,
) -> None:
    code, _, err = _setup(tmp_path, stubs_too={"fc-cache": "exit 0", "fc-list": "exit 0"})
    assert code == 0
    assert not (tmp_path / "cache" / "osintkit" / "fontconfig" / "fonts.conf").exists()
    assert "renders will use the system's font configuration" in err
